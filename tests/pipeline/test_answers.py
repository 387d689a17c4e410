import pytest

from catalog.models import Customer, Product
from chat.memory import load_memory
from chat.models import ChatSession, Message
from chat.pipeline import produce_draft
from tests.factories import first_draft


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




def test_it_recommends_from_the_title_a_long_message_names_among_other_words(shipped_catalog, trained_classifier):
    for text, liked in [
        # the rest of the message drowns the short name
        ("anything similar to kimetsu? swords and demons and a found family, doesnt have to be super long",
         "Demon Slayer: Kimetsu no Yaiba"),
        # the rest of the message pulls the whole of it towards another title (Evangelion)
        ("something like shingeki? big mystery and war stuff, doesnt have to be titans lol", "Attack on Titan"),
        # one of its words ("Love") matches two other titles better than the whole does: a word is not a title
        ("something like Say I Love You.?", "Say I Love You."),
    ]:
        draft = first_draft(text, "en")
        assert draft.category == "recommendation"
        assert draft.text.startswith(f'If you like "{liked}"'), draft.text


def test_it_answers_about_a_series_whose_authors_name_contains_another_title(shipped_catalog, trained_classifier):
    # "Akira Toriyama" holds the title AKIRA and "Jin Kobayashi" the title JIN: the grounding check took the name
    # for an unsourced title and sent the customer "we couldn't give a reliable answer" for Dragon Ball.
    for text, locale, author in [("who drew dragon ball?", "en", "Akira Toriyama"),
                                 ("who is the author of school rumble", "en", "Jin Kobayashi"),
                                 ("ドラゴンボールって誰の漫画？", "ja", "鳥山明")]:
        draft = first_draft(text, locale)
        assert draft.meta["grounding"]["grounded"], draft.meta["grounding"]
        assert author in draft.text and draft.category == "product_info"


def test_it_still_catches_a_title_named_outside_an_authors_name(shipped_catalog):
    from catalog.tools import check_inventory
    from chat.grounding import check

    hits = check_inventory("Dr. Slump")
    assert not check('"Dr. Slump" is by Akira Toriyama. If you like it, try Akira too.', [hits]).grounded
    assert check('"Dr. Slump" is by Akira Toriyama: 18 volumes, completed.', [hits]).grounded


@pytest.mark.parametrize("text, locale, named", [
    # each went to a person or a generic question before: legal, complaint, a policy clarification…
    ("tell me about Honey and Clover", "en", '"Honey and Clover"'),
    ("tell me about Blame!", "en", '"Blame!"'),
    ("what's Parasyte like?", "en", '"Parasyte"'),
    ("tell me about Golden Kamuy", "en", '"Golden Kamuy"'),
    ("賭博黙示録カイジについて教えて", "ja", "「賭博黙示録カイジ」"),
    ("BANANA FISHについて教えて", "ja", "「BANANA FISH」"),
    ("ドラゴンボールってどんな漫画？", "ja", "「DRAGON BALL」"),
])
def test_it_tells_what_a_series_is_about_when_asked_in_so_many_words(shipped_catalog, trained_classifier, text,
                                                                      locale, named):
    from reviews.models import Route
    from reviews.thresholds import decide

    draft = first_draft(text, locale)
    assert draft.category == "product_info" and named in draft.text, draft.text
    assert ("The story: " if locale == "en" else "あらすじ：") in draft.text  # the catalog's synopsis
    assert draft.meta["grounding"]["grounded"]
    assert decide(draft.category, draft.confidence, steady=True).route == Route.AUTO


def test_it_leaves_a_policy_asked_about_in_the_same_words_to_the_faq(shipped_catalog, trained_classifier):
    for text, locale, category in [("tell me about your return policy", "en", "refund"),
                                   ("送料について教えて", "ja", "shipping")]:
        draft = first_draft(text, locale)
        assert draft.category == category and draft.sources[0]["type"] == "faq", (text, draft.text)


def test_the_semantic_cache_never_answers_another_series(shipped_catalog, trained_classifier):
    from chat import response_cache

    response_cache.clear()
    # each pair embeds at cosine >= 0.95, and the second is another series (a sequel; another doctor's story)
    for first, then, named, locale in [
        ("who is the author of Tokyo Ghoul", "who is the author of Tokyo Ghoul:re", '"Tokyo Ghoul:re"', "en"),
        ("ブラックジャックによろしくみたいな漫画ある？", "ブラック・ジャックみたいな漫画ある？", "「ブラック・ジャック」がお好きなら", "ja"),
    ]:
        first_draft(first, locale)
        answer = first_draft(then, locale)
        assert answer.meta.get("cache") is None and named in answer.text, answer.text
        assert first_draft(then, locale).meta.get("cache") == "exact"  # the cache itself still serves


def test_a_question_about_a_title_it_names_is_not_read_with_the_earlier_one(shipped_catalog, trained_classifier):
    session = ChatSession.objects.create(locale="ja")
    for text in ("ブラック・ジャックみたいな漫画ある？", "賭博黙示録カイジについて教えて"):
        question = Message.objects.create(session=session, role="user", text=text)
        session.refresh_from_db()
        draft = produce_draft(question, load_memory(session))
        Message.objects.create(session=session, role="assistant", kind="answer", text=draft.text,
                               category=draft.category, reply_to=question)
    # the classifier is unsure of the second (legal 0.47), so it was taken for a follow-up of the pinned
    # recommendation and looked up with the first message's words
    assert session.pinned_intent == "recommendation" and draft.meta["rerouted"]["own_title"]
    assert draft.category == "product_info" and draft.text.startswith("「賭博黙示録カイジ」は"), draft.text


def test_it_reads_an_edition_word_inside_a_title_as_part_of_the_title(shipped_catalog, trained_classifier):
    # "Blue Box" and 「めだかボックス」 hold the word "box": the newest volume was answered as a box set
    for text, locale, said in [("latest blue box vol - in stock?", "en", "The latest volume we carry of \"Blue Box\""),
                               ("めだかボックスの最新刊ある？", "ja", "「めだかボックス」の最新刊は")]:
        draft = first_draft(text, locale)
        assert draft.category == "availability" and said in draft.text, draft.text
    draft = first_draft("めだかボックスのBOXセットある？", "ja")  # a box set asked for in so many words still is one
    assert draft.category == "rare_manga" and "BOXセット" in draft.text


@pytest.mark.parametrize("text, locale, said", [
    ("wakako-zake how many vols are out so far?", "en", "24 volumes"),  # guessed shipping: "which topic?"
    ("Medalist - is it still being serialized or is it done?", "en", "ongoing"),  # sent to review
    ("カイジ描いてる人だれ", "ja", "福本伸行"),  # the short name everyone uses: "which title?"
    ("is Yuru Camp finished?", "en", '"Laid-Back Camp"'),
])
def test_it_answers_series_facts_asked_in_these_words(shipped_catalog, trained_classifier, text, locale, said):
    from reviews.models import Route
    from reviews.thresholds import decide

    draft = first_draft(text, locale)
    assert draft.category == "product_info" and said in draft.text, draft.text
    assert decide(draft.category, draft.confidence, steady=True).route == Route.AUTO


# (text, locale, category, said): one test loops over them, since each test loads the whole shipped catalog
BLIND_PART_WORDINGS = [
    # a fan's name the catalog lacked
    ("is HxH technically still running?", "en", "product_info", "37 volumes, ongoing"),
    ("did Fullmetal Alchemist ever actually finish?", "en", "product_info", "27 volumes, completed"),
    ("ガラスの仮面、最終巻まで出てたっけ？続きを買おうか迷ってて", "ja", "product_info", "連載中"),
    ("鋼の錬金術師は物語の最後まで描かれてますか", "ja", "product_info", "完結"),
    # "from volume 1" is where a collection starts, not the volume asked about
    ("ブルーロックを1巻から揃えたら全部で何冊？", "ja", "product_info", "既刊32巻"),
    # a two-kanji name before a particle, a short Latin title inside a longer stretch, a title with a slip
    ("呪術の一番新しいのってどれ？", "ja", "availability", "「呪術廻戦」の最新刊は28巻"),
    ("price of akira #5?", "en", "availability", 'Volume 5 of "Akira"'),
    ("is mob pyscho 100 vol 4 in stock", "en", "availability", 'Volume 4 of "Mob Psycho 100"'),
    # the volume after the one read ("I just finished Blue Lock 31. Is the one after that out?")
    ("read up to vol 5 of frieren, is the next volume in stock?", "en", "availability", 'Volume 6 of "Frieren'),
    ("呪術廻戦は10巻まで読みました。次の巻は在庫ありますか？", "ja", "availability", "「呪術廻戦」11巻は"),
    # the ninth blind part: still being drawn, the next volume said another way, a kind of manga compared with
    # another, a job around a genre, a title with みたい, an idiom that is not a damaged copy, a kid as the reader
    ("ゴルゴ13は今でも描かれてるんですか？", "ja", "product_info", "連載中"),
    ("caught up through Frieren 5, got whatever comes after that?", "en", "availability", 'Volume 6 of "Frieren'),
    ("少女漫画より大人っぽい女性漫画を探してます", "ja", "recommendation", "女性の作品で"),
    ("医者が主人公の漫画ってありますか", "ja", "availability", "医療の作品で"),
    ("蟲師みたいに静かな漫画が読みたい", "ja", "recommendation", "「蟲師」がお好きなら"),
    ("Hyouge Mono box set - what's the damage?", "en", "rare_manga", '"Hyouge Mono" box set'),
    ("any mechs? my kid loves robots", "en", "recommendation", "In stock now in mecha"),
    # "SF" before Japanese is the genre
    ("SFが好きな人におすすめの漫画ある？", "ja", "recommendation", "SFの作品で"),
    # the tenth blind part: completion in a learner's words (once guessed an order question and sent to sign in), the
    # author asked with a wish for more of their work, "other" read as the title "Another", the last volume
    ("Is the Haikyu story already over or does it still continue?", "en", "product_info", "45 volumes, completed"),
    ("Hello, I am from Taiwan. Monster story is already end, or still continue? I want buy all but if not finish "
     "I will wait.", "en", "product_info", "18 volumes, completed"),
    ("キングダムを描かれた方はどなたですか？同じ先生の別の作品も読んでみたい", "ja", "product_info", "原泰久による作品"),
    ("Berserk writer name? want to find other book of same writer", "en", "product_info",
     '"Berserk" is by Kentaro Miura'),
    ("ワンピースのいちばん最後の巻って在庫ある？", "ja", "availability", "最新刊は110巻"),
    ("what's the last number of Spy x Family you have", "en", "availability", "latest volume we carry"),
    # the eleventh: Japanese typed in romaji, an author asked in dialect (描いとる人), a children's list asked as
    # 「どんなのがありますか」
    ("naruto tte mou owatta?", "ja", "product_info", "完結"),
    ("one piece 100 kan aru?", "ja", "availability", "「ONE PIECE」100巻は"),
    ("jujutsu kaisen nankan made dete masu ka", "ja", "product_info", "既刊28巻"),
    ("ハイキュー描いとる人って誰やったっけ", "ja", "product_info", "古舘春一による作品"),
    ("孫に贈りたいんですが、子ども向けの漫画ってどんなのがありますか", "ja", "recommendation", "児童の作品で"),
    # the twelfth: nothing but the title and 「書いた人だれ」 (who wrote it) was left for the title search to read
    ("ベルセルク書いた人だれ", "ja", "product_info", "三浦建太郎による作品"),
    # the thirteenth: volume numbers said (voice input), a title in the wrong kanji of the same reading, code-switching,
    # typos, a volume read up to before "the newest one"
    ("ナルトの十二巻って在庫ある？", "ja", "availability", "「NARUTO -ナルト-」12巻は"),
    ("is volume nine of spy x family in stock", "en", "availability", 'Volume 9 of "Spy x Family"'),
    ("新劇の巨人の3巻ありますか", "ja", "availability", "「進撃の巨人」3巻は"),
    ("方石の国って全部で何巻？", "ja", "product_info", "既刊13巻"),
    ("キングダムってもう ending まで行った？", "ja", "product_info", "連載中"),
    ("スラムダンクってなんかんまであるの", "ja", "product_info", "既刊31巻"),
    ("berserk, is it like done done or will there be more", "en", "product_info", "42 volumes, ongoing"),
    ("whats the newst volume of kingdom", "en", "availability", "latest volume we carry"),
    ("finished frieren up to volume ten, what's the latest one you have?", "en", "availability", "is volume 13"),
    ("ギフト用のラッピングはまた今度聞きます。NARUTOの1巻はいくら？", "ja", "availability", "「NARUTO -ナルト-」1巻は"),
    ("hi! my friend loved Yotsuba so I'm thinking of gifting something, any suggestions?", "en", "recommendation",
     'If you like "Yotsuba&!"'),
    # the fourteenth: half-width kana, another title named as context, a correction, an edition said not to be wanted,
    # an author's name beside a genre, a title in 『』 beside its author's other work, completion asked with the last
    # volume
    ("ﾜﾝﾋﾟｰｽ かいてる人 だれ～？？", "ja", "product_info", "尾田栄一郎による作品"),
    ("Was One Punch Man drawn by the same person who did Mob Psycho 100? who's the author", "en", "product_info",
     '"One-Punch Man" is by ONE'),
    ("my son moved on from Naruto to Hunter x Hunter. Could I order Hunter x Hunter vol 5?", "en", "availability",
     'Volume 5 of "Hunter x Hunter"'),
    ("弟が『スラムダンク』にハマってて、次は『ハイキュー!!』を読ませたい。ハイキューの1巻っておいくらですか？", "ja",
     "availability", "「ハイキュー!!」1巻は"),
    ("娘が『NANA』を全部読み終えて、次は『ハチミツとクローバー』が読みたいそうです。ハチミツとクローバーは完結していますか？",
     "ja", "product_info", "既刊10巻（完結）"),
    ("ナルトじゃなくてブリーチの3巻ありますか", "ja", "availability", "「BLEACH」3巻は"),
    ("ワンピースの最新刊ありますか？あ、特装版じゃなくて通常版です", "ja", "availability", "最新刊は110巻"),
    ("I've already read every Naoki Urasawa you carry. What other mystery manga do you have?", "en", "availability",
     "In stock now in mystery"),
    ("萩尾望都先生の『ポーの一族』を探しております。第1巻の在庫と価格を教えていただけますでしょうか", "ja", "rare_manga",
     "「ポーの一族」1巻は"),
    ("Berserk is over now that Miura passed away, right? then I'll grab everything up to the last volume", "en",
     "availability", "42 volumes, ongoing"),
]


def test_it_answers_catalog_questions_in_wordings_the_blind_parts_found(shipped_catalog, trained_classifier):
    from reviews.models import Route
    from reviews.thresholds import decide

    for text, locale, category, said in BLIND_PART_WORDINGS:
        draft = first_draft(text, locale)
        assert draft.category == category and said in draft.text, (text, draft.text)
        assert decide(draft.category, draft.confidence, steady=True).route == Route.AUTO, text
