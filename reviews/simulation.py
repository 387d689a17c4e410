"""Impact simulation: replay the last N hours of answers through live and proposed thresholds, side by side.

Every answer the assistant sent (chat.Message, kind answer) carries the draft's category and confidence. ONE aggregate
query groups the window's answers by category, peak hour (JST) and confidence band, where the bands are cut at every
threshold value in play (live and proposed); each group lies wholly on one side of every threshold, so its route now
and projected follow exactly from a few comparisons per group. A week of a busy store (a million answers) is
simulated in about a second on PostgreSQL (see `benchmark_simulation`).
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, Func, IntegerField, Q, Value, When
from django.utils import timezone

from chat.models import Message
from reviews.availability import active_reviewer_count
from reviews.models import Route
from reviews.thresholds import JST, PROPOSAL_FIELDS, live_values, peak_window

ROUTES = (Route.AUTO, Route.REVIEW, Route.CLARIFY, Route.HANDOFF)
ROUTE_NAMES = [r.value for r in ROUTES]
ESCALATED = (Route.REVIEW, Route.HANDOFF)  # a human task: the reviewers' load
METHOD = ("one aggregate query: GROUP BY category, peak hour, CASE(confidence band between the threshold cut points) "
          "over the window's assistant answers; routes now/projected per group")


def history(since, until=None):
    """The answers a replay looks at: assistant answers with a category and a confidence (fallbacks excluded)."""
    qs = Message.objects.filter(role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER, created_at__gte=since,
                                confidence__isnull=False).exclude(category="").exclude(status=Message.Status.FALLBACK)
    return qs.filter(created_at__lt=until) if until is not None else qs


class PeakHour(Func):
    """1 when a UTC timestamp falls in the JST peak window (REVIEW_PEAK_HOURS, may wrap midnight), else 0.

    Plain arithmetic on the epoch: Japan has no daylight saving time, so JST is always UTC+9; this costs a fraction
    of a time-zone conversion per row, and the hour is computed once per row.
    """

    output_field = IntegerField()

    def __init__(self, expression, **extra):
        start, end = peak_window()
        self.start, self.length = start, (end - start) % 24 or 24
        super().__init__(expression, **extra)

    def _template(self, epoch_hour: str) -> str:
        return (f"CASE WHEN ((({epoch_hour} + 9 - {int(self.start)}) %%%% 24) + 24) %%%% 24 < {int(self.length)} "
                "THEN 1 ELSE 0 END")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template=self._template("(FLOOR(date_part('epoch', %(expressions)s))::bigint / 3600)"),
                           **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template=self._template("(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) / 3600)"),
                           **extra)

    def as_sql(self, compiler, connection, **extra):
        if "template" not in extra:
            raise NotImplementedError("the simulation's peak-hour test is written for PostgreSQL and SQLite")
        return super().as_sql(compiler, connection, **extra)


def cut_points(*value_sets: dict[str, dict]) -> list[float]:
    """Every threshold value in play (live and proposed, all categories, peak too), sorted."""
    cuts = {v for values in value_sets for fields in values.values() for name, v in fields.items()
            if name in PROPOSAL_FIELDS and v is not None}
    return sorted(cuts)


def band_case(cuts: list[float]) -> Case:
    """Band b of a row: cuts[b-1] ≤ confidence < cuts[b] (band 0: below every cut). A dozen numeric comparisons."""
    return Case(*[When(confidence__gte=c, then=Value(i + 1)) for i, c in reversed(list(enumerate(cuts)))],
                default=Value(0), output_field=IntegerField())


def route_of(lower: float, fields: dict, peak: bool) -> int:
    """Route index (0 auto … 3 handoff) of every confidence ≥ `lower` up to the next cut point. Exact: each threshold
    is itself a cut point, so a band lies wholly on one side of it."""
    prefix = "peak_" if peak and fields.get("peak_auto_respond_min") is not None else ""
    if lower >= fields[f"{prefix}auto_respond_min"]:
        return 0
    if lower >= fields[f"{prefix}review_min"]:
        return 1
    if lower >= fields[f"{prefix}handoff_below"]:
        return 2
    return 3


def merged_values(proposed: dict[str, dict], live: dict[str, dict] | None = None) -> dict[str, dict]:
    live = live if live is not None else live_values()
    merged = {category: dict(fields) for category, fields in live.items()}
    for category, fields in proposed.items():
        merged.setdefault(category, {f: None for f in PROPOSAL_FIELDS}).update(fields)
    return merged


def planned_reviewers() -> int:
    return settings.THRESHOLD_REVIEWERS or max(1, active_reviewer_count())


def capacity_per_day(reviewers: int | None = None) -> float:
    """Human tasks a day the staff can take: reviewers on shift × reviews per shift × shifts a day."""
    reviewers = reviewers if reviewers is not None else planned_reviewers()
    return reviewers * settings.THRESHOLD_REVIEWS_PER_SHIFT * (24 / settings.THRESHOLD_SHIFT_HOURS)


def count_routes(live: dict, proposed: dict, since, until=None, categories=None) -> tuple[list[dict], float]:
    """The one query, then the routes of its (at most a few hundred) groups: rows of (category, now, projected, n);
    and how long the query took (ms).

    The database groups the window's answers by category, peak hour or not, and confidence band between the cut
    points (every threshold value in play); which route a band takes under either set of thresholds is then a
    comparison per group, not per answer.
    """
    qs = history(since, until)
    wanted = list(categories or live)
    if set(wanted) != set(live):
        qs = qs.filter(category__in=wanted)
    cuts = cut_points(live, proposed)
    uses_peak = any(v.get("peak_auto_respond_min") is not None for v in (*live.values(), *proposed.values()))
    qs = (qs.annotate(peak=PeakHour("created_at") if uses_peak else Value(0, output_field=IntegerField()),
                      band=band_case(cuts)).values("category", "peak", "band")
          .annotate(n=Count("id")).order_by())
    started = time.perf_counter()
    with transaction.atomic(using=qs.db):
        if connection.vendor == "postgresql":
            # The planner cannot guess how few groups come out; JIT-compiling the expressions costs more than it saves.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        groups = list(qs)
    elapsed = (time.perf_counter() - started) * 1000
    merged: dict[tuple, int] = {}
    for g in groups:
        if g["category"] not in live:  # a category without thresholds (none today): not simulated
            continue
        lower = cuts[g["band"] - 1] if g["band"] else -1.0
        key = (g["category"], route_of(lower, live[g["category"]], bool(g["peak"])),
               route_of(lower, proposed[g["category"]], bool(g["peak"])))
        if key[0] in wanted:
            merged[key] = merged.get(key, 0) + g["n"]
    return [{"category": c, "now": now, "projected": proj, "n": n} for (c, now, proj), n in merged.items()], elapsed


def _shares(counts: dict, total: int) -> dict:
    return {r.value: round(counts[r.value] / total, 4) if total else 0.0 for r in ROUTES}


def simulate(proposed: dict[str, dict], *, hours: float | None = None, now=None, reviewers: int | None = None,
             categories: list[str] | None = None) -> dict:
    """Replay the last `hours` of answers through live and proposed thresholds. `proposed`: {category: fields}
    (the fields it changes). `categories`: which categories to report (default all). Returns a JSON-able dict."""
    hours = hours or settings.THRESHOLD_SIMULATION_HOURS
    now = now or timezone.now()
    since = now - timedelta(hours=hours)
    live = live_values()
    new = merged_values(proposed, live)
    wanted = [c for c in (categories or sorted(live)) if c in live]
    rows, query_ms = count_routes(live, new, since, now, wanted)
    days = hours / 24
    per_category = {c: {"now": dict.fromkeys(ROUTE_NAMES, 0), "projected": dict.fromkeys(ROUTE_NAMES, 0)}
                    for c in wanted}
    for row in rows:
        entry = per_category[row["category"]]
        entry["now"][ROUTES[row["now"]].value] += row["n"]
        entry["projected"][ROUTES[row["projected"]].value] += row["n"]
    reviewers = reviewers if reviewers is not None else planned_reviewers()
    capacity = capacity_per_day(reviewers)
    result_categories = []
    totals = {"now": dict.fromkeys(ROUTE_NAMES, 0), "projected": dict.fromkeys(ROUTE_NAMES, 0)}
    changed = {"now": 0, "projected": 0, "messages": 0}
    for category in wanted:
        entry = per_category[category]
        total = sum(entry["now"].values())
        for side in ("now", "projected"):
            for route, n in entry[side].items():
                totals[side][route] += n
        result_categories.append(_summary(category, entry, total, days, live[category], new[category]))
        if category in proposed:
            changed["messages"] += total
            changed["now"] += sum(entry["now"][r.value] for r in ESCALATED)
            changed["projected"] += sum(entry["projected"][r.value] for r in ESCALATED)
    total = sum(totals["now"].values())
    summary = _summary("all", totals, total, days, None, None)
    for side in ("now", "projected"):
        summary[f"load_{side}"] = round(summary[f"tasks_per_day_{side}"] / capacity, 4) if capacity else None
    return {
        "method": METHOD, "query_ms": round(query_ms, 1), "hours": hours, "since": since.isoformat(),
        "until": now.isoformat(), "messages": total, "reviewers": reviewers,
        "reviews_per_shift": settings.THRESHOLD_REVIEWS_PER_SHIFT, "capacity_per_day": round(capacity, 1),
        "proposed": proposed, "categories": result_categories, "total": summary,
        "changed_categories": {"messages": changed["messages"],
                               "escalation_now": _rate(changed["now"], changed["messages"]),
                               "escalation_projected": _rate(changed["projected"], changed["messages"])},
        "exceeds_capacity": bool(capacity and summary["tasks_per_day_projected"] > capacity),
    }


def _summary(category, entry, total, days, live, new) -> dict:
    out = {"category": category, "messages": total}
    if live is not None:
        out["live"], out["proposed"] = live, new
    for side in ("now", "projected"):
        counts = entry[side]
        reviews, handoffs = counts[Route.REVIEW.value], counts[Route.HANDOFF.value]
        out[f"share_{side}"] = _shares(counts, total)
        out[f"escalation_{side}"] = _rate(reviews + handoffs, total)
        out[f"reviews_per_day_{side}"] = round(reviews / days, 1)
        out[f"handoffs_per_day_{side}"] = round(handoffs / days, 1)
        out[f"tasks_per_day_{side}"] = round((reviews + handoffs) / days, 1)
        out[f"cost_per_day_{side}_jpy"] = round((reviews * settings.THRESHOLD_REVIEW_COST_JPY
                                                 + handoffs * settings.THRESHOLD_HANDOFF_COST_JPY) / days)
    return out


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def format_report(sim: dict) -> str:
    """A plain-text table for the shell and the admin."""
    lines = [f"Replay of {sim['messages']} answers over {sim['hours']:g} h ({sim['method']}; {sim['query_ms']} ms)",
             f"{'category':<15} {'msgs':>8}  {'auto now→new':>13} {'review':>13} {'clarify':>13} {'handoff':>13}"
             f" {'escal.':>13} {'tasks/day':>15} {'cost/day ¥':>17}"]
    for row in [*sim["categories"], sim["total"]]:
        cells = [f"{row['share_now'][r.value]:6.1%}→{row['share_projected'][r.value]:6.1%}" for r in ROUTES]
        lines.append(f"{row['category']:<15} {row['messages']:>8}  " + " ".join(f"{c:>13}" for c in cells)
                     + f" {row['escalation_now']:6.1%}→{row['escalation_projected']:6.1%}"
                     + f" {row['tasks_per_day_now']:>7.0f}→{row['tasks_per_day_projected']:<7.0f}"
                     + f" {row['cost_per_day_now_jpy']:>8}→{row['cost_per_day_projected_jpy']:<8}")
    total = sim["total"]
    lines.append(f"reviewer load: {total['load_now']:.0%} → {total['load_projected']:.0%} of capacity "
                 f"({sim['reviewers']} reviewers × {sim['reviews_per_shift']} reviews/shift = "
                 f"{sim['capacity_per_day']:.0f} tasks/day)" + ("  EXCEEDS CAPACITY" if sim["exceeds_capacity"] else ""))
    return "\n".join(lines)
