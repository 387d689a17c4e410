"""Rollback (admin action, command, API) puts the previous live version back; freeze stops promotions."""

import pytest
from django.core.management import CommandError, call_command

from feedback import prompt_canary
from prompts import lifecycle, serving
from prompts.models import PromptVersion
from tests.factories import api_as
from tests.support.prompt_versions import canary_of, feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def v2_live(alice, bob, content, live):
    """Version 2 promoted over the seeded version 1."""
    version = canary_of(alice, bob, content)
    return lifecycle.do_promote(version, bob, {"verdict": "not_worse"})


def test_it_rolls_back_to_the_previous_live_version_with_the_command(v2_live, live, capsys):
    call_command("rollback_prompt", "answer", "--reason", "complaints about the new greeting")
    assert capsys.readouterr().out.strip() == "answer: v2 → v1 live"
    assert PromptVersion.active() == live
    v2_live.refresh_from_db()
    assert v2_live.status == "rolled_back"
    row = v2_live.transitions.get(to_status="rolled_back")
    assert (row.actor_label, row.reason) == ("rollback_prompt", "complaints about the new greeting")
    assert live.transitions.filter(from_status="retired", to_status="live").exists()


def test_it_serves_the_rolled_back_version_at_once_in_this_process(v2_live, live, django_capture_on_commit_callbacks):
    assert serving.live() == v2_live
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.do_rollback("answer", "test", "incident")
    assert serving.live() == live  # the bump resets this process's check interval


def test_it_names_the_bad_target_of_a_rollback(v2_live):
    with pytest.raises(CommandError, match="no prompt version answer v9"):
        call_command("rollback_prompt", "answer", "--to", "9")
    with pytest.raises(CommandError, match="answer v2 .* cannot roll back to it"):
        call_command("rollback_prompt", "answer", "--to", "2")


def test_it_rolls_back_and_ends_a_running_canary_over_the_api_even_while_frozen(alice, bob, content, v2_live, live):
    canary = canary_of(alice, bob, dict_content(content))
    lifecycle.do_freeze(bob, "incident")
    response = api_as(bob).post("/api/v1/prompts/rollback/", {"name": "answer", "reason": "incident"}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    assert PromptVersion.objects.get(pk=canary.pk).status == "rolled_back"
    assert api_as(alice).post("/api/v1/prompts/rollback/", {"name": "answer"}, format="json").status_code == 400


def dict_content(content):
    text, templates = content
    templates["general.greeting"]["en"] = "Hi! MangaAssist here."
    return text, templates


def test_it_freezes_and_lifts_with_the_command_and_the_api(alice, bob, content, live):
    call_command("freeze_prompts", "--reason", "sale weekend")
    version = canary_of(alice, bob, content)
    assert version.status == "approved"  # no canary start while frozen
    assert prompt_canary.sweep() == {}
    response = api_as(bob).post("/api/v1/prompts/freeze/", {"frozen": False, "reason": "over"}, format="json")
    assert response.status_code == 200 and response.json()["in_force"] is False
    assert prompt_canary.sweep() == {version.label: "canary_started"}
    with pytest.raises(CommandError, match="a freeze needs a reason"):
        call_command("freeze_prompts")


def test_it_rolls_back_from_the_admin_action_with_a_reason(client, bob, v2_live, live):
    client.force_login(bob)
    url = "/admin/prompts/promptversion/"
    page = client.post(url, {"action": "roll_back", "_selected_action": [v2_live.pk]})
    assert b'name="reason"' in page.content and PromptVersion.active() == v2_live
    client.post(url, {"action": "roll_back", "_selected_action": [v2_live.pk], "apply": "1",
                      "reason": "wrong tone"})
    assert PromptVersion.active() == live
    assert v2_live.transitions.get(to_status="rolled_back").actor == bob


def test_it_feeds_no_empty_canary_into_a_promotion(alice, bob, content, live):
    version = canary_of(alice, bob, content)
    feed(live, ups=40, downs=0)
    assert prompt_canary.decide(version) == "waiting"
    assert PromptVersion.objects.get(pk=version.pk).canary_result["verdict"] == "insufficient"
