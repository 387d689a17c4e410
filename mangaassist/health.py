from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from mangaassist import metrics as app_metrics  # the view below is named metrics
from mangaassist.celery import app as celery_app


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # the point is to report any failure as text
        return f"error: {type(exc).__name__}: {exc}"[:300]


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis():
    cache._cache.get_client(write=True).ping()


def _celery():
    if not celery_app.control.ping(timeout=1.0):
        raise RuntimeError("no worker answered a ping")


@never_cache
@require_GET
def healthz(request):
    report = {"database": _check(_database), "redis": _check(_redis), "celery": _check(_celery)}
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request):
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    allowed = request.user.is_staff or (settings.METRICS_TOKEN and token == settings.METRICS_TOKEN)
    if not allowed:
        return JsonResponse({"detail": "Staff login or the metrics token is required."}, status=403)
    return HttpResponse(generate_latest(app_metrics.registry()), content_type=CONTENT_TYPE_LATEST)
