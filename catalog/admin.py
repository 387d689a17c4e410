from django.contrib import admin

from catalog.loader import fill_embeddings
from catalog.models import Customer, FaqEntry, Manga, Order, OrderLine, Product


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0
    fields = ("sku", "volume", "edition", "price_jpy", "stock", "release_date")


@admin.register(Manga)
class MangaAdmin(admin.ModelAdmin):
    list_display = ("title_ja", "title_en", "author", "demographic", "total_volumes", "status", "rare", "staff_pick")
    list_editable = ("staff_pick",)
    list_filter = ("demographic", "status", "rare", "staff_pick")
    search_fields = ("title_ja", "title_en", "romaji", "author", "author_en", "slug")
    inlines = [ProductInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.embedding or set(form.changed_data) & set(obj.EMBEDDED_FIELDS):
            fill_embeddings([obj])  # the index rebuilds after commit, so it sees the new vector


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "series", "volume", "edition", "price_jpy", "stock")
    list_editable = ("price_jpy", "stock")
    list_filter = ("edition", "series__demographic")
    search_fields = ("sku", "series__title_ja", "series__title_en")
    list_select_related = ("series",)
    autocomplete_fields = ("series",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "name", "email", "is_vip", "purchase_count", "created_at")
    list_filter = ("is_vip",)
    search_fields = ("external_id", "name", "email")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    autocomplete_fields = ("product",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order_number", "customer", "status", "carrier", "tracking_number", "placed_at")
    list_filter = ("status", "carrier")
    search_fields = ("order_number", "customer__external_id", "customer__email", "tracking_number")
    list_select_related = ("customer",)
    inlines = [OrderLineInline]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("key", "topic", "question_ja", "question_en")
    list_filter = ("topic",)
    search_fields = ("key", "question_ja", "question_en", "answer_ja", "answer_en")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.embedding or set(form.changed_data) & set(obj.EMBEDDED_FIELDS):
            fill_embeddings([obj])
