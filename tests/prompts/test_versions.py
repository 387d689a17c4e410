"""What a version is: immutable once proposed, one live and at most one canary per name, history append-only."""

import pytest
from django.db import IntegrityError, transaction

from prompts import lifecycle
from prompts.models import ImmutablePromptError, PromptTransition, PromptVersion
from tests.support.prompt_versions import propose

pytestmark = pytest.mark.django_db


def test_it_seeds_a_live_version_with_the_offline_wording_in_both_languages(live):
    assert live.status == "live" and live.version == 1
    assert live.templates["catalog.volume"]["ja"] == "{title}{volume}巻は{stock}、価格は{price}（税込）です。"
    assert all(set(entry) == {"ja", "en"} for entry in live.templates.values())


def test_it_refuses_to_change_a_proposed_version_in_any_way(alice, content):
    version = propose(alice, content)
    version.text = "Answer anything."
    with pytest.raises(ImmutablePromptError, match="text cannot change"):
        version.save()
    with pytest.raises(ImmutablePromptError):
        PromptVersion.objects.filter(pk=version.pk).update(templates={})
    version.refresh_from_db()
    assert version.text == content[0]


def test_it_lets_a_draft_be_edited_until_it_is_proposed(alice, content):
    draft = lifecycle.do_create("answer", content[0], content[1], alice, "wip")
    draft.text = content[0] + "\nBe brief."
    draft.save()
    assert PromptVersion.objects.get(pk=draft.pk).text.endswith("Be brief.")


def test_it_allows_one_live_and_one_canary_per_name_in_the_database(alice, live, content):
    version = propose(alice, content)
    with pytest.raises(IntegrityError), transaction.atomic():
        PromptVersion.objects.filter(pk=version.pk).update(status="live")
    PromptVersion.objects.filter(pk=version.pk).update(status="canary")
    other = propose(alice, content, greeting="やあ")
    with pytest.raises(IntegrityError), transaction.atomic():
        PromptVersion.objects.filter(pk=other.pk).update(status="canary")


def test_it_keeps_history_append_only(alice, content):
    version = propose(alice, content)
    row = PromptTransition.objects.filter(version=version).first()
    assert (row.from_status, row.to_status, row.actor) == ("draft", "pending", alice)
    row.reason = "rewritten"
    with pytest.raises(ImmutablePromptError):
        row.save()
    with pytest.raises(ImmutablePromptError):
        row.delete()


def test_it_shows_a_proposed_version_read_only_in_the_admin(client, alice, content):
    from django.contrib.auth.models import User

    admin_user = User.objects.create_superuser("root", password="pw")
    client.force_login(admin_user)
    version = propose(alice, content)
    page = client.get(f"/admin/prompts/promptversion/{version.pk}/change/")
    assert page.status_code == 200
    assert b'name="text"' not in page.content  # no editable field left
    draft = lifecycle.do_create("answer", content[0], content[1], alice)
    assert b'name="text"' in client.get(f"/admin/prompts/promptversion/{draft.pk}/change/").content


def test_it_creates_a_numbered_draft_from_the_admin_add_form(client, alice, content):
    import json

    client.force_login(alice)  # an ML lead: the group has the prompt admin permissions
    text, templates = content
    response = client.post("/admin/prompts/promptversion/add/", {
        "name": "answer", "text": text, "templates": json.dumps(templates, ensure_ascii=False),
        "reason": "typo fixes", "transitions-TOTAL_FORMS": "0", "transitions-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = PromptVersion.objects.get(name="answer", version=2)
    assert (draft.status, draft.created_by, draft.reason) == ("draft", alice, "typo fixes")
    assert draft.transitions.get().to_status == "draft"
