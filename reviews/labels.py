"""Translated display labels for the review models' choices, for the Japanese console, dashboard and admin.

The models' TextChoices carry English labels made from their values ("Order Status", "Pending"); rather than
change every model (and its migrations) the labels are listed here with gettext_noop so makemessages keeps them in
reviews' catalogue, and shown through `label()` (or `{% translate value %}` in a template).
"""

from django.utils.translation import gettext, gettext_noop

CHOICE_LABELS = [
    # chat.models.Category
    gettext_noop("Refund"), gettext_noop("Payment"), gettext_noop("Complaint"), gettext_noop("Legal"),
    gettext_noop("Order Status"), gettext_noop("Account"), gettext_noop("Availability"), gettext_noop("Product Info"),
    gettext_noop("Rare Manga"), gettext_noop("Shipping"), gettext_noop("Recommendation"), gettext_noop("General"),
    # ReviewTask.Status, Kind, Pool; RiskClass
    gettext_noop("Pending"), gettext_noop("Claimed"), gettext_noop("Approved"), gettext_noop("Edited"),
    gettext_noop("Rejected"), gettext_noop("Timed Out"), gettext_noop("Auto Delivered"), gettext_noop("Dead Lettered"),
    gettext_noop("Review"), gettext_noop("Handoff"), gettext_noop("Regular"), gettext_noop("Senior"),
    gettext_noop("Normal"), gettext_noop("High"),
    # chat.models.Message.Kind and the answers' statuses (shown in the console's conversation)
    gettext_noop("Text"), gettext_noop("Answer"), gettext_noop("Review Pending"), gettext_noop("Heartbeat"),
    gettext_noop("Notice"), gettext_noop("auto"), gettext_noop("reviewed"), gettext_noop("edited"),
    gettext_noop("human"), gettext_noop("clarify"), gettext_noop("timeout"), gettext_noop("fallback"),
    # Alert.Kind
    gettext_noop("Queue Depth"), gettext_noop("Oldest Pending"), gettext_noop("P1 Breach Rate"),
    gettext_noop("P2 Breach Rate"), gettext_noop("Reviewers Low"), gettext_noop("Dead Letter"),
    gettext_noop("Followup Waiting"), gettext_noop("Followup Overdue"),
]


def label(english: str) -> str:
    """The active language's label for a choice's English label."""
    return gettext(str(english))


def category_label(code: str) -> str:
    from chat.models import Category

    try:
        return label(Category(code).label)
    except ValueError:
        return code
