from django.urls import path

from chat import api, views

urlpatterns = [
    path("", views.chat_page, name="chat-page"),
    path("api/v1/sessions", api.create_session, name="session-create"),
    path("api/v1/sessions/<uuid:session_id>/messages", api.session_messages, name="session-messages"),
]
