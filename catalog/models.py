from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Demographic(models.TextChoices):
    SHONEN = "shonen", "少年 / Shonen"
    SHOUJO = "shoujo", "少女 / Shoujo"
    SEINEN = "seinen", "青年 / Seinen"
    JOSEI = "josei", "女性 / Josei"
    KODOMO = "kodomo", "児童 / Kodomo"


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
        ONGOING = "ongoing", "連載中 / Ongoing"
        COMPLETED = "completed", "完結 / Completed"

    slug = models.SlugField(max_length=120, unique=True)
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    romaji = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    author = models.CharField(max_length=200)
    author_en = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=100, blank=True)
    demographic = models.CharField(max_length=10, choices=Demographic.choices)
    genres = models.JSONField(default=list, blank=True)
    synopsis_ja = models.TextField(blank=True)
    synopsis_en = models.TextField(blank=True)
    total_volumes = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ONGOING)
    rare = models.BooleanField(default=False)
    start_year = models.PositiveIntegerField(null=True, blank=True)
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = MangaQuerySet.as_manager()

    class Meta:
        ordering = ["title_en"]
        verbose_name_plural = "manga"

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
        STANDARD = "standard", "通常版 / Standard"
        SPECIAL = "special", "特装版 / Special"
        BOX_SET = "box_set", "BOXセット / Box set"

    sku = models.CharField(max_length=64, unique=True)
    series = models.ForeignKey(Manga, on_delete=models.CASCADE, related_name="products")
    volume = models.PositiveIntegerField(null=True, blank=True)
    edition = models.CharField(max_length=10, choices=Edition.choices, default=Edition.STANDARD)
    price_jpy = models.PositiveIntegerField()
    stock = models.PositiveIntegerField(default=0)
    release_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
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
    external_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    is_vip = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    purchase_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.external_id} {self.name}"

    @property
    def is_new(self) -> bool:
        return self.created_at > timezone.now() - timedelta(days=7)


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", "注文受付 / Placed"
        PAID = "paid", "入金済み / Paid"
        SHIPPED = "shipped", "発送済み / Shipped"
        DELIVERED = "delivered", "配達完了 / Delivered"
        CANCELLED = "cancelled", "キャンセル / Cancelled"
        REFUND_REQUESTED = "refund_requested", "返金申請中 / Refund requested"

    class Carrier(models.TextChoices):
        YAMATO = "yamato", "ヤマト運輸 / Yamato Transport"
        SAGAWA = "sagawa", "佐川急便 / Sagawa Express"
        JAPAN_POST = "japan_post", "日本郵便 / Japan Post"

    order_number = models.CharField(max_length=32, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLACED)
    carrier = models.CharField(max_length=12, choices=Carrier.choices, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    placed_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return self.order_number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(default=1)
    unit_price_jpy = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive")]


class FaqEntry(models.Model):
    class Topic(models.TextChoices):
        SHIPPING = "shipping", "配送 / Shipping"
        RETURNS = "returns", "返品 / Returns"
        PAYMENT = "payment", "お支払い / Payment"
        ACCOUNT = "account", "アカウント / Account"
        STORE = "store", "ストア / Store"

    key = models.SlugField(max_length=80, unique=True)
    topic = models.CharField(max_length=10, choices=Topic.choices)
    question_ja = models.TextField()
    question_en = models.TextField()
    answer_ja = models.TextField()
    answer_en = models.TextField()
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic", "key"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self) -> str:
        return self.key

    EMBEDDED_FIELDS = ("question_en", "question_ja", "answer_en")

    def embedding_text(self) -> str:
        return f"{self.question_en} {self.question_ja} {self.answer_en}"
