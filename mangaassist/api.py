"""DRF glue shared by every app's API."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Every 4xx carries a human-readable `detail`, whatever raised it."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "Invalid request.", "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data)}
    return response
