from datetime import timedelta

from django.utils import timezone

from reviews.decisions import do_claim
from reviews.escalation import route_draft
from reviews.models import ReviewTask
from reviews.sweeps import sweep

from tests.factories import assistant_messages, customer_message, draft


def _later(seconds):
    return timezone.now() + timedelta(seconds=seconds)


def test_it_sends_one_heartbeat_per_interval_even_when_swept_twice(fast, thresholds):
    message = customer_message(locale="en")
    route_draft(message, draft(0.6))
    at = _later(1.2)
    sweep(at)
    sweep(at)
    beats = [m for m in assistant_messages(message) if m.kind == "heartbeat"]
    assert len(beats) == 1 and beats[0].text == "Still checking… (1 min)" and beats[0].meta["elapsed_s"] >= 1


def test_it_sends_a_normal_risk_draft_with_the_disclaimer_on_timeout(fast, thresholds):
    message = customer_message()
    route_draft(message, draft(0.6, "order_status"))
    sweep(_later(5))
    sweep(_later(5))
    final = [m for m in assistant_messages(message) if m.kind == "answer"]
    assert len(final) == 1 and final[0].status == "timeout"
    assert final[0].text.startswith("こちらが見つかった情報です。自動生成された回答のため")
    assert ReviewTask.objects.get().status == "timed_out"


def test_it_never_sends_a_high_risk_draft_unverified(fast, thresholds, senior):
    message = customer_message(locale="en")
    route_draft(message, draft(0.6, "refund", text="You will get ¥5000 back"))
    sweep(_later(5))
    final = [m for m in assistant_messages(message) if m.kind == "answer"]
    assert len(final) == 1 and "specialist" in final[0].text and "¥5000" not in final[0].text
    followup = ReviewTask.objects.get(status="pending")
    assert (followup.pool, followup.kind, followup.followup) == ("senior", "handoff", True)
    from reviews.decisions import do_decide
    do_decide(followup.pk, senior, "edit", text="Your refund was issued.")
    final = [m for m in assistant_messages(message) if m.kind == "answer"]
    assert [m.status for m in final] == ["specialist", "human"]


def test_it_dead_letters_after_three_claim_expiries(fast, thresholds, reviewer):
    message = customer_message()
    route_draft(message, draft(0.6))
    task = ReviewTask.objects.get()
    for round_ in range(3):
        do_claim(task.pk, reviewer)
        sweep(_later(2 + round_ * 0.01), with_operations=False)
    task.refresh_from_db()
    assert (task.status, task.pool, task.release_count) == ("dead_lettered", "senior", 3)


def test_it_marks_sla_breaches_once(thresholds):
    route_draft(customer_message(), draft(0.6, "refund"))
    assert sweep(_later(61), with_operations=False).sla_breaches == 1
    assert sweep(_later(62), with_operations=False).sla_breaches == 0
