"""A worker process whose turns raise on demand: tests start a real Celery worker with
DJANGO_SETTINGS_MODULE=tests.support.faulty_settings, and any customer message containing FAIL_MARK makes that turn's
pipeline raise, as a bug or a broken row would. Nothing else changes in the worker."""

from django.apps import AppConfig

FAIL_MARK = "[[fail-turn]]"


class FaultyTurnsConfig(AppConfig):
    name = "tests.support"
    label = "faulty_turns"

    def ready(self):
        from chat import pipeline

        real = pipeline.produce_draft

        def produce_draft(message, memory):
            if FAIL_MARK in message.text:
                raise RuntimeError("a turn that fails, on purpose")
            return real(message, memory)

        pipeline.produce_draft = produce_draft
