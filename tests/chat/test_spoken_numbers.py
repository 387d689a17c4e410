"""Volume numbers said rather than typed (voice input, older customers) are read as the digits they stand for,
and number words that are not a volume's (in a title, a count of the volumes a customer has) are left alone."""

import pytest

from chat.generation import requested_volumes
from chat.intents import with_digits


@pytest.mark.parametrize("said, read", [
    ("声の形の八巻ってありますか", "声の形の8巻ってありますか"),
    ("キングダムの第七十三巻", "キングダムの第73巻"),
    ("ワンピースの百五巻", "ワンピースの105巻"),
    ("is volume twelve of naruto in stock", "is volume 12 of naruto in stock"),
    ("vol. twenty-one please", "vol. 21 please"),
    ("the third volume of berserk", "the 3rd volume of berserk"),
    ("the twenty-second book", "the 22nd book"),
])
def test_it_writes_a_spoken_volume_number_in_digits(said, read):
    assert with_digits(said) == read


@pytest.mark.parametrize("text", [
    "One Piece volume 3", "三月のライオン", "全巻セット", "kaiju no. eight", "number one fan of naruto",
    "he has volumes one through six",
])
def test_it_leaves_number_words_that_are_not_a_volume_asked_for(text):
    assert with_digits(text) == text


def test_it_does_not_ask_for_the_volume_a_customer_has_read_up_to():
    assert requested_volumes(with_digits("I read up to volume five of spy x family, is volume six in stock?")) == [6]
