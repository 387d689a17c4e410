"""Offline answers (LLM_BACKEND=local): per-intent templates filled only with what the catalog tools returned.

The wording comes from the prompt version serving this turn (prompts.serving.wording; keys in prompts/wording.py);
only the formats of the facts (titles, prices, stock figures) live here, because the grounding check reads them.

Every fact in an answer comes from a ToolResult. A tool that was not performed makes the answer say that it could
not check, never that there is nothing. Titles are quoted 「…」 (Japanese) or "…" (English) and prices and stock
figures are written in one fixed way, so the grounding check can find and verify every claim.
"""

import re
from dataclasses import dataclass, field

from catalog import search, tools
from catalog.text import content_words
from chat import intents
from chat.answer_texts import say
from chat.classifier import Classification
from prompts.serving import wording as _w

ORDER_NUMBER = re.compile(r"\bMA-?\d{6}\b", re.IGNORECASE)
# "9巻と10巻", "volumes 3 and 4", "vol 2, 3": more volumes listed right after one
MORE_VOLUMES = re.compile(r"\s*(?:,|、|と|and|&|or|か)\s*(?:vol(?:ume)?\.?\s*)?#?(\d{1,3})(?!\d)(?:\s*巻)?", re.IGNORECASE)
MAX_VOLUMES = 5
EXACT_TITLE_SCORE = 0.99  # the catalog search found the title as written
CATALOG = {"availability", "product_info", "rare_manga"}
FAQ = {"shipping", "payment", "account", "refund", "complaint", "legal"}
FAQ_MIN_SCORE = 0.35
SERIES_MIN_SCORE = 0.45
CLEAR_LEAD = 0.05  # a match this far ahead of the next one names its title; closer, the words did not say which
TITLE_NAMED_MIN = 0.6  # a title match this strong (exact, contained, or a close spelling) names the series


@dataclass
class Composed:
    text: str
    sources: list[dict] = field(default_factory=list)
    results: list[tools.ToolResult] = field(default_factory=list)
    retrieval: float = 0.0  # strength of what the answer stands on, in [0, 1]
    tool_failed: bool = False
    clarify: bool = False  # the answer is a clarifying question
    handoff: bool = False  # a person answers: the text is the acknowledgement and a note for the agent
    category: str | None = None  # the category the answer settled on when it is not the classifier's
    certain: bool = False  # the question's own words said what is asked (a rule, a fact question about a title)


def title(hit, locale):
    if locale == "ja":  # a title with its own 「」 (異世界居酒屋「のぶ」) is quoted the other way, so it reads as one title
        return f'"{hit.title_ja}"' if "「" in hit.title_ja else f"「{hit.title_ja}」"
    return f'"{hit.title_en}"'


def price(amount: int, locale: str) -> str:
    return f"{amount:,}円" if locale == "ja" else f"¥{amount:,}"


def stock_phrase(stock: int, locale: str) -> str:
    if stock <= 0:
        return _w("stock.out", locale)
    return _w("stock.in", locale, count=stock)


GENRE_JA = {
    "action": "アクション", "adventure": "冒険", "comedy": "コメディ", "cooking": "料理", "drama": "ドラマ",
    "fantasy": "ファンタジー", "historical": "歴史", "horror": "ホラー", "isekai": "異世界", "martial-arts": "格闘",
    "mecha": "ロボット", "medical": "医療", "music": "音楽", "mystery": "ミステリー", "psychological": "心理",
    "romance": "恋愛", "school": "学園", "sci-fi": "SF", "slice-of-life": "日常", "sports": "スポーツ",
    "supernatural": "超常", "thriller": "サスペンス",
}
DEMOGRAPHIC_JA = {"shonen": "少年", "shojo": "少女", "shoujo": "少女", "seinen": "青年", "josei": "女性", "kodomo": "児童"}
DEMOGRAPHIC_EN = {"shonen": "shonen", "shojo": "shoujo", "shoujo": "shoujo", "seinen": "seinen", "josei": "josei",
                  "kodomo": "kids' (kodomo)"}


def genre_label(genre: str, locale: str) -> str:
    """A catalog genre tag as the customer reads it: Japanese in a Japanese answer, never the raw English tag."""
    if locale == "ja":
        return GENRE_JA.get(genre) or DEMOGRAPHIC_JA.get(genre) or genre
    return DEMOGRAPHIC_EN.get(genre) or genre.replace("-", " ")


def excerpt(text: str, limit: int, locale: str) -> str:
    """The start of a synopsis, at most `limit` characters, cut at the end of a sentence when one fits, else at a
    clause (Japanese 、) or word boundary (English), with an ellipsis when something was cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    head = text[:limit]
    enders = "。！？" if locale == "ja" else ".!?"
    cut = max(head.rfind(c) for c in enders)
    if cut >= limit // 3:
        return head[:cut + 1]
    soft = head.rfind("、") if locale == "ja" else head.rfind(" ")
    if soft >= limit // 3:
        return head[:soft].rstrip(" ,;:、") + "…"
    return head.rstrip() + "…"


def could_not_check(locale: str) -> str:
    return _w("common.could_not_check", locale)


def requested_volume(text: str) -> int | None:
    volumes = requested_volumes(text)
    return volumes[0] if volumes else None


def requested_volumes(text: str) -> list[int]:
    """The volumes asked for, in the question's order: every explicit one ("9巻と10巻" is two), else a number
    before the word "volume"; the one after the volume read when the question asks for the next one."""
    volumes = []
    for match in intents.VOLUME_NUMBER.finditer(text):
        volumes.append(int(next(group for group in match.groups() if group)))
        end = match.end()
        while more := MORE_VOLUMES.match(text, end):
            volumes.append(int(more.group(1)))
            end = more.end()
    if not volumes and (match := intents.VOLUME_BEFORE_WORD.search(text)):
        volumes.append(int(match.group(1)))
    # "I read up to vol 5 of Spy x Family, is vol 6 in stock?": the volume read is not one asked for
    read = {int(next(g for g in m.groups() if g)) for m in intents.READ_UP_TO.finditer(text)}
    if set(volumes) - read:
        volumes = [v for v in volumes if v not in read]
    if next_one := intents.next_volume(text):  # "I finished 31, is the next one out?": 32, not 31
        volumes = [next_one]
    return list(dict.fromkeys(volumes))[:MAX_VOLUMES]


def _series_sources(hits) -> list[dict]:
    return [{"type": "manga", "id": h.manga_id, "label": h.title_ja} for h in hits]


def _catalog_category(form: str | None, hit, text: str, guessed: str) -> str:
    """The category a catalog question belongs to, from what it asks (the store's rule, the one the answer set is
    labelled by): facts about the series are product_info; an edition, a collectible (a first print, a signed copy)
    or a volume of a rare title is rare_manga; the stock or price of a volume, or the newest one, is availability.
    Words that ask none of these leave the classifier's guess."""
    if form is None or (form == "stock" and guessed in CATALOG and not intents.STOCK_ASK.search(text)):
        return guessed  # a volume named, but neither its stock nor its price asked: its release date, its pages…
    if form in ("series", "about"):
        return "product_info"
    if form in ("box_set", "special") or hit.rare or intents.COLLECTIBLE.search(text):
        return "rare_manga"
    return "availability"


def _edition(hit, form: str, locale: str, sources: list) -> str:
    product = next((p for p in hit.products if p.edition == form), None)
    label = say(f"edition_{form}", locale)
    if product is None:
        return say("no_edition", locale, edition=label, title=title(hit, locale))
    sources.append({"type": "product", "sku": product.sku})
    return say("edition", locale, title=title(hit, locale), edition=label, stock=stock_phrase(product.stock, locale),
               price=price(product.price_jpy, locale))


def _leads(hits) -> bool:
    """Whether the best match is far enough ahead of the next one to say which title the words name."""
    return len(hits) < 2 or hits[1].score < hits[0].score - CLEAR_LEAD


def names_a_title(text: str, vector=None) -> bool:
    """Whether these words plainly name one series, read as compose_catalog reads them."""
    result = tools.check_inventory(text, vector=vector)
    if not result.performed or not result.data or result.data[0].score < SERIES_MIN_SCORE:
        return False
    return search.title_score(text, result.data[0].manga_id) >= TITLE_NAMED_MIN


def _asked_first(text: str, hits: list) -> tuple[list, bool]:
    """Of the titles a question names plainly, the one it asks about first, and whether a cue said so: the one after a
    correction (「ナルトじゃなくてブリーチの3巻」), the one in the clause of the volume asked ("moved on from Fruits
    Basket to Yona of the Dawn… Could I order Yona volume 45?"), or the one not named as context ("drawn by the same
    person who did Chainsaw Man?"). Without a cue the search's order stands."""
    named = [h for h in hits[:3] if search.title_score(text, h.manga_id) >= TITLE_NAMED_MIN]
    if len(named) < 2:
        return hits, False
    stretches = [intents.what_is_asked(text)]
    if volume := intents.VOLUME_NUMBER.search(text):
        stretches.append(re.split(r"[。.!?！？\n]", text[:volume.start()])[-1])
    stretches.append(intents.AS_CONTEXT.sub(" ", text))
    for stretch in stretches:
        chosen = [h for h in named if stretch != text and search.title_score(stretch, h.manga_id) >= TITLE_NAMED_MIN]
        if len(chosen) == 1:
            return [chosen[0], *(h for h in hits if h is not chosen[0])], True
    return hits, False


def compose_catalog(text: str, category: str, locale: str, vector=None, form: str | None = None) -> Composed:
    """`form`: what the question asks (chat.intents.catalog_form), None to answer by `category` alone."""
    result = tools.check_inventory(text, vector=vector)
    if not result.performed:
        return Composed(could_not_check(locale), results=[result], tool_failed=True)
    hits = [h for h in result.data if h.score >= SERIES_MIN_SCORE]
    # "is the special edition of that series still available?" with no title plainly named: which series is "that"
    refers_back = intents.REFERS_BACK.search(text) and not (hits and search.title_score(text, hits[0].manga_id) >= TITLE_NAMED_MIN)
    if not hits or refers_back or (form is not None and not search.title_parts(text)):
        # "got volume 3?": every word of it is the question, none a title; ask for exactly what is missing
        return Composed(_w("catalog.which_title", locale), results=[result], clarify=True,
                        category="availability" if form in ("stock", "latest") and category != "rare_manga" else None)
    hits, cued = _asked_first(text, hits)
    hit = hits[0]
    category = _catalog_category(form, hit, text, category)
    volumes = requested_volumes(text)
    standard = [p for p in hit.products if p.edition == "standard"]
    if form == "latest" and standard:
        volumes = [max(p.volume or 0 for p in standard)]
    wanted = [(v, next((p for p in standard if p.volume == v), None)) for v in volumes]
    volume, product = wanted[0] if wanted else (None, None)  # the first volume asked decides what else is said
    sources = _series_sources([hit])
    lines = []
    if form in ("box_set", "special"):
        lines.append(_edition(hit, form, locale, sources))
    else:
        for asked, found in wanted:
            if found is None:
                lines.append(_w("catalog.not_carried", locale, title=title(hit, locale), volume=asked))
                continue
            sources.append({"type": "product", "sku": found.sku})
            if form == "latest":
                lines.append(say("latest_volume", locale, title=title(hit, locale), volume=asked))
            lines.append(_w("catalog.volume", locale, title=title(hit, locale), volume=asked,
                            stock=stock_phrase(found.stock, locale), price=price(found.price_jpy, locale)))
    # "is it over for good? then I'll get everything up to the last volume": the completion asked is answered too
    asks_series = form == "latest" and intents.SERIES_FACT.search(text) is not None
    if category == "product_info" or asks_series or (product is None and form not in ("box_set", "special")):
        status = _w("catalog.completed" if hit.status == "completed" else "catalog.ongoing", locale)
        author = hit.author if locale == "ja" else (hit.author_en or hit.author)
        lines.append(_w("catalog.series", locale, title=title(hit, locale), author=author, volumes=hit.total_volumes,
                        status=status))
        if form == "about":  # the catalog's own synopsis, as the recommendations quote it
            synopsis = hit.synopsis_ja if locale == "ja" else hit.synopsis_en
            lines.append(say("story", locale, synopsis=excerpt(synopsis, 120 if locale == "ja" else 240, locale)))
        if product is None and standard and not (volume and form == "stock"):
            available = [p for p in standard if p.stock > 0]
            first = standard[0]
            sources.append({"type": "product", "sku": first.sku})
            lines.append(_w("catalog.first_volume", locale, volume=first.volume, stock=stock_phrase(first.stock, locale),
                            price=price(first.price_jpy, locale), available=len(available)))
    if hit.rare:  # not for a box set of a title that is not rare: "This is a rare title" would be untrue
        lines.append(_w("catalog.rare", locale))
    # Two titles matching about as well: the question did not say which, so it is not answered as if it had.
    clear = cued or _leads(hits) or hit.score >= EXACT_TITLE_SCORE
    # Found by its title, not by an author's name or its synopsis ("I am a hero" is not a question about the author
    # HERO): a question about a title stands on how well it named the title.
    named = search.title_score(text, hit.manga_id) if form is not None else hit.score
    clear = clear and named >= TITLE_NAMED_MIN
    strength = min(hit.score, named)
    # The answer stands on the one series it names: the grounding check reads only that series' facts (a runner-up
    # whose title is inside this one's, YAIBA in "Kimetsu no Yaiba", must not lend or claim its figures).
    used = tools.ToolResult(result.tool, True, (hit,))
    return Composed(" ".join(lines), sources=sources, results=[used], retrieval=strength, category=category,
                    certain=form is not None and clear)


def compose_taste(kind: str, value: str, category: str, locale: str) -> Composed:
    """Series of one genre or demographic that have a volume in stock, listed with how many volumes are."""
    filters = tools.SearchFilters(genre=value, in_stock=True) if kind == "genre" else \
        tools.SearchFilters(demographic=value, in_stock=True)
    result = tools.browse_catalog(filters, limit=3)
    label = genre_label(value, locale)
    if not result.performed:
        return Composed(could_not_check(locale), results=[result], tool_failed=True, category=category)
    if not result.data:
        return Composed(say("genre_none", locale, genre=label), results=[result], retrieval=1.0, category=category,
                        certain=True)
    lines = [say("genre_intro", locale, genre=label)]
    for hit in result.data:
        in_stock = sum(1 for p in hit.products if p.stock > 0)
        lines.append(("・" if locale == "ja" else "- ") + say("genre_item", locale, title=title(hit, locale),
                                                               count=in_stock))
    return Composed("\n".join(lines), sources=_series_sources(result.data), results=[result], retrieval=1.0,
                    category=category, certain=True)


LIKED_MIN_SCORE = 0.7
LIKED_PART_MIN_SCORE = 0.85  # a part alone must name a title, not describe one ("swords and demons" is not Berserk)
LIKED_PARTS = 3  # "something like shingeki? big mystery and war stuff…": the title is one of the first few parts


def _liked_title(text: str, anchor, results: list):
    """The title a "something like X" question names: the better of the whole message's best match and the best
    match of one of its first title-like parts, since the rest of a long message can drown a short name or pull
    the whole message towards another title."""
    best = anchor.data[0] if anchor.data and anchor.data[0].score >= LIKED_MIN_SCORE else None
    if best is not None and best.score >= EXACT_TITLE_SCORE:
        return best
    for part in search.title_parts(text)[:LIKED_PARTS]:
        found = tools.search_manga_catalog(part, limit=2)
        # a part that names one title, not a word of several ("Love": To Love Ru 0.92, Love Hina 0.90)
        if found.performed and found.data and _leads(found.data) and found.data[0].score >= LIKED_PART_MIN_SCORE \
                and (best is None or found.data[0].score > best.score):
            best = found.data[0]
            results.append(found)
    return best


def _names_a_liked_title(text: str) -> bool:
    """"something like shingeki? big mystery and war stuff": the title it likes comes before the kind it describes
    (`text` without the words of the kind, so that "mystery" is not read as "Don't Call It Mystery")."""
    anchor = tools.search_manga_catalog(text, limit=1)
    return anchor.performed and _liked_title(text, anchor, []) is not None


# "おすすめある？", "any good manga to recommend?": a request for a recommendation and nothing else says nothing of
# the customer's taste, so the meaning search has nothing to go on; the store's staff picks answer it. Words as
# catalog.text.content_words gives them (Japanese in dictionary form, English stemmed).
ANY_PICK_WORDS = frozenset(
    "御勧め すすめる 勧める 有る 無い 教える 下さる 頂く 良い 面白い 人気 最近 いま 今 嵌まる 読む 何 何か 探す 居る "
    "欲しい 紹介 為る 知る 出来る 貰う 今日 "
    "recommend recommendation recommendations rec recs suggest suggestion suggestions anyth good great cool fun "
    "interesting nice best popular read reading pls plz please smth sth stuff can could would should need new get got give some "
    "into next worth check out start titl hi hello hey right now today".split())


def asks_for_any_pick(text: str) -> bool:
    words = content_words(text)
    return bool(words) and set(words) <= ANY_PICK_WORDS


def compose_staff_picks(locale: str) -> Composed | None:
    """The staff picks in stock, or None when the store has flagged none (the meaning search answers instead)."""
    picks = tools.staff_picks(limit=3)
    if not picks.performed:
        return Composed(could_not_check(locale), results=[picks], tool_failed=True)
    if not picks.data:
        return None
    lines = [say("staff_picks_intro", locale)]
    lines += [_recommendation_line(hit, list(hit.genres[:2]), locale) for hit in picks.data]
    lines.append(say("staff_picks_narrow", locale))
    return Composed("\n".join(lines), sources=_series_sources(picks.data), results=[picks], retrieval=1.0,
                    category="recommendation", certain=True)


def _recommendation_line(hit, genres: list[str], locale: str) -> str:
    reason = ("・" if locale == "ja" else ", ").join(genre_label(g, locale) for g in (genres or [hit.demographic]))
    synopsis = hit.synopsis_ja if locale == "ja" else hit.synopsis_en
    return _w("recommendation.item", locale, title=title(hit, locale), reason=reason,
              synopsis=excerpt(synopsis, 60 if locale == "ja" else 100, locale))


def compose_recommendation(text: str, classification: Classification, locale: str, vector=None) -> Composed:
    results = []
    anchor = tools.search_manga_catalog(text, limit=1, vector=vector)
    results.append(anchor)
    if not anchor.performed:
        return Composed(could_not_check(locale), results=results, tool_failed=True)
    base = _liked_title(text, anchor, results)
    if base is not None:
        similar = tools.similar_manga(base.manga_id, limit=3)
        results.append(similar)
        if not similar.performed:
            return Composed(could_not_check(locale), results=results, tool_failed=True)
        picks, reason_of = similar.data, lambda h: sorted(set(h.genres) & set(base.genres))
        intro = _w("recommendation.similar_intro", locale, title=title(base, locale))
        strength = base.score
    elif not classification.genre_hint and asks_for_any_pick(text) and (picks := compose_staff_picks(locale)):
        return picks
    else:
        filters = tools.SearchFilters(genre=classification.genre_hint, in_stock=True) if classification.genre_hint \
            else tools.SearchFilters(in_stock=True)
        found = tools.search_manga_catalog(text, filters, limit=3, vector=vector)
        results.append(found)
        if not found.performed:
            return Composed(could_not_check(locale), results=results, tool_failed=True)
        picks, reason_of = found.data, lambda h: list(h.genres[:2])
        intro = _w("recommendation.intro", locale)
        strength = max((h.score for h in picks), default=0.0) if not classification.genre_hint else 0.8
    if not picks:
        return Composed(_w("recommendation.ask_genre", locale), results=results, clarify=True)
    lines = [intro] + [_recommendation_line(hit, reason_of(hit), locale) for hit in picks]
    return Composed("\n".join(lines), sources=_series_sources(picks), results=results, retrieval=min(strength, 1.0))


def compose_order(text: str, customer, locale: str) -> Composed:
    number = ORDER_NUMBER.search(text)
    if not number:
        return Composed(_w("order.ask_number", locale), clarify=True)
    order_number = number.group(0).upper().replace("MA", "MA-").replace("MA--", "MA-")
    result = tools.lookup_order(order_number, customer)
    if not result.performed:
        return Composed(_w("order.could_not_check", locale), results=[result], tool_failed=True)
    order = result.data
    if order is None:
        return Composed(_w("order.not_found", locale, number=order_number), results=[result], retrieval=0.5)
    status = _w(f"order.status_{order.status}", locale)
    text = _w("order.status", locale, number=order.order_number, status=status)
    if order.tracking_number:
        text += _w("order.tracking", locale, tracking=order.tracking_number, carrier=order.carrier)
    return Composed(text, sources=[{"type": "order", "number": order.order_number}], results=[result], retrieval=1.0)


def compose_faq(text: str, category: str, locale: str, vector=None) -> Composed:
    result = tools.search_faq(text, locale, vector=vector)
    if not result.performed:
        return Composed(_w("faq.could_not_check", locale), results=[result], tool_failed=True)
    best = result.data[0] if result.data else None
    if category in ("complaint", "legal"):  # never a clarifying question: a person answers (chat.intents)
        return compose_handoff(category, locale, [result])
    if best is None or best.score < FAQ_MIN_SCORE:
        return Composed(say("faq_clarify", locale), results=[result], clarify=True,
                        retrieval=best.score if best else 0.0)
    answer = best.answer
    if category in ("refund", "complaint", "legal"):
        answer += _w("faq.staff_follow_up", locale)
    return Composed(answer, sources=[{"type": "faq", "key": best.key}], results=[result],
                    retrieval=min(1.0, best.score / 0.6))


def compose_handoff(kind: str, locale: str, results=()) -> Composed:
    """A complaint, a legal or personal-data request, or a request for a person: acknowledged, then a person."""
    return Composed(say(f"ack_{kind}", locale), results=list(results), retrieval=1.0, handoff=True,
                    category="general" if kind == "human_request" else kind, certain=True)


FAQ_SECOND_OPINION = 5  # the rule's entry should be among the meaning search's first few for the same question
FAQ_DISAGREE_SCORE = 0.55  # a meaning match this strong to other entries only is a disagreement worth a reviewer


def compose_faq_entries(keys: tuple[str, ...], category: str, locale: str, lead: str = "", text: str = "",
                        vector=None) -> Composed:
    """The FAQ entries a rule named (chat.intents), quoted as the store wrote them. The meaning search gives a
    second opinion: when it confidently points elsewhere and at none of the rule's entries, the answer is not sent
    unseen (the words matched, the question may still be another one)."""
    result = tools.faq_entries(keys, locale)
    if not result.performed:
        return Composed(_w("faq.could_not_check", locale), results=[result], tool_failed=True, category=category)
    if not result.data:  # the entry was removed from the FAQ: let a person answer rather than guess
        return Composed(_w("faq.could_not_check", locale), results=[result], retrieval=0.0, category=category)
    strength = 1.0
    if text:
        opinion = tools.search_faq(text, locale, limit=FAQ_SECOND_OPINION, vector=vector)
        if opinion.performed and opinion.data and not set(keys) & {h.key for h in opinion.data} \
                and opinion.data[0].score >= FAQ_DISAGREE_SCORE:
            strength = 0.5
    answer = " ".join([lead] * bool(lead) + [hit.answer for hit in result.data])
    return Composed(answer, sources=[{"type": "faq", "key": hit.key} for hit in result.data], results=[result],
                    retrieval=strength, category=category, certain=True)


def compose_intent(intent: intents.Intent, text: str, locale: str, customer, vector=None) -> Composed:
    if intent.kind == "order":
        composed = compose_order(text, customer, locale)
        composed.category = intent.category
        return composed
    if intent.kind in intents.HANDOFF_KINDS:
        return compose_handoff(intent.kind, locale)
    if intent.kind in ("closer", "identity"):
        return Composed(say(intent.kind, locale), retrieval=1.0, category=intent.category, certain=True)
    lead = say("ship_region", locale) if intent.kind == "ship_region" else ""
    return compose_faq_entries(intent.faq_keys, intent.category, locale, lead, text, vector)


def compose_general(text: str, locale: str, vector=None, unplaced: Composed | None = None) -> Composed:
    """A message no rule and no catalog category placed: a strong FAQ match, else the greeting for a hello, else a
    clarifying question that names what is missing (`unplaced`: the catalog's own "which title?" when the words
    asked about a title without naming one). The greeting is never the answer to a question it does not answer."""
    faq = compose_faq(text, "general", locale, vector)
    if not faq.clarify and not faq.tool_failed and faq.retrieval >= 0.8:
        return faq
    if unplaced is not None:
        return unplaced
    if intents.is_greeting(text):
        return Composed(_w("general.greeting", locale), retrieval=0.9)
    return Composed(say("general_clarify", locale), results=faq.results, clarify=True, retrieval=0.0)


def catalog_form(text: str) -> str | None:
    """What a catalog question asks (chat.intents.catalog_form), where an edition word inside a title the store
    sells is part of that title: "latest Blue Box volume" and 「めだかボックスの最新刊」 ask for a volume, not a box set."""
    form = intents.catalog_form(text)
    if form in ("box_set", "special"):
        edition = intents.EDITION_BOX if form == "box_set" else intents.EDITION_SPECIAL
        bare = search.without_names_matching(text, edition)
        if bare != text:
            return intents.catalog_form(bare)
    return form


def compose(text: str, classification: Classification, locale: str, customer, vector=None) -> Composed:
    """`vector`: the embedding of exactly `text` when the turn has it (embedded once per turn), else None.

    What the question's words say it asks (chat.intents: a genre, an edition, the latest volume, a series fact)
    comes before the classifier's category; the category decides the rest."""
    category = classification.category
    taste = intents.taste(text)
    form = catalog_form(text)
    if taste and not requested_volume(text) and form in (None, "stock", "recommendation", "about"):
        strong = tools.check_inventory(text, vector=vector)
        # a title named, not an author ("every Junji Ito you carry… what other horror?") or a synopsis matched
        named = strong.performed and strong.data and (search.title_score(text, strong.data[0].manga_id) >= 0.8 or (
            form == "recommendation" and intents.LIKE_A_TITLE.search(text)
            and _names_a_liked_title(intents.without_taste_words(text))))
        if not named:
            kind, value = taste
            asks_stock = intents.STOCK_ASK.search(text) is not None
            listed = "availability" if kind == "genre" and asks_stock and form != "recommendation" else "recommendation"
            return compose_taste(kind, value, listed, locale)
    if form == "recommendation":
        composed = compose_recommendation(text, classification, locale, vector)
        composed.category = "recommendation"
        # "something like X" with X found: the question said what it wants and the catalog named the title
        composed.certain = not composed.clarify and not composed.tool_failed and composed.retrieval >= 0.7
        return composed
    # The words name what is asked; a guess outside the catalog (a series fact read as a recommendation) does not
    # override them, and when the catalog cannot place the title the guess decides below. An order guess yields only
    # to a volume or a title plainly named: "I want buy all but if not finish I will wait" asks whether Frieren ended.
    if form is not None:
        composed = compose_catalog(text, category, locale, vector, form)
        if category == "order_status" and not (requested_volume(text) or composed.certain):
            return compose_order(text, customer, locale)
        # "tell me about X" or "how many vols of X" guessed as a policy question: a title plainly named is what it
        # asks about, anything less leaves it to the FAQ ("tell me about your return policy")
        if category in FAQ and not composed.certain:
            return compose_faq(text, category, locale, vector)
        if not composed.clarify or category in CATALOG:
            return composed
        if category == "general":
            return compose_general(text, locale, vector, unplaced=composed)
    if category in CATALOG:
        return compose_catalog(text, category, locale, vector)
    if category == "recommendation":
        return compose_recommendation(text, classification, locale, vector)
    if category == "order_status":
        return compose_order(text, customer, locale)
    if category in FAQ:
        return compose_faq(text, category, locale, vector)
    return compose_general(text, locale, vector)
