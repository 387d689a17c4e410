"""The catalog sweep (manage.py sweep_catalog): every series asked about in plain forms, both languages, through the
real offline pipeline; it reports AUTO per form and counts an AUTO answer that names another series as wrong."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Manga
from chat import sweep
from chat.drafts import Draft
from chat.models import ChatSession, Message
from reviews.models import ReviewTask


def test_it_asks_every_form_about_each_series_and_writes_nothing(catalog_data, trained_classifier):
    out = StringIO()
    call_command("sweep_catalog", "--limit", "2", "--form", "en:tell me about {t}", "--form", "ja:{t}の作者は誰？",
                 stdout=out, stderr=StringIO())
    report = out.getvalue()
    assert "| en:tell me about {t} | 2 |" in report and "| ja:{t}の作者は誰？ | 2 |" in report
    assert "all forms: " in report and "/4 AUTO" in report
    assert (ChatSession.objects.count(), Message.objects.count(), ReviewTask.objects.count()) == (0, 0, 0)


def test_it_counts_an_auto_answer_about_another_series_as_wrong(catalog_data, monkeypatch):
    first, other = Manga.objects.order_by("id")[:2]

    def answers_about_the_other(text, locale):
        return Draft(text=f'"{other.title_en}" is by someone.', category="product_info", confidence=0.99), 1.0

    monkeypatch.setattr(sweep, "_ask", answers_about_the_other)
    auto = type("Decision", (), {"route": "auto"})()
    [result] = sweep.sweep(lambda category, confidence: auto, ("en:who wrote {t}?",), limit=2)
    assert (result.asked, result.auto) == (2, 2)
    assert result.wrong == [f'who wrote {first.title_en}? → "{other.title_en}" is by someone.']


def test_it_refuses_a_form_without_a_language_or_a_title(catalog_data):
    for form in ("tell me about {t}", "en:tell me about it"):
        with pytest.raises(CommandError, match="LANG:TEMPLATE"):
            call_command("sweep_catalog", "--form", form)
