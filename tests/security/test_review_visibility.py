"""Item 5: the senior pool is hidden from regular reviewers on the detail view, like on the list."""

from reviews.escalation import route_draft
from reviews.models import ReviewTask
from tests.factories import api_client, customer_message, draft


def test_a_regular_reviewer_cannot_read_a_senior_pool_task(reviewer, senior):
    message = customer_message()
    route_draft(message, draft(0.6, "general", text="private draft for seniors"))
    task = ReviewTask.objects.get(message=message)
    ReviewTask.objects.filter(pk=task.pk).update(pool="senior", status="dead_lettered")
    hidden = api_client(reviewer).get(f"/api/v1/reviews/{task.pk}/")
    missing = api_client(reviewer).get("/api/v1/reviews/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()  # no hint that the task exists
    assert "private draft" not in hidden.content.decode()
    seen = api_client(senior).get(f"/api/v1/reviews/{task.pk}/")
    assert seen.status_code == 200 and seen.json()["draft_text"] == "private draft for seniors"
    assert seen.json()["claimed_by"] is None and seen.json()["decided_by"] is None
