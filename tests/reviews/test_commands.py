from io import StringIO

from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tests.factories import api_client


def test_it_creates_a_staff_reviewer_with_a_token(thresholds, client):
    out = StringIO()
    call_command("create_staff", "kenji", "--role", "senior", stdout=out, stderr=StringIO())
    token = out.getvalue().strip()
    user = Token.objects.get(key=token).user
    assert user.is_staff and user.groups.filter(name="senior").exists()
    assert user.has_perm("reviews.bulk_approve_reviewtask")
    response = client.get("/api/v1/reviews/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    again = StringIO()
    call_command("create_staff", "kenji", "--role", "senior", stdout=again, stderr=StringIO())
    assert again.getvalue().strip() == token


def test_it_benchmarks_a_sweep_and_rolls_back(thresholds):
    out = StringIO()
    call_command("benchmark_reviews", "--tasks", "300", "--runs", "1", stdout=out)
    text = out.getvalue()
    assert "baseline: sweep" in text and "300 pending" in text and "rolled back" in text
    from reviews.models import ReviewTask
    assert not ReviewTask.objects.exists()
