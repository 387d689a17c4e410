"""The database is the source of truth for turns: lost turns are enqueued again, fallbacks open a task for a person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat import turnlock, watchdog
from chat.models import ChatSession, Message
from common import metrics
from reviews.models import ReviewTask


def _message(age_s: float, text="ワンピースの1巻はありますか", session=None, **fields) -> Message:
    session = session or ChatSession.objects.create()
    created = timezone.now() - timedelta(seconds=age_s)
    return Message.objects.create(session=session, role="user", text=text, created_at=created,
                                  answer_deadline=created + timedelta(seconds=300), **fields)


class Enqueued(list):
    def __call__(self, message_id):
        self.append(message_id)
        return True


def test_it_enqueues_a_lost_turn_again_after_30s_and_only_once_per_30s(db, settings):
    settings.CHAT_REENQUEUE_AFTER_SECONDS = 30
    lost, fresh = _message(45), _message(5)
    enqueued = Enqueued()
    assert watchdog.requeue_lost_turns(enqueue=enqueued) == 1
    assert enqueued == [lost.pk]  # the 5-second-old message is still within its normal wait
    assert watchdog.requeue_lost_turns(enqueue=enqueued) == 0  # just re-enqueued: it gets its 30 s
    lost.refresh_from_db()
    assert lost.requeue_count == 1 and lost.requeued_at is not None
    assert metrics.counter_value("chat_turn_requeued_total") == 1
    fresh.refresh_from_db()
    assert fresh.requeue_count == 0


def test_it_gives_up_after_the_maximum_and_leaves_it_to_the_fallback(db, settings):
    settings.CHAT_REENQUEUE_MAX = 3
    lost = _message(200)
    enqueued = Enqueued()
    for attempt in range(5):
        later = timezone.now() + timedelta(seconds=31 * attempt)
        watchdog.requeue_lost_turns(now=later, enqueue=enqueued)
    assert enqueued == [lost.pk] * 3


def test_it_leaves_answered_acknowledged_overdue_and_running_turns_alone(db):
    from chat import delivery

    answered = _message(60)
    delivery.send_to_customer(answered.session, kind="answer", text="あります", reply_to=answered, status="auto")
    in_review = _message(60)
    delivery.send_to_customer(in_review.session, kind="review_pending", text="確認中", reply_to=in_review)
    overdue = _message(400)  # past its deadline: the fallback's business
    running = _message(60)
    lock = turnlock.turn_lock(running.session_id)
    assert lock.acquire(blocking=False)
    try:
        enqueued = Enqueued()
        assert watchdog.requeue_lost_turns(enqueue=enqueued) == 0
    finally:
        lock.release()
    assert enqueued == [] and overdue.answered_at is None
    assert watchdog.requeue_lost_turns(enqueue=enqueued) == 1 and enqueued == [running.pk]  # the lock is free now


def test_it_gives_the_attempt_back_when_the_broker_refuses(db):
    lost = _message(60)
    assert watchdog.requeue_lost_turns(enqueue=lambda message_id: False) == 0
    lost.refresh_from_db()
    assert lost.requeue_count == 0 and lost.requeued_at is None


def test_a_dead_workers_turn_lock_frees_itself_and_a_running_turn_keeps_it(db, monkeypatch):
    import time

    monkeypatch.setattr(turnlock, "LOCK_TTL", 1)
    dead = turnlock._client().lock(turnlock.lock_key(1), timeout=1, thread_local=False)
    assert dead.acquire(blocking=False)  # taken, then its worker "dies": nobody renews it
    alive = turnlock._client().lock(turnlock.lock_key(2), timeout=1, thread_local=False)
    assert alive.acquire(blocking=False)
    with turnlock.kept(alive):
        time.sleep(1.6)
        assert turnlock.running_sessions([1, 2]) == {2}
    alive.release()


def test_the_fallback_opens_a_followup_handoff_for_a_person_in_the_right_pool(db, settings):
    regular = _message(400, text="ワンピースの1巻はありますか")
    refund = _message(400, text="返金してください。注文した商品が届きません")
    assert watchdog.keep_promises() == 2
    tasks = {t.message_id: t for t in ReviewTask.objects.all()}
    assert set(tasks) == {regular.pk, refund.pk}
    for task in tasks.values():
        assert task.kind == "handoff" and task.status == "pending" and task.followup
        assert task.priority <= 2 and task.sla_deadline > timezone.now() and task.timeout_at is None
    assert tasks[refund.pk].pool == "senior" and tasks[refund.pk].risk_class == "high"
    assert tasks[regular.pk].pool == "regular"
    assert watchdog.keep_promises() == 0 and ReviewTask.objects.count() == 2  # once


def test_a_message_with_an_open_task_gets_no_second_one(db):
    from reviews.models import ReviewTask

    message = _message(400)
    ReviewTask.objects.create(message=message, session=message.session, category="general",
                              sla_deadline=timezone.now())
    assert watchdog.keep_promises() == 1
    assert ReviewTask.objects.filter(message=message).count() == 1


def test_a_failing_receiver_rolls_the_fallback_back_for_the_next_sweep(db):
    message = _message(400)

    def broken(**kwargs):
        raise RuntimeError("reviews is down")

    watchdog.person_promised.connect(broken, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            watchdog.keep_promises()
    finally:
        watchdog.person_promised.disconnect(dispatch_uid="test-broken")
    assert not Message.objects.filter(reply_to=message).exists()
    assert watchdog.keep_promises() == 1 and ReviewTask.objects.filter(message=message).count() == 1
