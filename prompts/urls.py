from django.urls import path

from prompts import api

urlpatterns = [
    path("api/v1/prompts/", api.PromptListView.as_view(), name="prompt-list"),
    path("api/v1/prompts/rollback/", api.RollbackView.as_view(), name="prompt-rollback"),
    path("api/v1/prompts/freeze/", api.FreezeView.as_view(), name="prompt-freeze"),
    path("api/v1/prompts/<int:pk>/", api.PromptDetailView.as_view(), name="prompt-detail"),
    path("api/v1/prompts/<int:pk>/approve/", api.ApproveView.as_view(), name="prompt-approve"),
    path("api/v1/prompts/<int:pk>/reject/", api.RejectView.as_view(), name="prompt-reject"),
]
