import pytest

from tests.factories import AnswerFactory, SessionFactory


@pytest.fixture
def session(db):
    return SessionFactory()


@pytest.fixture
def answer(session):
    return AnswerFactory(session=session)


@pytest.fixture
def answers(session):
    """Plenty of distinct answers in one session (one thumb per answer per session)."""
    return AnswerFactory.create_batch(12, session=session)
