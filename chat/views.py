from django.conf import settings
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from catalog.models import Customer
from chat.actions import MAX_TEXT
from common.security import sign_customer_identity

DEMO_CUSTOMERS = 10
DEMO_IDENTITY_TTL_SECONDS = 12 * 3600  # a demo page left open all day still signs in


def demo_customers() -> list[dict]:
    """The demo page's "chat as" choices, each with an identity token signed here, as the store's backend would sign
    it. Only in DEBUG: in production the store's page passes the signed-in customer's token (README)."""
    if not settings.DEBUG:
        return []
    return [{"id": c.external_id, "label": f"{c.name or c.external_id} ({c.external_id})",
             "token": sign_customer_identity(c.external_id, DEMO_IDENTITY_TTL_SECONDS)}
            for c in Customer.objects.order_by("external_id")[:DEMO_CUSTOMERS]]


@require_GET
def chat_page(request):
    """The chat widget. The server picks the first language (Accept-Language, Japanese by default); the widget's
    switch changes it without a reload and remembers the choice in localStorage."""
    locale = "en" if (get_language() or "ja").startswith("en") else "ja"
    config = {"locale": locale, "maxLength": MAX_TEXT}
    customers = demo_customers()
    if customers:
        config["demoCustomers"] = customers
    return render(request, "chat/page.html", {"chat_config": config, "demo_customers": customers})
