import pytest

from chat.memory import Memory
from chat.models import ChatSession, Message
from chat.pipeline import produce_draft


@pytest.fixture(scope="session")
def trained_classifier():
    """Train (or load) the classifier once, outside any timed turn."""
    from chat import classifier

    return classifier.get_model()


@pytest.fixture
def ask(catalog_data, trained_classifier):  # noqa: F811
    """Ask the pipeline one question in a fresh session; returns the Draft."""

    def _ask(text, locale="ja", customer=None, session=None):
        session = session or ChatSession.objects.create(locale=locale, customer=customer)
        message = Message.objects.create(session=session, role="user", text=text)
        from chat.memory import load_memory

        return produce_draft(message, load_memory(session, before=message))

    return _ask
