"""Session memory: what the pipeline sees of the conversation so far."""

from dataclasses import dataclass, field

from chat.models import ChatSession, Message

RECENT_TURNS = 10


@dataclass
class Memory:
    summary: str = ""
    recent: list[Message] = field(default_factory=list)  # oldest first

    def customer_texts(self) -> list[str]:
        return [m.text for m in self.recent if m.role == Message.Role.USER]


def load_memory(session: ChatSession, before: Message | None = None) -> Memory:
    messages = session.messages.filter(kind__in=[Message.Kind.TEXT, Message.Kind.ANSWER])
    if before is not None:
        messages = messages.filter(id__lt=before.id)
    recent = list(messages.order_by("-id")[: RECENT_TURNS * 2])[::-1]
    return Memory(summary=session.summary, recent=recent)
