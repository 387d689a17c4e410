"""Prompt versions and their rollout records.

A PromptVersion is the Bedrock system prompt *and* the offline answer wording (per-intent templates in Japanese and
English) together. Its content is immutable once proposed: only a draft may be edited, and every status change after
that is an immutable PromptTransition row written by prompts/lifecycle.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# What a version *is*: these never change once the version left the draft status.
CONTENT_FIELDS = ("name", "version", "text", "templates", "created_by_id", "reason")


class ImmutablePromptError(Exception):
    """Raised when code tries to change the content of a proposed version or to rewrite history."""


class PromptVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        touched = set(kwargs) | {f"{name}_id" for name in kwargs}
        if touched & set(CONTENT_FIELDS) and self.exclude(status=PromptVersion.Status.DRAFT).exists():
            raise ImmutablePromptError("the content of a proposed prompt version cannot be changed")
        return super().update(**kwargs)


class PromptVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING = "pending", _("pending review")
        APPROVED = "approved", _("approved")
        CANARY = "canary", _("canary")
        LIVE = "live", _("live")
        RETIRED = "retired", _("retired")
        REJECTED = "rejected", _("rejected")
        ROLLED_BACK = "rolled_back", _("rolled back")

    name = models.CharField(_("name"), max_length=64, default="answer")
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), help_text=_("The Bedrock system prompt."))
    templates = models.JSONField(_("answer templates"), default=dict, blank=True,
                                 help_text=_("Offline answer wording: {key: {ja: …, en: …}} with {placeholders}."))
    reason = models.TextField(_("reason"),
                              blank=True, help_text=_("Why this version exists (what it changes and why)."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    override_reason = models.TextField(_("override reason"),
                                       blank=True)  # why a version that evaluated worse was approved anyway
    evaluation = models.JSONField(_("evaluation"),
                                  default=dict, blank=True)  # eval_prompt's numbers, with the live baseline
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    canary_percent = models.FloatField(_("canary share (%)"), default=5.0)
    canary_started_at = models.DateTimeField(_("canary started at"), null=True, blank=True)
    canary_until = models.DateTimeField(_("canary until"), null=True, blank=True)
    canary_extended = models.BooleanField(_("canary extended"), default=False)
    canary_result = models.JSONField(_("canary result"),
                                     default=dict, blank=True)  # the numbers the canary sweep decided on
    needs_decision = models.BooleanField(_("needs a decision"),
                                         default=False)  # the canary could not decide: a human must
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = PromptVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("prompt version")
        verbose_name_plural = _("prompt versions")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="prompt_name_version_unique"),
            models.UniqueConstraint(fields=["name"], condition=Q(status="live"), name="one_live_prompt_per_name"),
            models.UniqueConstraint(fields=["name"], condition=Q(status="canary"), name="one_canary_prompt_per_name"),
            models.CheckConstraint(condition=Q(canary_percent__gte=0) & Q(canary_percent__lte=100),
                                   name="prompt_canary_percent_range"),
        ]
        ordering = ["name", "-version"]

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    @cached_property
    def own_words(self) -> str:
        """The template texts (greetings, intros) joined: the store's words, which an answer may repeat (chat's
        grounding check). Kept on the instance: prompts.serving keeps the served ones, whose content cannot change."""
        templates = self.templates if isinstance(self.templates, dict) else {}
        return " ".join(text for texts in templates.values() if isinstance(texts, dict)
                        for text in texts.values() if isinstance(text, str))

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values("status", *CONTENT_FIELDS).first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = [f for f in CONTENT_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise ImmutablePromptError(f"{self} is {stored['status']}: its {', '.join(changed)} cannot change")
        super().save(*args, **kwargs)

    @classmethod
    def active(cls, name: str = "answer") -> "PromptVersion | None":
        """The live version (what every session gets unless it falls in a canary); see prompts/serving.py."""
        return cls.objects.filter(name=name, status=cls.Status.LIVE).first()


class PromptTransition(models.Model):
    """One status change of one version: who, when, from, to, why and the numbers. Never updated or deleted."""

    version = models.ForeignKey(PromptVersion, verbose_name=_("prompt version"),
                                on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(_("from status"), max_length=16, choices=PromptVersion.Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, choices=PromptVersion.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"),
                              null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(_("actor label"),
                                   max_length=64, blank=True)  # "canary sweep", "rollback_prompt" when no person
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    numbers = models.JSONField(_("numbers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("prompt transition")
        verbose_name_plural = _("prompt transitions")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.version}: {self.from_status or '—'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutablePromptError("prompt history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutablePromptError("prompt history is append-only")


class PromptFreeze(models.Model):
    """While a freeze is in force (not lifted), nothing is promoted and no canary starts. At most one in force."""

    reason = models.TextField(_("reason"))
    in_force = models.BooleanField(_("in force"), default=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("frozen by"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lifted by"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("lift reason"), blank=True)

    class Meta:
        verbose_name = _("prompt freeze")
        verbose_name_plural = _("prompt freezes")
        ordering = ["-frozen_at"]
        constraints = [models.UniqueConstraint(fields=["in_force"], condition=Q(in_force=True),
                                               name="one_prompt_freeze_in_force")]

    def __str__(self) -> str:
        return f"freeze {self.frozen_at:%Y-%m-%d %H:%M} ({'lifted' if self.lifted_at else 'in force'})"

    @classmethod
    def current(cls) -> "PromptFreeze | None":
        return cls.objects.filter(in_force=True).first()
