"""The promise watchdog: a customer message never stays without a final answer past its deadline.

Beat runs `keep_promises` every CHAT_WATCHDOG_SECONDS. Each overdue message is claimed atomically by the final
answer itself (chat.delivery), so two workers running the sweep at once still send one fallback.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from chat import delivery
from chat.models import Message
from mangaassist import metrics

log = logging.getLogger(__name__)
BATCH = 200

FALLBACK_TEXT = {
    "ja": "お待たせして申し訳ありません。ただいま回答をお届けできませんでした。担当者が確認のうえ、改めてご連絡いたします。",
    "en": "We're sorry for the wait: we could not answer in time. A member of our team will look into it and get back to you.",
}
EMAIL_SUBJECT = "【MangaAssist】お問い合わせについて / About your question"
EMAIL_BODY = (
    "お問い合わせいただいた内容について、時間内に回答をお届けできませんでした。担当者より改めてご連絡いたします。\n"
    "お問い合わせ内容: {question}\n\n"
    "We could not answer your question in time. A member of our team will get back to you.\n"
    "Your question: {question}\n\n{site}\n"
)


def keep_promises(now=None) -> int:
    now = now or timezone.now()
    kept = 0
    for message in Message.open_promises(now).select_related("session__customer").order_by("answer_deadline")[:BATCH]:
        session = message.session
        sent = delivery.send_to_customer(session, kind=Message.Kind.ANSWER, text=FALLBACK_TEXT[session.locale],
                                         reply_to=message, status=Message.Status.FALLBACK)
        if sent is None:  # another worker (or a late answer) got there first
            continue
        kept += 1
        metrics.incr("chat_promise_fallback_total")
        log.warning("promise fallback for message %s", message.pk)
        customer = session.customer
        if customer and customer.email:
            send_mail(EMAIL_SUBJECT, EMAIL_BODY.format(question=message.text[:300], site=settings.SITE_URL),
                      settings.DEFAULT_FROM_EMAIL, [customer.email], fail_silently=True)
    return kept
