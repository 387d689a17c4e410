"""The feedback audits. Each run writes one AuditReport (visible in the admin) and raises an alert when it finds
something: a log line, the `feedback_audit_alerts_total` metric, and an e-mail to ALERT_EMAILS when configured.

| audit | schedule | window | alerts when |
|---|---|---|---|
| adversarial | weekly | 21 days | an actor (customer, or session when anonymous) has > 20 negatives and > 70 % negative, or uniform timing (provenance.timing_kind), or corrections carrying links or competitor names; offenders' feedback is quarantined automatically |
| topic_drift | hourly | 24 hours | total variation distance between the category distribution of feedback (topic_category) and of the answers it rated (message.category) > 0.10 |
| join_rate | hourly | 24 hours | < 95 % of feedback joins its message (the message exists and its category equals topic_category), overall or in any category with at least 20 feedback |
| satisfaction | daily | 7 days vs the 7 before | a category's positive rate of trusted thumbs moved by more than 15 percentage points (both weeks at least 20 thumbs) |
| consistency | daily | random 1,000 | any sampled feedback whose session, topic_category or prompt_version differs from its message's |

The hourly audits look back 24 hours, not one, so that a quiet hour still has enough rows to judge.
"""

import logging
import random
from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from chat.models import Message
from feedback import provenance, quarantine, satisfaction
from feedback.models import AuditReport, Feedback
from common.mail import mail_operations
from common import metrics

log = logging.getLogger("feedback.audits")

ADVERSARIAL_WINDOW = timedelta(days=21)
NEGATIVES_ABOVE = 20
NEGATIVE_SHARE_ABOVE = 0.70
LINK_CORRECTIONS_FOR_OFFENDER = 2
DRIFT_WINDOW = timedelta(hours=24)
DRIFT_ABOVE = 0.10
DRIFT_MIN_ROWS = 30
JOIN_WINDOW = timedelta(hours=24)
JOIN_RATE_MIN = 0.95
JOIN_MIN_ROWS_PER_CATEGORY = 20
SATISFACTION_WINDOW = timedelta(days=7)
SATISFACTION_CHANGE_ABOVE = 0.15
SATISFACTION_MIN_THUMBS = 20
CONSISTENCY_SAMPLE = 1000
EXAMPLES = 20  # ids listed in findings, so a report stays readable


def raise_alert(report: AuditReport) -> None:
    log.warning("feedback audit alert: %s", report.summary, extra={"audit": report.kind, "report_id": report.pk})
    metrics.incr("feedback_audit_alerts_total", kind=report.kind)
    mail_operations(f"feedback audit alert: {report.get_kind_display()} ({report.kind})", report.summary,
                    f"/admin/feedback/auditreport/{report.pk}/change/")


def _run(kind: str, body) -> AuditReport:
    """Create the report, let `body(report, now)` fill in (summary, findings, alert), finish it and alert."""
    now = timezone.now()
    report = AuditReport.objects.create(kind=kind, started_at=now)
    try:
        report.summary, report.findings, report.alert = body(report, now)
    except Exception as exc:
        report.summary, report.findings, report.alert = f"audit failed: {exc!r}", {"error": repr(exc)}, True
        raise
    finally:
        report.finished_at = timezone.now()
        report.save(update_fields=["summary", "findings", "alert", "finished_at"])
        metrics.incr("feedback_audits_total", kind=kind)
        if report.alert:
            raise_alert(report)
    return report


def total_variation(p: Counter, q: Counter) -> float:
    """Half the L1 distance between two distributions given as counts (0 = identical, 1 = disjoint)."""
    p_total, q_total = sum(p.values()), sum(q.values())
    if not p_total or not q_total:
        return 0.0
    return 0.5 * sum(abs(p[key] / p_total - q[key] / q_total) for key in set(p) | set(q))


# --- weekly: adversarial --------------------------------------------------------------------------------------

def _actor_keys(row: dict) -> list[str]:
    keys = [f"session:{row['session_id']}"]
    if row["customer_id"] is not None:
        keys.append(f"customer:{row['customer_id']}")
    return keys


def find_adversarial(now, window=ADVERSARIAL_WINDOW) -> tuple[list[dict], list[int]]:
    """(offenders, correction ids carrying links or competitor names) among the feedback of the window."""
    stats: dict[str, dict] = defaultdict(lambda: {"ids": [], "times": [], "negatives": 0, "rated": 0,
                                                  "link_corrections": []})
    link_corrections: list[int] = []
    rows = (Feedback.objects.filter(created_at__gte=now - window, created_at__lte=now).order_by("created_at")
            .values("id", "session_id", "customer_id", "kind", "value", "flags", "created_at"))
    for row in rows.iterator(chunk_size=2000):
        negative = row["kind"] == Feedback.Kind.CORRECTION or row["value"] == Feedback.Value.DOWN
        linked = row["kind"] == Feedback.Kind.CORRECTION and bool({Feedback.Flag.URL, Feedback.Flag.COMPETITOR} & set(row["flags"] or []))
        if linked:
            link_corrections.append(row["id"])
        for key in _actor_keys(row):
            actor = stats[key]
            actor["ids"].append(row["id"])
            actor["times"].append(row["created_at"])
            actor["negatives"] += negative
            actor["rated"] += row["kind"] in (Feedback.Kind.THUMB, Feedback.Kind.CORRECTION)
            if linked:
                actor["link_corrections"].append(row["id"])

    offenders = []
    for key, actor in stats.items():
        reasons = []
        share = actor["negatives"] / actor["rated"] if actor["rated"] else 0.0
        if actor["negatives"] > NEGATIVES_ABOVE and share > NEGATIVE_SHARE_ABOVE:
            reasons.append("negative_flood")
        cv = provenance.coefficient_of_variation(actor["times"][-provenance.TIMING_SAMPLE:])
        if cv is not None and cv < provenance.UNIFORM_CV_BELOW:
            reasons.append("uniform_timing")
        if len(actor["link_corrections"]) >= LINK_CORRECTIONS_FOR_OFFENDER:
            reasons.append("links_in_corrections")
        if reasons:
            offenders.append({"actor": key, "reasons": reasons, "feedback": len(actor["ids"]),
                              "negatives": actor["negatives"], "negative_share": round(share, 3),
                              "timing_cv": None if cv is None else round(cv, 3), "ids": actor["ids"]})
    return offenders, link_corrections


def run_adversarial_audit() -> AuditReport:
    def body(report, now):
        offenders, link_corrections = find_adversarial(now)
        to_quarantine = sorted({i for o in offenders for i in o["ids"]} | set(link_corrections))
        reasons = sorted({r for o in offenders for r in o["reasons"]} | ({"links_in_corrections"} if link_corrections
                                                                         else set()))
        quarantined = quarantine.do_quarantine(
            to_quarantine, f"adversarial audit #{report.pk}: {', '.join(reasons)}",
            actor_label="audit:adversarial", audit_report=report) if to_quarantine else 0
        findings = {
            "window_days": ADVERSARIAL_WINDOW.days,
            "offenders": [{k: v for k, v in o.items() if k != "ids"} for o in offenders],
            "link_corrections": link_corrections[:EXAMPLES],
            "link_correction_count": len(link_corrections),
            "quarantined": quarantined,
        }
        summary = (f"{len(offenders)} suspicious actors, {len(link_corrections)} corrections with links or competitor "
                   f"names; {quarantined} feedback newly quarantined")
        return summary, findings, quarantined > 0

    return _run(AuditReport.Kind.ADVERSARIAL, body)


# --- hourly: topic drift ----------------------------------------------------------------------------------------

def run_topic_drift_audit() -> AuditReport:
    def body(report, now):
        since = now - DRIFT_WINDOW
        rows = list(Feedback.objects.active().filter(created_at__gte=since, message__isnull=False)
                    .values("topic_category", "message__category").annotate(n=Count("id")))
        feedback_dist, rated_dist = Counter(), Counter()
        for row in rows:
            feedback_dist[row["topic_category"]] += row["n"]
            rated_dist[row["message__category"]] += row["n"]
        answers_dist = Counter(dict(
            Message.objects.filter(role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER, created_at__gte=since)
            .exclude(category="").values_list("category").annotate(n=Count("id"))))
        total = sum(feedback_dist.values())
        tvd = total_variation(feedback_dist, rated_dist)
        findings = {
            "window_hours": DRIFT_WINDOW.total_seconds() / 3600,
            "feedback": total,
            "tvd_feedback_vs_rated_answers": round(tvd, 4),
            # For context only: feedback naturally favours some topics over the answers sent overall.
            "tvd_feedback_vs_all_answers": round(total_variation(feedback_dist, answers_dist), 4),
            "feedback_distribution": dict(feedback_dist),
            "rated_answer_distribution": dict(rated_dist),
            "threshold": DRIFT_ABOVE,
        }
        if total < DRIFT_MIN_ROWS:
            return f"only {total} feedback in the window; too few to judge drift", findings, False
        alert = tvd > DRIFT_ABOVE
        return f"topic distribution distance {tvd:.1%} (alert above {DRIFT_ABOVE:.0%})", findings, alert

    return _run(AuditReport.Kind.TOPIC_DRIFT, body)


# --- hourly: join rate ------------------------------------------------------------------------------------------

def run_join_rate_audit() -> AuditReport:
    def body(report, now):
        joins = Q(message__isnull=False, message__category=F("topic_category"))
        rows = (Feedback.objects.filter(created_at__gte=now - JOIN_WINDOW).values("topic_category")
                .annotate(total=Count("id"), joined=Count("id", filter=joins)))
        per_category, total, joined, low = {}, 0, 0, []
        for row in rows:
            total += row["total"]
            joined += row["joined"]
            rate = row["joined"] / row["total"]
            per_category[row["topic_category"]] = {"total": row["total"], "joined": row["joined"],
                                                   "rate": round(rate, 4)}
            if row["total"] >= JOIN_MIN_ROWS_PER_CATEGORY and rate < JOIN_RATE_MIN:
                low.append(row["topic_category"])
        rate = joined / total if total else 1.0
        examples = list(Feedback.objects.filter(created_at__gte=now - JOIN_WINDOW).exclude(joins)
                        .values_list("id", flat=True)[:EXAMPLES])
        findings = {"window_hours": JOIN_WINDOW.total_seconds() / 3600, "total": total, "joined": joined,
                    "rate": round(rate, 4), "threshold": JOIN_RATE_MIN, "low_categories": sorted(low),
                    "per_category": per_category, "not_joining_examples": examples}
        alert = total > 0 and (rate < JOIN_RATE_MIN or bool(low))
        summary = f"{joined}/{total} feedback join their message ({rate:.1%})"
        if low:
            summary += f"; below {JOIN_RATE_MIN:.0%} in {', '.join(sorted(low))}"
        return summary, findings, alert

    return _run(AuditReport.Kind.JOIN_RATE, body)


# --- daily: satisfaction change ---------------------------------------------------------------------------------

def run_satisfaction_audit() -> AuditReport:
    def body(report, now):
        this_week = {r["key"]: r for r in satisfaction.by_category(now - SATISFACTION_WINDOW, now)}
        last_week = {r["key"]: r for r in satisfaction.by_category(now - 2 * SATISFACTION_WINDOW,
                                                                   now - SATISFACTION_WINDOW)}
        changes, moved = {}, []
        for category in sorted(set(this_week) | set(last_week)):
            current, previous = this_week.get(category), last_week.get(category)
            entry = {"current": current and current["positive_rate"], "current_n": current["total"] if current else 0,
                     "previous": previous and previous["positive_rate"],
                     "previous_n": previous["total"] if previous else 0}
            if (entry["current_n"] >= SATISFACTION_MIN_THUMBS and entry["previous_n"] >= SATISFACTION_MIN_THUMBS):
                entry["change"] = round(entry["current"] - entry["previous"], 4)
                if abs(entry["change"]) > SATISFACTION_CHANGE_ABOVE:
                    moved.append(category)
            changes[category] = entry
        findings = {"threshold": SATISFACTION_CHANGE_ABOVE, "min_thumbs": SATISFACTION_MIN_THUMBS,
                    "categories": changes, "moved": moved}
        if moved:
            detail = ", ".join(f"{c} {changes[c]['change']:+.0%}" for c in moved)
            return f"satisfaction moved more than {SATISFACTION_CHANGE_ABOVE:.0%} in 7 days: {detail}", findings, True
        return "no category's satisfaction moved more than 15 points in 7 days", findings, False

    return _run(AuditReport.Kind.SATISFACTION, body)


# --- daily: cross-table consistency -----------------------------------------------------------------------------

def sample_ids(size: int = CONSISTENCY_SAMPLE, rng: random.Random | None = None) -> list[int]:
    """Up to `size` random feedback ids, without ORDER BY RANDOM() over the whole table."""
    rng = rng or random.Random()
    bounds = Feedback.objects.aggregate(lo=Min("id"), hi=Max("id"), n=Count("id"))
    if not bounds["n"]:
        return []
    if bounds["n"] <= size:
        return list(Feedback.objects.values_list("id", flat=True))
    chosen: set[int] = set()
    span = range(bounds["lo"], bounds["hi"] + 1)
    for _ in range(10):  # ids have gaps: draw candidates, keep those that exist, until the sample is full
        want = min(len(span), 2 * (size - len(chosen)))
        candidates = rng.sample(span, want)
        chosen.update(Feedback.objects.filter(id__in=candidates).values_list("id", flat=True))
        if len(chosen) >= size:
            break
    return sorted(rng.sample(sorted(chosen), size)) if len(chosen) > size else sorted(chosen)


def run_consistency_audit(sample_size: int = CONSISTENCY_SAMPLE) -> AuditReport:
    def body(report, now):
        ids = sample_ids(sample_size)
        problems: dict[str, list[int]] = {"message_missing": [], "session": [], "topic_category": [],
                                          "prompt_version": []}
        rows = Feedback.objects.filter(id__in=ids).values(
            "id", "session_id", "topic_category", "prompt_version_id", "message_id",
            "message__session_id", "message__category", "message__prompt_version_id")
        for row in rows.iterator(chunk_size=1000):
            if row["message_id"] is None:
                problems["message_missing"].append(row["id"])
                continue
            if row["session_id"] != row["message__session_id"]:
                problems["session"].append(row["id"])
            if row["topic_category"] != row["message__category"]:
                problems["topic_category"].append(row["id"])
            if row["prompt_version_id"] != row["message__prompt_version_id"]:
                problems["prompt_version"].append(row["id"])
        inconsistent = len({i for found in problems.values() for i in found})
        findings = {"sampled": len(ids), "inconsistent": inconsistent,
                    "counts": {check: len(found) for check, found in problems.items()},
                    "examples": {check: found[:EXAMPLES] for check, found in problems.items()}}
        summary = f"{inconsistent} of {len(ids)} sampled feedback disagree with their message"
        if inconsistent:
            summary += " (" + ", ".join(f"{k}: {len(v)}" for k, v in problems.items() if v) + ")"
        return summary, findings, inconsistent > 0

    return _run(AuditReport.Kind.CONSISTENCY, body)
