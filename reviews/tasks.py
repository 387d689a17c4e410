"""Celery tasks of the review engine (thin: each calls one action)."""

from celery import shared_task


@shared_task(name="reviews.sweep", ignore_result=True)
def sweep_task():
    from reviews.sweeps import sweep

    result = sweep()
    return {"heartbeats": result.heartbeats, "timeouts": result.timeouts, "claims_expired": result.claims_expired}


@shared_task(name="reviews.decide")
def decide_task(category: str, confidence: float) -> dict:
    """What this worker's cached thresholds decide for a draft (ops: "what would happen at 0.8?")."""
    from reviews.thresholds import decide

    d = decide(category, confidence)
    return {"route": d.route, "priority": d.priority, "auto_respond_min": d.auto_respond_min,
            "review_min": d.review_min, "handoff_below": d.handoff_below, "overridden": d.overridden}


@shared_task(name="reviews.threshold_watch", ignore_result=True)
def threshold_watch_task():
    """Canary end (promote or revert), the next approved canary, the circuit breaker."""
    from reviews.threshold_changes import watch

    return watch()


@shared_task(name="reviews.signal_alerts", ignore_result=True)
def signal_alerts_task():
    """Alerts on the operations signals (escalation, load, queue growth, timeouts, promises, counters, spend)."""
    from reviews.alerts import check_signal_alerts

    return check_signal_alerts()
