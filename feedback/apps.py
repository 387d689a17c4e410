from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self):
        from chat import frames
        from feedback.collect import handle_feedback_frame

        frames.register("feedback", handle_feedback_frame)
