"""Approval: evaluated first, a second ML lead (four eyes), a written override when it got worse; the admin page
shows the diff and the evaluation; the REST API does the same with JSON errors."""

import pytest
from django.contrib.auth.models import User

from prompts import lifecycle
from prompts.models import PromptFreeze, PromptVersion
from tests.factories import api_as
from tests.support.prompt_versions import evaluated, propose

pytestmark = pytest.mark.django_db


def test_it_refuses_self_approval_with_a_403_and_a_message(alice, content):
    version = evaluated(propose(alice, content))
    response = api_as(alice).post(f"/api/v1/prompts/{version.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"code": "self_approval",
                               "detail": "you wrote answer v2: another ML lead must approve it (four eyes)"}
    assert PromptVersion.objects.get(pk=version.pk).status == "pending"


def test_it_refuses_an_approver_without_the_ml_lead_role(alice, content):
    version = evaluated(propose(alice, content))
    reviewer = User.objects.create_user("rita", password="pw", is_staff=True)
    response = api_as(reviewer).post(f"/api/v1/prompts/{version.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    assert PromptVersion.objects.get(pk=version.pk).status == "pending"


def test_it_refuses_to_approve_before_the_evaluation(alice, bob, content):
    version = propose(alice, content)
    response = api_as(bob).post(f"/api/v1/prompts/{version.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_evaluated"


def test_it_needs_a_written_override_when_the_evaluation_got_worse(alice, bob, content):
    version = evaluated(propose(alice, content), difference=-0.05)
    refused = api_as(bob).post(f"/api/v1/prompts/{version.pk}/approve/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"] == ("the evaluation got worse on category_accuracy, grounded_rate, answers_right: "
                                        "approving needs a written override")
    approved = api_as(bob).post(f"/api/v1/prompts/{version.pk}/approve/",
                                {"override_reason": "accuracy dip is the new FAQ wording; checked by hand"},
                                format="json")
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "canary" and body["approved_by"] == "bob" and body["override_reason"].startswith("accuracy")


def test_it_starts_the_canary_on_approval_and_records_every_step(alice, bob, content, settings):
    version = evaluated(propose(alice, content))
    version = lifecycle.do_approve(version, bob)
    assert version.status == "canary" and version.canary_percent == settings.PROMPT_CANARY_PERCENT
    assert (version.canary_until - version.canary_started_at).total_seconds() == settings.PROMPT_CANARY_SECONDS
    steps = list(version.transitions.order_by("id").values_list("from_status", "to_status", "actor__username"))
    assert steps == [("", "draft", "alice"), ("draft", "pending", "alice"), ("pending", "approved", "bob"),
                     ("approved", "canary", "bob")]
    assert version.transitions.get(to_status="approved").numbers["candidate"]["answers_right"] == 0.8


def test_it_keeps_an_approved_version_waiting_while_frozen(alice, bob, content):
    lifecycle.do_freeze(bob, "incident 42")
    version = lifecycle.do_approve(evaluated(propose(alice, content)), bob)
    assert version.status == "approved"
    assert PromptFreeze.current().reason == "incident 42"


def test_it_rejects_only_with_a_reason(alice, bob, content):
    version = propose(alice, content)
    client = api_as(bob)
    assert client.post(f"/api/v1/prompts/{version.pk}/reject/", {}, format="json").status_code == 400
    response = client.post(f"/api/v1/prompts/{version.pk}/reject/", {"reason": "tone too casual"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert version.transitions.get(to_status="rejected").reason == "tone too casual"


def test_it_shows_the_diff_and_evaluation_and_approves_from_the_admin_page(client, alice, bob, content):
    version = evaluated(propose(alice, content, greeting="ようこそ、マンガアシストへ。"))
    client.force_login(bob)
    url = f"/admin/prompts/promptversion/{version.pk}/review/"
    page = client.get(url).content.decode()
    assert 'class="diff"' in page  # difflib.HtmlDiff's side-by-side table
    assert "ようこそ、マンガアシストへ。" in page and "こんにちは、マンガアシストです。" in page
    assert "answers_right" in page
    client.post(url, {"approve": "1", "override_reason": ""})
    assert PromptVersion.objects.get(pk=version.pk).status == "canary"


def test_it_refuses_self_approval_on_the_admin_page(client, alice, content):
    version = evaluated(propose(alice, content))
    client.force_login(alice)
    response = client.post(f"/admin/prompts/promptversion/{version.pk}/review/", {"approve": "1"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "another ML lead must approve it" in response.content.decode()
    assert PromptVersion.objects.get(pk=version.pk).status == "pending"


def test_it_documents_the_prompt_endpoints_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/prompts/", "/api/v1/prompts/{id}/approve/", "/api/v1/prompts/{id}/reject/",
                 "/api/v1/prompts/rollback/", "/api/v1/prompts/freeze/"):
        assert path in schema["paths"], path
