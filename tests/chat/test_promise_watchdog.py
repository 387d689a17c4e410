from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Customer
from chat import delivery, watchdog
from common import metrics
from chat.models import ChatSession, Message
from tests.support.processes import celery_beat, celery_worker, wait_until


def _overdue_message(customer=None, locale="ja"):
    session = ChatSession.objects.create(customer=customer, locale=locale)
    return Message.objects.create(session=session, role="user", text="返品したいです", client_id="c1",
                                  answer_deadline=timezone.now() - timedelta(seconds=1))


def test_it_sends_one_fallback_and_emails_the_customer(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer = Customer.objects.create(external_id="C9", email="kenji@example.jp")
    message = _overdue_message(customer)
    assert watchdog.keep_promises() == 1
    assert watchdog.keep_promises() == 0  # idempotent: the promise is kept once
    (answer,) = Message.objects.filter(reply_to=message)
    assert answer.kind == "answer" and answer.status == "fallback" and "担当者" in answer.text
    assert mail.outbox[0].to == ["kenji@example.jp"] and "返品したいです" in mail.outbox[0].body
    assert "A member of our team" in mail.outbox[0].body  # Japanese and English in one mail
    assert metrics.counter_value("chat_promise_fallback_total") == 1


def test_it_emails_the_address_an_anonymous_customer_left_in_the_chat(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _overdue_message()
    ChatSession.objects.filter(pk=message.session_id).update(contact_email="yui@example.jp")
    assert watchdog.keep_promises() == 1
    assert [m.to for m in mail.outbox] == [["yui@example.jp"]]


def test_it_leaves_a_promise_alone_once_an_answer_won_the_claim(db):
    message = _overdue_message()
    late = delivery.send_to_customer(message.session, kind="answer", text="遅れてすみません", reply_to=message,
                                     status="auto")
    assert late is not None and watchdog.keep_promises() == 0
    assert Message.objects.filter(reply_to=message, kind="answer").count() == 1


def test_check_delivery_lists_overdue_messages_and_fails(db, capsys):
    call_command("check_delivery")
    message = _overdue_message()
    with pytest.raises(Exception, match="1 customer message"):
        call_command("check_delivery")
    assert f"message {message.pk}" in capsys.readouterr().out
    watchdog.keep_promises()
    call_command("check_delivery")


@pytest.mark.slow
def test_beat_and_a_worker_keep_an_overdue_promise(transactional_db):
    message = _overdue_message(locale="en")
    with celery_worker(concurrency=1), celery_beat(CHAT_WATCHDOG_SECONDS="1"):
        answer = wait_until(lambda: Message.objects.filter(reply_to=message, kind="answer").first(), timeout=30,
                            message="the watchdog's fallback answer")
    assert answer.status == "fallback" and "get back to you" in answer.text
    assert Message.objects.filter(reply_to=message, kind="answer").count() == 1
