"""A customer on a phone: types in Japanese, sees the answer, survives a server restart."""

import pytest

from tests.factories import all_drafts_auto
from tests.e2e.browser import chromium, save_screenshot
from tests.support.processes import celery_worker, free_port, uvicorn_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FAST_RECONNECT = "window.MANGAASSIST_CONFIG = {pingEvery: 1000, pongTimeout: 1000, backoffStart: 200, backoffMax: 1000};"


def test_it_chats_in_japanese_and_resumes_after_the_server_comes_back(transactional_db):
    all_drafts_auto()  # the pipeline's answers go straight out: this test is about the page, not about review
    port = free_port()
    with celery_worker(concurrency=1), chromium() as browser:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP")
        context.add_init_script(FAST_RECONNECT)
        page = context.new_page()
        with uvicorn_server(port=port) as base:
            page.goto(base + "/")
            page.wait_for_selector("#banner[hidden]", state="attached", timeout=10000)
            page.fill("#input", "ワンピースの1巻はありますか？")
            page.keyboard.press("Enter")
            page.wait_for_selector(".msg.assistant", timeout=20000)
            assert page.locator(".msg.user .body").first.inner_text() == "ワンピースの1巻はありますか？"
            page.wait_for_function("() => document.querySelector('.msg.user .state').textContent === '回答済み'",
                                   timeout=10000)
            page.click(".msg.assistant .thumb-up")
            page.wait_for_function("() => document.getElementById('banner').textContent.includes('ご意見ありがとう')",
                                   timeout=10000)
            assert page.locator(".thumb-up").get_attribute("aria-pressed") == "true"
            save_screenshot(page, "chat-360.png")
        # the server is gone: the widget says so and keeps trying
        page.wait_for_function("() => !document.getElementById('banner').hidden", timeout=10000)
        assert page.locator("#banner").inner_text().startswith(("接続中", "接続できませんでした", "接続が切れています"))
        answers_before = page.locator(".msg.assistant").count()
        with uvicorn_server(port=port):
            page.wait_for_selector("#banner[hidden]", state="attached", timeout=20000)
            page.fill("#input", "2巻は？")
            page.keyboard.press("Enter")
            page.wait_for_function(f"() => document.querySelectorAll('.msg.assistant').length > {answers_before}",
                                   timeout=20000)
            # the conversation resumed on the same session: both questions and both answers, nothing twice
            assert page.locator(".msg.user").count() == 2
            assert page.locator(".msg.assistant").count() == answers_before + 1
            # a reload keeps the conversation (token and last_seen in localStorage, history over HTTP)
            page.reload()
            page.wait_for_function("() => document.querySelectorAll('.msg').length === 4", timeout=10000)
            texts = page.locator(".msg .body").all_inner_texts()
            assert texts[0] == "ワンピースの1巻はありますか？" and texts[2] == "2巻は？"
            page.wait_for_timeout(500)
            assert page.locator(".msg").count() == 4  # the resent backlog did not duplicate anything
        context.close()
    from feedback.models import Feedback

    assert Feedback.objects.filter(kind="thumb").count() == 1
