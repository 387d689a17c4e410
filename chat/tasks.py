from celery import shared_task

from chat import watchdog
from mangaassist.turn import answer_message  # noqa: F401  (registers the turn task with the worker)


@shared_task(name="chat.promise_watchdog")
def promise_watchdog() -> int:
    return watchdog.keep_promises()


@shared_task(name="chat.requeue_lost_turns", ignore_result=True)
def requeue_lost_turns() -> int:
    return watchdog.requeue_lost_turns()
