import time

from catalog import search, tools
from catalog.models import Customer, Product


def test_it_reports_a_timed_out_search_as_not_performed(catalog_data, monkeypatch):
    real_search = search.search
    monkeypatch.setattr(search, "search", lambda *a, **k: (time.sleep(0.3), real_search(*a, **k))[1])
    result = tools.search_manga_catalog("One Piece", timeout=0.05)
    assert result.performed is False and result.data is None and "timeout" in result.error


def test_it_reports_a_failing_tool_as_not_performed(catalog_data, monkeypatch):
    monkeypatch.setattr(search, "search", lambda *a, **k: 1 / 0)
    result = tools.check_inventory("naruto")
    assert result.performed is False and result.error == "error: ZeroDivisionError"


def test_check_inventory_finds_a_sku_with_current_stock(catalog_data):
    Product.objects.filter(sku="naruto-001").update(stock=7)
    result = tools.check_inventory("naruto-001")
    assert result.performed
    (series,) = result.data
    assert series.slug == "naruto"
    assert next(p for p in series.products if p.sku == "naruto-001").stock == 7


def test_lookup_order_never_shows_another_customers_order(catalog_data):
    owner, stranger = Customer.objects.get(external_id="C1001"), Customer.objects.get(external_id="C1002")
    mine = tools.lookup_order("MA-260001", owner)
    assert mine.performed and mine.data.status == "shipped" and mine.data.tracking_number == "4829-1037-5521"
    theirs = tools.lookup_order("MA-260001", stranger)
    assert theirs.performed and theirs.data is None
    assert tools.lookup_order("MA-260001", None).data is None


def test_search_faq_answers_in_the_requested_language(catalog_data):
    ja = tools.search_faq("送料はいくら？", "ja").data[0]
    en = tools.search_faq("how much does shipping cost", "en").data[0]
    assert ja.key == en.key == "shipping-free-threshold"
    assert "3,000円" in ja.answer and "¥3,000" in en.answer
