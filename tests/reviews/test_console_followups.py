"""A high-risk timeout's follow-up: its own deadline, the senior pool, alerts, and a way to reach the customer."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from catalog.models import Customer
from chat.models import ChatSession, Message
from reviews.decisions import do_decide
from reviews.escalation import route_draft
from reviews.models import Alert, ReviewTask
from reviews.sweeps import sweep

from tests.factories import assistant_messages, customer_message, draft


def _later(seconds):
    return timezone.now() + timedelta(seconds=seconds)


def _time_out_refund(locale="en", customer=None):
    message = customer_message(locale=locale, text="I want my money back", customer=customer)
    route_draft(message, draft(0.6, "refund", text="You will get ¥5000 back"))
    sweep(_later(5))
    return message, ReviewTask.objects.get(status="pending", followup=True)


def test_it_gives_the_followup_its_own_deadline_in_the_senior_pool(fast, thresholds, settings):
    settings.REVIEW_FOLLOWUP_SLA_SECONDS = 1800
    before = timezone.now()
    message, followup = _time_out_refund()
    assert followup.pool == "senior" and followup.kind == "handoff" and followup.timeout_at is None
    assert not followup.sla_breached
    assert before + timedelta(seconds=1800) <= followup.sla_deadline <= _later(1806)
    sweep(_later(10))
    followup.refresh_from_db()
    assert not followup.sla_breached  # the original task's SLA has passed; the follow-up's has not


def test_it_alerts_while_a_followup_waits_and_again_when_it_is_overdue(fast, thresholds, senior, settings):
    settings.ALERT_EMAILS = ["ops@example.com"]
    settings.REVIEW_FOLLOWUP_SLA_SECONDS = 60
    message, followup = _time_out_refund()
    waiting = Alert.objects.get(kind="followup_waiting", resolved_at__isnull=True)
    assert waiting.value == 1
    assert not Alert.objects.filter(kind="followup_overdue").exists()
    sweep(_later(70))
    assert Alert.objects.filter(kind="followup_overdue", resolved_at__isnull=True).count() == 1
    do_decide(followup.pk, senior, "edit", text="Your refund was issued.")
    sweep(_later(75))
    assert not Alert.objects.filter(resolved_at__isnull=True, kind__startswith="followup").exists()


def test_it_asks_an_anonymous_customer_for_an_address_and_stores_the_reply(fast, thresholds, senior,
                                                                         django_capture_on_commit_callbacks):
    message, followup = _time_out_refund(locale="ja")
    notice = [m for m in assistant_messages(message) if m.kind == "answer"][-1]
    assert "専門の担当者" in notice.text and "メールアドレス" in notice.text
    reply = Message.objects.create(session=message.session, role=Message.Role.USER,
                                   text="連絡先は taro.yamada@example.jp です")
    ack = route_draft(reply, draft(0.9, "general", text="pipeline answer"))
    assert ack is not None and "taro.yamada@example.jp" in ack.text and ack.reply_to_id == reply.pk
    assert ack.status == "specialist"  # shown as the store's notice, without thumbs
    assert ChatSession.objects.get(pk=message.session_id).contact_email == "taro.yamada@example.jp"
    followup.refresh_from_db()
    assert "taro.yamada@example.jp" in followup.notes
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_decide(followup.pk, senior, "edit", text="返金手続きを完了しました。")
    assert [m.to for m in mail.outbox] == [["taro.yamada@example.jp"]]
    assert "返金手続きを完了しました。" in mail.outbox[0].body


def test_it_does_not_ask_a_customer_whose_address_we_have(fast, thresholds):
    customer = Customer.objects.create(external_id="C-ADDR", email="known@example.com")
    message, _ = _time_out_refund(customer=customer)
    notice = [m for m in assistant_messages(message) if m.kind == "answer"][-1]
    assert "specialist" in notice.text and "e-mail address" not in notice.text


def test_it_answers_an_address_normally_when_no_followup_waits(fast, thresholds):
    message = customer_message(locale="en", text="my mail is a@b.example")
    sent = route_draft(message, draft(0.95, "general", text="pipeline answer"))
    assert sent.text == "pipeline answer"
    assert ChatSession.objects.get(pk=message.session_id).contact_email == ""
