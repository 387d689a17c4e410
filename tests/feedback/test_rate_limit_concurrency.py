"""The per-session limit holds when many writers race: the count and the insert happen under the session's lock."""

from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from feedback.collect import RateLimited, do_record_feedback
from feedback.models import Feedback
from tests.factories import AnswerFactory, SessionFactory


def test_it_lets_exactly_ten_of_sixteen_racing_thumbs_through(transactional_db):
    session = SessionFactory()
    answers = AnswerFactory.create_batch(16, session=session)

    def rate(answer):
        try:
            do_record_feedback(session, {"message_id": answer.pk, "kind": "thumb", "value": "down"})
            return "ok"
        except RateLimited:
            return "limited"
        finally:
            connection.close()  # each thread has its own connection, like separate processes

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(rate, answers))
    assert outcomes.count("ok") == 10 and outcomes.count("limited") == 6
    assert Feedback.objects.filter(session=session).count() == 10
