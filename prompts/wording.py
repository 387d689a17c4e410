"""The offline answer wording every prompt version must carry: template keys, their intent and their placeholders.

chat/generation.py fills these keys; a version's `templates` maps each key to {"ja": …, "en": …}. The formats of the
facts themselves (「title」 / "title", 1,234円 / ¥1,234, 在庫あり（3冊）) stay in code: the grounding check reads them.
"""

from string import Formatter

LANGUAGES = ("ja", "en")

# key → (intent, placeholders it may use)
TEMPLATE_KEYS: dict[str, tuple[str, frozenset[str]]] = {
    "common.could_not_check": ("common", frozenset()),
    "stock.out": ("catalog", frozenset()),
    "stock.in": ("catalog", frozenset({"count"})),
    "catalog.which_title": ("catalog", frozenset()),
    "catalog.not_carried": ("catalog", frozenset({"title", "volume"})),
    "catalog.volume": ("catalog", frozenset({"title", "volume", "stock", "price"})),
    "catalog.series": ("catalog", frozenset({"title", "author", "volumes", "status"})),
    "catalog.completed": ("catalog", frozenset()),
    "catalog.ongoing": ("catalog", frozenset()),
    "catalog.first_volume": ("catalog", frozenset({"volume", "stock", "price", "available"})),
    "catalog.rare": ("catalog", frozenset()),
    "recommendation.similar_intro": ("recommendation", frozenset({"title"})),
    "recommendation.intro": ("recommendation", frozenset()),
    "recommendation.item": ("recommendation", frozenset({"title", "reason", "synopsis"})),
    "recommendation.ask_genre": ("recommendation", frozenset()),
    "order.ask_number": ("order_status", frozenset()),
    "order.could_not_check": ("order_status", frozenset()),
    "order.not_found": ("order_status", frozenset({"number"})),
    "order.status": ("order_status", frozenset({"number", "status"})),
    "order.tracking": ("order_status", frozenset({"tracking", "carrier"})),
    **{f"order.status_{s}": ("order_status", frozenset())
       for s in ("placed", "paid", "shipped", "delivered", "cancelled", "refund_requested")},
    "faq.could_not_check": ("faq", frozenset()),
    "faq.clarify": ("faq", frozenset()),
    "faq.staff_follow_up": ("faq", frozenset()),
    "general.greeting": ("general", frozenset()),
}


def placeholders(template: str) -> list[str]:
    """The field names a template uses; raises ValueError on a malformed template (an unbalanced brace)."""
    return [field for _, field, _, _ in Formatter().parse(template) if field is not None]
