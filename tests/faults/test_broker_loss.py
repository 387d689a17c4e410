"""A broker restart while a task is unacknowledged must not end the worker (kombu restores through a dead connection)."""

from kombu.transport import redis as kombu_redis

import mangaassist.celery  # noqa: F401  (installs the guard, as every worker does)


class ReleasedChannel:
    """What kombu's redis channel does once its connection was released: building a client fails."""

    def conn_or_acquire(self, client=None):
        raise AttributeError("'NoneType' object has no attribute 'hostname'")


def test_it_leaves_unacknowledged_messages_to_redis_instead_of_crashing_the_worker(caplog):
    qos = kombu_redis.QoS.__new__(kombu_redis.QoS)
    qos.channel, qos._delivered = ReleasedChannel(), {"tag-1": object()}
    assert qos.restore_unacked() is None  # before the guard this raised, and Celery stopped the worker
    assert qos._delivered == {} and "could not restore unacknowledged messages" in caplog.text


def test_it_lets_a_task_that_finishes_after_the_connection_is_gone_leave_its_ack_to_redis(caplog):
    qos = kombu_redis.QoS.__new__(kombu_redis.QoS)
    qos.channel, qos._delivered = ReleasedChannel(), {}
    assert qos.ack("tag-2") is None  # before the guard: AttributeError, and Celery stopped the worker
    assert "could not acknowledge a message" in caplog.text
