"""The project-wide templates: error pages and admin branding in both languages, the shared language switch, e-mails."""

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils import translation

from common.mail import mail_customer, mail_operations


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("ja", "ページが見つかりません"), ("en", "Page not found")])
def test_it_shows_a_branded_404_page_in_the_visitors_language(client, language, title):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    page = response.content.decode()
    assert title in page and f'<html lang="{language}">' in page
    assert 'action="/i18n/setlang/"' in page  # the visitor can switch language from the error page


@pytest.mark.django_db
def test_it_keeps_404_under_the_api_as_json(client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_it_shows_a_403_page_to_a_user_without_the_role(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("plain", is_staff=False))
    response = client.get("/admin/reviews/reviewtask/console/", HTTP_ACCEPT_LANGUAGE="en", follow=False)
    # the admin sends non-staff users to its login page; a role-less staff user gets the 403 page
    assert response.status_code in (302, 403)
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/reviews/reviewtask/console/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Access denied" in page and "Only reviewers can use the review console." in page


def test_it_renders_the_500_page_without_a_request_context():
    from common.api import server_error  # importing it before DRF's settings are read is circular

    request = RequestFactory().get("/chat/")
    with translation.override("ja"):
        page = server_error(request).content.decode()
    assert "問題が発生しました" in page and "setlang" not in page  # no form that could not pass CSRF


@pytest.mark.django_db
def test_it_switches_language_through_djangos_set_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "brand"), [("ja", "マンガストア カスタマーサポート"),
                                                 ("en", "Manga store customer support")])
def test_it_brands_the_admin_with_the_store_in_both_languages(admin_client, language, brand):
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert brand in page and 'action="/i18n/setlang/"' in page


def test_it_mails_operations_alerts_in_both_languages(settings):
    settings.ALERT_EMAILS = ["ops@example.com"]
    assert mail_operations("Review queue depth 90 > 50", "Review queue depth 90 > 50", "/admin/reviews/alert/7/change/")
    (sent,) = mail.outbox
    assert sent.to == ["ops@example.com"] and sent.subject == "[MangaAssist] Review queue depth 90 > 50"
    assert "運用アラートが発生しました" in sent.body and "An operations alert was raised." in sent.body
    assert sent.body.count("/admin/reviews/alert/7/change/") == 1


def test_it_sends_no_operations_mail_when_nobody_is_listed(settings):
    settings.ALERT_EMAILS = []
    assert mail_operations("x", "y", "/admin/") is False and mail.outbox == []


def test_it_mails_the_broken_promise_in_both_languages():
    assert mail_customer("reader@example.com", "customer_fallback", "en", question="「ワンピース」の100巻はありますか？")
    (sent,) = mail.outbox
    assert sent.subject == "【MangaAssist】お問い合わせについて / About your question to MangaAssist"
    assert "お問い合わせ内容: 「ワンピース」の100巻はありますか？" in sent.body
    assert "Your question: 「ワンピース」の100巻はありますか？" in sent.body and "&" not in sent.body


@pytest.mark.parametrize(("locale", "subject"), [("ja", "【MangaAssist】担当者からのご回答"),
                                                 ("en", "Our specialist's reply to your question")])
def test_it_mails_a_specialists_reply_in_the_customers_language(locale, subject):
    assert mail_customer("reader@example.com", "customer_followup", locale, body="返金手続きを完了しました。")
    (sent,) = mail.outbox
    assert sent.subject == subject and sent.body.startswith("返金手続きを完了しました。")


def test_it_reports_a_mail_server_failure_instead_of_raising(settings):
    settings.EMAIL_BACKEND = "tests.foundation.test_pages_and_mail.BrokenBackend"
    assert mail_customer("reader@example.com", "customer_followup", "en", body="Here is our answer.") is False


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")
