"""The estimated wait a customer sees while a review is pending, and the frames that carry it."""

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from chat.models import Message
from reviews.availability import do_check_in
from reviews.escalation import route_draft
from reviews.models import ReviewTask
from reviews.sweeps import sweep
from reviews.waits import estimated_wait_seconds, estimator

from tests.factories import customer_message, draft, make_user


def _decided(n, seconds, user):
    now = timezone.now()
    for i in range(n):
        message = customer_message(text=f"done {i}")
        ReviewTask.objects.create(message=message, session=message.session, category="shipping", priority=3,
                                  status="approved", decision="approve", decided_by=user, decided_at=now,
                                  review_duration_s=seconds, created_at=now, sla_deadline=now)


def test_it_estimates_from_the_queue_ahead_the_median_review_time_and_active_reviewers(
        thresholds, django_user_model, settings):
    settings.REVIEW_TIMEOUT_SECONDS = settings.REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS = 3600
    rita = make_user(django_user_model, "rita", "reviewer")
    _decided(5, 90, rita)
    cache.delete("reviews:median_review_s")
    for i in range(3):  # three P1 questions ahead of any P3
        route_draft(customer_message(text=f"refund {i}"), draft(0.6, "refund"))
    route_draft(customer_message(text="stock?"), draft(0.6, "availability"))
    task = ReviewTask.objects.get(message__text="stock?")
    assert estimated_wait_seconds(task) == 4 * 90  # (3 ahead + 1) × 90 s ÷ 1 reviewer (none active counts as 1)
    do_check_in(rita)
    do_check_in(make_user(django_user_model, "ren", "reviewer"))
    assert estimated_wait_seconds(task) == 180  # two reviewers share the queue
    # The sweep estimates a whole batch from one read of the queue: the same numbers.
    now = timezone.now()
    estimate = estimator(now)
    for each in ReviewTask.objects.filter(status="pending"):
        assert estimate(each) == estimated_wait_seconds(each, now)


def test_it_never_promises_past_the_customers_timeout_and_falls_back_to_the_sla(thresholds, settings):
    cache.delete("reviews:median_review_s")
    message = customer_message(text="送料は？")
    route_draft(message, draft(0.6, "shipping"))
    task = ReviewTask.objects.get(message=message)
    wait = estimated_wait_seconds(task)
    assert wait <= (task.timeout_at - timezone.now()).total_seconds() + 30
    assert wait <= settings.REVIEW_SLA_SECONDS[3] + 30 and wait % 30 == 0


def test_it_puts_elapsed_and_estimated_wait_into_the_acknowledgement_and_heartbeats(fast, thresholds):
    message = customer_message(locale="en")
    ack = route_draft(message, draft(0.6))
    frame = ack.to_frame()
    assert frame["type"] == "review_pending" and frame["elapsed_s"] == 0 and frame["estimated_wait_s"] >= 30
    sweep(timezone.now() + timedelta(seconds=1.2))
    beat = Message.objects.get(reply_to=message, kind="heartbeat").to_frame()
    assert beat["type"] == "heartbeat" and beat["reply_to"] == message.pk
    assert beat["elapsed_s"] >= 1 and isinstance(beat["estimated_wait_s"], int)
