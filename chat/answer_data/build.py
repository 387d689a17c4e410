"""Builds the labelled answer set (tuning.jsonl, heldout.jsonl and the blind parts fresh*.jsonl) from the shipped
catalog, handwritten.jsonl and the blind parts' handwritten files.

Deterministic: the same catalog files and handwritten questions always give the same three files, so
`manage.py build_answer_set` is safe to re-run and a test checks the committed files are what it writes.
Questions about series and products are generated from catalog/data/*.jsonl with their facts; everything the catalog
cannot generate (FAQ facts asked another way, closers, identity, complaints, legal requests…) is in handwritten.jsonl.
The format is described in chat/answer_data/facts.py.
"""

import json
import random
from collections import defaultdict
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
CATALOG_DIR = DATA_DIR.parent.parent / "catalog" / "data"
TUNING_SHARE = 0.6

# Facts that are the store's behaviour rather than catalog data (issue 13 says what each answer must do).
POLICY = {
    "ai": {"any": ["AI", "人工知能", "自動応答", "チャットボット", "ボット", "bot", "chatbot", "automated",
                   "virtual assistant"]},
    "human_contact": {"any": ["担当者", "スタッフ", "オペレーター", "人間", "有人", "human", "person", "staff",
                              "agent", "team member", "member of our team"]},
    "closer": {"any": ["ありがとうございました", "ありがとうございます", "どういたしまして", "またのご利用",
                       "お待ちしております", "thank you", "thanks", "you're welcome", "glad", "anytime"],
               "not": ["こんにちは、マンガアシストです", "this is mangaassist", "ask me about stock"]},
    "sign_in": {"any": ["ログイン", "サインイン", "本人確認", "sign in", "log in", "signed in", "logged in",
                        "verify", "verification"]},
}

STATUS = {
    "completed": {"any": ["完結", "completed", "finished", "ended", "complete"], "not": ["連載中", "ongoing", "未完結"]},
    "ongoing": {"any": ["連載中", "ongoing", "still running", "not finished", "未完結", "継続中", "still being published"],
                "not": ["完結済", "全巻完結", "is completed", "has finished", "has ended"]},
}
IN_STOCK = {"any": ["在庫あり", "在庫がございます", "在庫があります", "in stock", "available"],
            "not": ["在庫切れ", "品切れ", "在庫なし", "out of stock", "sold out", "not in stock"]}
OUT_OF_STOCK = {"any": ["在庫切れ", "品切れ", "在庫なし", "在庫がありません", "在庫がございません", "out of stock",
                        "sold out", "not in stock", "unavailable"],
                "not": ["在庫あり"]}

GENRE_WORDS = {
    "isekai": (["異世界もの", "異世界系の漫画", "異世界転生もの"], ["isekai", "isekai manga", "isekai stuff"]),
    "cooking": (["料理漫画", "グルメ漫画", "料理系のマンガ"], ["cooking manga", "food manga", "cooking"]),
    "music": (["音楽漫画", "音楽もの", "バンドものの漫画"], ["music manga", "manga about music"]),
    "medical": (["医療漫画", "医療もの"], ["medical manga", "hospital / medical manga"]),
    "mecha": (["ロボット漫画", "ロボットもの"], ["mecha", "mecha manga", "robot manga"]),
    "horror": (["ホラー漫画", "怖い漫画", "ホラー系"], ["horror manga", "scary manga", "horror"]),
    "sports": (["スポーツ漫画", "スポーツもの"], ["sports manga", "sport manga"]),
    "mystery": (["ミステリー漫画", "推理もの"], ["mystery manga", "detective manga"]),
    "historical": (["歴史漫画", "時代もの"], ["historical manga", "history manga"]),
}
DEMOGRAPHIC_WORDS = {
    "shoujo": (["少女漫画", "少女マンガ"], ["shoujo", "shojo manga", "shoujo manga"]),
    "josei": (["女性向けの漫画", "女性漫画", "大人の女性向けマンガ"], ["josei", "josei manga"]),
    "seinen": (["青年漫画", "青年マンガ"], ["seinen", "seinen manga"]),
    "kodomo": (["子ども向けの漫画", "児童漫画", "小学生向けのマンガ"], ["kids manga", "manga for children",
                                                                 "kodomo manga"]),
}

TEMPLATES = {
    "completion": (
        ["{t}って完結してますか？", "{t}完結した？", "{t}はもう終わってますか", "{t}って連載中？もう完結？",
         "{t}は完結済みでしょうか。", "{t} 完結してる？全巻揃えたいので"],
        ["Is {t} finished?", "is {t} completed yet", "has {t} ended or is it still going?",
         "Is the {t} manga complete?", "{t} - is the series over?", "is {t} still ongoing??"],
    ),
    "volume_count": (
        ["{t}って何巻まで出てますか？", "{t}は全部で何巻？", "{t}の既刊は何冊ですか", "{t} 何巻まである？",
         "{t}は何巻で完結ですか？"],
        ["How many volumes does {t} have?", "how many vols of {t} are out", "{t} how many books total?",
         "What's the volume count for {t}?", "how many volumes is {t}"],
    ),
    "missing_volume": (
        ["{t}の{v}巻ありますか？", "{t} {v}巻 在庫ある？", "{t}の{v}巻はいつ入荷しますか", "{t}{v}巻ください"],
        ["Do you have {t} volume {v}?", "is {t} vol {v} in stock", "{t} v{v} available?",
         "I'm looking for {t} volume {v}"],
    ),
    "latest_volume": (
        ["{t}の最新刊ありますか？", "{t}の最新巻っていくらですか", "{t} 最新刊 在庫", "{t}の新しい巻はありますか？"],
        ["Do you have the latest volume of {t}?", "newest {t} volume in stock?", "latest {t} book price?",
         "what's the most recent volume of {t}"],
    ),
    "author": (
        ["{t}の作者は誰ですか？", "{t}って誰が描いてるの？", "{t}の著者を教えてください"],
        ["Who wrote {t}?", "who is the author of {t}", "who's the mangaka for {t}?"],
    ),
    "availability": (
        ["{t}の{v}巻って在庫ありますか？", "{t} {v}巻ある？", "{t}の{v}巻はいくらですか", "{t}{v}巻在庫あります？",
         "すみません、{t}の{v}巻は買えますか？", "{t}の第{v}巻を探しています"],
        ["Is {t} volume {v} in stock?", "do u have {t} vol {v}", "how much is {t} volume {v}?",
         "{t} vol. {v} available?", "Hi, can I buy {t} book {v}?", "price of {t} #{v}?"],
    ),
    "genre": (
        ["{g}で在庫があるものはありますか？", "{g}の在庫ある？", "{g}を探しています。今買えるものは？",
         "何か{g}ありますか"],
        ["any {g} in stock?", "Do you have {g} in stock?", "what {g} can I buy right now?",
         "looking for some {g}, what do you have?"],
    ),
    "demographic": (
        ["{g}のおすすめを教えてください", "{g}で何かおすすめある？", "{g}読みたいです。在庫あるものは？"],
        ["Can you recommend some {g}?", "any good {g} in stock?", "I'd like to read {g}, what do you have?"],
    ),
    "rare_edition": (
        ["{t}の{e}って在庫ありますか？", "{t} {e} ありますか", "{t}の{e}を探しています。いくらですか？",
         "レアだと思いますが{t}の{e}はありますか"],
        ["Do you have the {t} {e}?", "is the {t} {e} in stock", "looking for {t} {e}, how much?",
         "I know it's rare but do you carry {t} {e}?"],
    ),
    "recommendation": (
        ["{t}が好きなんですが、似た漫画はありますか？", "{t}みたいなおすすめ教えて", "{t}にハマってます。次は何を読めば？"],
        ["I loved {t}, what should I read next?", "anything similar to {t}?", "recommend me something like {t}"],
    ),
}
CLASS_CATEGORY = {"completion": "product_info", "volume_count": "product_info", "author": "product_info",
                  "missing_volume": "availability", "latest_volume": "availability", "availability": "availability",
                  "genre": "availability", "demographic": "recommendation", "rare_edition": "rare_manga",
                  "recommendation": "recommendation"}
PER_LANGUAGE = {"completion": 13, "volume_count": 10, "missing_volume": 8, "latest_volume": 8, "author": 6,
                "availability": 16, "genre": 8, "demographic": 5, "rare_edition": 10, "recommendation": 5}
EDITION_WORDS = {"box_set": (["BOXセット", "全巻セット", "BOX"], ["box set", "complete box set"]),
                 "special": (["特装版", "限定版"], ["special edition", "limited edition"]),
                 "standard": (["{v}巻"], ["volume {v}"])}


def load_catalog(directory: Path = CATALOG_DIR) -> dict:
    def read(name):
        with open(directory / name, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    manga = {m["slug"]: m for m in read("manga.jsonl")}
    products = {p["sku"]: p for p in read("products.jsonl")}
    faq = {f["key"]: f for f in read("faq.jsonl")}
    return {"manga": manga, "products": products, "faq": faq}


def _names(series: dict) -> list[str]:
    names = [series["title_ja"], series["title_en"], *series.get("aliases", [])]
    return list(dict.fromkeys(n for n in names if len(n) >= 2))


def _volume_names(v: int) -> list[str]:
    return [f"{v}巻", f"volume {v}", f"vol. {v}", f"vol {v}", f"#{v}"]


def _in_stock_series(catalog: dict) -> set[str]:
    return {p["series"] for p in catalog["products"].values() if p["stock"] > 0}


def alternatives(source: str, catalog: dict) -> dict:
    """The canonical fact for a catalog source (`manga:SLUG:FIELD`, `product:SKU:FIELD`, `genre:G`,
    `demographic:D`) — what the generated records carry and what the test re-derives from the shipped data."""
    kind, _, rest = source.partition(":")
    if kind == "manga":
        slug, field = rest.rsplit(":", 1)
        series = catalog["manga"][slug]
        if field == "status":
            return dict(STATUS[series["status"]])
        if field == "total_volumes":
            n = series["total_volumes"]
            return {"any": [f"{n}巻", f"{n} volumes", f"{n} vols", f"{n}冊", f"volume {n}", f"vol. {n}"]}
        if field == "author":
            author_en = series.get("author_en", "")
            reversed_en = " ".join(reversed(author_en.split()))
            return {"any": list(dict.fromkeys(a for a in [series["author"], series["author"].replace(" ", ""),
                                                          author_en, reversed_en] if a))}
    if kind == "product":
        sku, field = rest.rsplit(":", 1)
        product = catalog["products"][sku]
        if field == "price_jpy":
            return {"any": [f"{product['price_jpy']}円"]}
        if field == "stock":
            stock = dict(IN_STOCK if product["stock"] > 0 else OUT_OF_STOCK)
            if product.get("volume") and product.get("edition", "standard") == "standard":
                stock["near"] = _volume_names(product["volume"])  # one volume's stock, not its neighbour's
            return stock
        if field == "volume":
            return {"any": _volume_names(product["volume"])}
    if kind in ("genre", "demographic"):
        stocked = _in_stock_series(catalog)
        titles = [n for s in catalog["manga"].values() if s["slug"] in stocked
                  and (rest in s["genres"] if kind == "genre" else s["demographic"] == rest) for n in _names(s)]
        return {"any": sorted(set(titles))}
    raise ValueError(f"unknown catalog fact source {source!r}")


def _fact(source: str, catalog: dict) -> dict:
    return alternatives(source, catalog) | {"source": source}


def _typo(title: str, rng: random.Random) -> str:
    """What customers type: lower case, a missing "!!", now and then two letters swapped."""
    if rng.random() < 0.4:
        title = title.lower()
    title = title.rstrip("!").rstrip("?")
    letters = [i for i in range(2, len(title) - 2) if title[i].isalpha() and title[i + 1].isalpha()]
    if len(title) >= 8 and letters and rng.random() < 0.2:
        i = rng.choice(letters)
        title = title[:i] + title[i + 1] + title[i] + title[i + 2:]
    return title


def _title(series: dict, lang: str, rng: random.Random) -> str:
    if lang == "en":
        return _typo(series["title_en"], rng)
    choices = [series["title_ja"]] + [a for a in series.get("aliases", []) if not a.isascii() and len(a) >= 2]
    if series["title_en"] != series["title_ja"] and rng.random() < 0.1:
        choices.append(series["title_en"])  # mixed script: "Haikyu!!って完結してますか"
    return rng.choice(choices)


def _number(v: int, lang: str, rng: random.Random) -> str:
    if lang == "ja" and rng.random() < 0.2:
        return str(v).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return str(v)


def _generate(catalog: dict) -> list[dict]:
    records = []
    well_known = sorted(s for s, m in catalog["manga"].items() if not m["rare"])
    rare = sorted(s for s, m in catalog["manga"].items() if m["rare"])
    by_series = defaultdict(list)
    for product in catalog["products"].values():
        by_series[product["series"]].append(product)
    stocked = _in_stock_series(catalog)

    for cls, count in PER_LANGUAGE.items():
        for li, lang in enumerate(("ja", "en")):
            rng = random.Random(f"{cls}:{lang}")
            templates = TEMPLATES[cls][li]
            pool = rare if cls == "rare_edition" else well_known
            if cls in ("genre", "demographic"):
                words = GENRE_WORDS if cls == "genre" else DEMOGRAPHIC_WORDS
                keys = [k for k in words if any(
                    (k in m["genres"] if cls == "genre" else m["demographic"] == k)
                    for s, m in catalog["manga"].items() if s in stocked)]
                chosen = [keys[i % len(keys)] for i in range(count)]
            else:
                chosen = rng.sample(pool, count)
            for n, key in enumerate(chosen):
                template = templates[n % len(templates)]
                record = {"lang": lang, "category": CLASS_CATEGORY[cls], "class": cls, "route": "auto",
                          "must_contain": []}
                if cls in ("genre", "demographic"):
                    words = (GENRE_WORDS if cls == "genre" else DEMOGRAPHIC_WORDS)[key][li]
                    record["text"] = template.format(g=words[n // len(keys) % len(words)])
                    record["must_contain"].append(_fact(f"{cls}:{key}", catalog))
                    records.append(record)
                    continue
                series = catalog["manga"][key]
                t = _title(series, lang, rng)
                if cls in ("completion", "volume_count", "author"):
                    field = {"completion": "status", "volume_count": "total_volumes", "author": "author"}[cls]
                    record["text"] = template.format(t=t)
                    record["must_contain"].append(_fact(f"manga:{key}:{field}", catalog))
                elif cls == "missing_volume":
                    v = series["total_volumes"] + rng.randint(1, 12)
                    record["text"] = template.format(t=t, v=_number(v, lang, rng))
                    record["must_contain"].append(_fact(f"manga:{key}:total_volumes", catalog))
                elif cls == "latest_volume":
                    sku = f"{key}-{series['total_volumes']:03d}"
                    record["text"] = template.format(t=t)
                    record["must_contain"] += [_fact(f"product:{sku}:volume", catalog),
                                               _fact(f"product:{sku}:price_jpy", catalog)]
                elif cls == "availability":
                    product = rng.choice([p for p in by_series[key] if p["edition"] == "standard"])
                    record["text"] = template.format(t=t, v=_number(product["volume"], lang, rng))
                    record["must_contain"] += [_fact(f"product:{product['sku']}:price_jpy", catalog),
                                               _fact(f"product:{product['sku']}:stock", catalog)]
                elif cls == "rare_edition":
                    special = [p for p in by_series[key] if p["edition"] != "standard"]
                    product = special[0] if special else rng.choice(by_series[key])
                    words = EDITION_WORDS[product["edition"]][li]
                    edition = rng.choice(words).format(v=product["volume"])
                    record["text"] = template.format(t=t, e=edition)
                    record["must_contain"] += [_fact(f"product:{product['sku']}:price_jpy", catalog),
                                               _fact(f"product:{product['sku']}:stock", catalog)]
                elif cls == "recommendation":
                    record["text"] = template.format(t=t)  # the route only: which titles fit is a matter of taste
                records.append(record)
    return records


def _handwritten(catalog: dict, name: str = "handwritten.jsonl") -> list[dict]:
    records = []
    with open(DATA_DIR / name, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            facts = []
            for fact in record.pop("facts", []):
                if isinstance(fact, str) and fact.startswith("policy:"):
                    facts.append(POLICY[fact.removeprefix("policy:")] | {"source": fact})
                elif isinstance(fact, str):  # a catalog source, "manga:SLUG:FIELD"
                    facts.append(_fact(fact, catalog))
                else:
                    facts.append(fact)
            records.append(record | {"must_contain": facts})
    return records


def build(catalog: dict | None = None) -> tuple[list[dict], list[dict]]:
    """(tuning, heldout): every question with an id, split ~60/40 within each (class, language).

    A handwritten record marked `"part": "tuning"` was written after the held-out part was first measured: it joins
    the tuning part only, and the others split exactly as before, so the held-out part does not move."""
    catalog = catalog or load_catalog()
    groups, tuning_only = defaultdict(list), defaultdict(list)
    for record in _generate(catalog) + _handwritten(catalog):
        part = tuning_only if record.pop("part", None) == "tuning" else groups
        part[(record["class"], record["lang"])].append(record)
    tuning, heldout = [], []
    for (cls, lang) in sorted(groups.keys() | tuning_only.keys()):
        members, added = groups[(cls, lang)], tuning_only[(cls, lang)]
        for n, record in enumerate(members + added, 1):
            record["id"] = f"{cls}-{lang}-{n:03d}"
        shuffled = list(members)
        random.Random(f"split:{cls}:{lang}").shuffle(shuffled)
        cut = round(len(shuffled) * TUNING_SHARE)
        tuning += sorted(shuffled[:cut] + added, key=lambda r: r["id"])
        heldout += sorted(shuffled[cut:], key=lambda r: r["id"])
    return [_ordered(r) for r in tuning], [_ordered(r) for r in heldout]


# Blind parts: questions written by someone who had seen neither the rules nor any answer, each after everything
# before it had been read. Only ever reported on; a part is measured once before anything is changed for it.
BLIND_PARTS = {"fresh": "fresh_handwritten.jsonl", "fresh2": "fresh2_handwritten.jsonl",
               "fresh3": "fresh3_handwritten.jsonl", "fresh4": "fresh4_handwritten.jsonl",
               "fresh5": "fresh5_handwritten.jsonl", "fresh6": "fresh6_handwritten.jsonl",
               "fresh7": "fresh7_handwritten.jsonl", "fresh8": "fresh8_handwritten.jsonl",
               "fresh9": "fresh9_handwritten.jsonl", "fresh10": "fresh10_handwritten.jsonl",
               "fresh11": "fresh11_handwritten.jsonl", "fresh12": "fresh12_handwritten.jsonl",
               "fresh13": "fresh13_handwritten.jsonl", "fresh14": "fresh14_handwritten.jsonl"}


def build_blind(part: str = "fresh", catalog: dict | None = None) -> list[dict]:
    """A blind part (BLIND_PARTS) with ids `PART-CLASS-LANG-NNN`."""
    records = _handwritten(catalog or load_catalog(), BLIND_PARTS[part])
    counts = defaultdict(int)
    for record in records:
        key = (record["class"], record["lang"])
        counts[key] += 1
        record["id"] = f"{part}-{record['class']}-{record['lang']}-{counts[key]:03d}"
    return [_ordered(r) for r in records]


def _ordered(record: dict) -> dict:
    return {k: record[k] for k in ("id", "text", "lang", "category", "class", "route", "must_contain")}


def dumps(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


PARTS = ("tuning", "heldout", *BLIND_PARTS)


def load(part: str) -> list[dict]:
    """A committed part: `tuning`, `heldout` or a blind part."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}: {', '.join(PARTS)}")
    with open(DATA_DIR / f"{part}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write() -> dict[str, int]:
    """Writes every part; returns the number of questions in each."""
    catalog = load_catalog()
    tuning, heldout = build(catalog)
    parts = {"tuning": tuning, "heldout": heldout} | {part: build_blind(part, catalog) for part in BLIND_PARTS}
    for part, records in parts.items():
        (DATA_DIR / f"{part}.jsonl").write_text(dumps(records), encoding="utf-8")
    return {part: len(records) for part, records in parts.items()}
