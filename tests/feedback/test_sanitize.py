"""Corrections are sanitised before use: URLs stripped, competitor names removed and flagged, unrelated text flagged."""

from feedback.collect import do_record_feedback
from feedback.models import CompetitorName
from feedback.sanitize import RELATED_MIN, sanitize_correction

QUESTION = "Can you recommend a manga like Attack on Titan?"
ANSWER = "You might enjoy Vinland Saga (volume 1, 990 yen): a dark, action-packed historical epic."


def test_it_strips_urls_and_bare_domains(db):
    result = sanitize_correction("Berserk is closer in tone, see https://example.org/berserk?x=1 or www.foo.jp "
                                 "and cheap-manga.co.jp/sale", QUESTION, ANSWER)
    assert "http" not in result.text and "www" not in result.text and ".jp" not in result.text
    assert result.text.startswith("Berserk is closer in tone")
    assert result.flags == ["url"]


def test_it_removes_and_flags_competitor_names_from_the_admin_list(db):
    CompetitorName.objects.create(name="Panel Paradise")
    result = sanitize_correction("Berserk is closer in tone; Panel Paradise sells it cheaper", QUESTION, ANSWER)
    assert "Panel Paradise" not in result.text and "Berserk" in result.text
    assert "competitor" in result.flags and result.competitors == ["Panel Paradise"]


def test_it_finds_a_competitor_inside_a_link(db):
    assert CompetitorName.objects.filter(name="MangaMart").exists()  # seeded by the data migration
    result = sanitize_correction("Recommend Berserk instead, cheaper at https://mangamart.example/berserk",
                                 QUESTION, ANSWER)
    assert set(result.flags) >= {"url", "competitor"} and "mangamart" not in result.text.lower()


def test_it_ignores_inactive_competitor_names(db):
    CompetitorName.objects.filter(name="MangaMart").update(active=False)
    assert "competitor" not in sanitize_correction("Berserk from MangaMart", QUESTION, ANSWER).flags


def test_it_flags_text_unrelated_to_the_question_and_answer(db):
    result = sanitize_correction("Click here for a free iPhone", QUESTION, ANSWER)
    assert "unrelated" in result.flags and result.relatedness < RELATED_MIN


def test_it_does_not_flag_related_corrections_in_either_language(db):
    for text in ["It should recommend Kingdom or Claymore, which are closer in tone.",
                 "進撃の巨人に似た作品ならベルセルクの方が良いです"]:
        result = sanitize_correction(text, QUESTION, ANSWER)
        assert result.flags == [] and result.relatedness >= RELATED_MIN, (text, result)


def test_it_stores_only_the_sanitised_text_and_keeps_the_raw_for_audits(db):
    from tests.factories import AnswerFactory, QuestionFactory, SessionFactory

    session = SessionFactory()
    answer = AnswerFactory(session=session, text=ANSWER, reply_to=QuestionFactory(session=session, text=QUESTION))
    raw = "Recommend Berserk instead of Vinland Saga, MangaMart has it at https://mangamart.example/b"
    feedback = do_record_feedback(session, {"message_id": answer.pk, "kind": "correction", "text": raw})
    assert feedback.raw_text == raw
    assert "MangaMart" not in feedback.text and "http" not in feedback.text
    assert set(feedback.flags) == {"url", "competitor"}


def test_it_refuses_a_correction_that_is_nothing_but_a_link(db):
    import pytest

    from feedback.collect import InvalidFeedback
    from tests.factories import AnswerFactory, SessionFactory

    session = SessionFactory()
    answer = AnswerFactory(session=session)
    with pytest.raises(InvalidFeedback, match="no text left"):
        do_record_feedback(session, {"message_id": answer.pk, "kind": "correction", "text": "https://x.example/y"})
