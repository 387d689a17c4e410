"""The reviewer console in the admin: the queue page, its fragments and its POST endpoints."""

import pytest
from django.utils import timezone

from chat.models import Message
from reviews import roles
from reviews.escalation import route_draft
from reviews.models import CannedResponse, ReviewerAvailability, ReviewTask
from tests.factories import customer_message, draft, make_review_tasks, make_user

CONSOLE = "/admin/reviews/reviewtask/console/"


@pytest.fixture
def console_client(client, reviewer):
    client.force_login(reviewer)
    ReviewerAvailability.objects.create(user=reviewer, checked_in=True, checked_in_at=timezone.now(),
                                        last_activity_at=timezone.now())
    return client


def post_json(client, url, data=None):
    return client.post(url, data or {}, HTTP_ACCEPT="application/json")


def test_it_orders_the_queue_by_priority_then_deadline(console_client, reviewer):
    now = timezone.now()
    tasks = make_review_tasks(8, now=now)
    response = console_client.get(CONSOLE)
    assert response.status_code == 200
    shown = [r.pk for r in response.context["rows"]]
    expected = [t.pk for t in sorted(tasks, key=lambda t: (t.priority, t.sla_deadline, t.pk))]
    assert shown == expected
    assert response.context["total"] == 8
    body = response.content.decode()
    # The rows appear in that order in the HTML too.
    positions = [body.index(f'data-task-id="{pk}" data-priority') for pk in expected]
    assert positions == sorted(positions)


def test_it_puts_countdown_deadlines_in_data_attributes(console_client):
    task = make_review_tasks(1, priority=1)[0]
    body = console_client.get(CONSOLE).content.decode()
    ms = int(task.sla_deadline.timestamp() * 1000)
    assert f'data-deadline-ms="{ms}"' in body
    assert f'data-deadline="{timezone.localtime(task.sla_deadline).isoformat()}"' in body
    assert '<script id="rc-config" type="application/json">' in body and '"serverNow":' in body


def test_it_shows_the_conversation_draft_confidence_category_and_sources(console_client):
    message = customer_message(text="ワンピース105巻の在庫は？")
    route_draft(message, draft(0.62, "availability", text="在庫があります。",
                               sources=[{"type": "product", "id": 7, "label": "ONE PIECE 105"}]))
    task = ReviewTask.objects.get(message=message)
    response = console_client.get(f"{CONSOLE}?task={task.pk}")
    body = response.content.decode()
    assert response.context["task"] == task
    assert "ワンピース105巻の在庫は？" in body and "在庫があります。" in body
    assert "62%" in body and "ONE PIECE 105" in body and 'data-confidence="0.62"' in body


def test_it_limits_the_page_and_reports_the_total(console_client, monkeypatch):
    from reviews import console

    monkeypatch.setattr(console, "QUEUE_PAGE_SIZE", 5)
    make_review_tasks(12)
    response = console_client.get(CONSOLE)
    assert len(response.context["rows"]) == 5 and response.context["total"] == 12


def test_it_claims_then_answers_409_naming_the_holder(console_client, reviewer2, client):
    task = make_review_tasks(1)[0]
    response = post_json(console_client, f"{CONSOLE}task/{task.pk}/claim/")
    assert response.status_code == 200 and response.json()["task"]["status"] == "claimed"

    client.force_login(reviewer2)
    response = post_json(client, f"{CONSOLE}task/{task.pk}/claim/")
    assert response.status_code == 409 and "rita" not in response.json()["error"]  # checked out: refused first
    ReviewerAvailability.objects.create(user=reviewer2, checked_in=True)
    response = post_json(client, f"{CONSOLE}task/{task.pk}/claim/")
    assert response.status_code == 409
    assert response.json() == {"ok": False, "error": "rita さんが担当中です。"}  # the Japanese console by default
    response = post_json(client, f"{CONSOLE}task/{task.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 409 and "rita" in response.json()["error"]


def test_it_edits_and_sends_the_reviewers_text(console_client, reviewer):
    message = customer_message(locale="en", text="When does it ship?")
    route_draft(message, draft(0.6, "shipping"))
    task = ReviewTask.objects.get(message=message)
    response = post_json(console_client, f"{CONSOLE}task/{task.pk}/decide/",
                         {"decision": "edit", "text": "It ships tomorrow."})
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert (task.status, task.decided_by, task.edited_text) == ("edited", reviewer, "It ships tomorrow.")
    answer = Message.objects.get(reply_to=message, kind="answer")
    assert (answer.status, answer.text) == ("edited", "It ships tomorrow.")


def test_it_gives_clear_errors_for_bad_decisions(console_client):
    task = make_review_tasks(1)[0]
    url = f"{CONSOLE}task/{task.pk}/decide/"
    assert post_json(console_client, url, {"decision": "edit", "text": "  "}).json()["error"] == \
        "編集には送信する本文が必要です。"
    english = console_client.post(url, {"decision": "edit", "text": "  "}, HTTP_ACCEPT="application/json",
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"] == "An edit needs the text to send."
    assert post_json(console_client, url, {"decision": "reject"}).status_code == 400
    assert post_json(console_client, url, {"decision": "maybe"}).status_code == 400
    assert post_json(console_client, url, {"decision": "approve"}).status_code == 200
    again = post_json(console_client, url, {"decision": "approve"})
    assert again.status_code == 409 and again.json()["error"] == "このタスクはすでに完了しています（承認）。"
    assert post_json(console_client, f"{CONSOLE}task/999999/claim/").status_code == 409


def test_it_rejects_into_a_handoff_task(console_client):
    message = customer_message()
    route_draft(message, draft(0.6, "general"))
    task = ReviewTask.objects.get(message=message)
    response = post_json(console_client, f"{CONSOLE}task/{task.pk}/decide/", {"decision": "reject", "reason": "wrong"})
    assert response.status_code == 200
    assert ReviewTask.objects.get(message=message, status="pending").kind == "handoff"


def test_it_redirects_plain_form_posts_with_a_message(console_client):
    task = make_review_tasks(1)[0]
    response = console_client.post(f"{CONSOLE}task/{task.pk}/claim/")
    assert response.status_code == 302 and response["Location"] == f"{CONSOLE}?task={task.pk}"


def test_it_refuses_staff_who_are_not_reviewers(client, django_user_model, thresholds):
    user = make_user(django_user_model, "opsy", roles.OPS)
    client.force_login(user)
    task = make_review_tasks(1)[0]
    assert client.get(CONSOLE).status_code == 403
    assert post_json(client, f"{CONSOLE}task/{task.pk}/claim/").status_code == 403
    # Operations may read the dashboard, though.
    assert client.get("/admin/reviews/reviewtask/dashboard/").status_code == 200


def test_it_sends_anonymous_users_to_the_admin_login(client):
    response = client.get(CONSOLE)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_it_checks_reviewers_in_and_out_and_counts_the_active_ones(console_client, reviewer):
    assert post_json(console_client, f"{CONSOLE}check-in/").status_code == 200
    assert ReviewerAvailability.objects.get(user=reviewer).checked_in
    response = console_client.get(CONSOLE)
    assert response.context["active_reviewers"] == 1 and 'data-checked-in="1"' in response.content.decode()
    post_json(console_client, f"{CONSOLE}check-out/")
    response = console_client.get(CONSOLE)
    assert response.context["active_reviewers"] == 0 and 'data-checked-in="0"' in response.content.decode()


def test_it_offers_the_canned_responses_that_fit_the_task(console_client):
    CannedResponse.objects.all().delete()  # not the shipped ones: this test's own
    CannedResponse.objects.create(title="Shipping JA", text="発送は翌営業日です。", locale="ja",
                                  category="shipping")
    CannedResponse.objects.create(title="Thanks", text="ありがとうございます。")
    CannedResponse.objects.create(title="Refund EN", text="Refunds take 5 days.", locale="en", category="refund")
    CannedResponse.objects.create(title="Old", text="old", is_active=False)
    message = customer_message(locale="ja")
    route_draft(message, draft(0.6, "shipping"))
    task = ReviewTask.objects.get(message=message)
    response = console_client.get(f"{CONSOLE}task/{task.pk}/")
    assert [c.title for c in response.context["canned"]] == ["Shipping JA", "Thanks"]
    assert 'data-canned="1" data-text="発送は翌営業日です。"' in response.content.decode()


def test_it_serves_the_queue_fragment_with_its_total(console_client):
    make_review_tasks(3)
    response = console_client.get(f"{CONSOLE}queue/")
    assert response.status_code == 200 and response["X-Queue-Total"] == "3"
    assert response.content.decode().count('class="rc-row') == 3


def test_it_speaks_japanese_by_default_and_english_on_request(console_client):
    assert "レビューコンソール" in console_client.get(CONSOLE).content.decode()
    page = console_client.get(CONSOLE).content.decode()
    assert 'action="/i18n/setlang/"' in page  # the admin header's switch (templates/includes/language_switch.html)
    response = console_client.post("/i18n/setlang/", {"language": "en", "next": CONSOLE})
    assert response.status_code == 302 and response["Location"] == CONSOLE
    assert "Review console" in console_client.get(CONSOLE).content.decode()


def test_it_links_the_console_and_dashboard_from_the_admin_index(console_client):
    body = console_client.get("/admin/").content.decode()
    assert CONSOLE in body and "/admin/reviews/reviewtask/dashboard/" in body


def test_senior_pool_tasks_are_hidden_from_regular_reviewers(console_client, client, senior):
    regular, senior_task = make_review_tasks(2)
    ReviewTask.objects.filter(pk=senior_task.pk).update(pool="senior", status="dead_lettered")
    assert [r.pk for r in console_client.get(CONSOLE).context["rows"]] == [regular.pk]
    client.force_login(senior)
    assert {r.pk for r in client.get(CONSOLE).context["rows"]} == {regular.pk, senior_task.pk}


def test_it_ships_canned_responses_in_both_languages(console_client, thresholds):
    shipped = CannedResponse.objects.filter(is_active=True)
    assert shipped.filter(locale="ja").count() == shipped.filter(locale="en").count() >= 5
    for locale, expected in (("ja", "返金の流れ"), ("en", "Refund process")):
        message = customer_message(locale=locale)
        route_draft(message, draft(0.6, "refund"))
        task = ReviewTask.objects.get(message=message)
        canned = console_client.get(f"{CONSOLE}task/{task.pk}/").context["canned"]
        assert canned[0].title == expected and {c.locale for c in canned} == {locale}


def test_it_refuses_to_claim_or_decide_while_checked_out(console_client, reviewer):
    task = make_review_tasks(1)[0]
    post_json(console_client, f"{CONSOLE}check-out/")
    for path, data in (("claim", {}), ("decide", {"decision": "approve"})):
        response = post_json(console_client, f"{CONSOLE}task/{task.pk}/{path}/", data)
        assert response.status_code == 409 and not response.json()["ok"]
    task.refresh_from_db()
    assert task.status == "pending"
    post_json(console_client, f"{CONSOLE}check-in/")
    assert post_json(console_client, f"{CONSOLE}task/{task.pk}/decide/", {"decision": "approve"}).status_code == 200
