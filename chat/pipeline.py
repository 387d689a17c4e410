"""The answer pipeline: one customer message in, one Draft (text, category, confidence, sources) out.

A Turn object flows through named steps, each of which either ends the turn with a draft or adds to it:
_screen (injection; chat.guards) → _classify (embed once; the offline classifier or Haiku on Bedrock; the rules of
chat.intents; the pinned topic) → _require_identity (an anonymous order question; chat.identity) → _route_guards (a
person, fixed answers, the routing loop) → _from_cache (chat.response_cache) → _answer (tools + generation: chat.generation offline, chat.bedrock) → _finish (chat.grounding,
chat.confidence, the cache). The draft goes to reviews.escalation, which decides whether it is sent, reviewed, or
clarified.
"""

import dataclasses
import functools
import logging
import re
import time
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from catalog import embeddings
from chat import (classifier, confidence, degradation, generation, grounding, guards, identity, intents,
                  response_cache)
from chat.drafts import Draft, StatusHint
from chat.memory import Memory
from chat.models import ChatSession, Message
from common import metrics
from prompts import serving

log = logging.getLogger(__name__)
PIN_MIN_PROBABILITY = 0.7  # a confident topic is pinned for the follow-ups ("and volume 2?")
FOLLOW_UP_MAX_PROBABILITY = 0.5
FOLLOW_UP_MAX_CHARS = 12  # "2巻は？", "and vol 3?": too short to carry the topic on their own
# A question whose own words said what it asks (chat.intents) is as sure of its topic as the classifier ever is;
# the evidence (the title match, the FAQ entry) still decides the confidence.
RULE_PROBABILITY, RULE_MARGIN = 0.98, 0.5
HANDOFF_CONFIDENCE = 0.2  # below every default handoff_below: a person answers even where the hint is not read
PERSON_CATEGORIES = {"complaint", "legal"}  # high risk: acknowledged and handed to a person, never a clarifying question

SAFE_FALLBACK = {
    "ja": "申し訳ありません、正確な情報をお伝えできませんでした。担当者が確認してご連絡します。",
    "en": "Sorry, I couldn't give you a reliable answer. A member of our team will check and get back to you.",
}
CLARIFY_LOOP = {
    "ja": "ご質問の内容を確認させてください。在庫・ご注文・配送・おすすめのどれについてのお問い合わせでしょうか？",
    "en": "Let me make sure I understand: is your question about stock, an order, shipping, or a recommendation?",
}


def _route_category(classification: classifier.Classification, memory: Memory, session: ChatSession,
                     meta: dict) -> str:
    """The category to answer under, after the routing guards. Only the customer's own words were classified."""
    category = classification.category
    follow_up = classification.probability < FOLLOW_UP_MAX_PROBABILITY or _is_short(meta["question"])
    if follow_up and session.pinned_intent and session.pinned_intent != category:
        meta["rerouted"] = {"from": category, "to": session.pinned_intent, "why": "pinned intent"}
        category = session.pinned_intent
    elif classification.probability >= PIN_MIN_PROBABILITY and category != session.pinned_intent:
        ChatSession.objects.filter(pk=session.pk).update(pinned_intent=category)
    return category


def _is_short(text: str) -> bool:
    return len("".join(text.split())) <= FOLLOW_UP_MAX_CHARS


def _with_context(text: str, memory: Memory, meta: dict, vector=None) -> str:
    """A follow-up is looked up together with the customer's previous message (its title, its order). A message
    that asks its own catalog question about a title it names is not one, however unsure the classifier was:
    after "ブラック・ジャックみたいな漫画ある？", "賭博黙示録カイジについて教えて" was read with the earlier words and got
    recommendations."""
    earlier = memory.customer_texts()
    if not earlier or not (meta.get("rerouted") or _is_short(text)):
        return text
    if not _is_short(text) and intents.catalog_form(text) and generation.names_a_title(text, vector):
        meta["rerouted"]["own_title"] = True
        return text
    return f"{text} {earlier[-1]}"


def _recent_categories(memory: Memory) -> list[str]:
    return [m.category for m in memory.recent if m.role == Message.Role.ASSISTANT and m.category]


def produce_draft(message: Message, memory: Memory) -> Draft:
    """The draft for one customer message, at the answer tier chosen for this turn (chat/degradation.py)."""
    started = time.perf_counter()
    bedrock_backend = settings.LLM_BACKEND == "bedrock"
    tier = degradation.choose() if bedrock_backend else degradation.TIERS[0]
    if bedrock_backend:  # only Bedrock has tiers to step through; the offline backend is the floor already
        degradation.started(tier, max(0.0, (timezone.now() - message.created_at).total_seconds()))
    # An anonymous customer's order question: how to sign in, whatever the backend made of it (chat/identity.py).
    draft = identity.unless_signed_in(message.session, _produce(message, memory, tier, started))
    # What served the turn: the offline backend runs with the full tier's limits but is the offline tier.
    draft.meta["tier"] = tier.name if bedrock_backend else degradation.TIERS[-1].name
    metrics.incr("chat_turns_total", tier=draft.meta["tier"])
    if bedrock_backend:
        degradation.finished(tier, time.perf_counter() - started, draft.cost_usd or 0,
                             cut_short=bool(draft.meta.get("cut_short")))
    return draft


@dataclasses.dataclass
class Turn:
    """One customer message on its way to a draft: what the steps below read and add, in order."""

    message: Message
    memory: Memory
    tier: degradation.Tier
    started: float  # perf_counter at the start of the turn
    prompt: object  # the live PromptVersion or this session's canary (prompts.serving); None before seeding
    budget: guards.Budget
    meta: dict
    vector: object = None  # the text's embedding: computed once, passed to every step that searches
    use_bedrock: bool = False
    spent: object = None  # Haiku's usage (bedrock.Usage), charged to the draft whatever the turn ends in
    classification: classifier.Classification | None = None
    intent: intents.Intent | None = None
    category: str = ""

    @property
    def session(self) -> ChatSession:
        return self.message.session

    @functools.cached_property
    def text(self) -> str:
        """The message as every step reads it: with the volume numbers it spells out in digits (八巻, "volume
        twelve"), so that one pattern reads them all. The stored message keeps the customer's own words."""
        return intents.with_digits(self.message.text)

    @property
    def locale(self) -> str:
        return self.session.locale

    @property
    def version_id(self) -> int | None:
        return self.prompt.pk if self.prompt else None

    def draft(self, text: str, **fields) -> Draft:
        return Draft(text=text, locale=self.locale, meta=self.meta, prompt_version_id=self.version_id, **fields)


def _produce(message: Message, memory: Memory, tier: degradation.Tier, started: float) -> Draft:
    turn = Turn(message=message, memory=memory, tier=tier, started=started,
                prompt=serving.for_session(message.session.public_id),
                budget=guards.Budget(guards.Limits(max_steps=tier.max_steps, max_seconds=_seconds(tier))),
                meta={"prior_turns": len(memory.recent), "question": message.text})
    # Each step either ends the turn with a draft or adds what it learnt to the turn and hands it on.
    for step in (_screen, _classify, _require_identity, _route_guards, _from_cache, _answer):
        draft = step(turn)
        if draft is not None:
            return _charge(turn.session, turn.spent, draft)
    raise AssertionError("the last step always drafts")


def _seconds(tier: degradation.Tier) -> float:
    """A turn's time budget: a model's is the store's promise (BEDROCK_TURN_SECONDS); an offline one only bounds
    a runaway."""
    if tier.calls_bedrock:
        return settings.BEDROCK_TURN_SECONDS
    return guards.Limits.max_seconds


def _screen(turn: Turn) -> Draft | None:
    """Prompt injection gets the refusal (and counts towards blocking the session); nothing else is looked at."""
    if not guards.is_injection(turn.text):
        return None
    blocked = guards.record_injection(turn.session)
    turn.meta["guard"] = {"injection": True, "blocked": blocked}
    return turn.draft(guards.REFUSAL[turn.locale], category="general", confidence=1.0, intent="refused",
                      status_hint=StatusHint.FALLBACK)


def _classify(turn: Turn) -> None:
    """Embed the text once; classify it (Haiku on Bedrock unless the session is over its cost cap); read the rules."""
    turn.vector = embeddings.embed_one(turn.text)
    turn.use_bedrock = turn.tier.calls_bedrock
    if turn.use_bedrock and guards.over_cost_cap(turn.session):
        turn.use_bedrock = False
        turn.meta["guard"] = {"cost_cap": True}
        metrics.incr("pipeline_limit_violations_total", limit="session_cost")
        log.warning("session %s reached its cost cap (%s USD): answered offline", turn.session.pk,
                    turn.session.cost_usd)
    if turn.use_bedrock:
        from chat import bedrock

        turn.spent = bedrock.Usage()
        classification = bedrock.classify(turn.text, turn.spent, turn.vector)
    else:
        classification = classifier.classify(turn.text, turn.vector)
    turn.classification = classification
    turn.meta["classifier"] = {
        "category": classification.category, "probability": round(classification.probability, 4),
        "margin": round(classification.margin, 4), "top": classification.probabilities,
        "language": classification.language, "genre_hint": classification.genre_hint}
    turn.intent = intents.detect(turn.text)  # the customer's own words, never an earlier turn's
    if turn.intent is not None:
        turn.meta["intent"] = {"kind": turn.intent.kind, "category": turn.intent.category,
                               "faq": list(turn.intent.faq_keys)}
        turn.category = turn.intent.category
    else:
        turn.category = _route_category(classification, turn.memory, turn.session, turn.meta)


def _require_identity(turn: Turn) -> Draft | None:
    """An anonymous customer's order question: how to sign in, before a lookup (or a model call) that cannot succeed.
    produce_draft checks the finished draft again, for a backend that answered under another category."""
    if not identity.needs_sign_in(turn.session, turn.category):
        return None
    if turn.intent is None and intents.catalog_form(turn.text) is not None:
        return None  # a guess whose words ask about a title: generation answers it if the title is plainly named
    return identity.unless_signed_in(turn.session, turn.draft(
        "", category=turn.category, confidence=confidence.CLARIFY_CONFIDENCE, intent=turn.category))


def _route_guards(turn: Turn) -> Draft | None:
    """A person, a goodbye, "are you a bot?" and rule-recognised facts get their fixed answer; a conversation that
    ping-pongs between topics gets the question that names them."""
    intent, category = turn.intent, turn.category
    to_person = (intent is not None and intent.kind in intents.HANDOFF_KINDS) or (
        intent is None and category in PERSON_CATEGORIES and intents.catalog_form(turn.text) is None)
    # A person, a goodbye and "are you a bot?" are the same on both backends; an FAQ fact or an order question the
    # rules recognised is answered from the FAQ entry offline and by the model (under the rule's category) on Bedrock.
    fixed = to_person or (intent is not None and (intent.kind in ("closer", "identity") or not turn.use_bedrock))
    oscillating = guards.oscillating(_recent_categories(turn.memory) + [category])
    # a person is never replaced by the routing-loop question; a fixed answer in a ping-pong conversation is
    if fixed and (to_person or not oscillating):
        composed = (generation.compose_intent(intent, turn.text, turn.locale, turn.session.customer, turn.vector)
                    if intent is not None else generation.compose_handoff(category, turn.locale))
        return _finish(turn, composed, usage=None, cache=False)
    if oscillating:
        turn.meta["guard"] = {"routing_loop": True}
        loop = CLARIFY_LOOP[turn.locale]
        return turn.draft(loop, category=category, confidence=confidence.CLARIFY_CONFIDENCE, intent=category,
                          clarify_text=loop, status_hint=StatusHint.CLARIFY)
    return None


def _from_cache(turn: Turn) -> Draft | None:
    cached = response_cache.get(turn.category, turn.locale, turn.text, turn.vector, turn.version_id)
    if not cached:
        return None
    turn.meta["cache"] = cached["cache"]
    return turn.draft(cached["text"], category=turn.category, confidence=cached["confidence"], intent=turn.category,
                      sources=cached["sources"])


def _answer(turn: Turn) -> Draft:
    """Tools and generation: Sonnet (or Haiku, by tier) on Bedrock, templates over the catalog offline."""
    if turn.use_bedrock:
        from chat import bedrock

        composed, usage = bedrock.answer(turn.message, turn.memory, turn.category, turn.locale, turn.prompt,
                                         turn.budget, turn.vector, model_kind=turn.tier.answer_model)
        if usage.cut_short:
            turn.meta["cut_short"] = usage.cut_short
    else:
        routed = dataclasses.replace(turn.classification, category=turn.category)
        looked_up = _with_context(turn.text, turn.memory, turn.meta, turn.vector)
        composed = generation.compose(looked_up, routed, turn.locale, turn.session.customer,
                                      turn.vector if looked_up == turn.text else None)
        usage = None
        turn.budget.spend(steps=len(composed.results))
    return _finish(turn, composed, usage)


def _finish(turn: Turn, composed, usage, cache: bool = True) -> Draft:
    """Grounding check, confidence and the draft of a composed answer (and the response cache when it may keep it)."""
    meta, budget, category = turn.meta, turn.budget, turn.category
    if composed.category and composed.category != category:
        meta["answered_as"] = {"from": category, "to": composed.category}
        category = composed.category
    meta["budget"] = {"steps": budget.steps, "tokens": budget.tokens, "violations": budget.violations}

    own_words = turn.prompt.own_words if turn.prompt else ""
    check = grounding.check(composed.text, composed.results, own_words=own_words)
    inside = _titles_inside_quotes(composed.text, check.unverified)
    if inside:  # "Another" inside "Isekai Izakaya: Japanese Food From Another World" is that title, not a claim
        check = grounding.check(composed.text, composed.results, allowed_titles=inside, own_words=own_words)
    meta["grounding"] = {"grounded": check.grounded, "unverified": check.unverified}
    meta["tools"] = [{"tool": r.tool, "performed": r.performed, "error": r.error} for r in composed.results]
    probability, margin = ((RULE_PROBABILITY, RULE_MARGIN) if composed.certain
                           else (turn.classification.probability, turn.classification.margin))
    signals = confidence.Signals(
        probability=probability, margin=margin, retrieval=composed.retrieval,
        grounded=check.grounded, tool_failed=composed.tool_failed, clarify=composed.clarify,
        model_self_assessment=usage.self_assessment if usage else None,
    )
    score = confidence.confidence(signals)
    if not check.grounded:
        log.warning("ungrounded answer replaced: %s", check.unverified)
        composed.text = SAFE_FALLBACK[turn.locale]
    if budget.violations:
        score = min(score, confidence.TOOL_FAILURE_CAP)
    hint = StatusHint.CLARIFY if composed.clarify else StatusHint.NONE
    if composed.handoff and check.grounded:
        hint, score = StatusHint.HANDOFF, min(score, HANDOFF_CONFIDENCE)
    draft = turn.draft(composed.text, category=category, confidence=score, intent=category, sources=composed.sources,
                       clarify_text=composed.text if composed.clarify else "", status_hint=hint)
    if usage:
        draft.tokens_in, draft.tokens_out, draft.cost_usd = usage.tokens_in, usage.tokens_out, usage.cost_usd
    if cache and check.grounded and not composed.tool_failed and not composed.clarify and not budget.violations:
        skus = sorted({p.sku for r in composed.results if r.performed and isinstance(r.data, tuple)
                       for hit in r.data for p in getattr(hit, "products", ())})
        response_cache.put(category, turn.locale, turn.text, turn.vector, turn.version_id,
                           {"text": draft.text, "confidence": score, "sources": draft.sources}, skus)
    meta["pipeline_ms"] = round((time.perf_counter() - turn.started) * 1000, 1)
    return draft


_QUOTED = re.compile(r"「[^」]{1,80}」|\"[^\"]{1,80}\"")


def _titles_inside_quotes(text: str, unverified: list[str]) -> set[str]:
    """Store titles the grounding check saw unquoted that occur only inside a longer quoted (so checked) title."""
    outside = _QUOTED.sub(" ", text)
    found = set()
    for claim in unverified:
        name = claim[len("title "):] if claim.startswith("title ") else ""
        quoted_whole = f"「{name}」" in text or f'"{name}"' in text
        if name and not quoted_whole and name.lower() in text.lower() and name.lower() not in outside.lower():
            found.add(name)
    return found


def _charge(session: ChatSession, spent, draft: Draft) -> Draft:
    """Add the classifier's usage to the draft and the draft's cost to the session (what the cost cap reads)."""
    if spent is not None:
        draft.tokens_in += spent.tokens_in
        draft.tokens_out += spent.tokens_out
        draft.cost_usd = (draft.cost_usd or Decimal("0")) + spent.cost_usd
    if draft.cost_usd:
        ChatSession.objects.filter(pk=session.pk).update(cost_usd=F("cost_usd") + draft.cost_usd)
        session.cost_usd = (session.cost_usd or Decimal("0")) + draft.cost_usd
    return draft
