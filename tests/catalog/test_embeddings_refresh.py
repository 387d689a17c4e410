"""Embeddings are computed when a series' text changes, by the loader and in the admin, and only then."""

import json

from django.core.management import call_command

from catalog.models import Manga
from tests.factories import CATALOG_DIR


def write_manga(tmp_path, change):
    lines = []
    for line in (CATALOG_DIR / "manga.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["slug"] == "naruto":
            record.update(change)
        lines.append(json.dumps(record, ensure_ascii=False))
    (tmp_path / "manga.jsonl").write_text("\n".join(lines) + "\n")


def test_the_loader_recomputes_an_embedding_only_when_the_text_changed(catalog_data, tmp_path, capsys):
    before = bytes(Manga.objects.get(slug="naruto").embedding)
    write_manga(tmp_path, {"total_volumes": 73})
    call_command("load_catalog", str(tmp_path), "--no-progress")
    assert "updated 1, unchanged 11" in capsys.readouterr().out
    assert bytes(Manga.objects.get(slug="naruto").embedding) == before

    write_manga(tmp_path, {"synopsis_en": "A ninja boy with a fox spirit sealed inside him dreams of leading his village."})
    call_command("load_catalog", str(tmp_path), "--no-progress")
    assert bytes(Manga.objects.get(slug="naruto").embedding) != before


def test_an_admin_edit_of_the_synopsis_recomputes_the_embedding(catalog_data, admin_client):
    manga = Manga.objects.get(slug="death-note")
    before = bytes(manga.embedding)
    url = f"/admin/catalog/manga/{manga.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else json.dumps(v) if isinstance(v, list) else v) for k, v in data.items()}
    data.update({"synopsis_en": "A student finds a notebook from a god of death.", "rare": "" if not manga.rare else "on"})
    data.update({"products-TOTAL_FORMS": "0", "products-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert bytes(Manga.objects.get(pk=manga.pk).embedding) != before
