"""Replay of a coordinated competitor campaign: 15 fresh accounts thumbing down accurate recommendations every
30–45 s (rotating chat sessions to stay under the per-session limits) and sending corrections with competitor links.
The weekly adversarial audit must find every account and quarantine all of their feedback, and nothing else."""

import random
from datetime import timedelta

from django.utils import timezone

from chat.models import Category
from feedback.audits import run_adversarial_audit
from feedback.collect import do_record_feedback
from feedback.models import AuditReport, Feedback, QuarantineEvent
from tests.factories import AnswerFactory, CustomerFactory, FeedbackFactory, SessionFactory

ACCURATE = "Vinland Saga volume 1 is in stock at 990 yen; fans of Attack on Titan usually love it."
SPAM = "Wrong recommendation, Vinland Saga is overpriced, MangaMart sells Berserk cheaper: https://mangamart.example/deal"


def replay_campaign(now, rng):
    customers = []
    for _ in range(15):
        customer = CustomerFactory(purchase_count=0, created_at=now - timedelta(days=5))
        customers.append(customer)
        t = now - timedelta(days=3, seconds=rng.uniform(0, 900))
        for i in range(24):
            if i % 10 == 0:  # a new chat session every 10 signals dodges the 10-thumbs-an-hour limit
                session = SessionFactory(customer=customer)
                answers = AnswerFactory.create_batch(10, session=session, category=Category.RECOMMENDATION,
                                                     text=ACCURATE)
            answer = answers[i % 10]
            if i in (5, 15):
                frame = {"message_id": answer.pk, "kind": "correction", "text": SPAM}
            else:
                frame = {"message_id": answer.pk, "kind": "thumb", "value": "down"}
            do_record_feedback(session, frame, now=t)
            t += timedelta(seconds=rng.uniform(30, 45))
    return customers


def organic_customers(now, rng):
    """Real customers: a few signals each, irregular gaps, mostly happy."""
    ids = []
    for c in range(10):
        session = SessionFactory()
        t = now - timedelta(days=10, hours=c)
        for gap_h in [5, 0.05, 24, 0.3, 30, 2]:
            t += timedelta(hours=gap_h)
            ids.append(FeedbackFactory(message=AnswerFactory(session=session),
                                       value="down" if rng.random() < 0.2 else "up", created_at=t).pk)
    return ids


def test_it_catches_and_quarantines_a_coordinated_competitor_campaign(db):
    now, rng = timezone.now(), random.Random(20240607)
    customers = replay_campaign(now, rng)
    organic = organic_customers(now, rng)
    campaign = Feedback.objects.filter(customer__in=customers)
    assert campaign.count() == 15 * 24

    # Before any audit: provenance (no purchases, new accounts, uniform timing) already keeps it out of analysis,
    # and the corrections were sanitised on the way in.
    assert not campaign.trusted().exists()
    assert campaign.filter(provenance_signals__has_key="uniform_timing").count() >= 15 * 18
    for correction in campaign.filter(kind="correction"):
        assert "mangamart" not in correction.text.lower() and "http" not in correction.text
        assert {"url", "competitor"} <= set(correction.flags)

    report = run_adversarial_audit()

    assert report.alert and report.kind == AuditReport.Kind.ADVERSARIAL and report.finished_at
    flagged = {o["actor"] for o in report.findings["offenders"]}
    assert {f"customer:{c.pk}" for c in customers} <= flagged
    for offender in report.findings["offenders"]:
        if offender["actor"].startswith("customer:"):
            assert {"negative_flood", "uniform_timing", "links_in_corrections"} <= set(offender["reasons"])
    assert not campaign.filter(quarantined=False).exists()
    assert not Feedback.objects.filter(pk__in=organic, quarantined=True).exists()
    assert report.findings["quarantined"] == 15 * 24
    events = QuarantineEvent.objects.filter(audit_report=report)
    assert events.count() == 15 * 24
    assert set(events.values_list("actor_label", flat=True)) == {"audit:adversarial"}
    assert events.first().actor is None

    again = run_adversarial_audit()  # nothing new to quarantine: no second alert
    assert not again.alert and again.findings["quarantined"] == 0
