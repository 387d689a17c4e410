"""Session memory: what the pipeline sees of the conversation so far.

Recent turns are kept whole; once a session passes FOLD_AFTER_TURNS customer turns, everything but the last
KEEP_WHOLE_TURNS is folded into a bounded extractive summary (the customer's earlier questions), so a 200-turn
session costs the same per turn as a 20-turn one. The recent turns given to a backend are bounded twice: at most
RECENT_TURNS exchanges, and at most CHAT_HISTORY_MAX_TOKENS estimated tokens (ten 2,000-character messages would
otherwise be a 20,000-token prompt); the oldest go first. Both backends get the summary: Bedrock as the opening
context of the conversation, the offline backend as the earlier question a short follow-up refers to.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from chat.corrupt import dropped
from chat.models import ChatSession, Message
from prompts.validation import estimate_tokens

RECENT_TURNS = 10
FOLD_AFTER_TURNS = 50
KEEP_WHOLE_TURNS = 10
SUMMARY_MAX_CHARS = 1500
_CONVERSATION = [Message.Kind.TEXT, Message.Kind.ANSWER]


@dataclass
class Memory:
    summary: str = ""
    recent: list[Message] = field(default_factory=list)  # oldest first
    window_full: bool = True  # False: the unfolded conversation is shorter than the window read, so nothing to fold

    def customer_texts(self) -> list[str]:
        """The customer's earlier questions, oldest first: the summarised ones, then the recent ones."""
        return self.summary_questions() + [m.text for m in self.recent if m.role == Message.Role.USER]

    def summary_questions(self) -> list[str]:
        return [line[2:] for line in self.summary.splitlines() if line.startswith("- ") and line[2:].strip()]


def _unfolded(session: ChatSession):
    messages = session.messages.filter(kind__in=_CONVERSATION)
    if session.summary_upto_id:
        messages = messages.filter(id__gt=session.summary_upto_id)
    return messages


def load_memory(session: ChatSession, before: Message | None = None) -> Memory:
    messages = _unfolded(session)
    if before is not None:
        # Earlier messages, and answers to earlier messages even when they were stored after this one arrived.
        messages = messages.filter(Q(id__lt=before.id) | Q(role=Message.Role.ASSISTANT, reply_to_id__lt=before.id))
    window = list(messages.order_by("-id")[: RECENT_TURNS * 2])
    recent = sorted(window, key=lambda m: (m.reply_to_id or m.id, m.id))
    return Memory(summary=_checked_summary(session), recent=_within_tokens(recent, settings.CHAT_HISTORY_MAX_TOKENS),
                  window_full=len(window) == RECENT_TURNS * 2)


def _within_tokens(recent: list[Message], budget: int) -> list[Message]:
    """The newest messages of `recent` whose estimated tokens fit `budget` (oldest dropped first)."""
    kept, spent = [], 0
    for message in reversed(recent):
        spent += estimate_tokens(message.text)
        if spent > budget:
            break
        kept.append(message)
    return kept[::-1]


def _checked_summary(session: ChatSession) -> str:
    """The session's summary, or "" (dropped and counted) when it is not one _fold could have written."""
    summary = session.summary
    if isinstance(summary, str) and len(summary) <= SUMMARY_MAX_CHARS + 1 and "\x00" not in summary:
        return summary
    ChatSession.objects.filter(pk=session.pk).update(summary="")
    session.summary = ""
    dropped("summary", f"session {session.pk}", f"{type(summary).__name__} of {len(str(summary))} characters")
    return ""


def _fold(session: ChatSession, keep_turns: int) -> None:
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().get(pk=session.pk)
        user_ids = list(_unfolded(session).filter(role=Message.Role.USER).order_by("-id").values_list("id", flat=True))
        if len(user_ids) <= keep_turns:
            return
        boundary = user_ids[keep_turns - 1] if keep_turns else user_ids[0] + 1
        folded = _unfolded(session).filter(id__lt=boundary, role=Message.Role.USER).order_by("id")
        lines = [session.summary] if session.summary else []
        lines += [f"- {m.text[:80]}" for m in folded]
        summary = "\n".join(lines)
        if len(summary) > SUMMARY_MAX_CHARS:  # keep the most recent part: older context matters least
            summary = "…" + summary[-SUMMARY_MAX_CHARS:]
        last_folded = _unfolded(session).filter(id__lt=boundary).order_by("-id").values_list("id", flat=True).first()
        ChatSession.objects.filter(pk=session.pk).update(summary=summary, summary_upto_id=last_folded)


def fold_if_needed(session: ChatSession, memory: Memory | None = None) -> None:
    """`memory`: this turn's, whose read of the conversation tells when there cannot be enough to fold (most turns:
    the count below is then not made)."""
    if memory is not None and not memory.window_full:
        return
    if _unfolded(session).filter(role=Message.Role.USER).count() > FOLD_AFTER_TURNS:
        _fold(session, KEEP_WHOLE_TURNS)


def fold_all(session: ChatSession) -> None:
    """Fold every turn into the summary: what a new session started after a long pause carries along."""
    _fold(session, 0)
