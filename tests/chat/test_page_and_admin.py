"""The chat page renders in Japanese by default (English on request) and the chat admin pages open."""

from datetime import timedelta

from django.utils import timezone

from chat.models import ChatSession, Message


def test_it_renders_the_page_in_japanese_by_default_and_english_on_request(client):
    ja = client.get("/")
    assert ja.status_code == 200 and '<html lang="ja">' in ja.text and "送信" in ja.text
    assert '"locale": "ja"' in ja.text and "/static/chat/chat.js" in ja.text
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in en.text and ">Send<" in en.text and '"locale": "en"' in en.text


def test_it_serves_the_widget_from_the_app_itself(client):
    for path in ("/static/chat/chat.js", "/static/chat/chat.css"):
        assert client.get(path).status_code == 200


def test_the_admin_lists_sessions_messages_and_overdue_promises(admin_client, db):
    session = ChatSession.objects.create()
    late = Message.objects.create(session=session, role="user", text="まだですか", client_id="c1",
                                  answer_deadline=timezone.now() - timedelta(seconds=5))
    assert admin_client.get("/admin/chat/chatsession/").status_code == 200
    assert admin_client.get(f"/admin/chat/chatsession/{session.pk}/change/").status_code == 200
    overdue = admin_client.get("/admin/chat/message/", {"promise": "overdue"})
    assert overdue.status_code == 200 and "まだですか" in overdue.text
    assert admin_client.get(f"/admin/chat/message/{late.pk}/change/").status_code == 200
