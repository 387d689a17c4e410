import uuid

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_SALT = "chat.session"


class Category(models.TextChoices):
    """The topic categories of DESIGN.md; every answer carries one."""

    REFUND = "refund", _("Refund")
    PAYMENT = "payment", _("Payment")
    COMPLAINT = "complaint", _("Complaint")
    LEGAL = "legal", _("Legal")
    ORDER_STATUS = "order_status", _("Order Status")
    ACCOUNT = "account", _("Account")
    AVAILABILITY = "availability", _("Availability")
    PRODUCT_INFO = "product_info", _("Product Info")
    RARE_MANGA = "rare_manga", _("Rare Manga")
    SHIPPING = "shipping", _("Shipping")
    RECOMMENDATION = "recommendation", _("Recommendation")
    GENERAL = "general", _("General")


class Locale(models.TextChoices):
    JA = "ja", "日本語"  # a language is named in its own language, in every UI
    EN = "en", "English"


class ChatSession(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey("catalog.Customer", verbose_name=_("customer"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="chat_sessions")
    locale = models.CharField(_("language"), max_length=2, choices=Locale.choices, default=Locale.JA)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity at"), default=timezone.now, db_index=True)
    # Bumped on every change of the session's conversational state; writers compare-and-set on it.
    state_version = models.PositiveIntegerField(_("state version"), default=0)
    pinned_intent = models.CharField(_("pinned intent"), max_length=40, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_upto_id = models.BigIntegerField(_("summarised up to message"),
                                             null=True, blank=True)  # last message folded into the summary
    previous = models.ForeignKey("self", verbose_name=_("previous session"),
                                 null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    blocked_until = models.DateTimeField(_("blocked until"), null=True, blank=True)
    cost_usd = models.DecimalField(_("cost (USD)"), max_digits=10, decimal_places=6, default=0)
    # Bumping it revokes every token issued so far (revoke_tokens); tokens carry it and are signed with a timestamp.
    token_version = models.PositiveIntegerField(_("token version"), default=0)
    # The address that opened the session: a block for prompt injection also refuses new sessions from it.
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True, db_index=True)
    # An address an anonymous customer left in the chat so a specialist can reach them (reviews.followups).
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    class Meta:
        verbose_name = _("chat session")
        verbose_name_plural = _("chat sessions")

    def __str__(self) -> str:
        return f"session {self.public_id}"

    def contact_address(self) -> str:
        """Where a person can write to this customer: the signed-in customer's address, else one left in the chat."""
        customer = self.customer
        return (customer.email if customer is not None and customer.email else "") or self.contact_email

    @property
    def token(self) -> str:
        """A fresh signed token (timestamped now); every welcome hands one out, so an active customer never expires."""
        return signing.dumps([str(self.public_id), self.token_version], salt=TOKEN_SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> "ChatSession | None":
        """The session a token names, or None for a forged, garbled, expired, revoked or unknown token."""
        try:
            public_id, version = signing.loads(token, salt=TOKEN_SALT, max_age=settings.CHAT_TOKEN_MAX_AGE_SECONDS)
            public_id = uuid.UUID(public_id)
            if isinstance(version, bool) or not isinstance(version, int):
                return None
        except (signing.BadSignature, ValueError, TypeError):  # SignatureExpired is a BadSignature
            return None
        return (cls.objects.select_related("customer")
                .filter(public_id=public_id, token_version=version).first())

    def revoke_tokens(self) -> None:
        """Every token issued for this session stops working at once (the customer's next hello starts afresh)."""
        ChatSession.objects.filter(pk=self.pk).update(token_version=F("token_version") + 1)
        self.refresh_from_db(fields=["token_version"])

    @property
    def group_name(self) -> str:
        return f"chat.{self.public_id.hex}"

    def is_blocked(self, now=None) -> bool:
        return bool(self.blocked_until and self.blocked_until > (now or timezone.now()))

    def touch(self) -> None:
        ChatSession.objects.filter(pk=self.pk).update(last_activity_at=timezone.now())


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", _("Customer")
        ASSISTANT = "assistant", _("Assistant")
        SYSTEM = "system", _("System")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")  # what the customer wrote
        ANSWER = "answer", _("Answer")  # a final answer to a customer message
        REVIEW_PENDING = "review_pending", _("Review Pending")  # the acknowledgement that a human is checking
        HEARTBEAT = "heartbeat", _("Heartbeat")  # "still checking" while a review is pending
        NOTICE = "notice", _("Notice")  # anything else the system tells the customer

    class Status(models.TextChoices):
        AUTO = "auto", _("Auto")
        REVIEWED = "reviewed", _("Reviewed")
        EDITED = "edited", _("Edited")
        HUMAN = "human", _("Human")
        CLARIFY = "clarify", _("Clarify")
        TIMEOUT = "timeout", _("Timeout")
        FALLBACK = "fallback", _("Fallback")
        # A high-risk question timed out unreviewed: the store's notice that a specialist will follow up (never an
        # answer to rate: reviews.sweeps.time_out sends it, and the specialist's reply follows as its own answer).
        SPECIALIST = "specialist", _("Specialist follow-up")

    session = models.ForeignKey(ChatSession, verbose_name=_("session"),
                                on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(_("text"))
    client_id = models.CharField(_("client ID"), max_length=64, null=True, blank=True)
    reply_to = models.ForeignKey("self", verbose_name=_("reply to"),
                                 null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    intent = models.CharField(_("intent"), max_length=40, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    meta = models.JSONField(_("metadata"), default=dict, blank=True)
    prompt_version = models.ForeignKey("prompts.PromptVersion", verbose_name=_("prompt version"),
                                       null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="messages")
    tokens_in = models.PositiveIntegerField(_("input tokens"), default=0)
    tokens_out = models.PositiveIntegerField(_("output tokens"), default=0)
    cost_usd = models.DecimalField(_("cost (USD)"), max_digits=10, decimal_places=6, default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    # On a customer message: when its final answer went out, and the latest moment by which one must.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_deadline = models.DateTimeField(_("answer deadline"), null=True, blank=True)
    correlation_id = models.CharField(_("correlation ID"), max_length=32, blank=True)
    # On a customer message: how often the watchdog enqueued its turn again (a lost turn), and when it last did.
    requeue_count = models.PositiveSmallIntegerField(_("requeue count"), default=0)
    requeued_at = models.DateTimeField(_("requeued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["session", "client_id"], condition=Q(client_id__isnull=False),
                                    name="message_client_id_unique_per_session"),
            models.CheckConstraint(condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                                   name="message_confidence_in_unit_range"),
        ]
        indexes = [
            models.Index(fields=["session", "id"]),
            models.Index(fields=["answered_at", "answer_deadline"], name="message_open_promises"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.role} #{self.pk}: {self.text[:40]}"

    def to_frame(self) -> dict:
        """The server→client WebSocket frame for this message (DESIGN.md's protocol)."""
        if self.kind == self.Kind.ANSWER:
            return {"type": "answer", "message_id": self.pk, "reply_to": self.reply_to_id, "text": self.text,
                    "status": self.status, "category": self.category, "sources": self.sources}
        if self.kind == self.Kind.REVIEW_PENDING:
            return {"type": "review_pending", "message_id": self.pk, "reply_to": self.reply_to_id, "text": self.text,
                    "category": self.category, "elapsed_s": self.meta.get("elapsed_s", 0),
                    "estimated_wait_s": self.meta.get("estimated_wait_s")}
        if self.kind == self.Kind.HEARTBEAT:
            return {"type": "heartbeat", "message_id": self.pk, "reply_to": self.reply_to_id,
                    "elapsed_s": self.meta.get("elapsed_s", 0), "text": self.text,
                    "estimated_wait_s": self.meta.get("estimated_wait_s")}
        if self.role == self.Role.USER:
            return {"type": "user_message", "message_id": self.pk, "client_id": self.client_id, "text": self.text}
        return {"type": "notice", "message_id": self.pk, "reply_to": self.reply_to_id, "text": self.text}

    @classmethod
    def open_promises(cls, now=None):
        """Customer messages still owed a final answer whose deadline has passed."""
        return cls.objects.filter(role=cls.Role.USER, answered_at__isnull=True,
                                  answer_deadline__lt=now or timezone.now())

    def mark_answered(self, when=None) -> bool:
        """Atomically record the first final answer; False when one was already recorded."""
        when = when or timezone.now()
        return Message.objects.filter(pk=self.pk, answered_at__isnull=True).update(answered_at=when) == 1


def bump_state_version(session_id: int, expected: int) -> bool:
    """Compare-and-set on the session state: True when this writer won."""
    return ChatSession.objects.filter(pk=session_id, state_version=expected).update(
        state_version=F("state_version") + 1) == 1
