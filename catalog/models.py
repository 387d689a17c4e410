from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Demographic(models.TextChoices):
    SHONEN = "shonen", _("Shonen")
    SHOUJO = "shoujo", _("Shoujo")
    SEINEN = "seinen", _("Seinen")
    JOSEI = "josei", _("Josei")
    KODOMO = "kodomo", _("Kodomo")


GENRES = (
    "action", "adventure", "comedy", "drama", "fantasy", "horror", "mystery", "romance", "sci-fi", "slice-of-life",
    "sports", "supernatural", "thriller", "historical", "psychological", "mecha", "music", "cooking", "school",
    "isekai", "martial-arts", "medical",
)


class MangaQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """A bulk update of series (completion, volume count, titles…) is a series change like a save: announced
        with catalog.signals.series_updated (search after commit, the cached answers about them at once and after
        commit), as ProductQuerySet.update does for products."""
        from catalog.signals import series_updated

        changed = list(self.order_by().values_list("pk", flat=True)) if kwargs else []
        rows = super().update(**kwargs)
        if rows:
            series_updated.send(sender=Manga, manga_ids=changed, fields=frozenset(kwargs))
        return rows

    update.alters_data = True


class Manga(models.Model):
    class Status(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    romaji = models.CharField(_("romaji"), max_length=200, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    author = models.CharField(_("author"), max_length=200)
    author_en = models.CharField(_("author (English)"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=100, blank=True)
    demographic = models.CharField(_("demographic"), max_length=10, choices=Demographic.choices)
    genres = models.JSONField(_("genres"), default=list, blank=True)
    synopsis_ja = models.TextField(_("synopsis (Japanese)"), blank=True)
    synopsis_en = models.TextField(_("synopsis (English)"), blank=True)
    total_volumes = models.PositiveIntegerField(_("total volumes"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ONGOING)
    rare = models.BooleanField(_("rare"), default=False)
    # what the assistant lists when a customer asks for a recommendation and says nothing of their taste
    staff_pick = models.BooleanField(_("staff pick"), default=False, help_text=_(
        "Listed when a customer asks for any recommendation (the first three with a volume in stock, by English "
        "title). Cached answers follow within five minutes."))
    start_year = models.PositiveIntegerField(_("start year"), null=True, blank=True)
    embedding = models.BinaryField(_("embedding"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = MangaQuerySet.as_manager()

    class Meta:
        verbose_name = _("manga")
        verbose_name_plural = _("manga")
        ordering = ["title_en"]

    def __str__(self) -> str:
        return f"{self.title_ja} / {self.title_en}"

    EMBEDDED_FIELDS = ("title_en", "title_ja", "synopsis_en", "synopsis_ja", "genres")

    def embedding_text(self) -> str:
        """What the series' embedding is computed from; a change to any of EMBEDDED_FIELDS needs a new one."""
        return f"{self.title_en}. {self.title_ja}. {self.synopsis_en} {self.synopsis_ja} {' '.join(self.genres)}"


class ProductQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """A bulk update is a product change like a save: post_save never fires for it, so the rows it touches are
        announced with catalog.signals.products_updated (search freshness after commit, response cache at once and
        after commit) instead of relying on every caller to remember."""
        from catalog.signals import products_updated

        changed = list(self.order_by().values_list("sku", "series_id")) if kwargs else []
        rows = super().update(**kwargs)
        if rows:
            products_updated.send(sender=Product, products=changed, fields=frozenset(kwargs))
        return rows

    update.alters_data = True


class Product(models.Model):
    class Edition(models.TextChoices):
        STANDARD = "standard", _("Standard")
        SPECIAL = "special", _("Special")
        BOX_SET = "box_set", _("Box set")

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    series = models.ForeignKey(Manga, verbose_name=_("series"), on_delete=models.CASCADE, related_name="products")
    volume = models.PositiveIntegerField(_("volume"), null=True, blank=True)
    edition = models.CharField(_("edition"), max_length=10, choices=Edition.choices, default=Edition.STANDARD)
    price_jpy = models.PositiveIntegerField(_("price (JPY)"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["series_id", "edition", "volume"]
        constraints = [
            models.CheckConstraint(condition=Q(price_jpy__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class Customer(models.Model):
    external_id = models.CharField(_("external ID"), max_length=64, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    purchase_count = models.PositiveIntegerField(_("purchase count"), default=0)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.external_id} {self.name}"

    @property
    def is_new(self) -> bool:
        return self.created_at > timezone.now() - timedelta(days=7)


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        REFUND_REQUESTED = "refund_requested", _("Refund requested")

    class Carrier(models.TextChoices):
        YAMATO = "yamato", _("Yamato Transport")
        SAGAWA = "sagawa", _("Sagawa Express")
        JAPAN_POST = "japan_post", _("Japan Post")

    order_number = models.CharField(_("order number"), max_length=32, unique=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLACED)
    carrier = models.CharField(_("carrier"), max_length=12, choices=Carrier.choices, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    placed_at = models.DateTimeField(_("placed at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return self.order_number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price_jpy = models.PositiveIntegerField(_("unit price (JPY)"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive")]


class FaqEntry(models.Model):
    class Topic(models.TextChoices):
        SHIPPING = "shipping", _("Shipping")
        RETURNS = "returns", _("Returns")
        PAYMENT = "payment", _("Payment")
        ACCOUNT = "account", _("Account")
        STORE = "store", _("Store")

    key = models.SlugField(_("key"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices)
    question_ja = models.TextField(_("question (Japanese)"))
    question_en = models.TextField(_("question (English)"))
    answer_ja = models.TextField(_("answer (Japanese)"))
    answer_en = models.TextField(_("answer (English)"))
    embedding = models.BinaryField(_("embedding"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["topic", "key"]

    def __str__(self) -> str:
        return self.key

    EMBEDDED_FIELDS = ("question_en", "question_ja", "answer_en")

    def embedding_text(self) -> str:
        return f"{self.question_en} {self.question_ja} {self.answer_en}"
