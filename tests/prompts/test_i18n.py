"""Operators read prompt refusals in Japanese (the store's default) or English, by their browser's language."""

import pytest

from tests.factories import api_as
from tests.support.prompt_versions import evaluated, propose

pytestmark = pytest.mark.django_db


def test_it_refuses_self_approval_in_japanese_by_default(alice, content):
    version = evaluated(propose(alice, content))
    response = api_as(alice, language="ja").post(f"/api/v1/prompts/{version.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == ("answer v2 の作成者はあなたです。別の ML リードが承認する必要があります"
                                         "（四つの目の原則）")


def test_it_names_validation_problems_in_japanese(alice, content):
    text, templates = content
    templates["stock.in"]["en"] = "in stock ({count}, {shelf})"
    response = api_as(alice, language="ja").post("/api/v1/prompts/", {"text": text, "templates": templates,
                                                                      "reason": "r"}, format="json")
    assert response.json()["problems"] == [
        "テンプレート stock.in [en] に不明なプレースホルダー {shelf} があります。使用可能：count"]


def test_it_shows_the_review_page_in_japanese(client, alice, bob, content):
    version = evaluated(propose(alice, content))
    client.force_login(bob)
    page = client.get(f"/admin/prompts/promptversion/{version.pk}/review/", HTTP_ACCEPT_LANGUAGE="ja")
    assert "ライブ版との差分" in page.content.decode() and "承認" in page.content.decode()
