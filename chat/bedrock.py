"""Amazon Bedrock (LLM_BACKEND=bedrock): Haiku classifies, Sonnet answers through the Converse API with tool use.

The same catalog tools as the offline backend run on the model's tool calls; a tool that was not performed is
returned to the model as an error result, never as an empty one. The answer must fit the request budget
(guards.Budget: steps, tokens, BEDROCK_TURN_SECONDS, $0.10); on throttling, a timeout or an exhausted budget the
offline backend answers instead, and the turn says why (Usage.cut_short) so that degradation counts it as slow.
Token counts and cost are recorded on the draft.
"""

import json
import logging
import re
import threading
from dataclasses import dataclass
from decimal import Decimal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from catalog import tools
from chat import classifier, generation
from chat.guards import Budget
from chat.memory import Memory
from chat.models import Category, Message
from common import cpu
from prompts.serving import wording

log = logging.getLogger(__name__)
CLASSIFY_BUDGET_SECONDS = 4
SELF_ASSESSMENT = re.compile(r"\s*\[confidence:\s*([01](?:\.\d+)?)\]\s*$", re.IGNORECASE)
CLASSIFY_PROMPT = (
    "Classify the customer's message for a Japanese manga store. Reply with JSON only, no prose: "
    '{"category": one of ' + json.dumps(list(Category.values)) + ', "intent": short snake_case, '
    '"genre": a manga genre or null, "language": "ja" or "en", "confidence": 0..1}'
)
ANSWER_SUFFIX = ("\nUse the tools for every title, price, stock figure, order status and policy you mention. "
                 "End your reply with [confidence: X] where X in 0..1 is how sure you are that it is correct.")

SUMMARY_PREFIX = "(Summary of this customer's earlier questions in this conversation, for context only)\n"

TOOL_SPECS = [
    {"toolSpec": {"name": "search_manga_catalog", "description": "Search the store's manga by title, author or description.",
                  "inputSchema": {"json": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}},
    {"toolSpec": {"name": "check_inventory", "description": "Current stock and price of a series or a SKU.",
                  "inputSchema": {"json": {"type": "object", "properties": {"sku_or_title": {"type": "string"}}, "required": ["sku_or_title"]}}}},
    {"toolSpec": {"name": "get_manga_details", "description": "Details of one series by id.",
                  "inputSchema": {"json": {"type": "object", "properties": {"manga_id": {"type": "integer"}}, "required": ["manga_id"]}}}},
    {"toolSpec": {"name": "similar_manga", "description": "Series similar to one series (by id), for recommendations.",
                  "inputSchema": {"json": {"type": "object", "properties": {"manga_id": {"type": "integer"}}, "required": ["manga_id"]}}}},
    {"toolSpec": {"name": "lookup_order", "description": "Status and tracking of the customer's own order.",
                  "inputSchema": {"json": {"type": "object", "properties": {"order_number": {"type": "string"}}, "required": ["order_number"]}}}},
    {"toolSpec": {"name": "search_faq", "description": "Store policies: shipping, returns, payment, account.",
                  "inputSchema": {"json": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}},
]


@dataclass
class Usage:
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: Decimal = Decimal("0")
    self_assessment: float | None = None
    cut_short: str = ""  # why the model's answer was given up for the offline one: a timeout, throttling, no time left

    def add(self, usage: dict, kind: str) -> Decimal:
        price_in, price_out = settings.BEDROCK_PRICES[kind]
        tokens_in, tokens_out = usage.get("inputTokens", 0), usage.get("outputTokens", 0)
        cost = (Decimal(str(price_in)) * tokens_in + Decimal(str(price_out)) * tokens_out) / Decimal(1_000_000)
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        self.cost_usd += cost
        return cost


_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def client(kind: str = "answer", read_timeout: int | None = None):
    """One boto3 client per process and kind of call, shared by every thread (boto3 clients are thread-safe).

    The kind fixes the read timeout botocore enforces: "classify" (Haiku, CLASSIFY_BUDGET_SECONDS) or "answer"
    (each Sonnet call, BEDROCK_CALL_TIMEOUT_SECONDS); the request budget decides between calls whether another one
    may start. No retries within a turn: a throttled or slow call falls back to the offline answer. The connection
    pool is as large as the worker's concurrency, so threads do not queue for (or discard) connections.

    `read_timeout` (whole seconds, below the kind's own) is for a call near the end of the turn's time budget: one
    more client per second of it, so a process holds at most BEDROCK_CALL_TIMEOUT_SECONDS + 2 of them."""
    key = kind if read_timeout is None else f"{kind}:{read_timeout}s"
    found = _clients.get(key)
    if found is None:
        with _clients_lock:  # creating clients is not thread-safe; using them is
            found = _clients.get(key)
            if found is None:
                timeout = read_timeout or (CLASSIFY_BUDGET_SECONDS if kind == "classify"
                                           else settings.BEDROCK_CALL_TIMEOUT_SECONDS)
                found = boto3.session.Session().client(
                    "bedrock-runtime", region_name=settings.AWS_REGION,
                    endpoint_url=settings.BEDROCK_ENDPOINT_URL or None,
                    # total_max_attempts 1: no retry ({"max_attempts": 1} still meant one retry)
                    config=Config(read_timeout=timeout, connect_timeout=2,
                                  retries={"mode": "standard", "total_max_attempts": 1},
                                  max_pool_connections=settings.BEDROCK_MAX_CONNECTIONS))
                _clients[key] = found
    return found


def _call_timeout(budget: Budget) -> int | None:
    """The read timeout of the next answer call: BEDROCK_CALL_TIMEOUT_SECONDS, or the whole seconds left of the turn's
    time budget when fewer (a 10 s call started at 15 s would end past the 20 s budget). None: under a second left."""
    left = budget.seconds_left()
    if left >= settings.BEDROCK_CALL_TIMEOUT_SECONDS:
        return None
    return int(left) if left >= 1 else 0


def classify(text: str, usage: Usage | None = None, vector=None) -> classifier.Classification:
    """Haiku with a JSON-only prompt and a 4 s budget; the offline classifier on any failure.

    Haiku's tokens and cost are added to `usage` (when given), so the message and the session pay for them too."""
    try:
        with cpu.waiting():
            response = client("classify").converse(
                modelId=settings.BEDROCK_CLASSIFY_MODEL, system=[{"text": CLASSIFY_PROMPT}],
                messages=[{"role": "user", "content": [{"text": text}]}], inferenceConfig={"maxTokens": 200})
        if usage is not None:
            usage.add(response.get("usage", {}), "classify")
        data = json.loads(_text_of(response))
        if data.get("category") not in Category.values:
            raise ValueError(f"unknown category {data.get('category')!r}")
        probability = float(data.get("confidence", 0.7))
        return classifier.Classification(category=data["category"], probability=probability, margin=probability / 2,
                                         language=data.get("language") or ("ja" if classifier.has_japanese(text) else "en"),
                                         genre_hint=data.get("genre"))
    except (BotoCoreError, ClientError, ValueError, KeyError, TypeError) as exc:
        log.warning("bedrock classify fell back to offline: %s", exc)
        return classifier.classify(text, vector)


def _text_of(response: dict) -> str:
    return "".join(block.get("text", "") for block in response["output"]["message"]["content"])


def _run_tool(name: str, arguments: dict, customer, locale: str = "ja") -> tools.ToolResult:
    if name == "search_manga_catalog":
        return tools.search_manga_catalog(str(arguments.get("query", "")))
    if name == "check_inventory":
        return tools.check_inventory(str(arguments.get("sku_or_title", "")))
    if name == "get_manga_details":
        return tools.get_manga_details(int(arguments.get("manga_id", 0)))
    if name == "similar_manga":
        return tools.similar_manga(int(arguments.get("manga_id", 0)))
    if name == "lookup_order":
        return tools.lookup_order(str(arguments.get("order_number", "")), customer)
    if name == "search_faq":
        return tools.search_faq(str(arguments.get("query", "")), locale)
    return tools.ToolResult(name, False, None, "unknown tool")


def _tool_result_block(tool_use_id: str, result: tools.ToolResult) -> dict:
    if not result.performed:
        return {"toolResult": {"toolUseId": tool_use_id, "status": "error",
                               "content": [{"text": f"NOT PERFORMED ({result.error}). This is not 'no results': "
                                                    "tell the customer you could not check."}]}}
    payload = json.loads(json.dumps(result.data, default=lambda o: o.__dict__ if hasattr(o, "__dict__") else str(o)))
    return {"toolResult": {"toolUseId": tool_use_id, "content": [{"json": {"result": payload}}]}}


def answer(message: Message, memory: Memory, category: str, locale: str, prompt, budget: Budget, vector=None,
           model_kind: str = "answer"):
    """(Composed, Usage). Falls back to the offline templates on throttling, timeouts or an exhausted budget.

    model_kind "answer" is Sonnet; "classify" (a degraded tier, chat/degradation.py) answers with Haiku, priced so."""
    model = settings.BEDROCK_ANSWER_MODEL if model_kind == "answer" else settings.BEDROCK_CLASSIFY_MODEL
    usage = Usage()
    history = [{"role": "user" if m.role == Message.Role.USER else "assistant", "content": [{"text": m.text}]}
               for m in memory.recent]
    if memory.summary:  # the customer's own earlier questions: context in the conversation, never in the system prompt
        history.insert(0, {"role": "user", "content": [{"text": SUMMARY_PREFIX + memory.summary}]})
    conversation = _alternating(history + [{"role": "user", "content": [{"text": message.text}]}])
    system = [{"text": (prompt.text if prompt else "") + ANSWER_SUFFIX}]
    results: list[tools.ToolResult] = []
    try:
        while not budget.exhausted():
            read_timeout = _call_timeout(budget)
            if read_timeout == 0:
                log.warning("under a second of the turn's budget left: no further model call")
                usage.cut_short = "no time left"
                break
            with cpu.waiting():
                response = client("answer", read_timeout).converse(
                    modelId=model, system=system, messages=conversation,
                    toolConfig={"tools": TOOL_SPECS}, inferenceConfig={"maxTokens": 800, "temperature": 0.2})
            cost = usage.add(response.get("usage", {}), model_kind)
            budget.spend(steps=1, call_tokens=response.get("usage", {}).get("totalTokens", 0), cost_usd=cost)
            reply = response["output"]["message"]
            if response.get("stopReason") != "tool_use":
                if results and not any(r.performed for r in results):
                    # Nothing could be looked up: say so in our words, whatever the model made of it (it tends to
                    # ask for the title again, as if the search had found nothing).
                    return generation.Composed(_could_not_check(results, locale), results=results,
                                               tool_failed=True), usage
                text = _text_of(response)
                if not text.strip():
                    log.warning("bedrock returned an empty answer; answering offline")
                    break
                assessed = SELF_ASSESSMENT.search(text)
                if assessed:
                    usage.self_assessment = float(assessed.group(1))
                    text = SELF_ASSESSMENT.sub("", text)
                retrieval = max([h.score for r in results if r.performed and isinstance(r.data, tuple)
                                 for h in r.data if hasattr(h, "score")] or [0.8 if results else 0.5])
                return generation.Composed(text.strip(), sources=_sources(results), results=results,
                                           retrieval=retrieval,
                                           tool_failed=any(not r.performed for r in results)), usage
            conversation.append(reply)
            blocks = []
            for block in reply["content"]:
                if "toolUse" in block:
                    use = block["toolUse"]
                    result = _run_tool(use["name"], use.get("input") or {}, message.session.customer, locale)
                    budget.spend(steps=1)
                    results.append(result)
                    blocks.append(_tool_result_block(use["toolUseId"], result))
            conversation.append({"role": "user", "content": blocks})
        log.warning("bedrock answer exceeded its budget: %s", budget.violations)
    except (BotoCoreError, ClientError) as exc:
        log.warning("bedrock answer fell back to offline: %s", exc)
        usage.cut_short = type(exc).__name__
    routed = classifier.Classification(category=category, probability=1.0, margin=1.0, language=locale, genre_hint=None)
    offline = generation.compose(message.text, routed, locale, message.session.customer, vector)
    return offline, usage


def _could_not_check(results: list[tools.ToolResult], locale: str) -> str:
    """The offline backend's "we could not check" wording for the kind of lookup that failed."""
    failed = {r.tool for r in results}
    if failed <= {"lookup_order"}:
        return wording("order.could_not_check", locale)
    if failed <= {"search_faq"}:
        return wording("faq.could_not_check", locale)
    return generation.could_not_check(locale)


def _alternating(messages: list[dict]) -> list[dict]:
    """Converse wants user/assistant turns alternating and starting with the user: merge neighbours."""
    merged: list[dict] = []
    for item in messages:
        if merged and merged[-1]["role"] == item["role"]:
            merged[-1]["content"] = merged[-1]["content"] + item["content"]
        else:
            merged.append({"role": item["role"], "content": list(item["content"])})
    while merged and merged[0]["role"] != "user":
        merged.pop(0)
    return merged


def _sources(results: list[tools.ToolResult]) -> list[dict]:
    sources = []
    for result in results:
        if not result.performed or result.data is None:
            continue
        items = result.data if isinstance(result.data, tuple) else (result.data,)
        for item in items:
            if hasattr(item, "manga_id"):
                sources.append({"type": "manga", "id": item.manga_id, "label": item.title_ja})
            elif hasattr(item, "order_number"):
                sources.append({"type": "order", "number": item.order_number})
            elif hasattr(item, "key") and hasattr(item, "answer"):
                sources.append({"type": "faq", "key": item.key})
    return sources
