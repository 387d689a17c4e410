from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")

    def ready(self):
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from catalog.models import Manga, Product
        from catalog.signals import products_updated, series_updated
        from chat import response_cache

        def product_changed(instance, **_):
            # at once, and again after commit: no reader may get the old stock from the cache in between
            sku, manga_id = instance.sku, instance.series_id
            response_cache.invalidate_product(sku, manga_id)
            transaction.on_commit(lambda: response_cache.invalidate_product(sku, manga_id))

        post_save.connect(product_changed, sender=Product, weak=False, dispatch_uid="chat.response_cache.product")
        post_delete.connect(product_changed, sender=Product, weak=False, dispatch_uid="chat.response_cache.product_del")

        def products_bulk_changed(products, **_):
            # Product.objects.filter(…).update(…) sends no post_save: the queryset announces its rows instead
            response_cache.invalidate_products(products)
            transaction.on_commit(lambda: response_cache.invalidate_products(products))

        products_updated.connect(products_bulk_changed, sender=Product, weak=False,
                                 dispatch_uid="chat.response_cache.products_bulk")

        def series_changed(manga_ids, **_):
            # completion, volume count, titles: the cached answers about the series go, as for a product change
            response_cache.invalidate_series(manga_ids)
            transaction.on_commit(lambda: response_cache.invalidate_series(manga_ids))

        post_save.connect(lambda instance, **kw: series_changed([instance.pk]), sender=Manga, weak=False,
                          dispatch_uid="chat.response_cache.series")
        post_delete.connect(lambda instance, **kw: series_changed([instance.pk]), sender=Manga, weak=False,
                            dispatch_uid="chat.response_cache.series_del")
        series_updated.connect(series_changed, sender=Manga, weak=False, dispatch_uid="chat.response_cache.series_bulk")

        from prompts import validation

        validation.register_tool_names(bedrock_tool_names)


def bedrock_tool_names() -> list[str]:
    """The tools a system prompt may name (prompts validates against them without importing chat)."""
    from chat.bedrock import TOOL_SPECS

    return [spec["toolSpec"]["name"] for spec in TOOL_SPECS]
