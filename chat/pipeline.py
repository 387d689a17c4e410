"""The answer pipeline (placeholder until the answer-pipeline issue lands): one draft per customer message."""

from chat.drafts import Draft
from chat.memory import Memory
from chat.models import Category, Message


def produce_draft(message: Message, memory: Memory) -> Draft:
    locale = message.session.locale
    text = "ご質問ありがとうございます。" if locale == "ja" else "Thank you for your question."
    return Draft(text=text, category=Category.GENERAL, confidence=0.9, locale=locale)
