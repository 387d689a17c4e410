"""Every e-mail the product sends: operations alerts to ALERT_EMAILS and messages to customers, from templates/emails/.

A mail server that is down must never lose the record that caused the e-mail, so these log and return False
instead of raising.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

log = logging.getLogger(__name__)


def _render(name: str, context: dict) -> tuple[str, str]:
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    return subject, render_to_string(f"emails/{name}.txt", context)


def _send(subject: str, body: str, recipients: list[str], what: str) -> bool:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        log.exception("could not e-mail %s", what)
        return False
    return True


def mail_operations(subject: str, text: str, link_path: str, raised_at=None) -> bool:
    """E-mail an operations alert (in Japanese and English) to ALERT_EMAILS; False when none are set or it failed."""
    if not settings.ALERT_EMAILS:
        return False
    context = {"subject": subject, "text": text, "link": f"{settings.SITE_URL}{link_path}",
               "raised_at": timezone.localtime(raised_at or timezone.now())}
    rendered_subject, body = _render("operations_alert", context)
    return _send(rendered_subject[:200], body, list(settings.ALERT_EMAILS), f"the alert {subject!r}")


def mail_customer(address: str, template: str, locale: str, **context) -> bool:
    """E-mail a customer in their language with templates/emails/<template>.txt and <template>_subject.txt."""
    with translation.override(locale):
        subject, body = _render(template, {"site_url": settings.SITE_URL, **context})
    return _send(subject, body, [address], f"{template} to a customer")
