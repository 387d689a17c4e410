"""Helpers shared by the chat tests and the chat page's browser test."""


def all_drafts_auto() -> None:
    """Every draft goes straight out (AUTO): for tests about transport and order, not about review.

    Transactional tests start with empty tables; worker subprocesses read the thresholds from the database at their
    first turn (the root conftest dropped Redis' version key), so they see these rows too."""
    from chat.models import Category
    from reviews.models import EscalationThreshold
    from reviews.thresholds import reset_cache

    for category in Category.values:
        EscalationThreshold.objects.update_or_create(
            category=category, defaults={"auto_respond_min": 0.0, "review_min": 0.0, "handoff_below": 0.0,
                                         # the seeded evening peak profile would apply 19–23 JST otherwise
                                         "peak_auto_respond_min": None, "peak_review_min": None,
                                         "peak_handoff_below": None})
    reset_cache()
