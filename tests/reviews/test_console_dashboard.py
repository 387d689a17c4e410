"""The operations dashboard as an operator reads it: customer-side figures, alerts in Japanese with live numbers."""

from datetime import timedelta

from django.utils import timezone

from chat.models import Message
from feedback.collect import do_record_feedback
from reviews import dashboard
from reviews.availability import do_check_in
from reviews.escalation import route_draft
from reviews.models import Alert, ReviewTask
from reviews.sweeps import sweep

from tests.factories import customer_message, draft, make_user

DASHBOARD = "/admin/reviews/reviewtask/dashboard/"


def test_it_counts_what_customers_experienced(fast, thresholds):
    auto = customer_message(text="送料は？")
    route_draft(auto, draft(0.99, "shipping", text="全国一律500円です。"))
    reviewed = customer_message(text="在庫は？")
    route_draft(reviewed, draft(0.6, "availability"))
    late = customer_message(text="おすすめは？")
    route_draft(late, draft(0.6, "recommendation"))
    sweep(timezone.now() + timedelta(seconds=5))  # the P4 draft goes out unverified, with the disclaimer
    answer = Message.objects.get(reply_to=auto, kind="answer")
    do_record_feedback(auto.session, {"message_id": answer.pk, "kind": "thumb", "value": "down"})
    side = dashboard.customer_side(dashboard.Window.last(1, timezone.now() + timedelta(seconds=10)))
    assert side["volume"] == 3 and side["answered"] >= 2
    assert side["without_review"] == 1 and side["unverified"] >= 1
    assert side["thumbs"] == 1 and side["thumbs_down"] == 1 and side["failed_lookups"] == 0
    assert side["wait_median_s"] is not None


def test_it_counts_every_draft_sent_unverified_and_no_specialist_notice(fast, thresholds):
    for category, text in (("order_status", "注文は？"), ("recommendation", "おすすめは？"), ("refund", "返金は？")):
        route_draft(customer_message(text=text), draft(0.6, category))
    sweep(timezone.now() + timedelta(seconds=5))  # all three time out: P2 and P4 with the disclaimer, the refund not
    statuses = sorted(Message.objects.filter(kind="answer").values_list("status", flat=True))
    assert statuses == ["specialist", "timeout", "timeout"]
    side = dashboard.customer_side(dashboard.Window.last(1, timezone.now() + timedelta(seconds=10)))
    assert side["unverified"] == 2


def test_it_shows_alerts_in_japanese_with_the_live_reviewer_count(client, thresholds, django_user_model):
    staff = make_user(django_user_model, "olga", "ops")
    Alert.objects.create(kind="reviewers_low", message="0 active reviewers, minimum 2", value=0)
    do_check_in(make_user(django_user_model, "rita", "reviewer"))
    client.force_login(staff)
    body = client.get(DASHBOARD).content.decode()
    assert 'id="rd-active">1<' in body
    assert "稼働中のレビュアーは1人" in body and "0 active reviewers" not in body
    assert "お客様側" in body and 'id="rd-panels"' in body


def test_it_names_categories_in_japanese_on_the_dashboard(client, thresholds, django_user_model):
    route_draft(customer_message(text="注文は？"), draft(0.6, "order_status"))
    client.force_login(make_user(django_user_model, "olga", "ops"))
    body = client.get(DASHBOARD).content.decode()
    assert "注文状況" in body and "Order Status" not in body
    assert ReviewTask.objects.count() == 1
