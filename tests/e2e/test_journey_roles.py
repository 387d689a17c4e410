"""One evening at the store, on the launcher stack, a browser per role, with real pipeline drafts.

The customer (a 390 px phone, Japanese) asks about stock and about a refund; both go to review and the page shows
one live "checking" indicator per question with an estimated wait. A reviewer answers the stock question (a canned
sentence inserted at the cursor) and is asked before a one-key approve of the refund draft. The refund times out:
the customer is told a specialist follows up and is asked for an address, and leaves one. Operations see it on the
dashboard; a senior answers the follow-up. The tests run in file order and share the stack and the customer's page.
Screenshots go to test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import chromium, save_screenshot
from tests.e2e.stack import PASSWORD, start_stack, stop_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STOCK = "ONE PIECEの1巻の在庫はありますか？"
REFUND = "開封済みの漫画を返品して返金してもらえますか？"
FAST = "window.MANGAASSIST_CONFIG = {pingEvery: 2000, pongTimeout: 2000, backoffStart: 200, backoffMax: 1000, receiptTimeout: 3000};"


@pytest.fixture(scope="module")
def stack():
    stack = start_stack()
    try:
        yield stack
    finally:
        stop_stack(stack)


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def customer(stack, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="ja-JP")
    context.add_init_script(FAST)
    page = context.new_page()
    page.goto(stack.base + "/")
    yield page
    context.close()


def staff_page(stack, browser, username, path="/admin/reviews/reviewtask/console/"):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.goto(stack.base + "/admin/login/?next=" + path)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return page


def user_bubble(page, text):
    return page.locator(".msg.user", has_text=text)


def test_it_greets_the_customer_and_shows_one_live_indicator_per_question(customer):
    page = customer
    expect(page.locator("#greeting")).to_contain_text("マンガアシスト")
    expect(page.locator("#greeting .example")).to_have_count(4)
    expect(page.locator("#banner")).to_be_hidden(timeout=20_000)
    save_screenshot(page, "customer-01-greeting-390.png")

    page.locator("#greeting .example", has_text=STOCK).click()
    expect(page.locator(".msg.checking")).to_have_count(1, timeout=60_000)
    page.fill("#input", REFUND)
    page.keyboard.press("Enter")
    expect(page.locator(".msg.checking")).to_have_count(2, timeout=60_000)
    first = page.locator(".msg.checking").first
    expect(first).to_contain_text("担当者が回答を確認しています")
    expect(first.locator(".state")).to_contain_text(re.compile("目安：あと約\\d+分|まもなく"))
    # Heartbeats arrive every 5 s: after three of them there are still exactly two indicators, nothing stacked.
    page.wait_for_timeout(16_000)
    expect(page.locator(".msg.checking")).to_have_count(2)
    expect(page.locator(".msg.assistant")).to_have_count(2)
    expect(user_bubble(page, STOCK).locator(".state")).to_have_text("確認中")
    save_screenshot(page, "customer-02-waiting-390.png")


def test_it_lets_a_reviewer_answer_with_sources_customer_and_canned_text(stack, browser, customer):
    stack.staff("rita", "reviewer")
    page = staff_page(stack, browser, "rita")
    expect(page.locator("#review-console")).to_have_attribute("data-live", "ws", timeout=20_000)
    page.click("#rc-checkin-form button[type=submit]")
    expect(page.locator("#rc-me")).to_have_attribute("data-checked-in", "1")
    page.locator("a.rc-open", has_text="ONE PIECE").click()
    task = page.locator("#rc-task")
    expect(task).to_contain_text(STOCK)
    expect(task.locator(".rc-source").first).to_be_visible()
    expect(task.locator(".rc-sources")).to_contain_text(re.compile("作品|商品"))
    expect(task.locator("#rc-customer")).to_contain_text("ログインしていないお客様")
    page.keyboard.press("c")
    expect(task.locator("[data-action=release]")).to_be_visible(timeout=10_000)
    box = page.locator("#rc-edit-text")
    draft = box.input_value()
    box.click()
    box.press("End")
    box.press("Control+End")
    page.locator("button[data-canned]", has_text="締めのあいさつ").click()
    value = box.input_value()
    assert value.startswith(draft.rstrip()[:20]) and value.endswith("お気軽にお問い合わせください。"), value
    save_screenshot(page, "reviewer-01-task-with-sources.png")
    page.locator("#rc-edit-form button[type=submit]").click()
    # Auto-advance: the next task (the refund) is on screen without a keypress.
    expect(page.locator("#rc-task")).to_have_attribute("data-risk", "high", timeout=15_000)
    expect(page.locator("#rc-task h2")).to_contain_text("返金")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.keyboard.press("a")
    page.wait_for_timeout(1000)
    assert dialogs and "高リスク" in dialogs[0]
    expect(page.locator("#rc-task")).to_have_attribute("data-status", "pending")
    save_screenshot(page, "reviewer-02-auto-advanced-to-refund.png")
    page.context.close()

    # The customer's answer sits under its question; its indicator is gone, the refund's is still there.
    expect(customer.locator(".msg.assistant.checking")).to_have_count(1, timeout=20_000)
    answer = customer.locator(".msg.assistant:not(.checking)").first
    expect(answer).to_contain_text("お気軽にお問い合わせください。")
    order = customer.evaluate("() => Array.from(document.querySelectorAll('#messages > li')).map(li => li.className)")
    assert order.index("msg user") < order.index("msg assistant") , order
    expect(user_bubble(customer, STOCK).locator(".state")).to_have_text("回答済み")
    save_screenshot(customer, "customer-03-answered-390.png")


def test_it_keeps_the_refund_promise_and_asks_the_customer_for_an_address(customer):
    page = customer
    notice = page.locator(".msg.assistant", has_text="専門の担当者")
    expect(notice).to_be_visible(timeout=150_000)
    expect(notice).to_contain_text("メールアドレス")
    # The store's notice, not an unverified answer: its own label, no thumbs to rate it.
    expect(notice).to_have_class(re.compile("store-notice"))
    expect(notice.locator(".state")).to_have_text("ストアからのお知らせ")
    expect(notice.locator(".thumbs")).to_have_count(0)
    expect(page.locator(".msg.checking")).to_have_count(0)
    page.fill("#input", "連絡先は taro.yamada@example.jp です")
    page.keyboard.press("Enter")
    saved = page.locator(".msg.assistant", has_text="taro.yamada@example.jp")
    expect(saved).to_be_visible(timeout=60_000)
    expect(saved.locator(".thumbs")).to_have_count(0)
    save_screenshot(page, "customer-04-specialist-and-address-390.png")


def test_it_says_so_when_the_line_is_lost_and_follows_the_language_switch(customer):
    page = customer
    page.context.set_offline(True)
    page.evaluate("() => window.dispatchEvent(new Event('offline'))")
    page.fill("#input", "まだですか？")
    page.keyboard.press("Enter")
    expect(page.locator("#banner")).to_contain_text("接続が切れています", timeout=10_000)
    expect(user_bubble(page, "まだですか？").locator(".state")).to_contain_text("未送信")
    save_screenshot(page, "customer-05-offline-390.png")
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(user_bubble(page, "まだですか？").locator(".state")).to_have_text(re.compile("送信済み|確認中|回答済み"),
                                                                          timeout=30_000)
    # iOS: a hidden tab closes its socket; showing it again reconnects.
    page.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    page.wait_for_function("() => window.MangaAssistChat.state.ws === null", timeout=5000)
    page.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    page.wait_for_function("() => window.MangaAssistChat.state.ws && window.MangaAssistChat.state.ws.readyState === 1",
                           timeout=10_000)
    page.click("#lang-toggle")
    expect(user_bubble(page, STOCK).locator(".state")).to_have_text("Answered")
    expect(page.locator("#greeting")).to_contain_text("MangaAssist")
    page.click("#lang-toggle")
    expect(user_bubble(page, STOCK).locator(".state")).to_have_text("回答済み")


def test_it_shows_operations_the_customer_side_and_the_waiting_followup(stack, browser):
    stack.staff("olga", "ops")
    page = staff_page(stack, browser, "olga", "/admin/reviews/reviewtask/dashboard/")
    body = page.locator("#content")
    expect(body).to_contain_text("お客様側")
    expect(body).to_contain_text("フォローアップ")
    assert not re.search(r"\b(Pending|Order Status|Followup Waiting)\b", body.inner_text())
    save_screenshot(page, "ops-01-dashboard.png")
    for path in ("/admin/feedback/feedback/", "/admin/feedback/auditreport/", "/admin/reviews/cannedresponse/",
                 "/admin/prompts/promptversion/", "/admin/feedback/quarantineevent/"):
        response = page.goto(stack.base + path)
        assert response.status == 200, path
    assert page.goto(stack.base + "/admin/reviews/reviewtask/console/").status == 403
    page.context.close()


def test_it_lets_a_senior_answer_the_followup_by_chat_and_mail(stack, browser, customer):
    stack.staff("sato", "senior")
    page = staff_page(stack, browser, "sato")
    expect(page.locator("#review-console")).to_have_attribute("data-live", "ws", timeout=20_000)
    page.click("#rc-checkin-form button[type=submit]")
    row = page.locator("tr.rc-row", has_text="フォローアップ")
    expect(row).to_be_visible(timeout=10_000)
    row.locator("a.rc-open").click()
    task = page.locator("#rc-task")
    expect(task).to_contain_text("フォローアップ期限")
    expect(task).to_contain_text("taro.yamada@example.jp")
    page.keyboard.press("c")
    expect(task.locator("[data-action=release]")).to_be_visible(timeout=10_000)
    page.fill("#rc-edit-text", "返金を承りました。返送用の伝票をメールでお送りします。")
    save_screenshot(page, "senior-01-followup.png")
    page.locator("#rc-edit-form button[type=submit]").click()
    expect(customer.locator(".msg.assistant", has_text="返送用の伝票")).to_be_visible(timeout=30_000)
    save_screenshot(customer, "customer-06-specialist-reply-390.png")
    page.context.close()


ADMIN_CHANGELISTS = [
    "catalog/manga", "catalog/product", "catalog/customer", "catalog/order", "catalog/faqentry",
    "prompts/promptversion", "prompts/prompttransition", "prompts/promptfreeze", "chat/chatsession", "chat/message",
    "reviews/escalationthreshold", "reviews/thresholdproposal", "reviews/thresholdproposalevent",
    "reviews/knowngoodstate", "reviews/thresholdchange", "reviews/thresholdoverride", "reviews/reviewtask",
    "reviews/bulkapproval", "reviews/revieweravailability", "reviews/alert", "reviews/cannedresponse", "feedback/feedback",
    "feedback/competitorname", "feedback/quarantineevent", "feedback/auditreport",
]
# Words of the English labels (model, field and choice names) that must not show on a Japanese admin page.
ENGLISH = re.compile(r"\b(Pending|Claimed|Approved|Rejected|Timed Out|Auto Delivered|Dead Lettered|Order Status|Refund|"
                     r"Payment|Complaint|Availability|Product Info|Rare Manga|Recommendation|General|Review|Handoff|"
                     r"Regular|Senior|Normal|High|Assistant|Heartbeat|Notice|Thumb|Correction|Quarantine|Release|"
                     r"Ongoing|Completed|Standard|Shipped|Delivered|Placed|Paid|Cancelled|Followup|Alert|Proposal|"
                     r"Threshold|Feedback|Session|Message|Customer|Product|Order|Manga|created at|updated at|status|"
                     r"category|kind|priority|confidence|reason)\b")
JST_TIME = """
from zoneinfo import ZoneInfo
from django.utils import dateformat, timezone
from reviews.models import ReviewTask
task = ReviewTask.objects.order_by("-created_at").first()
print(dateformat.format(timezone.localtime(task.created_at, ZoneInfo("Asia/Tokyo")), "Y年n月j日G:i"))
"""


def test_it_labels_every_admin_page_in_japanese_with_times_in_jst(stack, browser):
    stack.manage("shell", "-c", "from django.contrib.auth.models import User; "
                 f"User.objects.create_superuser('ada', 'ada@example.com', '{PASSWORD}')")
    page = staff_page(stack, browser, "ada", "/admin/")
    expect(page.locator("#content")).to_contain_text("人によるレビュー")
    found = {}
    for changelist in ADMIN_CHANGELISTS:
        path = f"/admin/{changelist}/"
        assert page.goto(stack.base + path).status == 200, path
        labels = " | ".join(" ".join(page.locator(selector).all_inner_texts())
                            for selector in ("#content h1", "#result_list thead th", "#changelist-filter h3",
                                             "#changelist-filter li a", "select[name=action] option"))
        # choice columns (status badges and the like) show their label: those cells are checked too
        cells = page.locator("#result_list td.field-status, #result_list td.field-kind, #result_list "
                             "td.field-category, #result_list td.field-pool, #result_list td.field-risk_class, "
                             "#result_list td.field-source, #result_list td.field-action, "
                             "#result_list td.field-role, #result_list td.field-value").all_inner_texts()
        text = labels + " | " + " ".join(cells)
        english = sorted(set(ENGLISH.findall(text)))
        if english:
            found[path] = english
    save_screenshot(page, "superuser-01-admin-changelist-ja.png")
    assert found == {}
    page.goto(stack.base + "/admin/reviews/reviewtask/")
    jst = stack.manage("shell", "-c", JST_TIME).strip().splitlines()[-1]  # the shell announces its imports first
    expect(page.locator("#result_list")).to_contain_text(jst)
    page.context.close()


def test_it_tells_a_customer_who_asked_for_a_person_that_one_is_being_fetched(stack, browser):
    """Not "a staff member is checking the answer": there is no answer, the question goes to a person."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="ja-JP")
    context.add_init_script(FAST)
    page = context.new_page()
    page.goto(stack.base + "/")
    expect(page.locator("#banner")).to_be_hidden(timeout=20_000)
    page.fill("#input", "すみません、担当の方と直接お話しできますか")
    page.keyboard.press("Enter")
    waiting = page.locator(".msg.checking")
    expect(waiting).to_contain_text("担当者におつなぎしています", timeout=60_000)
    expect(waiting).not_to_contain_text("回答を確認")
    page.wait_for_timeout(6_000)  # a heartbeat later the indicator still says what the wait is for
    expect(waiting).to_contain_text("担当者におつなぎしています")
    save_screenshot(page, "customer-07-handoff-390.png")
    context.close()
