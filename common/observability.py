"""Structured logs with a correlation id that follows a customer message from the socket into its Celery task.

One JSON line per HTTP request (RequestLogMiddleware), per WebSocket event (`log_event` from the consumer) and per
Celery task (the signal handlers below). The id lives in a contextvar; Celery carries it in a task header.
"""

import contextvars
import logging
import re
import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")
CORRELATION_HEADER = "correlation_id"

event_log = logging.getLogger("mangaassist.events")


# What we accept from a client's X-Request-ID: a short token, no spaces or control characters that could forge log
# lines or headers. Anything else is replaced by a fresh id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def valid_request_id(value: str | None) -> str | None:
    return value if value and _REQUEST_ID.fullmatch(value) else None


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:16]


def bind_correlation_id(value: str | None = None) -> str:
    value = value or new_correlation_id()
    correlation_id.set(value)
    return value


def log_event(kind: str, event: str, **fields) -> None:
    """One structured line: kind is "http", "ws" or "task"; fields are flat JSON-able values."""
    event_log.info(event, extra={"kind": kind, **fields})


class CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s")
        kwargs.setdefault("rename_fields", {"asctime": "ts", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)


class RequestLogMiddleware:
    """Binds a correlation id (from X-Request-ID or new) and logs one line per HTTP request."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _start(self, request):
        cid = bind_correlation_id(valid_request_id(request.headers.get("X-Request-ID")))
        return cid, time.perf_counter()

    def _finish(self, request, response, cid, started):
        response["X-Request-ID"] = cid
        log_event(
            "http",
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        cid, started = self._start(request)
        return self._finish(request, self.get_response(request), cid, started)

    async def __acall__(self, request):
        cid, started = self._start(request)
        return self._finish(request, await self.get_response(request), cid, started)


def connect_celery_signals() -> None:
    """Carry the correlation id into tasks and log one line per task run."""
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def _add_header(headers=None, **_):
        if headers is not None and CORRELATION_HEADER not in headers:
            headers[CORRELATION_HEADER] = correlation_id.get()

    @signals.task_prerun.connect(weak=False)
    def _bind(task=None, **_):
        cid = getattr(task.request, CORRELATION_HEADER, None) or (task.request.headers or {}).get(CORRELATION_HEADER)
        bind_correlation_id(cid if cid and cid != "-" else None)
        task.request._started_at = time.perf_counter()

    @signals.task_postrun.connect(weak=False)
    def _log(task=None, task_id=None, state=None, **_):
        started = getattr(task.request, "_started_at", None)
        log_event(
            "task",
            "task",
            task=task.name,
            task_id=task_id,
            state=state,
            duration_ms=round((time.perf_counter() - started) * 1000, 1) if started else None,
        )
