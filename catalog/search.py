"""Hybrid catalog search: names (titles, romaji, aliases, authors), content words, and multilingual embeddings.

Each process keeps an in-memory index (numpy arrays and small inverted indexes). A change to a Manga or Product
bumps a version counter in Redis after commit; every search checks that counter (at most every
FRESHNESS_CHECK_SECONDS) and reloads, so every process sees a stock change within a second.

Scoring: a name/author match ("進撃の巨人", "one peice", "鬼滅", "尾田栄一郎の漫画") and a description match (content
words weighted by rarity, plus embedding similarity: "pirate manga about a boy made of rubber") each give a strength
in [0, 1]; a series scores the stronger of the two. The score is comparable across queries, so the answer pipeline
uses it as retrieval strength.
"""

import logging
import math
import re
import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

import numpy as np
from django_redis import get_redis_connection
from rapidfuzz.distance import OSA

from catalog import embeddings
from catalog.models import Manga, Product
from catalog.text import EN_STOPWORDS, content_words, folded, has_japanese, has_kanji, ngrams, normalize, reading

SERIES_VERSION_KEY = "catalog:version:series"  # titles, synopses, embeddings: a full rebuild
STOCK_VERSION_KEY = "catalog:version:stock"  # prices and stock: only the product table is re-read
FRESHNESS_CHECK_SECONDS = 0.2
UNKNOWN_VERSION = (-1, -1)
REBUILD_WITHOUT_REDIS_SECONDS = 10.0
NAME_CANDIDATES = 150
KANA_ONLY = re.compile(r"^[\u3040-\u30ffー]+$")
_SHORT_HIRAGANA = re.compile(r"^\s*[\u3040-\u309f]{1,2}\s*$")


@dataclass
class SeriesRecord:
    id: int
    slug: str
    names: list[str]  # titles, romaji, aliases
    authors: list[str]
    text: str  # synopses, genres: what description queries match
    genres: tuple[str, ...]
    demographic: str
    embedding: np.ndarray | None = None
    publisher: str = ""


@dataclass(frozen=True)
class Hit:
    series_id: int
    score: float


@dataclass(frozen=True)
class Filters:
    genre: str | None = None
    demographic: str | None = None
    in_stock: bool | None = None
    min_price: int | None = None
    max_price: int | None = None


def _author_keys(author: str) -> list[str]:
    keys = [normalize(author)]
    for part in author.replace("・", ",").split(","):
        words = part.split()
        keys.append(normalize(part))
        if len(words) == 2:  # "Eiichiro Oda" and "Oda Eiichiro" are both how people write it
            keys.append(normalize(words[1] + words[0]))
    return [key for key in dict.fromkeys(keys) if len(key) >= 2]


@dataclass
class SearchIndex:
    records: list[SeriesRecord]
    products: dict[int, list[tuple[int, int]]]  # series id -> [(price_jpy, stock)]
    version: tuple[int, int] = (0, 0)
    position: dict[int, int] = field(init=False)

    def __post_init__(self):
        self.position = {record.id: i for i, record in enumerate(self.records)}
        self.name_keys: list[list[str]] = []
        self.author_keys: list[list[str]] = []
        self.gram_index: dict[str, set[int]] = defaultdict(set)
        self.word_index: dict[str, set[int]] = defaultdict(set)
        self.word_bounds: dict[str, tuple[set[int], set[int]]] = {}  # a Latin name's key → where its words begin, end
        self.reading_index: dict[str, set[int]] = defaultdict(set)  # how a name in kanji is read → its series
        self.longest_kanji_name = 0
        for i, record in enumerate(self.records):
            names = [key for key in dict.fromkeys(normalize(n) for n in record.names) if key]
            for name in record.names:
                if has_kanji(name) and len(said := reading(name)) >= READING_MIN_LENGTH:
                    self.reading_index[said].add(i)
                    self.longest_kanji_name = max(self.longest_kanji_name, len(name) + 2)
            for name in record.names:
                if (key := normalize(name)).isascii():
                    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", name).lower())
                    offsets = list(accumulate(map(len, words), initial=0))
                    self.word_bounds[key] = (set(offsets[:-1]), set(offsets[1:]))
            authors = [key for a in record.authors for key in _author_keys(a)]
            self.name_keys.append(names)
            self.author_keys.append(authors)
            for key in names + authors:
                # Both sizes: a Latin title inside a Japanese sentence ("ONE PIECEの4巻") is cut into bigrams, and
                # a short one inside a longer stretch ("akira #5") into trigrams.
                for gram in ngrams(key) | _bigrams(key) | _trigrams(key):
                    self.gram_index[gram].add(i)
            for word in set(content_words(record.text) + [w for n in record.names for w in content_words(n)]):
                self.word_index[word].add(i)
        total = max(len(self.records), 1)
        self.idf = {word: math.log(1 + total / len(rows)) for word, rows in self.word_index.items()}
        dims = embeddings.DIMENSIONS
        self.matrix = np.stack([r.embedding if r.embedding is not None else np.zeros(dims, np.float32)
                                for r in self.records]) if self.records else np.zeros((0, dims), np.float32)
        self.genres = [set(r.genres) for r in self.records]
        self._names_matching: dict[str, list[str]] = {}

    # --- scoring ---------------------------------------------------------------------------------------------
    def _name_scores(self, query: str) -> dict[int, float]:
        query = EDITION_PHRASE.sub(" ", query)
        scores = self._name_scores_of(query)
        # The title without the question around it ("Is Crows volume 8 in stock?" → "Crows"): a typo in a short
        # title is drowned by the words around it when the whole sentence is compared.
        for part in title_parts(query):
            for i, score in self._name_scores_of(part, authors=False).items():
                scores[i] = max(scores.get(i, 0.0), score)
        for i in self._read_alike(query):
            scores[i] = max(scores.get(i, 0.0), SLIPPED)
        return self._without_titles_inside_longer_ones(normalize(query), scores)

    def _read_alike(self, query: str) -> set[int]:
        """The series a stretch of the question names in other kanji of the same reading: the conversion slip of an
        input method or a speech recogniser (寄生銃 for 寄生獣, トーマの新造 for トーマの心臓, 声の形 for 聲の形)."""
        found = set()
        for part in [query, *title_parts(query)]:
            if has_kanji(part) and len(part) <= self.longest_kanji_name:  # a whole sentence is read only if short
                found |= self.reading_index.get(reading(part), set())
        return found

    def _without_titles_inside_longer_ones(self, query_key: str, scores: dict[int, float]) -> dict[int, float]:
        """"Give My Regards to Black Jack volume 22" names one series, not also "Black Jack": a title the question
        contains only as part of a longer title it also contains is not named by itself. The longer title keeps
        the better of the two scores (the shorter one was matched whole, the longer one inside the sentence)."""
        contained = {i: [k for k in self.name_keys[i] if len(k) >= 3 and k in query_key] for i in scores}
        for inner, inner_keys in contained.items():
            outer = next((i for i, keys in contained.items() if i != inner and scores[i] > 0.0 and inner_keys and all(
                any(k != key and k in key for key in keys) for k in inner_keys)), None)
            if outer is not None:
                scores[outer] = max(scores[outer], scores[inner])
                scores[inner] = 0.0
        return {i: score for i, score in scores.items() if score > 0.0}

    def _name_scores_of(self, query: str, authors: bool = True) -> dict[int, float]:
        query_key = normalize(query)
        spans = _word_spans(query)
        names = NamesInQuestion(query)
        grams = ngrams(query_key)
        candidates: dict[int, int] = defaultdict(int)
        for gram in grams:
            for i in self.gram_index.get(gram, ()):
                candidates[i] += 1
        scores: dict[int, float] = {}
        # Only the series sharing the most n-grams can match well; bounding them bounds the time at any size.
        shortlist = sorted(candidates, key=candidates.__getitem__, reverse=True)[:NAME_CANDIDATES]
        for i in shortlist:
            best = 0.0
            for key in self.name_keys[i]:
                if not authors and self._by_coincidence(query_key, key):
                    continue
                best = max(best, _name_match(query_key, key, grams, names))
            for key in self.author_keys[i] if authors else ():
                best = max(best, _author_match(query_key, spans, key))
            if best > 0.3:
                scores[i] = best
        return scores

    def _by_coincidence(self, part: str, key: str) -> bool:
        """A stretch of a question that is not the title it resembles: too short, or a piece of a longer title."""
        return part != key and (_too_short(part, key) or (part in key and (
            3 * len(part) < 2 * len(key) or not self._stands_for(part, key))))

    def _stands_for(self, part: str, key: str) -> bool:
        """A Latin stretch inside a Latin name stands for it when it begins one of its words and either ends one
        ("punch man" in "One Punch Man") or is five letters or more ("frier" for "Frieren"): "other" inside "Another"
        and "tori" of "Toriko" (in "hi no tori") are words that happen to be there."""
        if not (part.isascii() and key.isascii()):
            return True
        starts, ends = self.word_bounds.get(key, ({0}, {len(key)}))
        return any(key.startswith(part, start) and (start + len(part) in ends or len(part) >= 5) for start in starts)

    def without_names_matching(self, text: str, pattern: re.Pattern) -> str:
        """`text` with every series name in which `pattern` finds something blanked, ignoring case: the edition word
        of "Blue Box" or 「めだかボックス」 is part of a title, not an edition asked for."""
        names = self._names_matching.get(pattern.pattern)
        if names is None:
            found = {n for record in self.records for n in record.names if n and pattern.search(n)}
            names = self._names_matching[pattern.pattern] = sorted(found, key=len, reverse=True)
        for name in names:
            text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
        return text

    def title_score(self, query: str, series_id: int) -> float:
        """How well the question names this series by one of its titles (authors and descriptions left out)."""
        i = self.position.get(series_id)
        if i is None:
            return 0.0
        query = EDITION_PHRASE.sub(" ", query)
        best = SLIPPED if i in self._read_alike(query) else 0.0
        for part in [query, *title_parts(query)]:
            key = normalize(part)
            grams, names = ngrams(key), NamesInQuestion(part)
            for name in self.name_keys[i]:
                if part is not query and self._by_coincidence(key, name):
                    continue
                best = max(best, _name_match(key, name, grams, names))
        return best

    def _description_scores(self, query: str, vector: np.ndarray | None = None) -> np.ndarray:
        words = set(content_words(query))
        weights = np.zeros(len(self.records), np.float32)
        total = sum(self.idf.get(w, math.log(1 + len(self.records))) for w in words) or 1.0
        for word in words:
            for i in self.word_index.get(word, ()):
                weights[i] += self.idf[word]
        word_score = weights / total
        if len(self.records):
            cosine = self.matrix @ (embeddings.embed_one(query) if vector is None else vector)
            emb_score = np.clip((cosine - 0.15) / 0.45, 0, 1)
        else:
            emb_score = np.zeros(0, np.float32)
        return 0.55 * word_score + 0.45 * emb_score

    def _allowed(self, i: int, filters: Filters) -> bool:
        record = self.records[i]
        if filters.genre and filters.genre not in self.genres[i]:
            return False
        if filters.demographic and record.demographic != filters.demographic:
            return False
        if filters.in_stock is None and filters.min_price is None and filters.max_price is None:
            return True
        for price, stock in self.products.get(record.id, ()):
            if filters.in_stock and stock <= 0:
                continue
            if filters.in_stock is False and stock > 0:
                continue
            if filters.min_price is not None and price < filters.min_price:
                continue
            if filters.max_price is not None and price > filters.max_price:
                continue
            return True
        return False

    def search(self, query: str, filters: Filters | None = None, limit: int = 5,
               vector: np.ndarray | None = None) -> list[Hit]:
        """`vector`: the query's embedding when the caller already has it (a turn embeds the customer's text once)."""
        filters = filters or Filters()
        query = (query or "").strip()
        if not query:
            rows = [i for i in range(len(self.records)) if self._allowed(i, filters)]
            return [Hit(self.records[i].id, 0.0) for i in rows[:limit]]
        names = self._name_scores(query)
        described = self._description_scores(query, vector)
        combined = described.copy()
        for i, score in names.items():
            combined[i] = max(combined[i], score) + 0.05 * described[i]
        order = np.argsort(-combined)
        hits = []
        for i in order:
            if combined[i] < 0.2 or len(hits) >= limit:
                break
            if self._allowed(int(i), filters):
                hits.append(Hit(self.records[int(i)].id, float(min(combined[i], 1.0))))
        return hits

    def similar_to(self, series_id: int, limit: int = 5, filters: Filters | None = None) -> list[Hit]:
        i = self.position.get(series_id)
        if i is None:
            return []
        cosine = self.matrix @ self.matrix[i]
        genre_overlap = np.array([len(self.genres[i] & g) / max(len(self.genres[i] | g), 1) for g in self.genres])
        same_demographic = np.array([r.demographic == self.records[i].demographic for r in self.records], float)
        score = 0.5 * np.clip(cosine, 0, 1) + 0.4 * genre_overlap + 0.1 * same_demographic
        score[i] = -1
        hits = []
        for j in np.argsort(-score):
            if len(hits) >= limit or score[j] <= 0:
                break
            if self._allowed(int(j), filters or Filters()):
                hits.append(Hit(self.records[int(j)].id, float(score[j])))
        return hits

    def memory_bytes(self) -> int:
        return int(self.matrix.nbytes)


# An edition asked for is never a title, though it may be a slip away from one ("special edition" / "Special A")
EDITION_PHRASE = re.compile(r"\b(?:special|limited|collector'?s?|deluxe) edi?ti?ons?\b", re.IGNORECASE)
# The words of a question that are not the title: what is left between them is where a title can be.
_EN_FILLER = re.compile(
    r"\b(?:vol(?:ume)?s?\.?\s*#?\d+|v\d+|#\d+|\d+(?:st|nd|rd|th)?\s+volumes?|is|are|was|do|does|did|you|u|have|has|"
    r"got|get|the|a|an|any|in|stock|available|availability|price|prices|cost|how|much|many|of|for|to|me|my|i|i'm|"
    r"im|it|its|it's|this|that|volumes?|vols?|books?|total|out|yet|who|whos|who's|wrote|write|writes|drew|draws|"
    r"author|authors|mangaka|artist|latest|newest|most|recent|new|finished|finish|complete|completed|ended|end|"
    r"over|still|going|ongoing|running|series|manga|comics?|looking|look|carry|sell|box|set|special|limited|"
    r"edition|editions|collector'?s?|rare|know|but|please|pls|can|could|what|what's|whats|count|there|"
    r"buy|want|need|find|need|number|released|release|so|far|right|now|at|on|with|from|good|some|something|"
    r"similar|like|next|read|recommend|anything|about|tell|done|there|which|when|will|be|by|up|one|ones|"
    r"hi|hello|hey|thanks|thank|still|plot|storyline|synopsis|premise|info|kind|available\?|"
    # Japanese typed in romaji: "haikyuu no 10 kan ikura desu ka", "yowapeda tte ima nankan made dete masu ka"
    r"\d+\s*kan|nan\s*kan|kan|tte|wa|ga|wo|no|ka|desu|masu|arimasu|aru|ikura|made|ima|mou|mada|dete|deteru|owatta|"
    r"tsuzuiteru|zaiko|sakusha)\b|[?!,.:;\\/]", re.IGNORECASE)
_JA_FILLER = re.compile(
    r"第?\d+巻|\d+冊|最新刊|最新巻|新しい巻|最新|特装版|限定版|全巻セット|BOXセット|ボックス|BOX|セット|って|"
    r"[はのがをにでも](?=\d|第|最新|新し|特装|限定|BOX|ボックス|全巻|全部|作者|著者|誰|何|完結|連載|もう|在庫|既刊|いつ)|"
    r"完結済み|完結|連載中|終わって|終了|何巻|何冊|既刊|全部|全巻|作者|著者|誰|だれ|どなた|描いて|書いて|"
    r"(?:描|書)い(?:た|とる|てる)(?:人|方)?|在庫|ありますか|あります|ある|"
    r"ください|下さい|探しています|探してます|いくら|ですか|でしょうか|ますか|してますか|してる|した|もう|まで|出てます|"
    r"[はが](?=[、。？！?!\s]|$)|"
    r"すみません|買えますか|買える|値段|価格|入荷|しますか|いつ|欲しい|ほしい|"
    r"について|教えて|知りたい|聞きたい|どんな(?:お?話|漫画|マンガ|まんが|作品|内容|ストーリー)?|あらすじ|内容|[、。？！?!]",
)


_EN_FILLER_KEPT = re.compile(f"({_EN_FILLER.pattern})", re.IGNORECASE)  # split keeping the separators

# Small words that are also inside titles ("Yona of the Dawn", "Give My Regards to Black Jack"): a stretch of the
# question is also tried with them kept, so a title with a typo is compared whole rather than in fragments.
_TITLE_WORDS = re.compile(r"^(?:of|the|a|an|to|in|on|at|with|from|for|my|by|and|one|no)$", re.IGNORECASE)


def _bridged(pieces: list[str]) -> list[str]:
    """Stretches joined back across the title words between them (`pieces` alternates stretch and separator, as
    re.split with a group gives them); only runs that did join across a title word, without title words at the ends."""
    runs, current, joined = [], [], False
    for n, piece in enumerate(pieces):
        if n % 2 == 0:
            current.append(piece)
        elif _TITLE_WORDS.match(piece.strip()) and "".join(current).strip():
            current.append(piece)
            joined = True
        else:
            runs += [current] if joined else []
            current, joined = [], False
    runs += [current] if joined else []
    bridged = []
    for run in runs:
        words = "".join(run).split()
        while words and _TITLE_WORDS.match(words[-1]):
            words.pop()
        if len(words) > 1:
            bridged.append(" ".join(words))
    return bridged


_BRACKETED = re.compile(r"[『「]([^』」『「]{2,40})[』」]")


def title_parts(query: str) -> list[str]:
    """The stretches of a question that can be a title: the query with the question's own words taken out."""
    text = unicodedata.normalize("NFKC", query or "")
    if has_japanese(text):
        # a title set in 『』 or 「」 is a title as written: 「萩尾望都先生の『トーマの心臓』を探しております」
        parts = _BRACKETED.findall(text) + [" ".join(p.split()) for p in _JA_FILLER.split(text)]
    else:
        pieces = _EN_FILLER_KEPT.split(text)  # stretch, separator, stretch, …: split once, read two ways
        parts = [" ".join(p.split()) for p in pieces[::2]] + _bridged(pieces)
    # Two hiragana left over ("です", "ほし") are the question's own words, not a title typed in kana: read as
    # katakana they matched short aliases ("デスノ").
    return [p for p in dict.fromkeys(parts)
            if len(normalize(p)) >= 2 and p.strip() != (query or "").strip() and not _SHORT_HIRAGANA.match(p)]


def _too_short(part_key: str, name: str) -> bool:
    """A Latin stretch of two or three letters ("am", "ok") names a series only when it is that series' whole name
    ("H2"); Japanese titles can be that short and are compared as usual."""
    return len(part_key) < 4 and not has_japanese(part_key) and part_key != name


def _word_spans(query: str, longest: int = 4) -> set[str]:
    """Runs of consecutive Latin words of the query, stopwords left out unless nothing else is left."""
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", query).lower())
    content = [w for w in words if w not in EN_STOPWORDS] or words
    return {"".join(content[i:j]) for i in range(len(content)) for j in range(i + 1, min(i + longest, len(content)) + 1)}


def _author_match(query_key: str, spans: set[str], key: str) -> float:
    """An author named in the query. Latin names must be whole words: the author "ONE" is not in "one piece"."""
    if key == query_key:
        return 0.85
    if has_japanese(key):
        # Short kana-only names (あっと, ふじた) occur inside ordinary words; kanji names (森薫, 川田) rarely do.
        shortest = 4 if KANA_ONLY.match(key) else 2
        return 0.8 if len(key) >= shortest and key in query_key else 0.0
    return 0.8 if key in spans else 0.0


def _bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)}


def _trigrams(key: str) -> set[str]:
    return {key[i : i + 3] for i in range(len(key) - 2)}


class NamesInQuestion:
    """Where a name may be read inside a question (the title inside a sentence): a Latin name only as whole words
    ("Real" is not named by "Really disappointed"), a Japanese one of three characters or more anywhere, and a
    two-kanji name (蟲師, 呪術, 進撃) only before a particle, みたい or a break (「蟲師を描いた人」, 「呪術の最新刊」), so
    that 日常 in 「日常系」 or 一歩 in 「一歩ずつ」 is not a title."""

    def __init__(self, query: str):
        self.text = unicodedata.normalize("NFKC", query or "").lower()
        self.kana = folded(query)
        words = re.findall(r"[a-z]+|[0-9]+", self.text)
        self.joined = "".join(words)
        offsets = list(accumulate(map(len, words), initial=0))
        self.starts, self.ends = set(offsets[:-1]), set(offsets[1:])
        self.spans_by_length: dict[int, list[str]] = defaultdict(list)  # runs of whole words, by their length
        for i, start in enumerate(offsets[:-1]):
            for end in offsets[i + 1:i + 1 + SLIP_SPAN_WORDS]:
                self.spans_by_length[end - start].append(self.joined[start:end])

    def has(self, key: str) -> bool:
        if key.isascii():
            return len(key) >= 3 and self._whole_words(key)
        if len(key) >= 3:
            return self._whole_morae(key)
        return bool(_TWO_KANJI.match(key)) and re.search(
            rf"(?<![\u3400-\u9fff]){re.escape(key)}(?=の|を|は|って|が|も|と|みたい|っぽ|[、。，．？！?!\s]|$)", self.text) is not None

    def has_with_one_slip(self, key: str) -> bool:
        """A Latin name of six letters or more typed as whole words with one slip: two letters swapped, one
        missing, extra or wrong ("mob pyscho 100", "one peice")."""
        if not key.isascii() or len(key) < SLIP_MIN_LENGTH:
            return False
        for length in (len(key) - 1, len(key), len(key) + 1):
            for span in self.spans_by_length.get(length, ()):
                if OSA.distance(span, key, score_cutoff=1) <= 1:
                    return True
        return False

    def _whole_morae(self, key: str) -> bool:
        """A Japanese name does not end inside a mora: タッチ is not in 「たっちゃん」, whose ち is ちゃ. A name the
        question writes with punctuation inside (ブラック・ジャック for the key ぶらっくじゃっく) is not checked."""
        ends = [m.end() for m in re.finditer(re.escape(key), self.kana)]
        return not ends or any(self.kana[end:end + 1] not in _SMALL_KANA for end in ends)

    def _whole_words(self, key: str) -> bool:
        start = self.joined.find(key)
        while start != -1:
            if start in self.starts and start + len(key) in self.ends:
                return True
            start = self.joined.find(key, start + 1)
        return False


_TWO_KANJI = re.compile(r"^[\u3400-\u9fff]{2}$")
_SMALL_KANA = set("ぁぃぅぇぉゃゅょゎ")  # the second half of a mora: a name cannot end before one
SLIP_MIN_LENGTH = 6  # shorter names are one slip away from ordinary words ("real" / "read")
SLIP_SPAN_WORDS = 6  # the most words a title typed with a slip is read across
SLIPPED = 0.9  # a name typed with one slip scores this share of what it would score spelt right
READING_MIN_LENGTH = 4  # a shorter reading (はち, ひのとり's ひの) is shared by too many ordinary words


@lru_cache(maxsize=65536)
def _grams_of_name(key: str) -> frozenset[str]:
    """A catalog name's n-grams, computed once: names are compared with every question."""
    return frozenset(ngrams(key))


def _name_match(query_key: str, key: str, query_grams: set[str], names: NamesInQuestion | None = None) -> float:
    if query_key == key:
        return 1.0
    if len(query_key) >= 2 and query_key in key:
        return 0.75 + 0.25 * len(query_key) / len(key)
    if key in query_key and (names.has(key) if names is not None else len(key) >= 3):
        return 0.7 + 0.3 * len(key) / len(query_key)  # the title inside a sentence: 鬼滅の刃の在庫ありますか
    if names is not None and names.has_with_one_slip(key):
        whole = len(names.joined) <= len(key) + 1
        return SLIPPED * (1.0 if whole else 0.7 + 0.3 * len(key) / len(query_key))
    if names is not None and key in query_key:
        return 0.0  # its letters are there, but not as the name: inside a word, a mora, a longer run of kanji
    key_grams = _grams_of_name(key)
    if not key_grams or not query_grams:
        return 0.0
    dice = 2 * len(query_grams & key_grams) / (len(query_grams) + len(key_grams))
    return 0.95 * dice


# --- the process-wide index, kept fresh from the database --------------------------------------------------------
_index: SearchIndex | None = None
_checked_at = 0.0
_built_at = 0.0
_lock = threading.Lock()


def _redis():
    return get_redis_connection()


def current_version() -> tuple[int, int]:
    try:
        series, stock = _redis().mget([SERIES_VERSION_KEY, STOCK_VERSION_KEY])
        return int(series or 0), int(stock or 0)
    except Exception:  # without Redis, search still works on the index it has
        return UNKNOWN_VERSION


def bump_version(series_changed: bool) -> None:
    try:
        _redis().incr(SERIES_VERSION_KEY if series_changed else STOCK_VERSION_KEY)
    except Exception:  # Redis down: other processes notice on their next rebuild; never fail the write itself
        logging.getLogger(__name__).warning("could not announce a catalog change (Redis unavailable)")


def _load_products() -> dict[int, list[tuple[int, int]]]:
    products: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for series_id, price, stock in Product.objects.values_list("series_id", "price_jpy", "stock").iterator():
        products[series_id].append((price, stock))
    return dict(products)


def build_from_database(version: tuple[int, int]) -> SearchIndex:
    records = []
    for manga in Manga.objects.all().iterator(chunk_size=500):
        records.append(
            SeriesRecord(
                id=manga.pk, slug=manga.slug,
                names=[manga.title_ja, manga.title_en, manga.romaji, manga.slug.replace("-", " "), *manga.aliases],
                authors=[manga.author, manga.author_en],
                text=" ".join([manga.synopsis_en, manga.synopsis_ja, " ".join(manga.genres)]),
                genres=tuple(manga.genres), demographic=manga.demographic,
                embedding=embeddings.from_bytes(manga.embedding) if manga.embedding else None,
                publisher=manga.publisher,
            )
        )
    return SearchIndex(records, _load_products(), version=version)


def get_index() -> SearchIndex:
    """The fresh index: rebuilt when another process (or this one) changed the catalog."""
    global _index, _checked_at, _built_at
    now = time.monotonic()
    if _index is not None and now - _checked_at < FRESHNESS_CHECK_SECONDS:
        return _index
    version = current_version()
    with _lock:
        _checked_at = now
        if version == UNKNOWN_VERSION:
            # Redis is down: nothing tells us what changed, so rebuild now and then rather than on every call.
            if _index is None or now - _built_at > REBUILD_WITHOUT_REDIS_SECONDS:
                _index, _built_at = build_from_database(version), now
        elif _index is None or version[0] != _index.version[0]:
            _index, _built_at = build_from_database(version), now
        elif version[1] != _index.version[1]:
            _index.products = _load_products()
            _index.version = version
    return _index


def warm_up() -> None:
    """Build the index and load the models now, so that the first customer's search is not the slow one."""
    search("warm up")


def reset_index() -> None:
    global _index
    with _lock:
        _index = None


def search(query: str, filters: Filters | None = None, limit: int = 5, vector: np.ndarray | None = None) -> list[Hit]:
    return get_index().search(query, filters, limit, vector)


def similar_to(series_id: int, limit: int = 5, filters: Filters | None = None) -> list[Hit]:
    return get_index().similar_to(series_id, limit, filters)


def title_score(query: str, series_id: int) -> float:
    return get_index().title_score(query, series_id)


def without_names_matching(text: str, pattern: re.Pattern) -> str:
    return get_index().without_names_matching(text, pattern)
