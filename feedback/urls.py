from django.urls import path

from feedback.views import FeedbackView

urlpatterns = [
    path("api/v1/feedback", FeedbackView.as_view(), name="feedback-create"),
]
