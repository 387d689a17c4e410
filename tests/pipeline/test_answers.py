from catalog.models import Customer, Product


def test_it_answers_availability_with_the_catalogs_price_and_stock_in_japanese(ask):
    product = Product.objects.get(sku="demon-slayer-001")
    product.stock = 12
    product.save()
    draft = ask("鬼滅の刃の1巻は在庫ありますか？")
    assert draft.category == "availability"
    assert "「鬼滅の刃」1巻は在庫あり（12冊）" in draft.text and f"{product.price_jpy:,}円" in draft.text
    assert {"type": "product", "sku": "demon-slayer-001"} in draft.sources
    assert draft.meta["grounding"]["grounded"] and draft.confidence >= 0.5


def test_it_answers_in_english_and_says_sold_out(ask):
    Product.objects.filter(sku="death-note-001").update(stock=0)
    draft = ask("Is Death Note volume 1 in stock?", locale="en")
    assert draft.category == "availability"
    assert '"Death Note"' in draft.text and "out of stock" in draft.text


def test_it_recommends_with_a_reason(ask):
    draft = ask("I like Slam Dunk, what's similar?", locale="en")
    assert draft.category == "recommendation"
    assert '"Hajime no Ippo"' in draft.text and "sports" in draft.text


def test_it_reports_order_status_with_tracking_only_to_its_owner(ask):
    owner = Customer.objects.get(external_id="C1001")
    mine = ask("MA-260001 の配送状況を教えてください", customer=owner)
    assert mine.category == "order_status" and "4829-1037-5521" in mine.text
    stranger = ask("MA-260001 の配送状況を教えてください", customer=Customer.objects.get(external_id="C1002"))
    assert "4829-1037-5521" not in stranger.text


def test_it_answers_shipping_questions_from_the_faq(ask):
    draft = ask("送料はいくらですか")
    assert draft.category == "shipping" and "3,000円" in draft.text
    assert draft.sources == [{"type": "faq", "key": "shipping-free-threshold"}]


def test_it_asks_which_title_when_none_matches(ask):
    draft = ask("Is volume 3 in stock?", locale="en")
    assert draft.status_hint == "clarify" and "Which title" in draft.clarify_text
