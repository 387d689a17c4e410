"""Celery tasks of the prompts app."""

from celery import shared_task

from prompts import serving


@shared_task(name="prompts.serving_version")
def serving_version(session_key: str, name: str = "answer") -> int | None:
    """The version id this process would serve `session_key` now (how operators and tests see what a worker serves)."""
    version = serving.choose(session_key, name)
    return version.pk if version else None
