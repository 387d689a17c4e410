from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from chat.actions import MAX_TEXT


@require_GET
def chat_page(request):
    """The chat widget. The server picks the first language (Accept-Language, Japanese by default); the widget's
    switch changes it without a reload and remembers the choice in localStorage."""
    locale = "en" if (get_language() or "ja").startswith("en") else "ja"
    return render(request, "chat/page.html", {"chat_config": {"locale": locale, "maxLength": MAX_TEXT}})
