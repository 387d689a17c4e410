"""Reviewer roles are Django groups (created by migration 0002): who may review, who is senior."""

REVIEWER = "reviewer"
SENIOR = "senior"
ML_LEAD = "ml_lead"
OPS = "ops"
ROLES = (REVIEWER, SENIOR, ML_LEAD, OPS)

# Admin permissions each group gets (app_label.codename). The README's permission matrix says the same in a table
# and tests/test_permissions.py checks every cell of it against the running admin and API. Migration
# 0006_role_permissions grants these to existing groups; `create_staff` keeps a group in sync when it runs.
_STORE = ["catalog.view_manga", "catalog.view_product", "catalog.view_faqentry"]
_CUSTOMERS = ["catalog.view_customer", "catalog.view_order"]  # reviewers see who asks and their orders
_CHAT = ["chat.view_message", "chat.view_chatsession"]
_REVIEW = ["reviews.view_reviewtask", "reviews.change_reviewtask", "reviews.view_escalationthreshold",
           "reviews.view_revieweravailability", "reviews.view_cannedresponse"]
_CHANGE_CONTROL_READ = ["reviews.view_thresholdproposal", "reviews.view_thresholdproposalevent",
                        "reviews.view_knowngoodstate", "prompts.view_prompttransition", "prompts.view_promptfreeze"]
_FEEDBACK_READ = ["feedback.view_feedback", "feedback.view_auditreport", "feedback.view_quarantineevent"]
GROUP_PERMISSIONS = {
    REVIEWER: [*_REVIEW, *_CHAT, *_STORE, *_CUSTOMERS],
    SENIOR: [*_REVIEW, *_CHAT, *_STORE, *_CUSTOMERS, "reviews.bulk_approve_reviewtask", "reviews.view_bulkapproval",
             "reviews.view_thresholdchange", "reviews.view_thresholdoverride", "reviews.view_alert",
             "reviews.add_cannedresponse", "reviews.change_cannedresponse", *_FEEDBACK_READ],
    ML_LEAD: ["reviews.view_escalationthreshold", "reviews.view_thresholdproposal", "reviews.add_thresholdproposal",
              "reviews.change_thresholdproposal", "reviews.view_thresholdproposalevent", "reviews.view_knowngoodstate",
              "reviews.view_thresholdchange", "reviews.view_thresholdoverride", "reviews.change_thresholdoverride",
              "reviews.view_reviewtask", "reviews.view_bulkapproval", "reviews.view_alert",
              "reviews.view_cannedresponse", *_CHAT, *_STORE,
              *_FEEDBACK_READ, "feedback.change_feedback", "feedback.view_competitorname",
              "feedback.add_competitorname", "feedback.change_competitorname",
              "prompts.view_promptversion", "prompts.add_promptversion", "prompts.change_promptversion",
              "prompts.view_prompttransition", "prompts.view_promptfreeze"],
    OPS: ["reviews.view_reviewtask", "reviews.view_alert", "reviews.change_alert", "reviews.view_revieweravailability",
          "reviews.view_thresholdoverride", "reviews.view_thresholdchange", "reviews.view_escalationthreshold",
          "reviews.view_bulkapproval", "reviews.view_cannedresponse", "reviews.add_cannedresponse",
          "reviews.change_cannedresponse", "reviews.delete_cannedresponse", *_CHAT, "chat.change_chatsession",
          *_STORE, *_CUSTOMERS, *_FEEDBACK_READ, "feedback.view_competitorname", "prompts.view_promptversion",
          *_CHANGE_CONTROL_READ],
}


def _groups(user) -> set[str]:
    cached = getattr(user, "_review_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._review_groups = cached
    return cached


def is_senior(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or SENIOR in _groups(user)))


def is_ml_lead(user) -> bool:
    """Who may propose, approve and revert threshold changes."""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or ML_LEAD in _groups(user)))


def is_reviewer(user) -> bool:
    """A reviewer is a staff account in the reviewer or senior group (or a superuser)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (user.is_staff and bool(_groups(user) & {REVIEWER, SENIOR}))


def allowed_pools(user) -> tuple[str, ...]:
    from reviews.models import ReviewTask

    if is_senior(user):
        return (ReviewTask.Pool.REGULAR, ReviewTask.Pool.SENIOR)
    return (ReviewTask.Pool.REGULAR,)
