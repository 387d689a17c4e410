"""The permission matrix in the README, checked cell by cell against the running admin and API.

Every row of README.md's "Permission matrix" table is requested as each role (a staff account made by the real
`create_staff` command, so the groups get exactly what the code grants) and as a superuser. A page registered in
the admin without a row in the table fails the test, so the matrix cannot silently fall behind."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from chat.models import ChatSession, Message
from reviews.models import ReviewTask
from reviews.thresholds import ensure_default_thresholds

README = Path(__file__).resolve().parent.parent / "README.md"
ROLES = ["reviewer", "senior", "ml_lead", "ops", "superuser"]
ROW = re.compile(r"^\| `(GET|POST) ([^`]+)` \| [^|]+ \|((?: [✓—] \|){5})\s*$")


def matrix() -> list[tuple[str, str, dict[str, bool]]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Permission matrix"):]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        match = ROW.match(line)
        if match:
            cells = [c.strip() for c in match.group(3).split("|") if c.strip()]
            rows.append((match.group(1), match.group(2), dict(zip(ROLES, (c == "✓" for c in cells)))))
    return rows


MATRIX = matrix()


def test_it_has_a_row_for_every_admin_page():
    listed = {path for _, path, _ in MATRIX}
    missing = [f"/admin/{m._meta.app_label}/{m._meta.model_name}/" for m in admin.site._registry
               if f"/admin/{m._meta.app_label}/{m._meta.model_name}/" not in listed]
    assert MATRIX and not missing, f"add these admin pages to README's permission matrix: {missing}"


@pytest.fixture
def accounts(db):
    ensure_default_thresholds()
    users = {}
    for role in ROLES[:4]:
        call_command("create_staff", f"staff-{role}", "--role", role, stdout=StringIO(), stderr=StringIO())
        users[role] = get_user_model().objects.get(username=f"staff-{role}")
    users["superuser"] = get_user_model().objects.create_superuser("root", password="pw-for-tests")
    return users


def _pending_task() -> ReviewTask:
    now = timezone.now()
    session = ChatSession.objects.create()
    message = Message.objects.create(session=session, role=Message.Role.USER, text="送料はいくらですか？")
    return ReviewTask.objects.create(message=message, session=session, category="shipping", priority=3,
                                     confidence=0.6, draft_text="全国一律500円です。", created_at=now,
                                     sla_deadline=now + timezone.timedelta(minutes=4),
                                     timeout_at=now + timezone.timedelta(minutes=5))


@pytest.mark.parametrize("role", ROLES)
def test_it_grants_exactly_what_the_matrix_says(accounts, role, client):
    user = accounts[role]
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    wrong = []
    for method, path, allowed in MATRIX:
        url = path.replace("{task}", str(_pending_task().pk)) if "{task}" in path else path
        if path.startswith("/api/"):
            data = {"decision": "approve"} if path.endswith("/decision/") else {}
            response = api.post(url, data, format="json") if method == "POST" else api.get(url)
            granted = response.status_code not in (401, 403)
        else:
            response = client.post(url) if method == "POST" else client.get(url)
            assert response.status_code in (200, 403), (role, url, response.status_code)
            granted = response.status_code == 200
        if granted != allowed[role]:
            wrong.append(f"{method} {url}: {response.status_code}, matrix says {'✓' if allowed[role] else '—'}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
