"""WebSocket frame types that apps above chat handle (feedback): the consumer looks them up here.

An app registers `handler(session, content) -> reply frame` in its AppConfig.ready(); the handler is synchronous (it
uses the ORM) and the consumer runs it in its database thread. So chat never imports the apps that stand on it.
"""

from collections.abc import Callable

FrameHandler = Callable[..., dict]
_handlers: dict[str, FrameHandler] = {}


def register(frame_type: str, handler: FrameHandler) -> None:
    _handlers[frame_type] = handler


def handler_for(frame_type: str) -> FrameHandler | None:
    return _handlers.get(frame_type)
