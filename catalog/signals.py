"""Tell every process's search index that the catalog changed, once the change is committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog import search
from catalog.models import Manga, Product


@receiver([post_save, post_delete], sender=Manga)
def _series_changed(**_):
    transaction.on_commit(lambda: search.bump_version(series_changed=True))


@receiver([post_save, post_delete], sender=Product)
def _stock_changed(**_):
    transaction.on_commit(lambda: search.bump_version(series_changed=False))
