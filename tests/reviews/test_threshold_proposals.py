"""Threshold changes are proposals: simulated before approval, approved by a second ML lead, never a live edit."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from reviews import roles
from reviews.history import insert_answers
from reviews.models import (EscalationThreshold, KnownGoodState, ThresholdChange, ThresholdProposal,
                            ThresholdProposalEvent)
from reviews.threshold_changes import do_approve, do_propose, do_restore, promote
from reviews.thresholds import decide, in_canary, reset_cache

from tests.factories import api_client, make_user

BLANKET = {"all": {"auto_respond_min": 0.95}}


def incident():
    """The seeds' incident: auto_respond_min 0.95 everywhere (in the evening peak profile too, where one exists)."""
    from reviews.thresholds import live_values

    return {c: {"auto_respond_min": 0.95, **({"peak_auto_respond_min": 0.95} if v["peak_auto_respond_min"] else {})}
            for c, v in live_values().items() if v["auto_respond_min"] < 0.95}


@pytest.fixture
def lead(django_user_model, thresholds):
    return make_user(django_user_model, "mika", roles.ML_LEAD)


@pytest.fixture
def lead2(django_user_model, thresholds):
    return make_user(django_user_model, "kenji", roles.ML_LEAD)


def _client(user, language="en"):
    client = api_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def _live(category="general"):
    return EscalationThreshold.objects.get(category=category).auto_respond_min


def test_it_replays_the_blanket_095_incident_and_shows_the_flood_before_approval(lead, settings):
    settings.THRESHOLD_REVIEWERS, settings.THRESHOLD_REVIEWS_PER_SHIFT = 1, 100  # 300 human tasks a day
    insert_answers(6000, hours=167)
    response = _client(lead).post("/api/v1/threshold-changes/", {
        "values": incident(), "reason": "raise the bar everywhere"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    total = body["simulation"]["total"]
    assert body["status"] == "simulated"
    assert body["simulation"]["messages"] == 6000
    # ~12 % of answers go to a human today; the blanket change sends ~45 %: nearly four times the reviews.
    assert 0.09 <= total["escalation_now"] <= 0.15
    assert 0.41 <= total["escalation_projected"] <= 0.49
    assert total["tasks_per_day_projected"] > 3 * total["tasks_per_day_now"]
    assert total["cost_per_day_projected_jpy"] > total["cost_per_day_now_jpy"]
    assert total["load_now"] < 0.5 and total["load_projected"] > 1.0
    assert body["simulation"]["exceeds_capacity"] is True
    assert {row["category"] for row in body["simulation"]["categories"]} >= {"general", "refund"}
    assert _live() == 0.85  # nothing changed yet


def test_it_refuses_a_self_approval_with_a_403_message(lead, lead2):
    proposal = do_propose(lead, {"general": {"auto_respond_min": 0.9}}, "tighten general")
    response = _client(lead).post(f"/api/v1/threshold-changes/{proposal.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and "another ML lead" in response.json()["detail"]
    proposal.refresh_from_db()
    assert proposal.status == "simulated" and proposal.approved_by is None


def test_it_refuses_an_approver_without_the_ml_lead_role(lead, senior):
    proposal = do_propose(lead, {"general": {"auto_respond_min": 0.9}}, "tighten general")
    response = _client(senior).post(f"/api/v1/threshold-changes/{proposal.pk}/approve/", {}, format="json")
    assert response.status_code == 403 and "ML lead" in response.json()["detail"]


def test_it_refuses_a_proposal_from_someone_without_the_role(senior):
    response = _client(senior).post("/api/v1/threshold-changes/", {
        "values": {"general": {"auto_respond_min": 0.9}}, "reason": "x"}, format="json")
    assert response.status_code == 403 and response.json()["detail"]


@pytest.mark.parametrize("values, words", [
    ({"nonsense": {"auto_respond_min": 0.9}}, "Unknown category"),
    ({"general": {"auto_respond_min": 1.5}}, "between 0 and 1"),
    ({"general": {"review_min": 0.9}}, "ordered"),
    ({"general": {"priority": 1}}, "unknown field"),
    ({"general": {"auto_respond_min": 0.85}}, "nothing would change"),
    ({"general": {"peak_auto_respond_min": 0.9}}, "all three"),
])
def test_it_explains_bad_values_and_keeps_nothing(lead, values, words):
    response = _client(lead).post("/api/v1/threshold-changes/", {"values": values, "reason": "x"}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and words in response.json()["detail"]
    assert not ThresholdProposal.objects.exists()


def test_it_needs_a_written_acknowledgement_when_the_load_exceeds_capacity(lead, lead2, settings):
    settings.THRESHOLD_REVIEWERS, settings.THRESHOLD_REVIEWS_PER_SHIFT = 1, 50  # 150 human tasks a day
    insert_answers(3000, hours=167)
    proposal = do_propose(lead, BLANKET, "raise the bar everywhere")
    client = _client(lead2)
    refused = client.post(f"/api/v1/threshold-changes/{proposal.pk}/approve/", {}, format="json")
    assert refused.status_code == 400 and "acknowledgement" in refused.json()["detail"]
    ok = client.post(f"/api/v1/threshold-changes/{proposal.pk}/approve/",
                     {"acknowledgement": "Two extra reviewers are booked for this week."}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "canary" and ok.json()["approved_by"] == "kenji"
    assert ok.json()["load_acknowledgement"].startswith("Two extra")
    steps = [(e["from_status"], e["to_status"]) for e in reversed(ok.json()["events"])]
    assert steps == [("", "proposed"), ("proposed", "simulated"), ("simulated", "approved"), ("approved", "canary")]
    assert _live() == 0.85  # a canary does not touch the live rows


def test_it_applies_canary_values_only_to_the_sticky_share_of_sessions(lead, lead2):
    proposal = do_propose(lead, {"general": {"auto_respond_min": 0.75}}, "relax general", canary_percent=5)
    do_approve(proposal.pk, lead2)
    reset_cache()
    keys = [f"session-{i}" for i in range(4000)]
    inside = [k for k in keys if decide("general", 0.8, session_key=k).route == "auto"]
    assert 0.035 < len(inside) / len(keys) < 0.065
    assert all(in_canary(k, proposal.pk, 5) for k in inside)
    assert all(decide("general", 0.8, session_key=k).route == "auto" for k in inside)  # sticky
    assert decide("shipping", 0.8, session_key=inside[0]).route == "review"  # other categories untouched
    assert decide("general", 0.8).route == "review"  # no session: live values


def test_it_promotes_into_the_live_rows_with_history_and_restores_from_the_admin(lead, lead2, client):
    proposal = do_propose(lead, {"general": {"auto_respond_min": 0.75}}, "relax general")
    do_approve(proposal.pk, lead2)
    proposal.refresh_from_db()
    promote(proposal, {"turns": 40, "rate": 0.05})
    assert _live() == 0.75
    change = ThresholdChange.objects.filter(category="general").first()
    assert change.source == "proposal" and change.after == {"auto_respond_min": 0.75}
    baseline = KnownGoodState.objects.order_by("created_at", "id").first()
    client.force_login(lead)
    response = client.post("/admin/reviews/knowngoodstate/", {"action": "restore", "_selected_action": [baseline.pk]})
    assert response.status_code == 302
    assert _live() == 0.85
    revert = ThresholdChange.objects.filter(category="general").first()
    assert revert.source == "revert" and revert.changed_by == lead
    assert ThresholdProposalEvent.objects.filter(proposal=None, to_status="reverted", actor=lead).exists()


def test_it_keeps_live_thresholds_read_only_in_the_admin(client, django_user_model, thresholds):
    admin = django_user_model.objects.create_superuser("boss", password="pw-for-tests")
    client.force_login(admin)
    threshold = EscalationThreshold.objects.get(category="shipping")
    response = client.post(f"/admin/reviews/escalationthreshold/{threshold.pk}/change/", {
        "category": "shipping", "risk_class": "normal", "priority": 3, "auto_respond_min": "0.9",
        "review_min": "0.5", "handoff_below": "0.3"})
    assert response.status_code == 403
    assert _live("shipping") == 0.85


def test_it_proposes_and_approves_from_the_admin(client, lead, lead2):
    client.force_login(lead)
    response = client.post("/admin/reviews/thresholdproposal/add/", {
        "values": json.dumps({"shipping": {"auto_respond_min": 0.9}}), "reason": "tighten shipping",
        "canary_percent": "5", "canary_hours": "4"})
    assert response.status_code == 302, response.content[:3000]
    proposal = ThresholdProposal.objects.get()
    assert proposal.status == "simulated" and proposal.proposed_by == lead
    page = client.get(f"/admin/reviews/thresholdproposal/{proposal.pk}/change/")
    assert b"Replay of" in page.content and b"approve/" in page.content
    client.post(f"/admin/reviews/thresholdproposal/{proposal.pk}/approve/", {"acknowledgement": ""})
    proposal.refresh_from_db()
    assert proposal.status == "simulated"  # the proposer cannot approve
    client.force_login(lead2)
    client.post(f"/admin/reviews/thresholdproposal/{proposal.pk}/approve/", {"acknowledgement": ""})
    proposal.refresh_from_db()
    assert proposal.status == "canary" and proposal.approved_by == lead2


def test_it_simulates_from_the_shell_as_json(thresholds):
    insert_answers(2000, hours=100)
    out = StringIO()
    call_command("simulate_thresholds", "--category", "all", "--auto-respond-min", "0.95", "--hours", "168",
                 "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["messages"] == 2000 and result["method"].startswith("one aggregate query")
    assert result["total"]["escalation_projected"] > 2 * result["total"]["escalation_now"]
    text = StringIO()
    call_command("simulate_thresholds", "--category", "general", "--auto-respond-min", "0.9", stdout=text)
    assert "general" in text.getvalue() and "reviewer load" in text.getvalue()


def test_it_restores_only_for_an_ml_lead(senior, lead):
    from reviews.threshold_changes import Forbidden, ensure_known_good

    state = ensure_known_good()
    with pytest.raises(Forbidden):
        do_restore(state.pk, senior)


def test_it_explains_a_refusal_in_japanese_too(lead):
    proposal = do_propose(lead, {"general": {"auto_respond_min": 0.9}}, "tighten general")
    response = _client(lead, "ja").post(f"/api/v1/threshold-changes/{proposal.pk}/approve/", {}, format="json")
    assert response.status_code == 403 and "別のMLリード" in response.json()["detail"]
