"""The satisfaction admin view: staff only, linked from the changelist, trusted feedback only, with counts."""

from django.urls import reverse

from chat.models import Category
from prompts.models import PromptVersion
from tests.factories import AnswerFactory, FeedbackFactory

URL = "/admin/feedback/feedback/satisfaction/"


def test_it_is_for_staff_only(client, django_user_model, db):
    assert reverse("admin:feedback_feedback_satisfaction") == URL
    assert client.get(URL).status_code == 302  # to the admin login
    client.force_login(django_user_model.objects.create_user("customer", password="pw-123456"))
    assert client.get(URL).status_code == 302


def test_it_is_linked_from_the_changelist(admin_client):
    assert URL.encode() in admin_client.get("/admin/feedback/feedback/").content


def test_it_shows_the_positive_rate_per_category_and_prompt_version_from_trusted_feedback(admin_client):
    v1 = PromptVersion.objects.create(name="feedback-test", version=1, text="a", status=PromptVersion.Status.RETIRED)
    v2 = PromptVersion.objects.create(name="feedback-test", version=2, text="b", status=PromptVersion.Status.LIVE)
    for value, category, prompt in [("up", "shipping", v1), ("up", "shipping", v2), ("down", "shipping", v2),
                                    ("up", "refund", v2)]:
        FeedbackFactory(value=value, message=AnswerFactory(category=category, prompt_version=prompt))
    for _ in range(5):  # untrusted: must not count
        FeedbackFactory(value="down", provenance_score=0.1,
                        message=AnswerFactory(category=Category.REFUND, prompt_version=v2))
    page = admin_client.get(URL)
    by_category = {r["key"]: (r["up"], r["down"], r["positive_rate"]) for r in page.context["by_category"]}
    assert by_category == {"refund": (1, 0, 1.0), "shipping": (2, 1, 2 / 3)}
    by_prompt = {r["label"]: (r["up"], r["total"]) for r in page.context["by_prompt_version"]}
    assert by_prompt == {str(v1): (1, 1), str(v2): (2, 3)}
    assert b"67 %" in page.content
