"""The console page costs the same number of SQL queries for 10 or 200 open tasks (it shows a bounded page).

The queries of one page (reviewer logged in, a task selected): session, user, the user's groups (roles), the
queue page (tasks joined to message, session, claimant), the queue COUNT, the reviewer's availability, the active
reviewer count, the selected task's conversation, the canned responses, and the admin's per-user permission
lookups for the navigation (each_context).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import console

from tests.factories import make_review_tasks

CONSOLE = "/admin/reviews/reviewtask/console/"

MAX_QUERIES = 12


@pytest.fixture
def small_page(monkeypatch):
    # With 200 tasks the page must be the bounded page (and the COUNT), not 200 rows.
    monkeypatch.setattr(console, "QUEUE_PAGE_SIZE", 50)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(CONSOLE).status_code == 200
    return len(ctx.captured_queries)


def test_it_renders_the_console_in_constant_queries(client, reviewer, small_page, django_assert_max_num_queries):
    client.force_login(reviewer)
    make_review_tasks(10)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(CONSOLE).status_code == 200
    ten = _queries(client)
    make_review_tasks(190)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(CONSOLE)
    assert response.context["total"] == 200 and len(response.context["rows"]) == 50
    assert _queries(client) == ten


def test_it_renders_the_queue_fragment_in_constant_queries(client, reviewer, small_page):
    client.force_login(reviewer)
    make_review_tasks(10)
    with CaptureQueriesContext(connection) as ten:
        client.get(f"{CONSOLE}queue/")
    make_review_tasks(190)
    with CaptureQueriesContext(connection) as two_hundred:
        client.get(f"{CONSOLE}queue/")
    assert len(ten.captured_queries) == len(two_hundred.captured_queries) <= 6
