"""Who the customer is, as far as a turn cares: an order can only be looked up for a signed-in customer.

An anonymous customer asking about an order is told at once how to sign in (or how to reach us without signing
in), as a clarification that names what is missing: no lookup that cannot succeed, no review task for a question
nobody on our side can answer without knowing who is asking.
"""

import dataclasses

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from chat.drafts import Draft, StatusHint
from chat.models import ChatSession

NEEDS_SIGN_IN = {"order_status"}
SIGN_IN = gettext_noop(
    "To check an order I need to know who you are: please sign in to your account on the store and open this chat "
    "again from there, and I will look it up. If you cannot sign in, reset your password from the sign-in page, or "
    "write to %(email)s with your order number.")


def sign_in_text(locale: str) -> str:
    with translation.override(locale):
        return gettext(SIGN_IN) % {"email": settings.DEFAULT_FROM_EMAIL}


def needs_sign_in(session: ChatSession, category: str) -> bool:
    return category in NEEDS_SIGN_IN and session.customer_id is None


def unless_signed_in(session: ChatSession, draft: Draft) -> Draft:
    """The draft to route: for an anonymous customer's order question, the sign-in clarification instead."""
    if not needs_sign_in(session, draft.category):
        return draft
    text = sign_in_text(session.locale)
    draft.meta["identity"] = "sign_in_required"
    return dataclasses.replace(draft, text=text, clarify_text=text, status_hint=StatusHint.CLARIFY, sources=[])
