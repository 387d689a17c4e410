"""The escalation decision: (category, confidence, customer, time, queue state) → AUTO / REVIEW / CLARIFY / HANDOFF.

Thresholds are read on every turn, so each process keeps them in memory and reloads them when the version key in
Redis changes: a save bumps the key (after commit, see signals.py) and a process checks the key at most once per
REVIEW_THRESHOLD_CHECK_SECONDS, so every process sees a change within about a second without a query per turn.
Queue state reaches the decision as backpressure overrides (backpressure.py), which are part of the cached snapshot.
So does the threshold canary (threshold_changes.py): a proposal in canary applies its values to a sticky share of
sessions, chosen by a hash of the session id, so a customer never flips between two sets of thresholds mid-chat.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from common.snapshots import SharedSnapshot
from reviews.models import (DEFAULT_THRESHOLDS, EscalationThreshold, Priority, RiskClass, Route,
                            ThresholdOverride, ThresholdProposal, default_limits)

log = logging.getLogger(__name__)
VERSION_KEY = "reviews:thresholds:version"
JST = ZoneInfo("Asia/Tokyo")
# What a proposal may change (risk class and priority are not thresholds and stay with the category).
PROPOSAL_FIELDS = ("auto_respond_min", "review_min", "handoff_below",
                   "peak_auto_respond_min", "peak_review_min", "peak_handoff_below")


@dataclass(frozen=True)
class Limits:
    category: str
    risk_class: str
    priority: int
    auto_respond_min: float
    review_min: float
    handoff_below: float
    peak: tuple[float, float, float] | None = None
    override_auto_respond_min: float | None = None

    @property
    def is_high_risk(self) -> bool:
        return self.risk_class == RiskClass.HIGH


@dataclass(frozen=True)
class Decision:
    route: str  # a reviews.models.Route
    priority: int
    risk_class: str
    auto_respond_min: float
    review_min: float
    handoff_below: float
    peak: bool
    overridden: bool
    canary: int | None = None  # the ThresholdProposal whose canary values decided, if any

    @property
    def is_high_risk(self) -> bool:
        return self.risk_class == RiskClass.HIGH


@dataclass(frozen=True)
class Canary:
    proposal_id: int
    percent: float
    limits: dict  # category → Limits with the proposal's values applied



def live_values() -> dict[str, dict]:
    """{category: {field: value}} of the live rows (the six threshold fields)."""
    return {t.category: {f: getattr(t, f) for f in PROPOSAL_FIELDS} for t in EscalationThreshold.objects.all()}


def limits_from(category: str, risk_class: str, priority: int, values: dict, override=None) -> Limits:
    peak = None
    if values.get("peak_auto_respond_min") is not None:
        peak = (values["peak_auto_respond_min"], values["peak_review_min"], values["peak_handoff_below"])
    return Limits(category, risk_class, priority, values["auto_respond_min"], values["review_min"],
                  values["handoff_below"], peak, override)


def in_canary(session_key: str, proposal_id: int, percent: float) -> bool:
    """Sticky: the same session always lands on the same side of one proposal's canary."""
    digest = hashlib.sha256(f"{proposal_id}:{session_key}".encode()).hexdigest()
    return int(digest[:8], 16) % 10000 < percent * 100


def _load(now) -> tuple[dict[str, Limits], Canary | None]:
    overrides = {o.category: o.auto_respond_min
                 for o in ThresholdOverride.objects.filter(lifted_at__isnull=True, expires_at__gt=now)}
    limits = {}
    for t in EscalationThreshold.objects.all():
        limits[t.category] = limits_from(t.category, t.risk_class, t.priority, t.snapshot(),
                                         None if t.is_high_risk else overrides.get(t.category))
    canary = None
    proposal = ThresholdProposal.objects.filter(status=ThresholdProposal.Status.CANARY).first()
    if proposal is not None:
        canary_limits = {}
        for category, values in proposal.values.items():
            live = limits.get(category)
            if live is None:
                continue
            merged = {f: getattr(live, f) for f in ("auto_respond_min", "review_min", "handoff_below")}
            merged.update(zip(("peak_auto_respond_min", "peak_review_min", "peak_handoff_below"), live.peak or (None,) * 3))
            merged.update(values)
            canary_limits[category] = limits_from(category, live.risk_class, live.priority, merged,
                                                  live.override_auto_respond_min)
        canary = Canary(proposal.pk, proposal.canary_percent, canary_limits)
    return limits, canary


_snapshot = SharedSnapshot(VERSION_KEY, lambda: _load(timezone.now()),
                           lambda: settings.REVIEW_THRESHOLD_CHECK_SECONDS)


def bump_version() -> None:
    """Tell every process to reload (called after commit of any threshold/override change)."""
    _snapshot.bump()


def current_limits() -> dict[str, Limits]:
    """The per-category limits, from memory; reloaded when the Redis version changed (checked at most every N s)."""
    return _snapshot.get()[0]


def current_canary() -> Canary | None:
    return _snapshot.get()[1]


def reset_cache() -> None:
    _snapshot.reset()


def peak_window() -> tuple[int, int]:
    start, _, end = settings.REVIEW_PEAK_HOURS.partition("-")
    return int(start), int(end or 0)


def is_peak(now: datetime | None = None) -> bool:
    start, end = peak_window()
    hour = (now or timezone.now()).astimezone(JST).hour
    return start <= hour < end if start <= end else (hour >= start or hour < end)


def _fallback_limits(category: str) -> Limits:
    risk, priority = DEFAULT_THRESHOLDS.get(category, (RiskClass.NORMAL, Priority.P4))
    values = default_limits(risk)
    return Limits(category, risk, priority, values["auto_respond_min"], values["review_min"], values["handoff_below"])


def decide(category: str, confidence: float, *, customer=None, now: datetime | None = None,
           session_key: str | None = None, steady: bool = False) -> Decision:
    """The one escalation decision. Preconditions: confidence in [0, 1] (clamped otherwise).

    A session in the running canary's share (session_key: the session's public id) gets the proposal's values for
    the proposal's categories. Peak hours use the category's peak values when it has them; an active backpressure
    override lowers auto_respond_min of a normal-risk category (never a high-risk one); a VIP customer makes any
    task P1. `steady`: the configured values alone, as at an ordinary hour with no backpressure (what an offline
    evaluation measures, so its numbers do not depend on the clock or on the review queue of the moment).
    """
    confidence = min(1.0, max(0.0, float(confidence)))
    limits = current_limits().get(category) or _fallback_limits(category)
    canary = current_canary()
    canary_id = None
    if canary is not None and session_key and category in canary.limits and in_canary(
            session_key, canary.proposal_id, canary.percent):
        limits, canary_id = canary.limits[category], canary.proposal_id
    peak = not steady and is_peak(now) and limits.peak is not None
    auto_min, review_min, handoff_below = limits.peak if peak else (
        limits.auto_respond_min, limits.review_min, limits.handoff_below)
    overridden = False
    if limits.override_auto_respond_min is not None and not limits.is_high_risk and not steady:
        # An override only ever relaxes: it never raises the bar above the configured value.
        if limits.override_auto_respond_min < auto_min:
            auto_min, overridden = max(limits.override_auto_respond_min, review_min), True
    if confidence >= auto_min:
        route = Route.AUTO
    elif confidence >= review_min:
        route = Route.REVIEW
    elif confidence >= handoff_below:
        route = Route.CLARIFY
    else:
        route = Route.HANDOFF
    priority = Priority.P1 if getattr(customer, "is_vip", False) else limits.priority
    return Decision(route, int(priority), limits.risk_class, auto_min, review_min, handoff_below, peak, overridden,
                    canary_id)


def ensure_default_thresholds() -> int:
    """Create any missing category's thresholds with DESIGN.md's defaults (idempotent); returns how many."""
    created = 0
    for category, (risk, priority) in DEFAULT_THRESHOLDS.items():
        _, new = EscalationThreshold.objects.get_or_create(
            category=category, defaults={"risk_class": risk, "priority": priority, **default_limits(risk)})
        created += new
    return created
