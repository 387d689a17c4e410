"""Everything the customer is sent goes through here: a Message row first, pushed on the session's group after commit.

Callable from consumers, views, tasks, the review engine and commands alike. The consumer relays `chat.frame`
events to the socket; whatever the customer has not confirmed with `seen` is sent again on reconnect.
"""

import logging

from django.db import transaction
from django.utils import timezone

from chat.models import ChatSession, Message
from common import realtime

log = logging.getLogger(__name__)


def push_frame(group: str, frame: dict) -> None:
    """Send one frame to every socket of a session (every tab, every web process)."""
    try:
        realtime.group_send(group, {"type": "chat.frame", "frame": frame})
    except Exception:  # the row is stored: a failed push is repaired by the resend on reconnect
        log.exception("push to %s failed", group)


def push_after_commit(message: Message) -> None:
    group, frame, pk = message.session.group_name, message.to_frame(), message.pk

    def _push():
        push_frame(group, frame)
        Message.objects.filter(pk=pk, delivered_at__isnull=True).update(delivered_at=timezone.now())

    transaction.on_commit(_push)


def send_to_customer(
    session: ChatSession,
    *,
    kind: str,
    text: str,
    reply_to: Message | None = None,
    status: str = "",
    category: str = "",
    followup: bool = False,
    **fields,
) -> Message | None:
    """Store an assistant message and push it after commit.

    A final answer (kind=answer) to a customer message first claims that message's promise (`answered_at`), so a
    review decision racing a timeout sends exactly one final answer: the loser gets None and sends nothing.
    `followup=True` sends a further answer after the promise was already kept (a specialist's reply after a notice).
    """
    with transaction.atomic():
        if kind == Message.Kind.ANSWER and reply_to is not None and not followup:
            if not reply_to.mark_answered():
                return None
        message = Message.objects.create(
            session=session, role=Message.Role.ASSISTANT, kind=kind, text=text, reply_to=reply_to, status=status,
            category=category, **fields,
        )
        push_after_commit(message)
    return message


def unseen_messages(session: ChatSession, after_id: int):
    """What a reconnecting client missed: assistant messages after `after_id` not yet confirmed as seen."""
    return session.messages.filter(id__gt=after_id, role=Message.Role.ASSISTANT, seen_at__isnull=True).order_by("id")


def unanswered_ids(session: ChatSession, from_id: int = 0) -> set[int]:
    """The session's customer messages from `from_id` on that have no final answer yet."""
    return set(session.messages.filter(id__gte=from_id, role=Message.Role.USER, answered_at__isnull=True)
               .values_list("id", flat=True))


def missed_by_socket(session: ChatSession, first_owed_id: int, sent_ids: set[int]) -> tuple[list[dict], set[int]]:
    """For a socket still owing answers to customer messages from `first_owed_id` on: the frames of unseen assistant
    messages since then that it has not sent (their push was lost), and which of those customer messages are still
    unanswered."""
    frames = [m.to_frame() for m in unseen_messages(session, first_owed_id) if m.pk not in sent_ids]
    return frames, unanswered_ids(session, first_owed_id)
