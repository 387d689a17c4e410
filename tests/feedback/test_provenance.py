"""Each provenance signal, and that only scores above 0.3 (and not quarantined) count as trusted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import Feedback
from feedback.provenance import coefficient_of_variation, score_feedback, timing_kind
from tests.factories import AnswerFactory, CustomerFactory, FeedbackFactory, SessionFactory

NOW = timezone.now()


def history(session, gaps_s):
    """Past feedback of the session's actor, ending just before NOW, separated by the given gaps (seconds)."""
    t = NOW
    for gap in reversed(gaps_s):
        t -= timedelta(seconds=gap)
        FeedbackFactory(message=AnswerFactory(session=session), created_at=t)


def signals(session):
    return score_feedback(session, session.customer, NOW).signals


@pytest.mark.parametrize("purchases, expected", [(2, {"purchases": 0.3}), (0, {"no_purchases": -0.3})])
def test_it_scores_purchase_history(db, purchases, expected):
    session = SessionFactory(customer=CustomerFactory(purchase_count=purchases))
    assert expected.items() <= signals(session).items()


@pytest.mark.parametrize("age_days, signal", [(45, "established_account"), (3, "new_account"), (15, None)])
def test_it_scores_account_age(db, age_days, signal):
    session = SessionFactory(customer=CustomerFactory(created_at=NOW - timedelta(days=age_days)))
    found = {k for k in signals(session) if k.endswith("_account")}
    assert found == ({signal} if signal else set())


def test_it_treats_an_anonymous_session_as_new_and_without_purchases(db):
    session = SessionFactory(customer=None)
    assert {"no_purchases", "new_account"} <= set(signals(session))


def test_it_rewards_a_low_rate_and_punishes_a_flood(db):
    calm = SessionFactory()
    history(calm, [600, 900, 700])  # 3 in the hour + this one = 4 < 5
    assert signals(calm)["low_rate"] == 0.1
    flood = SessionFactory()
    history(flood, [100 + 40 * (i % 4) for i in range(21)])  # 21 in under an hour + this one
    assert signals(flood)["flood_rate"] == -0.5
    middle = SessionFactory()
    history(middle, [300] * 6)
    assert not {"low_rate", "flood_rate"} & set(signals(middle))


def test_it_calls_machine_regular_timing_uniform(db):
    session = SessionFactory()
    history(session, [30, 45, 38, 41, 33, 36])  # CV ≈ 0.13
    assert signals(session)["uniform_timing"] == -0.4


def test_it_calls_varied_timing_organic(db):
    session = SessionFactory()
    history(session, [20, 3600, 90, 7200, 400, 45])  # CV > 1
    assert signals(session)["organic_timing"] == 0.2


def test_it_says_nothing_about_timing_with_fewer_than_five_intervals(db):
    session = SessionFactory()
    history(session, [30, 30, 30])
    assert not {"uniform_timing", "organic_timing"} & set(signals(session))


def test_it_defines_uniform_by_the_coefficient_of_variation():
    t0 = NOW
    times = lambda gaps: [t0 + timedelta(seconds=sum(gaps[:i])) for i in range(len(gaps) + 1)]  # noqa: E731
    assert coefficient_of_variation(times([10, 10, 10, 10])) is None
    assert coefficient_of_variation(times([10] * 5)) == 0.0
    assert timing_kind(times([10, 12, 9, 11, 10])) == "uniform"
    assert timing_kind(times([10, 30, 5, 60, 20])) == "organic"
    assert timing_kind(times([10, 16, 8, 14, 10])) is None  # CV ≈ 0.27: neither


def test_it_trusts_only_scores_above_0_3_and_never_quarantined_feedback(db):
    above = FeedbackFactory(provenance_score=0.31)
    FeedbackFactory(provenance_score=0.3)
    FeedbackFactory(provenance_score=-0.5)
    FeedbackFactory(provenance_score=0.8, quarantined=True, quarantine_reason="test")
    assert list(Feedback.objects.trusted()) == [above]


def test_it_stores_the_score_and_its_signals_on_the_feedback(db):
    from feedback.collect import do_record_feedback

    session = SessionFactory()
    answer = AnswerFactory(session=session)
    feedback = do_record_feedback(session, {"message_id": answer.pk, "kind": "thumb", "value": "up"})
    assert feedback.provenance_signals == {"purchases": 0.3, "established_account": 0.2, "low_rate": 0.1,
                                           "signed_in": 0.1}
    assert feedback.provenance_score == pytest.approx(0.7) and feedback.is_trusted
