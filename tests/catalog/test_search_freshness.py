"""A stock change made in one process is seen by search in another within a second."""

import subprocess
import sys
import time

from catalog import search
from catalog.loader import load_directory
from catalog.models import Product
from tests.factories import CATALOG_DIR
from tests.support.processes import BASE_DIR, process_env

WATCHER = """
import sys, time, django
django.setup()
from catalog import search
from catalog.models import Manga
slug_id = Manga.objects.get(slug="death-note").pk
def visible():
    return any(h.series_id == slug_id for h in search.search("death note", search.Filters(in_stock=True)))
print("ready", visible(), flush=True)
sys.stdin.readline()
started = time.monotonic()
while not visible() and time.monotonic() - started < 5:
    time.sleep(0.02)
print("seen", visible(), round(time.monotonic() - started, 3), flush=True)
"""


def test_it_sees_a_stock_change_from_another_process_within_a_second(transactional_db):
    search.reset_index()
    load_directory(CATALOG_DIR, progress=False)
    Product.objects.filter(series__slug="death-note").update(stock=0)
    search.bump_version(series_changed=False)
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER], cwd=BASE_DIR, env=process_env(),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout.readline().split() == ["ready", "False"]
        product = Product.objects.filter(series__slug="death-note").first()
        product.stock = 5
        product.save()  # the post_save signal bumps the version after commit
        watcher.stdin.write("go\n")
        watcher.stdin.flush()
        seen, visible, seconds = watcher.stdout.readline().split()
        assert visible == "True" and float(seconds) < 1.0
    finally:
        watcher.kill()
