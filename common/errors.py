"""The one error type an action raises when it refuses: a machine `code`, an HTTP `status`, a `detail` for people.

Each app subclasses it once (ChatError, ReviewError, PromptError …) and raises it from its actions layer; nobody
catches it per view. DRF's exception handler (`common.api.exception_handler`) renders it as `{code, detail}` with its
status, and the chat consumer sends it as an `error` frame (`as_frame`), so one refusal reads the same everywhere.
"""


class ActionError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, detail, *, code: str | None = None, status: int | None = None,
                 retry_after: int | None = None, **extra):
        super().__init__(str(detail))
        self.detail = str(detail)
        self.code = code or self.code
        self.status = status or self.status
        self.retry_after = retry_after  # seconds, for rate_limited
        self.extra = extra  # more JSON fields for the client, e.g. the problems a validator found

    def as_json(self) -> dict:
        return {"code": self.code, "detail": self.detail, **self.extra}

    def as_frame(self) -> dict:
        frame = {"type": "error", **self.as_json()}
        if self.retry_after is not None:
            frame["retry_after"] = self.retry_after
        return frame


class Forbidden(ActionError):
    code = "forbidden"
    status = 403


class NotFound(ActionError):
    code = "not_found"
    status = 404


class Conflict(ActionError):
    code = "conflict"
    status = 409


class RateLimited(ActionError):
    code = "rate_limited"
    status = 429
