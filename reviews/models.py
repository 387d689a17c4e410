"""Human review: thresholds and their audit, review tasks, reviewer availability, overrides, alerts.

Invariants live in the database (check and unique constraints), so a retried task, a second worker or a hand edit in
the shell cannot break them. Behaviour beyond small helpers lives in the action modules (escalation.py, decisions.py,
sweeps.py, backpressure.py, alerts.py, availability.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Category, Locale


class RiskClass(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")  # financial/legal: never auto-relaxed, never sent unverified on timeout


class Priority(models.IntegerChoices):
    P1 = 1, "P1"
    P2 = 2, "P2"
    P3 = 3, "P3"
    P4 = 4, "P4"


class Route(models.TextChoices):
    AUTO = "auto", _("Auto")
    REVIEW = "review", _("Review")
    CLARIFY = "clarify", _("Clarify")
    HANDOFF = "handoff", _("Handoff")


# DESIGN.md's defaults (seeded by migration 0002; editable in the admin).
DEFAULT_THRESHOLDS = {
    Category.REFUND: (RiskClass.HIGH, Priority.P1),
    Category.PAYMENT: (RiskClass.HIGH, Priority.P1),
    Category.COMPLAINT: (RiskClass.HIGH, Priority.P2),
    Category.LEGAL: (RiskClass.HIGH, Priority.P2),
    Category.ORDER_STATUS: (RiskClass.NORMAL, Priority.P2),
    Category.ACCOUNT: (RiskClass.NORMAL, Priority.P2),
    Category.AVAILABILITY: (RiskClass.NORMAL, Priority.P3),
    Category.PRODUCT_INFO: (RiskClass.NORMAL, Priority.P3),
    Category.RARE_MANGA: (RiskClass.NORMAL, Priority.P3),
    Category.SHIPPING: (RiskClass.NORMAL, Priority.P3),
    Category.RECOMMENDATION: (RiskClass.NORMAL, Priority.P4),
    Category.GENERAL: (RiskClass.NORMAL, Priority.P4),
}

# DESIGN.md's default confidence thresholds, the one place they are written down (the fields' defaults, the seeding
# of missing categories and the fallback for an unknown category all read them; migration 0002 froze a copy).
DEFAULT_AUTO_RESPOND_MIN = {RiskClass.NORMAL: 0.85, RiskClass.HIGH: 0.95}
DEFAULT_REVIEW_MIN = 0.50
DEFAULT_HANDOFF_BELOW = 0.30


def default_limits(risk_class: str) -> dict:
    """The default auto_respond_min, review_min and handoff_below of a risk class."""
    return {"auto_respond_min": DEFAULT_AUTO_RESPOND_MIN[risk_class], "review_min": DEFAULT_REVIEW_MIN,
            "handoff_below": DEFAULT_HANDOFF_BELOW}


THRESHOLD_FIELDS = ("risk_class", "priority", "auto_respond_min", "review_min", "handoff_below",
                    "peak_auto_respond_min", "peak_review_min", "peak_handoff_below")


class EscalationThreshold(models.Model):
    """Per-category confidence thresholds: AUTO ≥ auto_respond_min > REVIEW ≥ review_min > CLARIFY ≥ handoff_below.

    The peak_* values (all or none) apply during the peak profile window (settings.REVIEW_PEAK_HOURS, JST).
    Every save is recorded as a ThresholdChange (see signals.py); set `_changed_by`/`_change_source` before saving.
    """

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    risk_class = models.CharField(_("risk class"), max_length=10, choices=RiskClass.choices, default=RiskClass.NORMAL)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    auto_respond_min = models.FloatField(_("auto-respond minimum"), default=DEFAULT_AUTO_RESPOND_MIN[RiskClass.NORMAL])
    review_min = models.FloatField(_("review minimum"), default=DEFAULT_REVIEW_MIN)
    handoff_below = models.FloatField(_("hand off below"), default=DEFAULT_HANDOFF_BELOW)
    peak_auto_respond_min = models.FloatField(_("peak auto-respond minimum"), null=True, blank=True)
    peak_review_min = models.FloatField(_("peak review minimum"), null=True, blank=True)
    peak_handoff_below = models.FloatField(_("peak hand off below"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("escalation threshold")
        verbose_name_plural = _("escalation thresholds")
        ordering = ["priority", "category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handoff_below__gte=0, handoff_below__lte=models.F("review_min"),
                            review_min__lte=models.F("auto_respond_min"), auto_respond_min__lte=1),
                name="threshold_ordered_in_unit_range"),
            models.CheckConstraint(
                condition=Q(peak_auto_respond_min__isnull=True, peak_review_min__isnull=True,
                            peak_handoff_below__isnull=True)
                | Q(peak_handoff_below__gte=0, peak_handoff_below__lte=models.F("peak_review_min"),
                    peak_review_min__lte=models.F("peak_auto_respond_min"), peak_auto_respond_min__lte=1),
                name="threshold_peak_all_or_none_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.category} ({self.risk_class}, P{self.priority})"

    @property
    def is_high_risk(self) -> bool:
        return self.risk_class == RiskClass.HIGH

    def snapshot(self) -> dict:
        return {name: getattr(self, name) for name in THRESHOLD_FIELDS}


class ThresholdChange(models.Model):
    """Who changed which threshold, when, from what to what (admin edits, API, backpressure, shell)."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("Admin")
        API = "api", _("API")
        BACKPRESSURE = "backpressure", _("Backpressure")
        MIGRATION = "migration", _("Migration")
        PROPOSAL = "proposal", _("Proposal")  # a reviewed ThresholdProposal promoted to live
        REVERT = "revert", _("Revert")  # back to a known-good state, by hand or by the circuit breaker
        OTHER = "other", _("Other")

    threshold = models.ForeignKey(EscalationThreshold, verbose_name=_("threshold"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="changes")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OTHER)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("threshold change")
        verbose_name_plural = _("threshold changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.category} changed {self.changed_at:%Y-%m-%d %H:%M} ({self.source})"


class ThresholdProposal(models.Model):
    """A proposed set of threshold values for one or more categories (threshold_changes.py moves it along).

    `values` is {category: {field: value}} over the six threshold fields (thresholds.PROPOSAL_FIELDS). Live
    EscalationThreshold rows change only when a proposal is promoted or a known-good state is restored; every
    transition is a ThresholdProposalEvent row.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SIMULATED = "simulated", _("Simulated")
        APPROVED = "approved", _("Approved")
        CANARY = "canary", _("Canary")
        LIVE = "live", _("Live")
        REJECTED = "rejected", _("Rejected")
        REVERTED = "reverted", _("Reverted")

    OPEN_STATUSES = (Status.PROPOSED, Status.SIMULATED, Status.APPROVED, Status.CANARY)

    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"),
                                    null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300)
    values = models.JSONField(_("values"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    simulation = models.JSONField(_("simulation"), default=dict, blank=True)
    simulated_at = models.DateTimeField(_("simulated at"), null=True, blank=True)
    load_acknowledgement = models.TextField(_("load acknowledgement"),
                                            blank=True)  # required when the simulation exceeds reviewer capacity
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    canary_percent = models.FloatField(_("canary share (%)"), default=5.0)
    canary_hours = models.FloatField(_("canary hours"), default=4.0)
    canary_started_at = models.DateTimeField(_("canary started at"), null=True, blank=True)
    canary_ends_at = models.DateTimeField(_("canary ends at"), null=True, blank=True)
    before = models.JSONField(_("replaced live values"),
                              default=dict, blank=True)  # the live values it replaced (its categories), for the record
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("threshold proposal")
        verbose_name_plural = _("threshold proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One canary at a time: the observed escalation rate must belong to one change.
            models.UniqueConstraint(fields=["status"], condition=Q(status="canary"), name="one_threshold_canary"),
            # Four eyes, in the database too.
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("proposed_by")),
                                   name="proposal_not_self_approved"),
            models.CheckConstraint(condition=Q(canary_percent__gt=0, canary_percent__lte=100, canary_hours__gt=0),
                                   name="proposal_canary_in_range"),
        ]

    def __str__(self) -> str:
        return f"threshold proposal #{self.pk} ({self.status}): {', '.join(sorted(self.values or {}))}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ThresholdProposalEvent(models.Model):
    """One transition of a proposal (or a restore of a known-good state): who, when, from, to, why, the numbers."""

    proposal = models.ForeignKey(ThresholdProposal, verbose_name=_("proposal"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"),
                              null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # null: the system (beat task, circuit breaker)
    from_status = models.CharField(_("from status"), max_length=10, choices=ThresholdProposal.Status.choices,
                                   blank=True)
    to_status = models.CharField(_("to status"), max_length=10, choices=ThresholdProposal.Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    numbers = models.JSONField(_("numbers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("threshold proposal event")
        verbose_name_plural = _("threshold proposal events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} #{self.proposal_id}: {self.from_status or '-'} → {self.to_status}"


class KnownGoodState(models.Model):
    """A full set of live threshold values that served customers well (a promoted change, or the starting point).

    The circuit breaker and the admin's one-click revert restore one of these.
    """

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    label = models.CharField(_("label"), max_length=200)
    values = models.JSONField(_("values"))  # {category: {field: value}} for every category, the six threshold fields
    proposal = models.ForeignKey(ThresholdProposal, verbose_name=_("proposal"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    # Set when the circuit breaker reverted away from these values: the breaker never goes back to them (a person
    # still may, from the admin).
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("revoked reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("known-good state")
        verbose_name_plural = _("known-good states")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.label}"


class ThresholdOverride(models.Model):
    """A temporary auto_respond_min for one normal-risk category (backpressure); lifted or expired, never edited."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    auto_respond_min = models.FloatField(_("auto-respond minimum"))
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_reason = models.CharField(_("lifted reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("threshold override")
        verbose_name_plural = _("threshold overrides")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["category"], condition=Q(lifted_at__isnull=True),
                                    name="one_active_override_per_category"),
            models.CheckConstraint(condition=Q(auto_respond_min__gte=0, auto_respond_min__lte=1),
                                   name="override_in_unit_range"),
        ]

    def __str__(self) -> str:
        return f"{self.category} auto≥{self.auto_respond_min:.2f} (level {self.level})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None and self.expires_at > timezone.now()


class ReviewTaskQuerySet(models.QuerySet):
    """The review queue's recurring questions, each answered in one place."""

    def open(self):
        """Waiting for a human: pending, claimed, or dead-lettered to the senior pool."""
        return self.filter(status__in=ReviewTask.OPEN_STATUSES)

    def claimable(self):
        return self.filter(status__in=ReviewTask.CLAIMABLE_STATUSES)

    def due_for_timeout(self, now):
        """Open tasks whose review timeout has passed (claimed ones too: the customer's wait does not stop)."""
        return self.open().filter(timeout_at__lte=now)

    def open_followups(self):
        """Specialist follow-ups still owed to customers after a high-risk timeout."""
        return self.open().filter(followup=True)

    def sla_decided_or_due(self, now):
        """Tasks whose SLA outcome is known at `now` (decided, or deadline passed): the breach rate's denominator."""
        return self.filter(Q(sla_deadline__lt=now) | Q(decided_at__isnull=False))


class ReviewTask(models.Model):
    """One customer message waiting for a human: an AI draft to check (review) or a reply to write (handoff)."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        HANDOFF = "handoff", _("Handoff")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Claimed")
        APPROVED = "approved", _("Approved")
        EDITED = "edited", _("Edited")  # also: a handoff answered with a human reply
        REJECTED = "rejected", _("Rejected")  # closed; a handoff task (parent=this) takes over
        TIMED_OUT = "timed_out", _("Timed Out")
        # a P3/P4 draft sent with the disclaimer after the max age
        AUTO_DELIVERED = "auto_delivered", _("Auto Delivered")
        DEAD_LETTERED = "dead_lettered", _("Dead Lettered")  # released too often: open, in the senior pool

    class Pool(models.TextChoices):
        REGULAR = "regular", _("Regular")
        SENIOR = "senior", _("Senior")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        EDIT = "edit", _("Edit")
        REJECT = "reject", _("Reject")
        TIMEOUT = "timeout", _("Timed out")  # the review sweep closed it (sweeps.py)
        BULK_APPROVE = "bulk_approve", _("Bulk approve")  # a senior's bulk approval (decisions.do_bulk_approve)

    OPEN_STATUSES = (Status.PENDING, Status.CLAIMED, Status.DEAD_LETTERED)
    CLAIMABLE_STATUSES = (Status.PENDING, Status.DEAD_LETTERED)

    objects = ReviewTaskQuerySet.as_manager()

    message = models.ForeignKey("chat.Message", verbose_name=_("message"),
                                on_delete=models.CASCADE, related_name="review_tasks")
    session = models.ForeignKey("chat.ChatSession", verbose_name=_("session"),
                                on_delete=models.CASCADE, related_name="review_tasks")
    parent = models.ForeignKey("self", verbose_name=_("parent task"),
                               null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REVIEW)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    pool = models.CharField(_("pool"), max_length=10, choices=Pool.choices, default=Pool.REGULAR)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    risk_class = models.CharField(_("risk class"), max_length=10, choices=RiskClass.choices, default=RiskClass.NORMAL)
    is_vip = models.BooleanField(_("VIP"), default=False)
    locale = models.CharField(_("language"), max_length=2, choices=Locale.choices, default=Locale.JA)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    draft_text = models.TextField(_("draft text"), blank=True)
    # sources, intent, meta, prompt_version_id, tokens… of the Draft
    draft = models.JSONField(_("draft"), default=dict, blank=True)
    # After the customer's promise was kept (a specialist notice), a human's reply goes out as a followup.
    followup = models.BooleanField(_("follow-up"), default=False)

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sla_deadline = models.DateTimeField(_("SLA deadline"))
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    timeout_at = models.DateTimeField(_("timeout at"), null=True, blank=True)  # null: nothing to time out (a followup)
    next_heartbeat_at = models.DateTimeField(_("next heartbeat at"), null=True, blank=True)
    heartbeats_sent = models.PositiveIntegerField(_("heartbeats sent"), default=0)

    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("claimed by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="claimed_review_tasks")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_expires_at = models.DateTimeField(_("claim expires at"), null=True, blank=True)
    release_count = models.PositiveSmallIntegerField(_("release count"), default=0)

    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="decided_review_tasks")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    edited_text = models.TextField(_("edited text"), blank=True)
    reject_reason = models.TextField(_("reject reason"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    review_duration_s = models.FloatField(_("review time (s)"), null=True, blank=True)
    answer = models.ForeignKey("chat.Message", verbose_name=_("answer sent"),
                               null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
        ordering = ["priority", "sla_deadline", "id"]
        constraints = [
            # A retried turn task never enqueues a second open task for the same customer message.
            models.UniqueConstraint(fields=["message"], condition=Q(status__in=["pending", "claimed", "dead_lettered"]),
                                    name="one_open_review_task_per_message"),
            models.CheckConstraint(condition=~Q(status="claimed") | Q(claimed_by__isnull=False,
                                                                       claim_expires_at__isnull=False),
                                   name="claimed_task_has_claimant"),
            models.CheckConstraint(condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                                   name="review_confidence_in_unit_range"),
        ]
        indexes = [
            models.Index(fields=["status", "priority", "sla_deadline"], name="review_queue"),
            models.Index(fields=["status", "next_heartbeat_at"], name="review_heartbeat_due"),
            models.Index(fields=["status", "timeout_at"], name="review_timeout_due"),
            models.Index(fields=["status", "claim_expires_at"], name="review_claim_expiry"),
            models.Index(fields=["status", "sla_breached", "sla_deadline"], name="review_sla_due"),
            models.Index(fields=["priority", "created_at"], name="review_breach_rate"),
            models.Index(fields=["status", "created_at"], name="review_oldest_open"),
        ]
        permissions = [("bulk_approve_reviewtask", "Can bulk-approve low-risk review tasks")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} P{self.priority} {self.category} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_high_risk(self) -> bool:
        return self.risk_class == RiskClass.HIGH

    @staticmethod
    def sla_breached_by(now):
        """`sla_breached` for a task closed at `now`, as an update expression: the SLA is to a first human decision,
        so closing it after the deadline counts as a breach (set-based, no read first)."""
        return models.Case(models.When(sla_deadline__lt=now, then=models.Value(True)), default=models.F("sla_breached"))


class BulkApproval(models.Model):
    """Audit of one senior bulk-approve: who, when, with which floor, which tasks."""

    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    min_confidence = models.FloatField(_("minimum confidence"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    task_ids = models.JSONField(_("task IDs"), default=list)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("bulk approval")
        verbose_name_plural = _("bulk approvals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"bulk approve of {self.count} by {self.approved_by} at {self.created_at:%Y-%m-%d %H:%M}"


class ReviewerAvailability(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                                on_delete=models.CASCADE, related_name="review_availability")
    checked_in = models.BooleanField(_("checked in"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("reviewer availability")
        verbose_name_plural = _("reviewer availability")

    def __str__(self) -> str:
        return f"{self.user} ({'in' if self.checked_in else 'out'})"


class Alert(models.Model):
    """An operations alert; at most one open per kind (so a sweep every 5 s never mails twice)."""

    class Kind(models.TextChoices):
        QUEUE_DEPTH = "queue_depth", _("Queue Depth")
        OLDEST_PENDING = "oldest_pending", _("Oldest Pending")
        P1_BREACH_RATE = "p1_breach_rate", _("P1 Breach Rate")
        P2_BREACH_RATE = "p2_breach_rate", _("P2 Breach Rate")
        REVIEWERS_LOW = "reviewers_low", _("Reviewers Low")
        DEAD_LETTER = "dead_letter", _("Dead Letter")
        ESCALATION_RATE = "escalation_rate", _("Escalation rate")
        REVIEWER_LOAD = "reviewer_load", _("Reviewer load")
        QUEUE_GROWTH = "queue_growth", _("Queue growth")
        REVIEW_TIMEOUT_RATE = "review_timeout_rate", _("Review timeout rate")
        UNDELIVERED = "undelivered_promises", _("Undelivered promises")
        WATCHDOG_FALLBACKS = "watchdog_fallbacks", _("Watchdog fallbacks")
        WS_DISCONNECTS = "ws_disconnects", _("WebSocket disconnects")
        GUARD_VIOLATIONS = "guard_violations", _("Guard violations")
        FAILED_TURNS = "failed_turns", _("Failed turns")
        BEDROCK_SPEND = "bedrock_spend", _("Bedrock spend")
        THRESHOLD_BREAKER = "threshold_breaker", _("Threshold circuit breaker")
        ANSWER_TIER = "answer_tier", _("Answer tier")  # answers degraded under load or spend (chat/degradation.py)
        # a high-risk timeout left a customer waiting for a specialist
        FOLLOWUP_WAITING = "followup_waiting", _("Followup Waiting")
        FOLLOWUP_OVERDUE = "followup_overdue", _("Followup Overdue")  # … past the follow-up's own deadline

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    value = models.FloatField(_("value"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(resolved_at__isnull=True),
                                    name="one_open_alert_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class CannedResponse(models.Model):
    """A reviewer's ready-made reply (number keys 1–9 in the console insert it into the edit box).

    Blank locale or category means "any": the console offers the ones matching the task, most specific first.
    """

    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"))
    locale = models.CharField(_("language"), max_length=2, choices=Locale.choices, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("lower comes first"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["position", "title", "id"]

    def __str__(self) -> str:
        return self.title

    def fits(self, task) -> bool:
        return (not self.locale or self.locale == task.locale) and (not self.category or self.category == task.category)
