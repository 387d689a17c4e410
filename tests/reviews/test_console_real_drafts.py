"""The console renders every draft the real pipeline produces: every category and every source type (series,
product, order, FAQ, none), on the console page and in the task fragment, for every role that may review.

The drafts come from chat.pipeline.produce_draft on real questions against the test catalog (real series, products,
FAQ, customers and orders) — not hand-made dicts — and are opened as review tasks whatever their confidence."""

import pytest
from django.contrib.auth.models import Group

from catalog.models import Customer
from chat.memory import load_memory
from chat.models import ChatSession, Message
from chat.pipeline import produce_draft
from reviews import roles
from reviews.escalation import open_task
from reviews.models import ReviewTask, Route
from reviews.thresholds import decide, ensure_default_thresholds

CONSOLE = "/admin/reviews/reviewtask/console/"

# (locale, question, signed-in customer) — between them every category the classifier knows and every source type.
QUESTIONS = [
    ("ja", "開封済みの本は返品できますか？返金してほしいです", "C1001"),
    ("en", "I want a refund for my damaged copy of ONE PIECE volume 1", None),
    ("ja", "支払い方法は何がありますか？", None),
    ("en", "My credit card was charged twice, please fix the payment", None),
    ("ja", "届いた本が破れていました。対応がひどいです", None),
    ("en", "I will contact a lawyer about the copyright of your scans", None),
    ("ja", "MA-260001 の配送状況を教えてください", "C1001"),
    ("en", "Where is my order MA-260002?", "C1002"),
    ("ja", "パスワードを忘れました。", None),
    ("ja", "ONE PIECEの1巻の在庫はありますか？", None),
    ("en", "Is volume 3 of Attack on Titan in stock?", None),
    ("ja", "進撃の巨人について教えてください", None),
    ("en", "Do you have any rare first editions of Berserk?", None),
    ("ja", "送料はいくらですか？", None),
    ("en", "Can you recommend a manga like Death Note?", None),
    ("ja", "こんにちは", None),
]


@pytest.fixture
def real_tasks(catalog_data, trained_classifier):  # noqa: F811
    ensure_default_thresholds()
    tasks = []
    for locale, text, customer in QUESTIONS:
        session = ChatSession.objects.create(
            locale=locale, customer=Customer.objects.get(external_id=customer) if customer else None)
        message = Message.objects.create(session=session, role=Message.Role.USER, text=text)
        draft = produce_draft(message, load_memory(session, before=message))
        decision = decide(draft.category, draft.confidence, customer=session.customer)
        kind = ReviewTask.Kind.HANDOFF if decision.route == Route.HANDOFF else ReviewTask.Kind.REVIEW
        open_task(message, draft, decision, kind)
        tasks.append(ReviewTask.objects.get(message=message))
    return tasks


def _user(django_user_model, role):
    if role == "superuser":
        return django_user_model.objects.create_superuser(username="root", password="pw-for-tests")
    user = django_user_model.objects.create_user(username=f"u-{role}", password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def test_it_covers_every_source_type_and_the_high_risk_categories(real_tasks):
    kinds = {s.get("type") for t in real_tasks for s in t.draft.get("sources") or []}
    assert {"faq", "product", "order", "manga"} <= kinds
    assert any(not t.draft.get("sources") for t in real_tasks)
    categories = {t.category for t in real_tasks}
    assert {"refund", "payment", "order_status", "availability", "shipping"} <= categories, categories


@pytest.mark.parametrize("role", [roles.REVIEWER, roles.SENIOR, "superuser"])
def test_it_renders_the_console_and_every_task_for_real_drafts(real_tasks, client, django_user_model, role):
    user = _user(django_user_model, role)
    client.force_login(user)
    page = client.get(CONSOLE)
    assert page.status_code == 200
    for task in real_tasks:
        for url in (f"{CONSOLE}?task={task.pk}", f"{CONSOLE}task/{task.pk}/"):
            response = client.get(url)
            assert response.status_code == 200, (url, task.category, task.draft.get("sources"))
            body = response.content.decode()
            assert f'data-task-id="{task.pk}"' in body
            assert body.count('class="rc-source"') == len(task.draft.get("sources") or [])


def test_it_shows_what_each_source_is_in_the_reviewers_language(real_tasks, client, django_user_model):
    client.force_login(_user(django_user_model, roles.REVIEWER))
    by_type = {}
    for task in real_tasks:
        for s in task.draft.get("sources") or []:
            by_type.setdefault(s["type"], (task, s))
    task, faq = by_type["faq"]
    body = client.get(f"{CONSOLE}task/{task.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert faq["key"] in body and "よくある質問" in body
    task, order = by_type["order"]
    body = client.get(f"{CONSOLE}task/{task.pk}/").content.decode()
    assert order["number"] in body and "注文" in body
    task, product = by_type["product"]
    body = client.get(f"{CONSOLE}task/{task.pk}/").content.decode()
    assert product["sku"] in body and "在庫" in body


def test_it_shows_the_signed_in_customers_record_and_orders_beside_the_draft(real_tasks, client, django_user_model):
    client.force_login(_user(django_user_model, roles.REVIEWER))
    task = next(t for t in real_tasks if t.session.customer and t.session.customer.external_id == "C1001")
    body = client.get(f"{CONSOLE}task/{task.pk}/").content.decode()
    assert 'id="rc-customer"' in body and "C1001" in body and "MA-260001" in body and "発送済み" in body
    assert "Shipped" not in body  # no English inside the Japanese console
    anonymous = next(t for t in real_tasks if t.session.customer is None)
    body = client.get(f"{CONSOLE}task/{anonymous.pk}/").content.decode()
    assert "ログインしていないお客様" in body
