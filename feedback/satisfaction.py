"""Satisfaction: the positive rate of trusted thumbs, per category and per prompt version.

Only trusted feedback counts (provenance above 0.3, not quarantined); the admin view and the daily
satisfaction-change audit both read these functions, so they can never disagree.
"""

from datetime import datetime

from django.db.models import Count, Q

from feedback.models import Feedback
from prompts.models import PromptVersion


def _rows(queryset, field: str) -> list[dict]:
    rows = (queryset.values(field)
            .annotate(up=Count("id", filter=Q(value=Feedback.Value.UP)),
                      down=Count("id", filter=Q(value=Feedback.Value.DOWN)))
            .order_by(field))
    result = []
    for row in rows:
        total = row["up"] + row["down"]
        result.append({"key": row[field], "up": row["up"], "down": row["down"], "total": total,
                       "positive_rate": row["up"] / total if total else None})
    return result


def trusted_thumbs(since: datetime | None = None, until: datetime | None = None):
    queryset = Feedback.objects.trusted().thumbs()
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    if until is not None:
        queryset = queryset.filter(created_at__lt=until)
    return queryset


def by_category(since: datetime | None = None, until: datetime | None = None) -> list[dict]:
    return _rows(trusted_thumbs(since, until), "topic_category")


def by_prompt_version(since: datetime | None = None, until: datetime | None = None) -> list[dict]:
    rows = _rows(trusted_thumbs(since, until), "prompt_version")
    names = {pv.pk: str(pv) for pv in PromptVersion.objects.filter(pk__in=[r["key"] for r in rows if r["key"]])}
    for row in rows:
        row["label"] = names.get(row["key"], "(none)")
    return rows
