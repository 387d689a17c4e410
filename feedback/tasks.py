"""Celery tasks: thin wrappers over feedback.audits (each returns the id of the AuditReport it wrote)."""

from celery import shared_task

from feedback import audits, prompt_canary


@shared_task(name="feedback.adversarial_audit")
def adversarial_audit() -> int:
    return audits.run_adversarial_audit().pk


@shared_task(name="feedback.topic_drift_audit")
def topic_drift_audit() -> int:
    return audits.run_topic_drift_audit().pk


@shared_task(name="feedback.join_rate_audit")
def join_rate_audit() -> int:
    return audits.run_join_rate_audit().pk


@shared_task(name="feedback.satisfaction_audit")
def satisfaction_audit() -> int:
    return audits.run_satisfaction_audit().pk


@shared_task(name="feedback.consistency_audit")
def consistency_audit() -> int:
    return audits.run_consistency_audit().pk


@shared_task(name="feedback.prompt_canary_sweep")
def prompt_canary_sweep() -> dict:
    return prompt_canary.sweep()
