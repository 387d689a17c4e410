"""Customer feedback on assistant answers, and the records that keep it honest.

A Feedback row copies the rated answer's topic category and prompt version *by the answer's primary key at write
time*: analysis groups by those copies, so they must never be guessed from time or session (the misattribution bug
the consistency and join-rate audits exist to catch).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

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
        THUMB = "thumb"
        CORRECTION = "correction"  # what the answer should have said
        PREFERENCE = "preference"  # the chosen and the rejected of two answers

    class Value(models.TextChoices):
        UP = "up"
        DOWN = "down"

    class Flag(models.TextChoices):
        """Set by sanitising a correction; the flagged part is already gone from `text`."""

        URL = "url"
        COMPETITOR = "competitor"
        UNRELATED = "unrelated"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    value = models.CharField(max_length=4, choices=Value.choices, blank=True)  # thumbs only
    # A correction after sanitising (the only text anyone or anything should use); `raw_text` is what was sent, kept
    # for audits and abuse reports, never for analysis.
    text = models.TextField(blank=True)
    raw_text = models.TextField(blank=True)
    chosen = models.TextField(blank=True)
    rejected = models.TextField(blank=True)
    flags = models.JSONField(default=list, blank=True)
    relatedness = models.FloatField(null=True, blank=True)  # correction vs question/answer, cosine

    # SET_NULL, not CASCADE: feedback outlives a deleted answer, and the join-rate audit counts it as not joining.
    message = models.ForeignKey("chat.Message", null=True, on_delete=models.SET_NULL, related_name="feedback")
    session = models.ForeignKey("chat.ChatSession", on_delete=models.CASCADE, related_name="feedback")
    customer = models.ForeignKey("catalog.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="feedback")
    topic_category = models.CharField(max_length=20, choices=Category.choices)
    previous_topic_category = models.CharField(max_length=20, choices=Category.choices, blank=True,
                                               help_text="The value before the last topic backfill changed it.")
    prompt_version = models.ForeignKey("prompts.PromptVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="feedback")

    provenance_score = models.FloatField(default=0.0)
    provenance_signals = models.JSONField(default=dict, blank=True)
    quarantined = models.BooleanField(default=False)
    quarantine_reason = models.TextField(blank=True)
    quarantined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
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
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        detail = self.value if self.kind == self.Kind.THUMB else self.kind
        return f"feedback #{self.pk} {detail} on message #{self.message_id}"

    @property
    def is_trusted(self) -> bool:
        return not self.quarantined and self.provenance_score > TRUSTED_SCORE_ABOVE


class CompetitorName(models.Model):
    """A rival store's name; corrections mentioning one have it removed and are flagged. Edited in the admin."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuarantineEvent(models.Model):
    """Who quarantined or released which feedback, when, why, and the state before and after."""

    class Action(models.TextChoices):
        QUARANTINE = "quarantine"
        RELEASE = "release"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="quarantine_events")
    action = models.CharField(max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=100, help_text="The user, or the audit that acted automatically.")
    audit_report = models.ForeignKey("AuditReport", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="quarantine_events")
    reason = models.TextField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="quarantine_event_has_reason")]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.action} feedback #{self.feedback_id} by {self.actor_label}"


class AuditReport(models.Model):
    class Kind(models.TextChoices):
        ADVERSARIAL = "adversarial", "weekly adversarial audit"
        TOPIC_DRIFT = "topic_drift", "hourly topic-distribution drift"
        JOIN_RATE = "join_rate", "hourly join rate"
        SATISFACTION = "satisfaction", "daily satisfaction change"
        CONSISTENCY = "consistency", "daily cross-table consistency"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    findings = models.JSONField(default=dict, blank=True)
    alert = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.started_at:%Y-%m-%d %H:%M}{' (ALERT)' if self.alert else ''}"


class BackfillCheckpoint(models.Model):
    """Where a resumable backfill got to: it restarts after `last_id` with the same `since` cut-off."""

    name = models.CharField(max_length=64, unique=True)
    since = models.DateTimeField(null=True, blank=True)
    last_id = models.BigIntegerField(default=0)
    scanned = models.BigIntegerField(default=0)
    changed = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        state = "finished" if self.finished_at else f"at id {self.last_id}"
        return f"{self.name} ({state})"
