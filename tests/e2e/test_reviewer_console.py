"""A reviewer works a live task in the admin console; the customer's chat widget shows the edited answer.

Real processes: uvicorn (HTTP, both WebSockets), a Celery worker, Redis; the system Chromium through Playwright.
The task is routed in the test process after the console is open: its push reaches the uvicorn process through
Redis (the "reviewers" group), and the reviewer's decision reaches the customer's page the same way.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import expect

from chat.models import ChatSession, Message
from reviews.escalation import route_draft
from reviews.models import ReviewTask
from tests.factories import customer_message, draft
from tests.e2e.browser import chromium, save_screenshot
from tests.support.processes import celery_worker, uvicorn_server, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]



def in_db_thread(fn):
    """Run ORM code beside Playwright's sync API (whose event loop makes Django refuse ORM calls in this thread)."""

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_it_reviews_a_live_task_and_the_customer_sees_the_edit(thresholds, reviewer):
    with celery_worker(), uvicorn_server() as base, chromium() as browser:
        # The customer opens the chat page: the widget's hello creates the session.
        customer = browser.new_context(locale="ja-JP")
        chat = customer.new_page()
        chat.goto(base + "/")
        session = wait_until(lambda: in_db_thread(lambda: ChatSession.objects.order_by("-id").first()),
                             timeout=15, message="the chat widget to open a session")

        # The reviewer logs in to the admin and opens the console; it goes live on ws/reviews/.
        staff = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
        page = staff.new_page()
        page.goto(base + "/admin/login/?next=/admin/reviews/reviewtask/console/")
        page.fill("#id_username", "rita")
        page.fill("#id_password", "pw-for-tests")
        page.click("input[type=submit]")
        expect(page.locator("#review-console")).to_have_attribute("data-live", "ws", timeout=15_000)
        page.click("#rc-checkin-form button[type=submit]")
        expect(page.locator("#rc-me")).to_have_attribute("data-checked-in", "1")
        expect(page.locator("#review-console")).to_have_attribute("data-live", "ws", timeout=15_000)

        # Work arrives while the page is open: other customers' tasks, then this customer's.
        def arrive():
            route_draft(customer_message(locale="en", text="I was charged twice"), draft(0.7, "refund"))
            route_draft(customer_message(text="おすすめの少女漫画は？"), draft(0.55, "recommendation"))
            question = Message.objects.create(session=session, role=Message.Role.USER,
                                              text="3巻はいつ発送されますか？")
            route_draft(question, draft(0.62, "shipping", text="3日以内に発送します。",
                                        sources=[{"type": "faq", "id": 1, "label": "配送について"}]))
            return ReviewTask.objects.get(message=question)

        task = in_db_thread(arrive)
        row = page.locator(f'tr[data-task-id="{task.pk}"]')
        # Well within the 30 s safety poll: this is the push.
        expect(row).to_be_visible(timeout=8_000)
        expect(chat.locator("li.msg.assistant.pending")).to_have_count(1, timeout=10_000)

        row.click()
        expect(page.locator("#rc-task")).to_have_attribute("data-task-id", str(task.pk))
        expect(page.locator("#rc-draft-text")).to_have_text("3日以内に発送します。")
        page.keyboard.press("c")
        expect(page.locator("#rc-task")).to_have_attribute("data-held", "1", timeout=10_000)
        page.keyboard.press("e")
        page.fill("#rc-edit-text", "明日、東京の倉庫から発送します。")
        save_screenshot(page, "reviewer-console.png")
        page.keyboard.press("Control+Enter")
        expect(page.locator("#rc-flash")).to_have_text("Sent to the customer.", timeout=10_000)
        # Auto-advance: the console moves on to the next waiting task by itself.
        expect(page.locator("#rc-task")).not_to_have_attribute("data-task-id", str(task.pk), timeout=10_000)
        expect(page.locator("#rc-task")).to_have_attribute("data-status", "pending")
        expect(row).to_have_count(0, timeout=10_000)

        answer = chat.locator('li.msg.assistant[data-status="edited"] .body')
        expect(answer).to_have_text("明日、東京の倉庫から発送します。", timeout=10_000)
    task.refresh_from_db()
    assert (task.status, task.decided_by_id) == ("edited", reviewer.pk)
