"""A local Bedrock-compatible server for tests and benchmarks: the Converse API (POST /model/{modelId}/converse).

Real boto3 talks to it through BEDROCK_ENDPOINT_URL (chat/bedrock.py passes it as `endpoint_url`), so the whole
client path (serialisation, timeouts, error parsing) runs as in production. It answers with Bedrock's response
shapes: Haiku-style classification JSON, Sonnet-style toolUse round trips then a final answer built only from the
tool results it was sent (so it passes the grounding check), `usage` token counts and `metrics.latencyMs`.

Behaviour is adjustable while it runs (POST /_control with JSON, or `Behaviour` in-process):
  classify_latency (s, default 0.3), answer_latency (s per answer call, default 0.8), throttle (share of calls
  answered 429 ThrottlingException, 0..1), hang (calls never answered; the client's read timeout ends them).
GET /_stats returns call counts. No Django import: `python -m chat.bedrock_local --port 8765` starts it alone.
"""

import argparse
import asyncio
import json
import random
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote

CONVERSE = re.compile(r"^/model/(?P<model>[^/]+)/converse$")
CATEGORY_WORDS = [  # first match wins: the ones that must go to a person come first
    ("refund", ["返金", "返品", "refund", "money back", "return"]),
    ("legal", ["著作権", "違法", "海賊版", "弁護士", "個人情報", "copyright", "illegal", "lawyer", "gdpr", "legal"]),
    ("complaint", ["苦情", "破損", "ひどい", "最悪", "怒", "damaged", "complain", "terrible", "worst", "unacceptable"]),
    ("payment", ["支払", "決済", "クレジット", "カード", "請求", "payment", "card", "charged", "invoice", "pay "]),
    ("order_status", ["注文", "MA-", "届かない", "追跡", "order", "tracking", "where is my"]),
    ("shipping", ["配送", "送料", "発送", "海外", "shipping", "deliver", "ship "]),
    ("account", ["アカウント", "パスワード", "ログイン", "メール", "退会", "account", "password", "login", "log in", "email"]),
    ("recommendation", ["おすすめ", "オススメ", "似た", "recommend", "similar", "suggest", "like "]),
    ("rare_manga", ["希少", "レア", "初版", "絶版", "サイン", "rare", "first edition", "out of print", "signed"]),
    ("product_info", ["どんな", "作者", "あらすじ", "何巻", "about", "author", "synopsis", "how many volumes"]),
    ("availability", ["在庫", "巻", "買え", "stock", "volume", "vol", "available", "buy"]),
]
CATALOG = {"availability", "product_info", "rare_manga", "recommendation"}
POLICY = {"refund", "legal", "complaint", "payment", "shipping", "account"}
ORDER_NUMBER = re.compile(r"MA-?\d{6}", re.IGNORECASE)


@dataclass
class Behaviour:
    classify_latency: float = 0.3
    answer_latency: float = 0.8
    throttle: float = 0.0
    hang: bool = False
    calls: dict = field(default_factory=lambda: {"classify": 0, "answer": 0, "throttled": 0, "hung": 0})


def _category(text: str) -> str:
    lowered = text.lower()
    for category, words in CATEGORY_WORDS:
        if any(word.lower() in lowered for word in words):
            return category
    return "general"


def _tokens(payload) -> int:
    # about 3 characters a token for mixed Japanese/English JSON: close enough for budgets and cost
    return max(1, len(json.dumps(payload, ensure_ascii=False)) // 3)


def _texts(message: dict) -> str:
    return " ".join(block.get("text", "") for block in message.get("content", []) if "text" in block)


def _response(content: list[dict], stop_reason: str, tokens_in: int, started: float) -> dict:
    tokens_out = max(1, _tokens(content) // 2)
    return {"output": {"message": {"role": "assistant", "content": content}}, "stopReason": stop_reason,
            "usage": {"inputTokens": tokens_in, "outputTokens": tokens_out, "totalTokens": tokens_in + tokens_out},
            "metrics": {"latencyMs": int((time.monotonic() - started) * 1000)}}


def classify(body: dict, started: float) -> dict:
    text = _texts(body["messages"][-1])
    category = _category(text)
    japanese = bool(re.search(r"[\u3040-\u30ff\u3400-\u9fff]", text))
    verdict = {"category": category, "intent": f"{category}_question", "genre": None,
               "language": "ja" if japanese else "en", "confidence": 0.9 if category != "general" else 0.6}
    return _response([{"text": json.dumps(verdict)}], "end_turn", _tokens(body), started)


def _grounded_answer(results: list[dict], japanese: bool) -> str:
    """A reply that states only what the tools returned, written the way the grounding check reads claims."""
    for result in results:
        data = result.get("result")
        hits = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        for hit in hits:
            if not isinstance(hit, dict):
                continue
            if "title_ja" in hit:
                products = [p for p in hit.get("products") or [] if p.get("edition") == "standard"]
                if japanese:
                    line = f"「{hit['title_ja']}」は{hit.get('author', '')}による作品です。"
                    if products:
                        p = products[0]
                        stock = f"在庫あり（{p['stock']}冊）" if p["stock"] > 0 else "在庫切れ"
                        line += f"{p['volume']}巻は{stock}、価格は{p['price_jpy']:,}円（税込）です。"
                    return line
                line = f"\"{hit['title_en']}\" is by {hit.get('author_en') or hit.get('author', '')}."
                if products:
                    p = products[0]
                    stock = f"in stock ({p['stock']} left)" if p["stock"] > 0 else "out of stock"
                    line += f" Volume {p['volume']} is {stock} at ¥{p['price_jpy']:,} (tax included)."
                return line
            if "answer" in hit and "key" in hit:
                return hit["answer"]
            if "order_number" in hit:
                return (f"ご注文 {hit['order_number']} の状況をお調べしました。" if japanese
                        else f"I looked up order {hit['order_number']}.")
    return ("お問い合わせありがとうございます。確認できる情報が見つかりませんでした。" if japanese
            else "Thank you for asking. I could not find anything to go on.")


def answer(body: dict, started: float) -> dict:
    messages = body["messages"]
    last = messages[-1]
    tool_results = [block["toolResult"] for block in last.get("content", []) if "toolResult" in block]
    # The customer's question is the last text block of the last user turn: earlier blocks of that turn are the
    # session summary or earlier messages merged into it (Converse wants the roles to alternate).
    question = next((texts[-1] for m in reversed(messages) if m["role"] == "user"
                     for texts in [[b["text"] for b in m.get("content", []) if b.get("text")]] if texts), "")
    japanese = bool(re.search(r"[\u3040-\u30ff\u3400-\u9fff]", question))
    if tool_results:
        payloads = [c.get("json", {}) for r in tool_results if r.get("status") != "error" for c in r.get("content", [])]
        if not payloads:
            text = ("申し訳ありません、ただいま確認できませんでした。" if japanese
                    else "Sorry, I could not check that just now.")
            return _response([{"text": text + " [confidence: 0.3]"}], "end_turn", _tokens(body), started)
        text = _grounded_answer(payloads, japanese)
        return _response([{"text": f"{text} [confidence: 0.86]"}], "end_turn", _tokens(body), started)
    category = _category(question)
    order = ORDER_NUMBER.search(question)
    if order or category == "order_status":
        tool, arguments = "lookup_order", {"order_number": order.group(0) if order else ""}
    elif category in POLICY:
        tool, arguments = "search_faq", {"query": question}
    elif category in CATALOG:
        tool, arguments = "check_inventory", {"sku_or_title": question}
    else:
        text = ("こんにちは、マンガアシストです。在庫やおすすめについてお気軽にどうぞ。" if japanese
                else "Hello, this is MangaAssist. Ask me about stock or recommendations.")
        return _response([{"text": text + " [confidence: 0.8]"}], "end_turn", _tokens(body), started)
    use = {"toolUseId": f"tooluse_{random.getrandbits(48):012x}", "name": tool, "input": arguments}
    return _response([{"text": "確認します。" if japanese else "Let me check."}, {"toolUse": use}], "tool_use",
                     _tokens(body), started)


class App:
    """The ASGI application (HTTP only). One instance holds the Behaviour that /_control changes."""

    def __init__(self, behaviour: Behaviour | None = None):
        self.behaviour = behaviour or Behaviour()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                pass
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        status, headers, payload = await self.handle(scope["method"], scope["path"], body)
        raw = json.dumps(payload, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()),
                                *headers]})
        await send({"type": "http.response.body", "body": raw})

    async def handle(self, method: str, path: str, body: bytes):
        b = self.behaviour
        if path == "/_control" and method == "POST":
            for key, value in json.loads(body or b"{}").items():
                if key in ("classify_latency", "answer_latency", "throttle", "hang"):
                    setattr(b, key, type(getattr(b, key))(value))
            return 200, [], asdict(b)
        if path == "/_stats":
            return 200, [], asdict(b)
        match = CONVERSE.match(path)
        if not match or method != "POST":
            return 404, [(b"x-amzn-errortype", b"UnknownOperationException")], {"message": "not found"}
        model = unquote(match["model"])
        request = json.loads(body)
        kind = "answer" if "toolConfig" in request else "classify"  # Haiku answers on a degraded tier
        b.calls[kind] += 1
        started = time.monotonic()
        if b.hang:
            b.calls["hung"] += 1
            await asyncio.sleep(3600)
        if b.throttle and random.random() < b.throttle:
            b.calls["throttled"] += 1
            return 429, [(b"x-amzn-errortype", b"ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/")], \
                {"message": "Too many requests, please wait before trying again."}
        await asyncio.sleep(b.classify_latency if kind == "classify" else b.answer_latency)
        return 200, [], classify(request, started) if kind == "classify" else answer(request, started)


@contextmanager
def serve(behaviour: Behaviour | None = None, port: int = 0):
    """Run the server in a background thread on 127.0.0.1; yields (base URL, Behaviour)."""
    import uvicorn

    app = App(behaviour)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True, name="bedrock-local")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the local Bedrock server did not start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{bound}", app.behaviour
    finally:
        server.should_exit = True
        thread.join(10)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--classify-latency", type=float, default=0.3)
    parser.add_argument("--answer-latency", type=float, default=0.8)
    parser.add_argument("--throttle", type=float, default=0.0)
    args = parser.parse_args()
    behaviour = Behaviour(args.classify_latency, args.answer_latency, args.throttle)
    uvicorn.run(App(behaviour), host="127.0.0.1", port=args.port, log_level="warning", lifespan="off",
                access_log=False)


if __name__ == "__main__":
    main()
