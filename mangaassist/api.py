"""DRF glue shared by every app's API: the JSON parser, the error shape, and JSON error pages under /api/."""

import logging

from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as _JSONParser
from rest_framework.views import exception_handler as drf_exception_handler

from common import inputs

log = logging.getLogger(__name__)


class JSONParser(_JSONParser):
    """DRF's JSON parser with our bounds: depth, NUL and lone surrogates answer 400 `invalid`, never 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            return inputs.loads(stream.read().decode(encoding))
        except UnicodeDecodeError:
            raise exceptions.ParseError("The body is not valid UTF-8.", code="invalid") from None
        except inputs.BadInput as exc:
            raise exceptions.ParseError(f"Bad JSON: {exc}.", code="invalid") from None


def _code(exc) -> str:
    if isinstance(exc, exceptions.ValidationError | exceptions.ParseError):
        return "invalid"
    if isinstance(exc, exceptions.Throttled):
        return "rate_limited"
    if isinstance(exc, exceptions.NotFound | Http404):
        return "not_found"
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")


def exception_handler(exc, context):
    """Every 4xx is JSON `{code, detail}` (plus `errors` per field for validation), whatever raised it.

    An id beyond BIGINT reaches the database as an OverflowError on SQLite: that is the client's mistake, a 400."""
    if isinstance(exc, OverflowError):
        exc = exceptions.ValidationError({"detail": "a number is out of range"})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        data = {"code": _code(exc), **data}
    elif isinstance(data, dict):
        data = {"code": _code(exc), "detail": "Invalid request.", "errors": data}
    else:
        data = {"code": _code(exc), "detail": " ".join(str(item) for item in data)}
    data["detail"] = str(data["detail"])
    response.data = data
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception, template_name="400.html"):
    if _is_api(request):
        return JsonResponse({"code": "invalid", "detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception, template_name="403.html"):
    if _is_api(request):
        return JsonResponse({"code": "forbidden", "detail": "You do not have permission to do this."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception, template_name="404.html"):
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": "No such API endpoint or object."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request, template_name="500.html"):
    if _is_api(request):
        return JsonResponse({"code": "server_error", "detail": "Something went wrong on our side; it was logged."},
                            status=500)
    return defaults.server_error(request)
