"""Text normalisation and tokenising for lexical search: Japanese through SudachiPy, English and romaji by words.

Names (titles, romaji, aliases, authors) are compared as whole normalised strings and character n-grams, which is
what makes partial titles (鬼滅) and small typos (one peice) still hit; descriptions are compared as content words.
"""

import re
import threading
import unicodedata
from functools import lru_cache

_dictionary = None
_lock = threading.Lock()
_local = threading.local()  # a tokenizer is not safe to share between threads; the dictionary is

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞"}
EN_STOPWORDS = frozenset(
    "a an the of and or to in on for with about by from is are was be it its this that manga manga's series book "
    "books comic comics volume volumes vol do you have any i want looking something like who where what which "
    "story stories me my please one ones".split()
)
JA_STOPWORDS = frozenset("漫画 マンガ まんが 作品 話 本 巻 物語 こと もの ある いる する なる ない".split())


def _sudachi():
    global _dictionary
    if getattr(_local, "tokenizer", None) is None:
        from sudachipy import dictionary, tokenizer

        with _lock:
            if _dictionary is None:
                _dictionary = dictionary.Dictionary(dict="core")
        _local.tokenizer = _dictionary.tokenizer(mode=tokenizer.Tokenizer.SplitMode.C)
    return _local.tokenizer


def folded(text: str) -> str:
    """NFKC, lower case, katakana folded to hiragana: タッチ and たっち are one name."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text)


def normalize(text: str) -> str:
    """folded, punctuation and spaces removed: a key for name matching."""
    return _NON_WORD.sub("", folded(text))


def has_japanese(text: str) -> bool:
    return bool(_JAPANESE.search(text or ""))


_KANJI = re.compile(r"[\u3400-\u9fff]")


def has_kanji(text: str) -> bool:
    return bool(_KANJI.search(text or ""))


@lru_cache(maxsize=8192)  # a turn reads the same question's stretches again (search, then title_score)
def reading(text: str) -> str:
    """How a Japanese text is read, as a name key: 寄生獣 and the conversion slip 寄生銃 are both きせいじゅう,
    トーマの心臓 and トーマの新造 both とーまのしんぞう. A word SudachiPy cannot read keeps its letters."""
    text = unicodedata.normalize("NFKC", text or "")
    return normalize("".join(m.reading_form() if has_japanese(m.surface()) else m.surface()
                             for m in _sudachi().tokenize(text)))


def ngrams(key: str) -> set[str]:
    """Bigrams for short or Japanese keys, trigrams for longer Latin ones."""
    n = 2 if has_japanese(key) or len(key) < 6 else 3
    if len(key) <= n:
        return {key} if key else set()
    return {key[i : i + n] for i in range(len(key) - n + 1)}


def content_words(text: str) -> list[str]:
    """Content words of a Japanese or English text, normalised, stopwords dropped."""
    text = unicodedata.normalize("NFKC", text or "")
    words: list[str] = []
    if has_japanese(text):
        for morpheme in _sudachi().tokenize(text):
            if morpheme.part_of_speech()[0] in _CONTENT_POS:
                word = normalize(morpheme.normalized_form() or morpheme.surface())
                if word and word not in JA_STOPWORDS and len(word) > 0:
                    words.append(word)
        latin = re.sub(r"[\u3040-\u30ff\u3400-\u9fff]+", " ", text)
    else:
        latin = text
    for word in re.findall(r"[a-z0-9]+", latin.lower()):
        if word not in EN_STOPWORDS and len(word) > 1:
            words.append(_stem(word))
    return words


def _stem(word: str) -> str:
    """A light English stemmer: enough to make 'pirates'/'pirate' and 'boxing'/'boxer' meet."""
    for suffix in ("ing", "ers", "er", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
