"""Customer feedback on assistant answers, and the records that keep it honest.

A Feedback row copies the rated answer's topic category and prompt version *by the answer's primary key at write
time*: analysis groups by those copies, so they must never be guessed from time or session (the misattribution bug
the consistency and join-rate audits exist to catch).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Category

# Feedback at or below this provenance score never counts in any analysis or prompt decision.
TRUSTED_SCORE_ABOVE = 0.3


class FeedbackQuerySet(models.QuerySet):
    def active(self):
        """Everything not quarantined: quarantined feedback is excluded everywhere it is used."""
        return self.filter(quarantined=False)

    def trusted(self):
        """The only feedback that may count in an analysis or a prompt decision."""
        return self.filter(quarantined=False, provenance_score__gt=TRUSTED_SCORE_ABOVE)

    def thumbs(self):
        return self.filter(kind=Feedback.Kind.THUMB)


class Feedback(models.Model):
    class Kind(models.TextChoices):
        THUMB = "thumb", _("Thumb")
        CORRECTION = "correction", _("Correction")  # what the answer should have said
        PREFERENCE = "preference", _("Preference")  # the chosen and the rejected of two answers

    class Value(models.TextChoices):
        UP = "up", _("Thumbs up")
        DOWN = "down", _("Thumbs down")

    class Flag(models.TextChoices):
        """Set by sanitising a correction; the flagged part is already gone from `text`."""

        URL = "url", _("Link removed")
        COMPETITOR = "competitor", _("Competitor name removed")
        UNRELATED = "unrelated", _("Unrelated to the answer")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=4, choices=Value.choices, blank=True)  # thumbs only
    # A correction after sanitising (the only text anyone or anything should use); `raw_text` is what was sent, kept
    # for audits and abuse reports, never for analysis.
    text = models.TextField(_("text"), blank=True)
    raw_text = models.TextField(_("text as sent"), blank=True)
    chosen = models.TextField(_("chosen"), blank=True)
    rejected = models.TextField(_("rejected"), blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    relatedness = models.FloatField(_("relatedness"), null=True, blank=True)  # correction vs question/answer, cosine

    # SET_NULL, not CASCADE: feedback outlives a deleted answer, and the join-rate audit counts it as not joining.
    message = models.ForeignKey("chat.Message", verbose_name=_("message"),
                                null=True, on_delete=models.SET_NULL, related_name="feedback")
    session = models.ForeignKey("chat.ChatSession", verbose_name=_("session"),
                                on_delete=models.CASCADE, related_name="feedback")
    customer = models.ForeignKey("catalog.Customer", verbose_name=_("customer"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="feedback")
    topic_category = models.CharField(_("topic category"), max_length=20, choices=Category.choices)
    previous_topic_category = models.CharField(_("previous topic category"),
                                               max_length=20, choices=Category.choices, blank=True,
                                               help_text=_("The value before the last topic backfill changed it."))
    prompt_version = models.ForeignKey("prompts.PromptVersion", verbose_name=_("prompt version"),
                                       null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="feedback")

    provenance_score = models.FloatField(_("provenance score"), default=0.0)
    provenance_signals = models.JSONField(_("provenance signals"), default=dict, blank=True)
    quarantined = models.BooleanField(_("quarantined"), default=False)
    quarantine_reason = models.TextField(_("quarantine reason"), blank=True)
    quarantined_at = models.DateTimeField(_("quarantined at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="thumb", value__in=["up", "down"])
                           | Q(kind="correction", value="") & ~Q(text="")
                           | Q(kind="preference", value="") & ~Q(chosen="") & ~Q(rejected="")),
                name="feedback_kind_has_its_fields"),
            models.CheckConstraint(condition=Q(quarantined=False) | ~Q(quarantine_reason=""),
                                   name="feedback_quarantine_has_reason"),
            # One thumb per answer per session: a second click changes the value instead of stacking votes.
            models.UniqueConstraint(fields=["message", "session"], condition=Q(kind="thumb"),
                                    name="feedback_one_thumb_per_message"),
        ]
        indexes = [
            models.Index(fields=["session", "kind", "created_at"], name="feedback_session_kind_time"),
            models.Index(fields=["customer", "created_at"], name="feedback_customer_time"),
        ]
        ordering = ["-id"]

    def __str__(self) -> str:
        detail = self.value if self.kind == self.Kind.THUMB else self.kind
        return f"feedback #{self.pk} {detail} on message #{self.message_id}"

    @property
    def is_trusted(self) -> bool:
        return not self.quarantined and self.provenance_score > TRUSTED_SCORE_ABOVE


class CompetitorName(models.Model):
    """A rival store's name; corrections mentioning one have it removed and are flagged. Edited in the admin."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("competitor name")
        verbose_name_plural = _("competitor names")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuarantineEvent(models.Model):
    """Who quarantined or released which feedback, when, why, and the state before and after."""

    class Action(models.TextChoices):
        QUARANTINE = "quarantine", _("Quarantine")
        RELEASE = "release", _("Release")

    feedback = models.ForeignKey(Feedback, verbose_name=_("feedback"),
                                 on_delete=models.CASCADE, related_name="quarantine_events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"),
                              null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(_("actor label"),
                                   max_length=100, help_text=_("The user, or the audit that acted automatically."))
    audit_report = models.ForeignKey("AuditReport", verbose_name=_("audit report"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="quarantine_events")
    reason = models.TextField(_("reason"))
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("quarantine event")
        verbose_name_plural = _("quarantine events")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="quarantine_event_has_reason")]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.action} feedback #{self.feedback_id} by {self.actor_label}"


class AuditReport(models.Model):
    class Kind(models.TextChoices):
        ADVERSARIAL = "adversarial", _("weekly adversarial audit")
        TOPIC_DRIFT = "topic_drift", _("hourly topic-distribution drift")
        JOIN_RATE = "join_rate", _("hourly join rate")
        SATISFACTION = "satisfaction", _("daily satisfaction change")
        CONSISTENCY = "consistency", _("daily cross-table consistency")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    findings = models.JSONField(_("findings"), default=dict, blank=True)
    alert = models.BooleanField(_("alert"), default=False)

    class Meta:
        verbose_name = _("audit report")
        verbose_name_plural = _("audit reports")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.started_at:%Y-%m-%d %H:%M}{' (ALERT)' if self.alert else ''}"


class BackfillCheckpoint(models.Model):
    """Where a resumable backfill got to: it restarts after `last_id` with the same `since` cut-off."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    since = models.DateTimeField(_("since"), null=True, blank=True)
    last_id = models.BigIntegerField(_("last ID"), default=0)
    scanned = models.BigIntegerField(_("scanned"), default=0)
    changed = models.BigIntegerField(_("changed"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backfill checkpoint")
        verbose_name_plural = _("backfill checkpoints")

    def __str__(self) -> str:
        state = "finished" if self.finished_at else f"at id {self.last_id}"
        return f"{self.name} ({state})"
