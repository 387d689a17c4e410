"""Fixed sentences of the offline answers that are the store's behaviour rather than catalog or FAQ data: the
goodbye, the honest "I am an AI assistant", the acknowledgement before a person takes over, the lead-ins of
genre lists, latest volumes, editions and delivery regions. English source strings, Japanese in chat/locale.

Facts (titles, prices, stock, FAQ answers) never come from here: they are filled in by chat/generation.py from the
tools' results, in the formats the grounding check reads.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

TEXTS = {
    "closer": _("Thank you for chatting with MangaAssist. If anything else comes up, just write here anytime."),
    "identity": _("I'm MangaAssist, an AI assistant (an automated chatbot), not a person. I can check stock, prices, "
                  "orders and the store's policies. If you'd like a member of our staff instead, just ask to talk to "
                  "a person and I'll pass the conversation to a human."),
    "ack_human_request": _("Of course. I'm passing this conversation to a member of our staff, who will reply here."),
    "ack_complaint": _("I'm very sorry for the trouble. I'm passing your message to a member of our staff, who will "
                       "look into it and reply to you here."),
    "ack_legal": _("Thank you, we have received your request. Because it concerns a legal or personal-data matter, "
                   "I'm passing it to the responsible member of our staff, who will reply to you here."),
    "ship_region": _("Yes, we deliver anywhere in Japan."),
    "genre_intro": _("In stock now in %(genre)s:"),
    "genre_item": _("%(title)s (%(count)s volumes in stock)"),
    "genre_none": _("Nothing in %(genre)s is in stock right now."),
    "staff_picks_intro": _("Here are our staff picks:"),
    "staff_picks_narrow": _("Tell me a genre you like or a title you enjoyed, and I'll find closer matches."),
    "story": _("The story: %(synopsis)s"),
    "latest_volume": _("The latest volume we carry of %(title)s is volume %(volume)s."),
    "edition": _("%(title)s %(edition)s: %(stock)s, %(price)s."),
    "edition_box_set": _("box set"),
    "edition_special": _("special edition"),
    "no_edition": _("We don't carry a %(edition)s of %(title)s."),
    "general_clarify": _("I'm not sure what you'd like to know. Could you tell me the title (and volume) you're "
                         "looking for, your order number, or the topic: shipping, payment, returns, or your account?"),
    "faq_clarify": _("Could you tell me which of these your question is about: shipping, payment, returns, or your "
                     "account?"),
}


def say(key: str, locale: str, **params) -> str:
    with translation.override(locale):
        text = str(TEXTS[key])
    return text % params if params else text
