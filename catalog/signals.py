"""Tell every process's search index that the catalog changed, once the change is committed."""

import logging
import threading

from celery import signals as celery_signals
from django.db import connections, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from catalog import search
from catalog.models import Manga, Product

log = logging.getLogger(__name__)

# Sent by Product.objects.filter(…).update(…) (catalog.models.ProductQuerySet) once the rows are written, inside the
# caller's transaction: products=[(sku, series_id), …] as they matched before the update, fields=the updated names.
# Listeners that tell other processes must wait for the commit (transaction.on_commit), as the post_save ones do.
products_updated = Signal()
# Sent by Manga.objects.filter(…).update(…) (catalog.models.MangaQuerySet), the same way: manga_ids=[…], fields=….
series_updated = Signal()


@receiver([post_save, post_delete], sender=Manga)
def _series_changed(**_):
    transaction.on_commit(lambda: search.bump_version(series_changed=True))


@receiver(series_updated, sender=Manga)
def _series_bulk_changed(**_):
    transaction.on_commit(lambda: search.bump_version(series_changed=True))


@receiver([post_save, post_delete], sender=Product)
def _stock_changed(**_):
    transaction.on_commit(lambda: search.bump_version(series_changed=False))


@receiver(products_updated, sender=Product)
def _stock_bulk_changed(**_):
    transaction.on_commit(lambda: search.bump_version(series_changed=False))


@celery_signals.worker_process_init.connect
def _warm_up_search(**_):
    """A cold process needs a second or two (index, embedding model, SudachiPy): more than a tool's time budget,
    so the first turn a worker answered would report its catalog tools as not performed."""

    def warm():
        try:
            search.warm_up()
        except Exception:  # an unmigrated database, say: the first real search will try again
            log.warning("catalog search warm-up failed", exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only; it ends here

    threading.Thread(target=warm, daemon=True, name="catalog-warm-up").start()
