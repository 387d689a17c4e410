"""High-risk follow-ups: what happens after a refund/payment/complaint/legal question timed out unverified.

The customer was told a specialist will follow up (reviews.sweeps.time_out). Behind that promise:
- a senior-pool handoff task with its own deadline (REVIEW_FOLLOWUP_SLA_SECONDS from the timeout), so it is in the
  seniors' queue in deadline order and counts as breached when late;
- an operations alert while any follow-up waits (e-mailed to ALERT_EMAILS) and another once one is overdue;
- a way to reach the customer: when neither the signed-in customer nor the session has an e-mail address, the
  notice asks for one, and a later message of that session containing an address is stored on the session (and on
  the customer record when it has none) and acknowledged instead of being answered by the pipeline;
- the specialist's reply goes to the chat as a followup and, when we have an address, by e-mail too.
"""

import logging
import re

from django.db import transaction
from django.utils import timezone

from chat import delivery
from chat.models import ChatSession, Message
from common.mail import mail_customer
from reviews import texts
from reviews.models import Alert, ReviewTask

log = logging.getLogger(__name__)

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def open_followups(session_id: int):
    return ReviewTask.objects.open_followups().filter(session_id=session_id)


def notice_text(session: ChatSession, locale: str) -> str:
    """The timeout notice of a high-risk question: the specialist promise, plus a request for an address if needed."""
    notice = texts.text("specialist", locale)
    if not session.contact_address():
        notice = f"{notice}\n{texts.text('ask_contact', locale)}"
    return notice


def capture_contact(message: Message) -> Message | None:
    """If this customer message gives an e-mail address while a follow-up waits, store it and acknowledge it.

    Preconditions: `message` is a customer message not yet answered. Returns the acknowledgement (the message's
    final answer), or None when the message is not a contact reply (the pipeline's answer goes out as usual).
    """
    session = message.session
    match = EMAIL.search(message.text or "")
    if match is None or not open_followups(session.pk).exists():
        return None
    address = match.group(0)[:254]
    with transaction.atomic():
        ChatSession.objects.filter(pk=session.pk).update(contact_email=address)
        session.contact_email = address
        customer = session.customer
        if customer is not None and not customer.email:
            type(customer).objects.filter(pk=customer.pk, email="").update(email=address)
        for task in open_followups(session.pk):
            ReviewTask.objects.filter(pk=task.pk).update(
                notes=(task.notes + "\n" if task.notes else "") + f"contact e-mail: {address}")
        ack = delivery.send_to_customer(session, kind=Message.Kind.ANSWER, reply_to=message,
                                        text=texts.text("contact_saved", session.locale, email=address),
                                        # the store's note about the follow-up, not an answer to rate
                                        status=Message.Status.SPECIALIST,
                                        category="general", meta={"contact_saved": True})
    log.info("session %s left a contact address for its follow-up", session.pk)
    return ack


def email_reply(task: ReviewTask, body: str) -> None:
    """After commit: the specialist's reply to a follow-up also goes by e-mail when we have an address."""
    address = task.session.contact_address()
    if not (task.followup and address):
        return

    def send():
        mail_customer(address, "customer_followup", task.locale, body=body)

    transaction.on_commit(send)


def check_followup_alerts(now=None) -> list[str]:
    """Open (once) or resolve the two follow-up alerts; returns the kinds opened now. Run by every sweep."""
    from reviews.alerts import open_alert  # alerts imports the queue; keep this module light for escalation

    now = now or timezone.now()
    waiting = open_followups_all()
    count = waiting.count()
    overdue = waiting.filter(sla_deadline__lt=now).count()
    opened = []
    for kind, firing, message, value in (
            (Alert.Kind.FOLLOWUP_WAITING, count > 0, f"{count} high-risk follow-ups wait for a specialist", count),
            (Alert.Kind.FOLLOWUP_OVERDUE, overdue > 0, f"{overdue} high-risk follow-ups past their deadline", overdue)):
        if firing:
            if open_alert(kind, message, value, now):
                opened.append(kind)
        else:
            Alert.objects.filter(kind=kind, resolved_at__isnull=True).update(resolved_at=now)
    return opened


def open_followups_all():
    return ReviewTask.objects.open_followups()
