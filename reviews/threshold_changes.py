"""Threshold change control: propose → simulate → approve (four eyes) → canary → live, or rejected / reverted.

Live EscalationThreshold rows change in two places only: `promote` (a canary that stayed inside its simulated band)
and `do_restore` (back to a known-good state: by hand in the admin, or by the circuit breaker). Each of those saves
goes through the model signal, so it is also a ThresholdChange row and reaches every process within about a second
(thresholds.bump_version). Every transition of a proposal is a ThresholdProposalEvent row.

The beat task `reviews.threshold_watch` calls `watch()`: it starts the next approved canary, promotes or reverts a
canary whose time is up, and runs the circuit breaker.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ActionError
from common.metrics import counter_value
from reviews import alerts, simulation
from reviews.models import (Alert, EscalationThreshold, KnownGoodState, Route, ThresholdChange, ThresholdProposal,
                            ThresholdProposalEvent)
from reviews.roles import is_ml_lead
from reviews.thresholds import PROPOSAL_FIELDS, live_values

log = logging.getLogger(__name__)
Status = ThresholdProposal.Status
BREAKER_SINCE_KEY = "reviews:threshold_breaker:above_since"


class ThresholdChangeError(ActionError):
    """A refused threshold change (HTTP 400 unless a subclass says otherwise)."""


class Forbidden(ThresholdChangeError):
    code, status = "forbidden", 403


class Conflict(ThresholdChangeError):
    code, status = "conflict", 409


# --- history -------------------------------------------------------------------------------------------------------

def _event(proposal, from_status, to_status, actor=None, reason="", numbers=None) -> ThresholdProposalEvent:
    return ThresholdProposalEvent.objects.create(
        proposal=proposal, actor=actor, from_status=from_status or "", to_status=to_status, reason=reason[:300],
        numbers=numbers or {})


def _move(proposal: ThresholdProposal, from_status: str, to_status: str, actor=None, reason="", numbers=None,
          **fields) -> bool:
    """Atomic transition: only one caller moves a proposal out of a state; the event is written with it."""
    with transaction.atomic():
        moved = ThresholdProposal.objects.filter(pk=proposal.pk, status=from_status).update(status=to_status, **fields)
        if moved != 1:
            return False
        _event(proposal, from_status, to_status, actor, reason, numbers)
    for name, value in {"status": to_status, **fields}.items():
        setattr(proposal, name, value)
    transaction.on_commit(_bump)
    return True


def _bump():
    from reviews.thresholds import bump_version

    bump_version()


# --- propose and simulate ------------------------------------------------------------------------------------------

def check_values(values) -> dict[str, dict]:
    """Validate proposed values against the live rows; returns them as {category: {field: float|None}}.

    Each category's resulting thresholds must be ordered in [0, 1] (auto ≥ review ≥ handoff) and its peak
    profile all three values or none, as the database constraints demand; and something must change.
    """
    if not isinstance(values, dict) or not values:
        raise ThresholdChangeError(_("Give new values for at least one category."))
    live = live_values()
    clean: dict[str, dict] = {}
    for category, fields in values.items():
        if category not in live:
            raise ThresholdChangeError(_("Unknown category %(category)s.") % {"category": category})
        if not isinstance(fields, dict) or not fields:
            raise ThresholdChangeError(_("No values given for %(category)s.") % {"category": category})
        unknown = set(fields) - set(PROPOSAL_FIELDS)
        if unknown:
            raise ThresholdChangeError(_("%(category)s: unknown field(s) %(fields)s.")
                                       % {"category": category, "fields": ", ".join(sorted(unknown))})
        row = {}
        for name, value in fields.items():
            if value is None or value == "":
                if not name.startswith("peak_"):
                    raise ThresholdChangeError(_("%(category)s: %(field)s is required.")
                                               % {"category": category, "field": name})
                row[name] = None
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = -1.0
            if not 0 <= number <= 1:
                raise ThresholdChangeError(_("%(category)s: %(field)s must be a number between 0 and 1.")
                                           % {"category": category, "field": name})
            row[name] = round(number, 4)
        merged = {**live[category], **row}
        if not merged["handoff_below"] <= merged["review_min"] <= merged["auto_respond_min"]:
            raise ThresholdChangeError(_("%(category)s: thresholds must be ordered: auto_respond_min ≥ review_min ≥ "
                                         "handoff_below.") % {"category": category})
        peak = [merged[f] for f in ("peak_auto_respond_min", "peak_review_min", "peak_handoff_below")]
        if any(v is None for v in peak) and not all(v is None for v in peak):
            raise ThresholdChangeError(_("%(category)s: the peak profile needs all three values or none.")
                                       % {"category": category})
        if peak[0] is not None and not peak[2] <= peak[1] <= peak[0]:
            raise ThresholdChangeError(_("%(category)s: peak thresholds must be ordered.") % {"category": category})
        changed = {k: v for k, v in row.items() if live[category][k] != v}
        if changed:
            clean[category] = changed
    if not clean:
        raise ThresholdChangeError(_("The proposed values are the live values: nothing would change."))
    return clean


def expand_all(values: dict) -> dict:
    """{"all": {...}} stands for every category (the blanket change of the seeds' incident)."""
    if isinstance(values, dict) and "all" in values:
        fields = values["all"]
        return {category: dict(fields) for category in live_values()} | {k: v for k, v in values.items() if k != "all"}
    return values


def do_propose(user, values, reason: str, *, canary_percent: float | None = None,
               canary_hours: float | None = None, hours: float | None = None) -> ThresholdProposal:
    """An ML lead proposes values; the impact simulation runs at once (proposed → simulated)."""
    if not is_ml_lead(user):
        raise Forbidden(_("Only an ML lead may propose threshold changes."))
    if not (reason or "").strip():
        raise ThresholdChangeError(_("Say why: a reason is required."))
    clean = check_values(expand_all(values))
    percent = settings.THRESHOLD_CANARY_PERCENT if canary_percent is None else float(canary_percent)
    duration = settings.THRESHOLD_CANARY_HOURS if canary_hours is None else float(canary_hours)
    if not 0 < percent <= 100 or duration <= 0:
        raise ThresholdChangeError(_("The canary share must be more than 0 and at most 100 percent, and its duration positive."))
    with transaction.atomic():
        proposal = ThresholdProposal.objects.create(proposed_by=user, reason=reason.strip()[:300], values=clean,
                                                    canary_percent=percent, canary_hours=duration)
        _event(proposal, "", Status.PROPOSED, user, proposal.reason, {"values": clean})
    do_simulate(proposal, user, hours=hours)
    return proposal


def do_simulate(proposal: ThresholdProposal, actor=None, *, hours: float | None = None) -> dict:
    """(Re)run the impact simulation and store it on the proposal (proposed/simulated → simulated)."""
    if proposal.status not in (Status.PROPOSED, Status.SIMULATED):
        raise Conflict(_("Only a proposal that is not approved yet can be simulated again."))
    result = simulation.simulate(proposal.values, hours=hours)
    numbers = {"escalation_now": result["total"]["escalation_now"],
               "escalation_projected": result["total"]["escalation_projected"],
               "load_projected": result["total"]["load_projected"], "exceeds_capacity": result["exceeds_capacity"],
               "messages": result["messages"], "hours": result["hours"]}
    now = timezone.now()
    if not _move(proposal, proposal.status, Status.SIMULATED, actor, "impact simulation", numbers,
                 simulation=result, simulated_at=now):
        raise Conflict(_("The proposal changed meanwhile; reload it."))
    return result


# --- four eyes -----------------------------------------------------------------------------------------------------

def check_approve(proposal: ThresholdProposal, user, acknowledgement: str = "") -> None:
    """Preconditions of an approval: an ML lead who did not propose it; a simulated proposal; a written
    acknowledgement when the simulation projects more human work than the reviewers can take."""
    if not is_ml_lead(user):
        raise Forbidden(_("Only an ML lead may approve threshold changes."))
    if proposal.proposed_by_id == user.pk:
        raise Forbidden(_("Four eyes: you proposed this change, another ML lead must approve it."))
    if proposal.status != Status.SIMULATED:
        raise Conflict(_("Only a simulated proposal can be approved (this one is %(status)s).")
                       % {"status": proposal.status})
    if proposal.simulation.get("exceeds_capacity") and not (acknowledgement or "").strip():
        load = proposal.simulation["total"]["load_projected"]
        raise ThresholdChangeError(_("The simulation projects %(load)s of reviewer capacity: write an acknowledgement "
                                     "to approve it anyway.") % {"load": f"{load:.0%}"})


def do_approve(proposal_id: int, user, acknowledgement: str = "") -> ThresholdProposal:
    """Approve (simulated → approved) and start its canary when none is running (approved → canary)."""
    proposal = ThresholdProposal.objects.get(pk=proposal_id)
    check_approve(proposal, user, acknowledgement)
    band = canary_band(proposal.simulation)
    if not _move(proposal, Status.SIMULATED, Status.APPROVED, user, acknowledgement or "approved",
                 {"band": band, "acknowledgement": acknowledgement}, approved_by=user, approved_at=timezone.now(),
                 load_acknowledgement=(acknowledgement or "").strip()):
        raise Conflict(_("The proposal changed meanwhile; reload it."))
    start_canary(proposal)
    return proposal


def do_reject(proposal_id: int, user, reason: str = "") -> ThresholdProposal:
    """Reject an open proposal that has not reached its canary yet (an ML lead, the proposer included)."""
    if not is_ml_lead(user):
        raise Forbidden(_("Only an ML lead may reject threshold changes."))
    proposal = ThresholdProposal.objects.get(pk=proposal_id)
    if proposal.status not in (Status.PROPOSED, Status.SIMULATED, Status.APPROVED):
        raise Conflict(_("Only a proposal before its canary can be rejected; revert a canary instead."))
    if not _move(proposal, proposal.status, Status.REJECTED, user, reason or "rejected",
                 finished_at=timezone.now()):
        raise Conflict(_("The proposal changed meanwhile; reload it."))
    return proposal


# --- canary --------------------------------------------------------------------------------------------------------

def canary_band(sim: dict) -> list[float]:
    """The escalation rate a canary may show and still be promoted: the simulated rate ± the tolerance."""
    changed = sim.get("changed_categories", {})
    if not changed.get("messages"):  # no history to simulate on: only the circuit breaker's limit is known
        return [0.0, settings.THRESHOLD_BREAKER_RATE]
    projected = changed.get("escalation_projected", 0.0)
    tolerance = settings.THRESHOLD_CANARY_TOLERANCE
    return [round(max(0.0, projected - tolerance), 4), round(min(1.0, projected + tolerance), 4)]


def start_canary(proposal: ThresholdProposal, now=None) -> bool:
    """approved → canary, unless another canary runs (then it waits for watch())."""
    now = now or timezone.now()
    ensure_known_good(now)
    live = live_values()
    try:
        return _move(proposal, Status.APPROVED, Status.CANARY, None, "canary started",
                     {"percent": proposal.canary_percent, "hours": proposal.canary_hours},
                     canary_started_at=now, canary_ends_at=now + timedelta(hours=proposal.canary_hours),
                     before={c: {f: live[c][f] for f in fields} for c, fields in proposal.values.items()})
    except IntegrityError:  # the one-canary constraint: another one runs
        return False


def canary_observed(proposal: ThresholdProposal) -> dict:
    """Turns decided with the canary's values (counted by escalation.route_draft in Redis), by route."""
    by_route = {r.value: int(counter_value("threshold_canary_turns_total", proposal=str(proposal.pk), route=r.value))
                for r in Route}
    turns = sum(by_route.values())
    escalated = by_route[Route.REVIEW] + by_route[Route.HANDOFF]
    return {"turns": turns, "escalated": escalated, "rate": round(escalated / turns, 4) if turns else None,
            "by_route": by_route}


def evaluate_canary(proposal: ThresholdProposal, now=None) -> str | None:
    """At the end of its time, promote the canary if its observed escalation rate is inside the simulated band
    (with at least THRESHOLD_CANARY_MIN_TURNS turns), else revert it. Returns the new status or None."""
    now = now or timezone.now()
    if proposal.status != Status.CANARY or proposal.canary_ends_at > now:
        return None
    observed = canary_observed(proposal)
    low, high = canary_band(proposal.simulation)
    numbers = {**observed, "band": [low, high]}
    if observed["turns"] < settings.THRESHOLD_CANARY_MIN_TURNS:
        reason = f"reverted: {observed['turns']} canary turns < {settings.THRESHOLD_CANARY_MIN_TURNS} needed"
    elif not low <= observed["rate"] <= high:
        reason = f"reverted: observed escalation {observed['rate']:.1%} outside the simulated band {low:.1%}–{high:.1%}"
    else:
        promote(proposal, numbers, now)
        return Status.LIVE
    _move(proposal, Status.CANARY, Status.REVERTED, None, reason, numbers, finished_at=now)
    return Status.REVERTED


def promote(proposal: ThresholdProposal, numbers: dict, now=None, actor=None) -> None:
    """canary → live: write the values to the live rows and remember the result as a known-good state."""
    now = now or timezone.now()
    with transaction.atomic():
        if not _move(proposal, Status.CANARY, Status.LIVE, actor, "promoted: canary within the simulated band",
                     numbers, finished_at=now):
            return
        _apply(proposal.values, actor, ThresholdChange.Source.PROPOSAL, f"proposal #{proposal.pk}")
        KnownGoodState.objects.create(label=f"after proposal #{proposal.pk}", values=live_values(),
                                      proposal=proposal, created_at=now)


def revert_canary(actor=None, reason: str = "reverted", numbers=None) -> ThresholdProposal | None:
    proposal = ThresholdProposal.objects.filter(status=Status.CANARY).first()
    if proposal and _move(proposal, Status.CANARY, Status.REVERTED, actor, reason, numbers,
                          finished_at=timezone.now()):
        return proposal
    return None


# --- live rows, known-good states, restore -------------------------------------------------------------------------

def _apply(values: dict[str, dict], actor, source: str, reason: str) -> int:
    """Write values to live rows (locked); the signal records each save. Returns how many rows changed."""
    changed = 0
    for threshold in EscalationThreshold.objects.select_for_update().filter(category__in=list(values)):
        fields = {k: v for k, v in values[threshold.category].items() if getattr(threshold, k) != v}
        if not fields:
            continue
        for name, value in fields.items():
            setattr(threshold, name, value)
        threshold._changed_by, threshold._change_source, threshold._change_reason = actor, source, reason
        threshold.save()
        changed += 1
    return changed


def ensure_known_good(now=None) -> KnownGoodState:
    """The first change under control remembers where it started from."""
    state = KnownGoodState.objects.first()
    if state is None:
        state = KnownGoodState.objects.create(label="baseline before the first controlled change",
                                              values=live_values(), created_at=now or timezone.now())
    return state


def do_restore(state_id: int, actor=None, reason: str = "", *, source_reason: str = "manual revert") -> int:
    """Restore a known-good state (a running canary is reverted too). An ML lead, or the system (actor None)."""
    if actor is not None and not is_ml_lead(actor):
        raise Forbidden(_("Only an ML lead may revert thresholds."))
    state = KnownGoodState.objects.get(pk=state_id)
    with transaction.atomic():
        revert_canary(actor, f"{source_reason}: {reason}".strip(": "))
        changed = _apply(state.values, actor, ThresholdChange.Source.REVERT,
                         f"{source_reason}: state #{state.pk} {state.label}"[:200])
        _event(None, "", Status.REVERTED, actor, f"{source_reason}: restored state #{state.pk} ({state.label}) "
               f"{reason}".strip(), {"state": state.pk, "rows_changed": changed})
    transaction.on_commit(_bump)
    return changed


def _is_live(state: KnownGoodState, live: dict) -> bool:
    return all(live.get(c) == v for c, v in state.values.items())


def last_known_good_differing() -> KnownGoodState | None:
    """The newest known-good state, not revoked, that is not what is live now (what the breaker goes back to)."""
    live = live_values()
    for state in KnownGoodState.objects.filter(revoked_at__isnull=True)[:50]:
        if not _is_live(state, live):
            return state
    return None


def revoke_live_states(reason: str, now=None) -> int:
    """The live values just proved bad: no automatic revert goes back to a state holding them."""
    live = live_values()
    ids = [s.pk for s in KnownGoodState.objects.filter(revoked_at__isnull=True) if _is_live(s, live)]
    return KnownGoodState.objects.filter(pk__in=ids).update(revoked_at=now or timezone.now(), revoked_reason=reason[:200])


# --- circuit breaker and the beat task -----------------------------------------------------------------------------

def check_breaker(now=None) -> str | None:
    """Escalation rate above THRESHOLD_BREAKER_RATE for THRESHOLD_BREAKER_SECONDS → revert the canary, or restore the
    last known-good state, and alert. The start of the streak is kept in Redis so every beat tick agrees."""
    now = now or timezone.now()
    window = timedelta(seconds=settings.THRESHOLD_BREAKER_WINDOW_SECONDS)
    rate, turns = alerts.escalation_rate(now - window, now)
    above = turns >= settings.THRESHOLD_BREAKER_MIN_TURNS and rate > settings.THRESHOLD_BREAKER_RATE
    if not above:
        cache.delete(BREAKER_SINCE_KEY)
        alerts.resolve(Alert.Kind.THRESHOLD_BREAKER, now)
        return None
    cache.add(BREAKER_SINCE_KEY, now.timestamp(), timeout=None)
    since = float(cache.get(BREAKER_SINCE_KEY) or now.timestamp())
    if now.timestamp() - since < settings.THRESHOLD_BREAKER_SECONDS:
        return None
    # A fired breaker waits for another full streak before it acts again.
    cache.set(BREAKER_SINCE_KEY, now.timestamp(), timeout=None)
    numbers = {"rate": round(rate, 4), "turns": turns, "limit": settings.THRESHOLD_BREAKER_RATE}
    reason = f"circuit breaker: escalation {rate:.0%} > {settings.THRESHOLD_BREAKER_RATE:.0%} for " \
             f"{settings.THRESHOLD_BREAKER_SECONDS:.0f} s"
    action = None
    if revert_canary(None, reason, numbers):
        action = "canary reverted"
    else:
        state = last_known_good_differing()
        if state is not None:
            revoke_live_states(reason, now)
            do_restore(state.pk, None, f"({rate:.0%})", source_reason="circuit breaker")
            action = f"restored known-good state #{state.pk}"
    alerts.open_alert(Alert.Kind.THRESHOLD_BREAKER, f"{reason}: {action or 'nothing to revert'}", rate, now)
    log.warning("%s: %s", reason, action)
    return action or "alerted"


def watch(now=None) -> dict:
    """One tick of the beat task: canary end, next canary, circuit breaker."""
    now = now or timezone.now()
    result = {}
    canary = ThresholdProposal.objects.filter(status=Status.CANARY).first()
    if canary is not None:
        result["canary"] = evaluate_canary(canary, now)
    elif (waiting := ThresholdProposal.objects.filter(status=Status.APPROVED).order_by("approved_at").first()):
        result["started"] = start_canary(waiting, now) and waiting.pk
    result["breaker"] = check_breaker(now)
    return result
