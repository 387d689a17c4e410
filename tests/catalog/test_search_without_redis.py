from catalog import search
from catalog.models import Manga


def test_it_keeps_searching_without_redis_and_does_not_rebuild_on_every_call(catalog_data, monkeypatch):
    builds = []
    real_build = search.build_from_database
    monkeypatch.setattr(search, "current_version", lambda: search.UNKNOWN_VERSION)
    monkeypatch.setattr(search, "build_from_database", lambda version: builds.append(version) or real_build(version))
    monkeypatch.setattr(search, "FRESHNESS_CHECK_SECONDS", 0)
    search.reset_index()
    for _ in range(5):
        hits = search.search("naruto")
    assert Manga.objects.get(pk=hits[0].series_id).slug == "naruto"
    assert len(builds) == 1


def test_a_change_is_saved_even_when_redis_is_down(catalog_data, monkeypatch):
    def no_redis():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(search, "_redis", no_redis)
    manga = Manga.objects.get(slug="naruto")
    manga.total_volumes = 73
    manga.save()  # the version bump fails after commit; the write stands
    assert Manga.objects.get(slug="naruto").total_volumes == 73
