"""Validation before review: every problem refused with its exact name; nothing stored when refused."""

import pytest

from prompts import validation
from prompts.models import PromptVersion
from tests.factories import api_as

pytestmark = pytest.mark.django_db
TOOLS = ["search_manga_catalog", "check_inventory", "lookup_order", "search_faq"]


def test_it_accepts_the_seeded_content(content):
    assert validation.problems(*content, TOOLS) == []


def test_it_names_an_unknown_placeholder(content):
    text, templates = content
    templates["catalog.volume"]["en"] = "Volume {volume} of {title} is {stock} at {price}, ships {eta}."
    assert validation.problems(text, templates, TOOLS) == [
        "template catalog.volume [en] uses an unknown placeholder {eta}; allowed: price, stock, title, volume"]


def test_it_refuses_attribute_access_in_a_placeholder(content):
    text, templates = content
    templates["order.status"]["ja"] = "{number.__class__}"
    assert "unknown placeholder {number.__class__}" in validation.problems(text, templates, TOOLS)[0]


def test_it_names_a_template_missing_for_a_language_and_for_an_intent(content):
    text, templates = content
    del templates["faq.clarify"]["en"]
    del templates["order.tracking"]
    assert validation.problems(text, templates, TOOLS) == [
        "template order.tracking (intent order_status) is missing",
        "template faq.clarify (intent faq) has no en text",
    ]


def test_it_names_a_tool_that_does_not_exist(content):
    text, templates = content
    assert validation.problems(text + "\nAlways call search_manga_catalog, then fetch_reviews.", templates, TOOLS) == [
        "the system prompt names a tool that does not exist: fetch_reviews"]


def test_it_refuses_a_system_prompt_over_its_token_budget(content):
    text, templates = content
    assert validation.problems(text + "在庫" * 1000, templates, TOOLS, token_budget=1200) == [
        f"the system prompt is about {validation.estimate_tokens(text + '在庫' * 1000)} tokens, over its budget of 1200"]


def test_it_refuses_a_proposal_over_the_api_and_stores_nothing(alice, content):
    text, templates = content
    templates["stock.in"]["ja"] = "在庫あり（{count}冊、{warehouse}）"
    before = PromptVersion.objects.count()
    response = api_as(alice).post("/api/v1/prompts/", {"name": "answer", "text": text + " Use fetch_reviews.",
                                                       "templates": templates, "reason": "r"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["problems"] == ["the system prompt names a tool that does not exist: fetch_reviews",
                                "template stock.in [ja] uses an unknown placeholder {warehouse}; allowed: count"]
    assert PromptVersion.objects.count() == before


def test_it_validates_against_the_bedrock_tools_the_chat_app_registered():
    from chat.bedrock import TOOL_SPECS

    assert validation.tool_names() == {spec["toolSpec"]["name"] for spec in TOOL_SPECS}


def test_it_keeps_a_templates_leading_space_when_proposed_over_the_api(alice, content):
    """A follow-up sentence starts with a space so that it joins the sentence before it; trimming it would glue them."""
    text, templates = content
    templates["faq.staff_follow_up"]["en"] = " A member of our team will look into it."
    response = api_as(alice).post("/api/v1/prompts/", {"name": "answer", "text": text, "templates": templates,
                                                       "reason": "r"}, format="json")
    assert response.status_code == 201, response.json()
    stored = PromptVersion.objects.get(pk=response.json()["id"])
    assert stored.templates["faq.staff_follow_up"]["en"] == " A member of our team will look into it."
