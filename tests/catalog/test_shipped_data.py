"""The shipped demo data is valid record by record and consistent across files (checked without a database)."""

import io
from collections import Counter

import pytest
from django.conf import settings

from catalog import loader

DATA = settings.BASE_DIR / "catalog" / "data"
pytestmark = pytest.mark.skipif(not (DATA / "manga.jsonl").exists(), reason="no shipped data")


def checked(name, check, *maps):
    rows, problems = [], []
    for number, record, error in loader.read_records(DATA / name):
        try:
            if error:
                raise loader.BadRecord(error)
            rows.append(check(record, *maps))
        except loader.BadRecord as exc:
            problems.append(f"{name}:{number}: {exc}")
    return rows, problems


def test_it_validates_every_shipped_record():
    manga, problems = checked("manga.jsonl", loader.check_manga)
    series_ids = {m["slug"]: i for i, m in enumerate(manga)}
    products, more = checked("products.jsonl", loader.check_product, series_ids)
    problems += more
    faq, more = checked("faq.jsonl", loader.check_faq)
    problems += more
    customers, more = checked("customers.jsonl", loader.check_customer)
    problems += more
    product_ids = {p["sku"]: i for i, p in enumerate(products)}
    _, more = checked("orders.jsonl", loader.check_order, {c["external_id"]: i for i, c in enumerate(customers)},
                      product_ids)
    problems += more
    assert problems == []
    for name, keys in (("slug", [m["slug"] for m in manga]), ("sku", list(product_ids)), ("key", [f["key"] for f in faq])):
        assert [k for k, n in Counter(keys).items() if n > 1] == [], f"duplicate {name}"
    assert len(manga) >= 100 and all(p["price_jpy"] > 0 for p in products)


def test_the_shipped_products_file_is_what_generate_products_writes(tmp_path):
    from django.core.management import call_command

    call_command("generate_products", "--out", str(tmp_path / "products.jsonl"), stdout=io.StringIO())
    assert (tmp_path / "products.jsonl").read_text() == (DATA / "products.jsonl").read_text(), \
        "run manage.py generate_products after changing manga.jsonl"
