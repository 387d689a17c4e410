from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Human review")

    def ready(self):
        from common.metrics import register_gauge
        from reviews import degradation_alerts, signals  # noqa: F401

        def _depth():
            from reviews.queue import queue_depth

            return queue_depth()

        def _active():
            from reviews.availability import active_reviewer_count

            return active_reviewer_count()

        register_gauge("review_queue_depth", "Review tasks waiting for a reviewer", _depth)
        register_gauge("review_active_reviewers", "Reviewers checked in and active", _active)
