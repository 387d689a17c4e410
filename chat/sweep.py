"""The catalog sweep: every series the store sells, asked about in the plainest ways customers ask, in both
languages ("tell me about X", 「Xの3巻在庫ある？」…). The answer set samples wording; the sweep samples titles, and
finds what only some titles break: a title inside an author's name, a sequel that shares its name with the first
series, a title the classifier reads as a legal request.

An AUTO answer is counted wrong when it does not name the series asked about (it answered another one). The
response cache stays on, as in production, so a cached answer served to the wrong question shows up too."""

from collections import Counter
from dataclasses import dataclass, field

from catalog.models import Manga
from chat import classifier, response_cache
from chat.evaluation import EVALUATION_MARK, _ask, route_of
from chat.models import ChatSession

FORMS = (
    "en:tell me about {t}", "ja:{t}について教えて", "en:what's {t} like?", "ja:{t}ってどんな話？",
    "en:do you have {t}?", "ja:{t}ありますか？", "en:how many volumes of {t} are there?", "ja:{t}は何巻まで出てますか",
    "en:is {t} still ongoing?", "ja:{t}は完結してますか？", "en:how much is {t} volume 1?", "ja:{t}の1巻はいくら？",
    "en:{t} vol 3 in stock?", "ja:{t}の3巻在庫ある？", "en:who is the author of {t}", "ja:{t}の作者は誰？",
    "en:latest volume of {t}?", "ja:{t}の最新刊は？", "en:something like {t}?", "ja:{t}みたいな漫画ある？",
)


@dataclass
class FormResult:
    form: str
    asked: int = 0
    auto: int = 0
    routes: Counter = field(default_factory=Counter)  # the routes other than AUTO
    wrong: list[str] = field(default_factory=list)  # AUTO answers that name another series: "question → answer"


def sweep(decide, forms=FORMS, limit: int | None = None, progress=None) -> list[FormResult]:
    """Asks every form about every series (the first `limit` series only, when given) through the whole offline
    pipeline. `decide` is reviews.thresholds.decide with steady=True, passed in (chat does not import reviews).
    The sessions it creates are deleted; nothing else is written but the response cache."""
    classifier.get_model()
    response_cache.clear()
    series = list(Manga.objects.order_by("id").values_list("title_ja", "title_en")[:limit])
    results = [FormResult(form) for form in forms]
    try:
        for n, (title_ja, title_en) in enumerate(series, 1):
            for result in results:
                locale, template = result.form.split(":", 1)
                title = title_ja if locale == "ja" else title_en
                if not title:
                    continue
                question = template.format(t=title)
                draft, _ = _ask(question, locale)
                route = route_of(draft, decide)
                result.asked += 1
                if route != "auto":
                    result.routes[route] += 1
                    continue
                result.auto += 1
                if title_ja not in draft.text and not (title_en and title_en in draft.text):
                    result.wrong.append(f"{question} → {draft.text[:80]}")
            if progress:
                progress(n, len(series))
    finally:
        ChatSession.objects.filter(summary=EVALUATION_MARK).delete()
    return results
