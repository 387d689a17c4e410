"""Offline answers (LLM_BACKEND=local): per-intent templates filled only with what the catalog tools returned.

Every fact in an answer comes from a ToolResult. A tool that was not performed makes the answer say that it could
not check, never that there is nothing. Titles are quoted 「…」 (Japanese) or "…" (English) and prices and stock
figures are written in one fixed way, so the grounding check can find and verify every claim.
"""

import re
from dataclasses import dataclass, field

from catalog import tools
from chat.classifier import Classification

ORDER_NUMBER = re.compile(r"\bMA-?\d{6}\b", re.IGNORECASE)
VOLUME = re.compile(r"(\d{1,3})\s*巻|vol(?:ume)?\.?\s*(\d{1,3})|\b(\d{1,3})(?:st|nd|rd|th)?\s+volume", re.IGNORECASE)
CATALOG = {"availability", "product_info", "rare_manga"}
FAQ = {"shipping", "payment", "account", "refund", "complaint", "legal"}
FAQ_MIN_SCORE = 0.35
SERIES_MIN_SCORE = 0.45


@dataclass
class Composed:
    text: str
    sources: list[dict] = field(default_factory=list)
    results: list[tools.ToolResult] = field(default_factory=list)
    retrieval: float = 0.0  # strength of what the answer stands on, in [0, 1]
    tool_failed: bool = False
    clarify: bool = False  # the answer is a clarifying question


def _t(locale: str, ja: str, en: str) -> str:
    return ja if locale == "ja" else en


def title(hit, locale):
    return f"「{hit.title_ja}」" if locale == "ja" else f'"{hit.title_en}"'


def price(amount: int, locale: str) -> str:
    return f"{amount:,}円" if locale == "ja" else f"¥{amount:,}"


def stock_phrase(stock: int, locale: str) -> str:
    if stock <= 0:
        return _t(locale, "在庫切れ", "out of stock")
    return _t(locale, f"在庫あり（{stock}冊）", f"in stock ({stock} left)")


GENRE_JA = {
    "action": "アクション", "adventure": "冒険", "comedy": "コメディ", "cooking": "料理", "drama": "ドラマ",
    "fantasy": "ファンタジー", "historical": "歴史", "horror": "ホラー", "isekai": "異世界", "martial-arts": "格闘",
    "mecha": "ロボット", "medical": "医療", "music": "音楽", "mystery": "ミステリー", "psychological": "心理",
    "romance": "恋愛", "school": "学園", "sci-fi": "SF", "slice-of-life": "日常", "sports": "スポーツ",
    "supernatural": "超常", "thriller": "サスペンス",
}
DEMOGRAPHIC_JA = {"shonen": "少年", "shojo": "少女", "seinen": "青年", "josei": "女性", "kodomo": "児童"}


def genre_label(genre: str, locale: str) -> str:
    """A catalog genre tag as the customer reads it: Japanese in a Japanese answer, never the raw English tag."""
    if locale == "ja":
        return GENRE_JA.get(genre) or DEMOGRAPHIC_JA.get(genre) or genre
    return genre.replace("-", " ")


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
    return _t(locale, "申し訳ありません、ただいま在庫・商品情報を確認できませんでした。少し時間をおいてもう一度お試しいただくか、担当者からのご連絡をお待ちください。",
              "Sorry, I could not check the catalog just now. Please try again in a moment, or a member of our team will follow up.")


def requested_volume(text: str) -> int | None:
    match = VOLUME.search(text)
    if not match:
        return None
    return int(next(group for group in match.groups() if group))


def _series_sources(hits) -> list[dict]:
    return [{"type": "manga", "id": h.manga_id, "label": h.title_ja} for h in hits]


def compose_catalog(text: str, category: str, locale: str) -> Composed:
    result = tools.check_inventory(text)
    if not result.performed:
        return Composed(could_not_check(locale), results=[result], tool_failed=True)
    hits = [h for h in result.data if h.score >= SERIES_MIN_SCORE]
    if not hits:
        return Composed(_t(locale, "どの作品についてのお問い合わせか教えていただけますか？作品名（と巻数）をお知らせください。",
                           "Which title do you mean? Please tell me the series name (and the volume)."),
                        results=[result], clarify=True)
    hit = hits[0]
    volume = requested_volume(text)
    standard = [p for p in hit.products if p.edition == "standard"]
    product = next((p for p in standard if p.volume == volume), None) if volume else None
    sources = _series_sources([hit])
    lines = []
    if volume and product is None:
        lines.append(_t(locale, f"{title(hit, locale)}{volume}巻は当店では取り扱いがありません。",
                        f"We don't carry volume {volume} of {title(hit, locale)}."))
    elif product is not None:
        sources.append({"type": "product", "sku": product.sku})
        lines.append(_t(locale, f"{title(hit, locale)}{volume}巻は{stock_phrase(product.stock, locale)}、価格は{price(product.price_jpy, locale)}（税込）です。",
                        f"Volume {volume} of {title(hit, locale)} is {stock_phrase(product.stock, locale)} at {price(product.price_jpy, locale)} (tax included)."))
    if category == "product_info" or product is None:
        status = _t(locale, "完結" if hit.status == "completed" else "連載中", "completed" if hit.status == "completed" else "ongoing")
        author = hit.author if locale == "ja" else (hit.author_en or hit.author)
        lines.append(_t(locale, f"{title(hit, locale)}は{author}による作品で、既刊{hit.total_volumes}巻（{status}）です。",
                        f"{title(hit, locale)} is by {author}: {hit.total_volumes} volumes, {status}."))
        if product is None and standard:
            available = [p for p in standard if p.stock > 0]
            first = standard[0]
            sources.append({"type": "product", "sku": first.sku})
            lines.append(_t(locale, f"{first.volume}巻は{stock_phrase(first.stock, locale)}、{price(first.price_jpy, locale)}です。在庫のある巻は{len(available)}点です。",
                            f"Volume {first.volume} is {stock_phrase(first.stock, locale)} at {price(first.price_jpy, locale)}; {len(available)} volumes are in stock."))
    if category == "rare_manga" or hit.rare:
        lines.append(_t(locale, "希少な作品のため、在庫は変動しやすくなっています。", "This is a rare title, so stock changes quickly."))
    return Composed(" ".join(lines), sources=sources, results=[result], retrieval=hit.score)


def compose_recommendation(text: str, classification: Classification, locale: str) -> Composed:
    results = []
    anchor = tools.search_manga_catalog(text, limit=1)
    results.append(anchor)
    if not anchor.performed:
        return Composed(could_not_check(locale), results=results, tool_failed=True)
    if anchor.data and anchor.data[0].score >= 0.7:
        base = anchor.data[0]
        similar = tools.similar_manga(base.manga_id, limit=3)
        results.append(similar)
        if not similar.performed:
            return Composed(could_not_check(locale), results=results, tool_failed=True)
        picks, reason_of = similar.data, lambda h: sorted(set(h.genres) & set(base.genres))
        intro = _t(locale, f"{title(base, locale)}がお好きなら、こちらはいかがでしょう。", f"If you like {title(base, locale)}, try these:")
        strength = base.score
    else:
        filters = tools.SearchFilters(genre=classification.genre_hint, in_stock=True) if classification.genre_hint \
            else tools.SearchFilters(in_stock=True)
        found = tools.search_manga_catalog(text, filters, limit=3)
        results.append(found)
        if not found.performed:
            return Composed(could_not_check(locale), results=results, tool_failed=True)
        picks, reason_of = found.data, lambda h: list(h.genres[:2])
        intro = _t(locale, "おすすめはこちらです。", "Here are some picks:")
        strength = max((h.score for h in picks), default=0.0) if not classification.genre_hint else 0.8
    if not picks:
        return Composed(_t(locale, "どんなジャンルや作品がお好きか教えていただけますか？", "What genres or titles do you enjoy?"),
                        results=results, clarify=True)
    lines = [intro]
    for hit in picks:
        reason = ("・" if locale == "ja" else ", ").join(
            genre_label(g, locale) for g in (reason_of(hit) or [hit.demographic]))
        synopsis = hit.synopsis_ja if locale == "ja" else hit.synopsis_en
        lines.append(f"・{title(hit, locale)}（{reason}）{excerpt(synopsis, 60, locale)}" if locale == "ja"
                     else f"- {title(hit, locale)} ({reason}): {excerpt(synopsis, 100, locale)}")
    return Composed("\n".join(lines), sources=_series_sources(picks), results=results, retrieval=min(strength, 1.0))


def compose_order(text: str, customer, locale: str) -> Composed:
    number = ORDER_NUMBER.search(text)
    if not number:
        return Composed(_t(locale, "ご注文番号（例：MA-260001）を教えていただけますか？", "Could you tell me your order number (e.g. MA-260001)?"),
                        clarify=True)
    order_number = number.group(0).upper().replace("MA", "MA-").replace("MA--", "MA-")
    result = tools.lookup_order(order_number, customer)
    if not result.performed:
        return Composed(_t(locale, "申し訳ありません、ただいまご注文状況を確認できませんでした。担当者が確認してご連絡します。",
                           "Sorry, I could not check your order just now. A member of our team will follow up."),
                        results=[result], tool_failed=True)
    order = result.data
    if order is None:
        return Composed(_t(locale, f"ご注文番号 {order_number} は、お客様のご注文として見つかりませんでした。番号をご確認ください。",
                           f"I couldn't find order {order_number} under your account. Please check the number."),
                        results=[result], retrieval=0.5)
    status_ja = {"placed": "ご注文受付済み", "paid": "お支払い確認済み（発送準備中）", "shipped": "発送済み", "delivered": "配達完了",
                 "cancelled": "キャンセル済み", "refund_requested": "返金申請中"}[order.status]
    status_en = {"placed": "placed", "paid": "paid and being prepared", "shipped": "shipped", "delivered": "delivered",
                 "cancelled": "cancelled", "refund_requested": "refund requested"}[order.status]
    text = _t(locale, f"ご注文 {order.order_number} は{status_ja}です。", f"Order {order.order_number} is {status_en}.")
    if order.tracking_number:
        text += _t(locale, f" 追跡番号は {order.tracking_number}（{order.carrier}）です。",
                   f" Tracking number: {order.tracking_number} ({order.carrier}).")
    return Composed(text, sources=[{"type": "order", "number": order.order_number}], results=[result], retrieval=1.0)


def compose_faq(text: str, category: str, locale: str) -> Composed:
    result = tools.search_faq(text, locale)
    if not result.performed:
        return Composed(_t(locale, "申し訳ありません、ただいまご案内を確認できませんでした。担当者からご連絡します。",
                           "Sorry, I could not look that up just now. A member of our team will follow up."),
                        results=[result], tool_failed=True)
    best = result.data[0] if result.data else None
    if best is None or best.score < FAQ_MIN_SCORE:
        return Composed(_t(locale, "恐れ入りますが、もう少し詳しく教えていただけますか？", "Could you tell me a little more about your question?"),
                        results=[result], clarify=True, retrieval=best.score if best else 0.0)
    answer = best.answer
    if category in ("refund", "complaint", "legal"):
        answer += _t(locale, " 詳しくは担当者が確認いたします。", " A member of our team will look into the details.")
    return Composed(answer, sources=[{"type": "faq", "key": best.key}], results=[result],
                    retrieval=min(1.0, best.score / 0.6))


def compose_general(text: str, locale: str) -> Composed:
    faq = compose_faq(text, "general", locale)
    if not faq.clarify and not faq.tool_failed and faq.retrieval >= 0.8:
        return faq
    return Composed(_t(locale, "こんにちは、マンガアシストです。作品の在庫やおすすめ、ご注文・配送についてお気軽にお尋ねください。",
                       "Hello, this is MangaAssist. Ask me about stock, recommendations, orders or shipping."),
                    retrieval=0.9)


def compose(text: str, classification: Classification, locale: str, customer) -> Composed:
    category = classification.category
    if category in CATALOG:
        return compose_catalog(text, category, locale)
    if category == "recommendation":
        return compose_recommendation(text, classification, locale)
    if category == "order_status":
        return compose_order(text, customer, locale)
    if category in FAQ:
        return compose_faq(text, category, locale)
    return compose_general(text, locale)
