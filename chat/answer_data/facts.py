"""The labelled answer set's format and how an answer is checked against it.

One record a line in tuning.jsonl / heldout.jsonl:

    {"id": "completion-ja-003", "text": "ハイキュー完結した？", "lang": "ja", "category": "product_info",
     "class": "completion", "route": "auto",
     "must_contain": [{"any": ["完結", "completed", …], "not": ["連載中", …], "source": "manga:haikyu:status"}]}

- `category`: one of chat.models.Category (what the classifier should say).
- `class`: the failure class of issue 13 the question stands for (CLASSES below).
- `route`: what must happen to it — `auto`, `review`, `clarify`, `handoff` (exactly that route),
  `any_human` (review or handoff: a person sees it before or instead of an answer; high-risk complaint/legal),
  `no_task` (auto or clarify: answered at once, no review task — e.g. an anonymous customer asking about an order).
- `must_contain`: the facts the text the customer receives must state; each fact is a list of alternatives
  (`any`, one of them must appear), optional contradictions (`not`, none may appear) and where it comes from
  (`source`: `manga:SLUG:FIELD`, `product:SKU:FIELD`, `genre:G`, `demographic:D`, `faq:KEY` or `policy:NAME`).
  Matching is on normalised text (NFKC, case-folded, digit grouping and spaces between digits and units dropped,
  "¥550", "550円", "550 yen" all read as "550円"); an alternative that starts with a digit does not match inside a
  longer number ("10巻" is not found in "110巻"), and an ASCII word alternative matches whole words only ("AI" is not
  found in "again").
- A volume's stock fact also lists the volume's names (`near`): it is checked in what is said about that volume
  (from each mention of it to the next mention of a volume).
"""

import re
import unicodedata

ROUTES = ("auto", "review", "clarify", "handoff", "any_human", "no_task")
ROUTE_MEMBERS = {"auto": {"auto"}, "review": {"review"}, "clarify": {"clarify"}, "handoff": {"handoff"},
                 "any_human": {"review", "handoff"}, "no_task": {"auto", "clarify"}}
CLASSES = (
    "completion", "volume_count", "missing_volume", "latest_volume", "author", "availability", "genre",
    "demographic", "rare_edition", "recommendation", "faq_rephrased", "ship_to_region", "shipping", "payment",
    "closer", "identity", "human_request", "damaged", "complaint", "legal", "anonymous_order", "clarify_missing",
)
HIGH_RISK_CLASSES = {"complaint", "legal"}

_YEN_BEFORE = re.compile(r"[¥￥]\s*(\d+)")
_YEN_AFTER = re.compile(r"(\d+)\s*(?:円|yen\b|jpy\b)")
_GROUPED = re.compile(r"(?<=\d)[,，](?=\d{3})")
_DIGIT_UNIT = re.compile(r"(?<=\d)\s+(?=[巻冊円日%])")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    # NFKC makes the full-width tilde (～, Windows IMEs) "~" but keeps the wave dash (〜, macOS): one mark to a reader
    text = unicodedata.normalize("NFKC", text).replace("\u301c", "~").casefold()
    text = _GROUPED.sub("", text)
    text = _YEN_BEFORE.sub(r"\1円", text)
    text = _YEN_AFTER.sub(r"\1円", text)
    text = _DIGIT_UNIT.sub("", text)
    return _SPACES.sub(" ", text).strip()


def contains(text: str, alternative: str) -> bool:
    """Whether `alternative` occurs in `text`, both normalised (see the module docstring)."""
    haystack, needle = normalise(text), normalise(alternative)
    if not needle:
        return False
    pattern = re.escape(needle)
    if needle[0].isdigit():
        pattern = r"(?<!\d)" + pattern
    if needle.isascii() and needle[0].isalnum():
        pattern = r"(?<![a-z0-9])" + pattern
    if needle.isascii() and needle[-1].isalnum():
        pattern += r"(?![a-z0-9])" if needle[-1].isalpha() else r"(?!\d)"
    elif needle[-1].isdigit():
        pattern += r"(?!\d)"
    return re.search(pattern, haystack) is not None


# where what is said about one volume starts: "9巻", "第9巻", "Volume 9", "vol. 9", "#9" (not "Kaiju No. 8")
_VOLUME_MENTION = re.compile(r"(?<![\d第])(?=第?\d+\s*巻|\b(?:volume|vol\.?)\s*\d|#\d)", re.IGNORECASE)


def fact_present(text: str, fact: dict) -> bool:
    """`near` (a volume's names): the fact is read in what is said from each mention of that volume to the next
    mention of a volume, when the text names it, so an answer about two volumes may say one is in stock and the
    other is not."""
    if fact.get("near"):
        naming = [s for s in _VOLUME_MENTION.split(text) if any(contains(s, n) for n in fact["near"])]
        text = " ".join(naming) or text
    return any(contains(text, a) for a in fact["any"]) and not any(contains(text, n) for n in fact.get("not", ()))


def missing_facts(text: str, record: dict) -> list[dict]:
    """The facts of `record` that `text` does not state (or contradicts)."""
    return [fact for fact in record.get("must_contain", ()) if not fact_present(text, fact)]


def route_matches(expected: str, actual: str) -> bool:
    return actual in ROUTE_MEMBERS[expected]
