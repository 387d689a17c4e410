from django.urls import path

from reviews import api

urlpatterns = [
    path("api/v1/reviews/", api.ReviewListView.as_view(), name="review-list"),
    path("api/v1/reviews/bulk-approve/", api.BulkApproveView.as_view(), name="review-bulk-approve"),
    path("api/v1/reviews/<int:pk>/", api.ReviewDetailView.as_view(), name="review-detail"),
    path("api/v1/reviews/<int:pk>/claim/", api.ClaimView.as_view(), name="review-claim"),
    path("api/v1/reviews/<int:pk>/decision/", api.DecisionView.as_view(), name="review-decision"),
    path("api/v1/reviewers/check-in/", api.CheckInView.as_view(), name="reviewer-check-in"),
    path("api/v1/reviewers/check-out/", api.CheckOutView.as_view(), name="reviewer-check-out"),
    path("api/v1/threshold-changes/", api.ThresholdChangeListView.as_view(), name="threshold-change-list"),
    path("api/v1/threshold-changes/<int:pk>/", api.ThresholdChangeDetailView.as_view(), name="threshold-change-detail"),
    path("api/v1/threshold-changes/<int:pk>/simulate/", api.ThresholdChangeSimulateView.as_view(),
         name="threshold-change-simulate"),
    path("api/v1/threshold-changes/<int:pk>/approve/", api.ThresholdChangeApproveView.as_view(),
         name="threshold-change-approve"),
    path("api/v1/threshold-changes/<int:pk>/reject/", api.ThresholdChangeRejectView.as_view(),
         name="threshold-change-reject"),
]
