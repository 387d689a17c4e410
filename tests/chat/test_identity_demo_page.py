"""The demo chat page (DEBUG): choose a demo customer and the chat knows who you are; choose none and an order
question is answered with how to sign in."""

import pytest

from tests.factories import all_drafts_auto
from tests.e2e.browser import chromium, save_screenshot
from tests.support.processes import celery_worker, uvicorn_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ORDER = "注文番号 MA-260001 の配送状況を教えてください"


def _ask(page, text, count):
    page.fill("#input", text)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('.msg.assistant').length >= {count}", timeout=30000)
    return page.locator(".msg.assistant .body").nth(count - 1).inner_text()


def test_it_chats_as_the_chosen_demo_customer_and_anonymously(catalog_data):  # noqa: F811
    all_drafts_auto()
    with celery_worker(concurrency=1), chromium() as browser, uvicorn_server(DEBUG="1") as base:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
        page = context.new_page()
        page.goto(base + "/")
        page.wait_for_selector("#banner[hidden]", state="attached", timeout=10000)
        assert page.locator("#demo-customer option").count() == 4  # anonymous and the three demo customers
        page.select_option("#demo-customer", "C1001")
        answer = _ask(page, ORDER, 1)
        assert "MA-260001" in answer and "4829-1037-5521" in answer, answer  # C1001's own order, with tracking
        save_screenshot(page, "chat-demo-customer-390.png")

        page.select_option("#demo-customer", "")  # anonymous: a new conversation
        page.wait_for_function("() => document.querySelectorAll('.msg').length === 0", timeout=10000)
        answer = _ask(page, ORDER, 1)
        assert "ログイン" in answer and "4829-1037-5521" not in answer, answer
        context.close()


def test_the_page_offers_no_demo_customers_outside_debug(client, settings, catalog_data):  # noqa: F811
    settings.DEBUG = False
    page = client.get("/").content.decode()
    assert "demo-customer" not in page and "demoCustomers" not in page
