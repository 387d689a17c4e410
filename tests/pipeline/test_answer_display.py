"""Recommendation answers read naturally: Japanese genre names in Japanese answers, synopses cut at a boundary."""

import re

import pytest

from chat.generation import GENRE_JA, excerpt, genre_label, requested_volume, requested_volumes

ENGLISH_TAGS = re.compile(r"\b(" + "|".join(re.escape(g) for g in GENRE_JA) + r")\b")


def test_it_cuts_a_japanese_synopsis_at_the_end_of_a_sentence():
    text = "海賊王を夢見る少年ルフィが仲間と冒険する。悪魔の実の力で海を渡り、数々の島で強敵と戦う物語。"
    assert excerpt(text, 30, "ja") == "海賊王を夢見る少年ルフィが仲間と冒険する。"


def test_it_cuts_an_english_synopsis_at_a_word_with_an_ellipsis():
    text = "A boy who dreams of becoming king of the pirates sets out across the sea with his friends"
    cut = excerpt(text, 40, "en")
    assert cut.endswith("…") and text.startswith(cut[:-1]) and text[len(cut) - 1] == " "


def test_it_names_genres_in_the_answers_language():
    assert genre_label("slice-of-life", "ja") == "日常" and genre_label("shonen", "ja") == "少年"
    assert genre_label("slice-of-life", "en") == "slice of life"


@pytest.mark.parametrize("question", ["鬼滅の刃に似たおすすめの漫画は？", "おすすめのスポーツ漫画を教えて"])
def test_it_keeps_english_genre_tags_out_of_japanese_recommendations(ask, question):
    draft = ask(question)
    assert draft.category == "recommendation", draft.category
    lines = [line for line in draft.text.splitlines() if line.startswith("・")]
    assert lines, draft.text
    for line in lines:
        reason = line[line.index("（") + 1:line.index("）")]
        assert not ENGLISH_TAGS.search(reason), line
        assert line.endswith(("。", "！", "？", "…")) or len(line) < 80, line


@pytest.mark.parametrize(("question", "volume"), [
    ("Do you have Mob Psycho 100 volume 4 right now?", 4),
    ("モブサイコ100の4巻ありますか", 4),
    ("is the 3rd volume of 20th Century Boys in stock", 3),
    ("ONE PIECE #100 price", 100),
    ("how many volumes does Naruto have", None),
])
def test_it_reads_the_volume_asked_for_not_a_number_in_the_title(question, volume):
    assert requested_volume(question) == volume


@pytest.mark.parametrize(("question", "volumes"), [
    ("ばらかもんの9巻と10巻ほしいんですけど両方ありますか？", [9, 10]),
    ("do you have naruto volumes 2 and 3?", [2, 3]),
    ("vol 4, 5 & 6 of Berserk", [4, 5, 6]),
    ("Do you have Mob Psycho 100 volume 4 right now? And what does it cost?", [4]),
    ("how many volumes does Naruto have", []),
])
def test_it_reads_every_volume_a_question_lists(question, volumes):
    assert requested_volumes(question) == volumes
