from chat.models import Message
from reviews.escalation import route_draft
from reviews.models import ReviewTask

from tests.factories import api_client, assistant_messages, customer_message, draft


def _task(confidence=0.6, category="general", locale="ja"):
    message = customer_message(locale=locale)
    route_draft(message, draft(confidence, category))
    return message, ReviewTask.objects.get(message=message, status="pending")


def test_it_lists_the_queue_by_priority_then_deadline(reviewer):
    _task(category="general")
    _task(category="refund")
    _task(category="shipping")
    response = api_client(reviewer).get("/api/v1/reviews/?status=pending")
    assert response.status_code == 200
    assert [t["priority"] for t in response.json()] == [1, 3, 4]


def test_it_refuses_anonymous_and_non_reviewers(client, django_user_model, thresholds):
    assert client.get("/api/v1/reviews/").status_code in (401, 403)
    nobody = django_user_model.objects.create_user("nobody", is_staff=True)
    assert api_client(nobody).get("/api/v1/reviews/").status_code == 403


def test_it_lets_one_of_two_reviewers_claim(reviewer, reviewer2):
    _, task = _task()
    assert api_client(reviewer).post(f"/api/v1/reviews/{task.pk}/claim/").status_code == 200
    lost = api_client(reviewer2).post(f"/api/v1/reviews/{task.pk}/claim/")
    assert lost.status_code == 409 and "rita" in lost.json()["detail"]


def test_it_sends_an_approved_draft_as_reviewed(reviewer):
    message, task = _task()
    client = api_client(reviewer)
    client.post(f"/api/v1/reviews/{task.pk}/claim/")
    response = client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "approve"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    answer = assistant_messages(message)[-1]
    assert (answer.kind, answer.status, answer.text) == ("answer", "reviewed", task.draft_text)
    again = client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "approve"}, format="json")
    assert again.status_code == 409


def test_it_sends_an_edit_and_requires_its_text(reviewer):
    message, task = _task()
    client = api_client(reviewer)
    bad = client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "edit", "text": " "}, format="json")
    assert bad.status_code == 400 and "本文" in bad.json()["detail"]  # the store's language by default
    bad = client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "edit", "text": " "}, format="json",
                      HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "text" in bad.json()["detail"]
    ok = client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "edit", "text": "正しい答え"}, format="json")
    assert ok.status_code == 200
    answer = assistant_messages(message)[-1]
    assert (answer.status, answer.text) == ("edited", "正しい答え")


def test_it_turns_a_rejection_into_a_handoff_answered_by_a_human(reviewer):
    message, task = _task()
    client = api_client(reviewer)
    assert client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "reject"}, format="json").status_code == 400
    assert client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "reject", "reason": "wrong volume"},
                       format="json").status_code == 200
    handoff = ReviewTask.objects.get(message=message, status="pending")
    assert handoff.kind == "handoff" and handoff.parent_id == task.pk
    assert client.post(f"/api/v1/reviews/{handoff.pk}/decision/", {"decision": "approve"},
                       format="json").status_code == 400
    client.post(f"/api/v1/reviews/{handoff.pk}/decision/", {"decision": "edit", "text": "人が書いた返事"}, format="json")
    finals = [m for m in assistant_messages(message) if m.kind == Message.Kind.ANSWER]
    assert [(m.status, m.text) for m in finals] == [("human", "人が書いた返事")]


def test_it_keeps_the_senior_pool_for_seniors(reviewer, senior):
    _, task = _task()
    ReviewTask.objects.filter(pk=task.pk).update(pool="senior", status="dead_lettered")
    assert api_client(reviewer).post(f"/api/v1/reviews/{task.pk}/claim/").status_code == 409
    assert api_client(senior).post(f"/api/v1/reviews/{task.pk}/claim/").status_code == 200


def test_it_bulk_approves_low_risk_drafts_for_seniors_only(reviewer, senior):
    low = [_task(0.8, "general")[1] for _ in range(3)]
    below_floor = _task(0.6, "general")[1]
    risky = _task(0.9, "refund")[1]
    assert api_client(reviewer).post("/api/v1/reviews/bulk-approve/", {}, format="json").status_code == 403
    assert api_client(senior).post("/api/v1/reviews/bulk-approve/", {"min_confidence": 0.5},
                                   format="json").status_code == 400
    response = api_client(senior).post("/api/v1/reviews/bulk-approve/", {}, format="json")
    assert response.status_code == 200 and sorted(response.json()["task_ids"]) == sorted(t.pk for t in low)
    assert ReviewTask.objects.get(pk=below_floor.pk).status == "pending"
    assert ReviewTask.objects.get(pk=risky.pk).status == "pending"


def test_it_checks_reviewers_in_and_out(reviewer):
    client = api_client(reviewer)
    assert client.post("/api/v1/reviewers/check-in/").json()["active_reviewers"] == 1
    assert client.post("/api/v1/reviewers/check-out/").json()["active_reviewers"] == 0
