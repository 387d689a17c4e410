from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        from chat import frames
        from feedback.collect import handle_feedback_frame

        frames.register("feedback", handle_feedback_frame)
