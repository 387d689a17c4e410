"""The dashboard's threshold panel: per-category confidence histograms with the thresholds to draw on them."""

import json
import re

from chat.models import ChatSession, Message
from reviews import roles
from reviews.threshold_panel import panel_data

from tests.factories import make_user


def _answers(category, confidences):
    session = ChatSession.objects.create()
    Message.objects.bulk_create([Message(session=session, role="assistant", kind="answer", text="…", status="auto",
                                         category=category, confidence=c) for c in confidences])


def test_it_bins_confidence_per_category_and_carries_the_live_thresholds(thresholds):
    _answers("general", [0.01, 0.84, 0.86, 0.86, 1.0])
    _answers("refund", [0.97])
    panel = {c["category"]: c for c in panel_data(24)["categories"]}
    general = panel["general"]["counts"]
    assert len(general) == 20 and sum(general) == 5
    assert general[0] == 1 and general[16] == 1 and general[17] == 2 and general[19] == 1
    assert panel["refund"]["counts"][19] == 1 and panel["shipping"]["total"] == 0
    assert panel["general"]["live"]["auto_respond_min"] == 0.85 and panel["refund"]["live"]["auto_respond_min"] == 0.95


def test_it_shows_the_panel_on_the_dashboard(client, django_user_model, thresholds):
    _answers("general", [0.9, 0.6])
    client.force_login(make_user(django_user_model, "mika", roles.ML_LEAD))
    page = client.get("/admin/reviews/reviewtask/dashboard/").content.decode()
    assert 'id="threshold-panel"' in page and "threshold_panel.js" in page
    data = json.loads(re.search(r'<script id="tp-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    general = next(c for c in data["categories"] if c["category"] == "general")
    assert general["total"] == 2 and general["live"]["review_min"] == 0.5
