import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Customer, FaqEntry, Manga, Order, Product
from tests.factories import CATALOG_DIR


def test_it_loads_every_file_with_embeddings(catalog_data):
    assert Manga.objects.count() == 12 and Product.objects.count() == 160
    assert FaqEntry.objects.count() == 5 and Customer.objects.count() == 3 and Order.objects.count() == 3
    assert all(len(m.embedding) == 512 * 4 for m in Manga.objects.all())
    assert Order.objects.get(order_number="MA-260002").lines.count() == 2


def test_a_second_load_changes_nothing(catalog_data, capsys):
    before = {m.slug: (m.updated_at, bytes(m.embedding)) for m in Manga.objects.all()}
    call_command("load_catalog", str(CATALOG_DIR), "--no-progress")
    assert "created 0, updated 0, unchanged 183, rejected 0" in capsys.readouterr().out
    assert {m.slug: (m.updated_at, bytes(m.embedding)) for m in Manga.objects.all()} == before


def test_it_reports_bad_records_by_file_and_line_and_keeps_the_good_ones(db, tmp_path, capsys):
    good = (CATALOG_DIR / "manga.jsonl").read_text().splitlines()[:2]
    bad_genre = json.loads(good[0]) | {"slug": "bad-genre", "genres": ["space-opera"]}
    bad_volumes = json.loads(good[0]) | {"slug": "bad-volumes", "total_volumes": 0}
    bad_pick = json.loads(good[0]) | {"slug": "bad-pick", "staff_pick": "yes"}
    lines = [good[0], "{not json", json.dumps(bad_genre), good[1], json.dumps(bad_volumes), json.dumps(bad_pick)]
    (tmp_path / "manga.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="4 record"):
        call_command("load_catalog", str(tmp_path), "--no-progress")
    errors = capsys.readouterr().err
    assert f"{tmp_path / 'manga.jsonl'}:2: not valid JSON" in errors
    assert "manga.jsonl:3: unknown genre(s): space-opera" in errors
    assert "manga.jsonl:5: total_volumes must be at least 1" in errors
    assert "manga.jsonl:6: staff_pick must be true or false" in errors
    assert set(Manga.objects.values_list("slug", flat=True)) == {"one-piece", "attack-on-titan"}


def test_it_rejects_an_order_for_an_unknown_sku_and_loads_the_rest(catalog_data, tmp_path, capsys):
    for name in ("customers.jsonl",):
        shutil.copy(CATALOG_DIR / name, tmp_path / name)
    order = json.loads((CATALOG_DIR / "orders.jsonl").read_text().splitlines()[0])
    (tmp_path / "orders.jsonl").write_text(
        json.dumps(order | {"order_number": "MA-999001", "lines": [{"sku": "no-such-001", "quantity": 1,
                                                                     "unit_price_jpy": 500}]}) + "\n"
        + json.dumps(order | {"order_number": "MA-999002"}) + "\n"
    )
    with pytest.raises(CommandError):
        call_command("load_catalog", str(tmp_path), "--no-progress")
    assert "orders.jsonl:1: line 1: sku 'no-such-001' is not in the catalog" in capsys.readouterr().err
    assert Order.objects.filter(order_number="MA-999002").exists()
