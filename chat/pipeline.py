"""The answer pipeline: one customer message in, one Draft (text, category, confidence, sources) out.

screen (injection) → classify (offline classifier, or Haiku on Bedrock) → routing guards (pinned intent,
oscillation) → response cache → tools + generation (templates offline, Sonnet on Bedrock) → grounding check →
confidence. The draft goes to reviews.escalation, which decides whether it is sent, reviewed, or clarified.
"""

import dataclasses
import logging
import time
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from catalog import embeddings
from chat import classifier, confidence, degradation, generation, grounding, guards, response_cache
from chat.drafts import Draft
from chat.memory import Memory
from chat.models import ChatSession, Message
from common import metrics
from prompts import serving

log = logging.getLogger(__name__)
PIN_MIN_PROBABILITY = 0.7  # a confident topic is pinned for the follow-ups ("and volume 2?")
FOLLOW_UP_MAX_PROBABILITY = 0.5
FOLLOW_UP_MAX_CHARS = 12  # "2巻は？", "and vol 3?": too short to carry the topic on their own
CATALOG_CATEGORIES = generation.CATALOG | {"recommendation"}

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


def _with_context(text: str, memory: Memory, meta: dict) -> str:
    """A short follow-up is looked up together with the customer's previous message (its title, its order)."""
    earlier = memory.customer_texts()
    if meta.get("rerouted") or (_is_short(text) and earlier):
        return f"{text} {earlier[-1]}" if earlier else text
    return text


def _recent_categories(memory: Memory) -> list[str]:
    return [m.category for m in memory.recent if m.role == Message.Role.ASSISTANT and m.category]


def produce_draft(message: Message, memory: Memory) -> Draft:
    """The draft for one customer message, at the answer tier chosen for this turn (chat/degradation.py)."""
    started, begun_at = time.perf_counter(), timezone.now()
    bedrock_backend = settings.LLM_BACKEND == "bedrock"
    tier = degradation.choose() if bedrock_backend else degradation.TIERS[0]
    draft = _produce(message, memory, tier, started)
    draft.meta["tier"] = tier.name
    if bedrock_backend:  # only Bedrock has tiers to step through; the offline backend is the floor already
        degradation.observe(tier, max(0.0, (begun_at - message.created_at).total_seconds()),
                            time.perf_counter() - started, draft.cost_usd or 0)
    return draft


def _produce(message: Message, memory: Memory, tier: degradation.Tier, started: float) -> Draft:
    session = message.session
    text = message.text
    locale = session.locale
    meta: dict = {"prior_turns": len(memory.recent), "question": text}
    budget = guards.Budget(guards.Limits(max_steps=tier.max_steps))
    prompt = serving.for_session(session.public_id)  # the live version, or the canary for this session
    version_id = prompt.pk if prompt else None

    if guards.is_injection(text):
        blocked = guards.record_injection(session)
        meta["guard"] = {"injection": True, "blocked": blocked}
        return Draft(text=guards.REFUSAL[locale], category="general", confidence=1.0, locale=locale,
                     intent="refused", status_hint="fallback", meta=meta, prompt_version_id=version_id)

    vector = embeddings.embed_one(text)
    spent = None  # Haiku's usage, charged to the draft and the session whatever the turn ends in
    use_bedrock = settings.LLM_BACKEND == "bedrock" and tier.answer_model is not None
    if use_bedrock and guards.over_cost_cap(session):
        use_bedrock = False
        meta["guard"] = {"cost_cap": True}
        metrics.incr("pipeline_limit_violations_total", limit="session_cost")
        log.warning("session %s reached its cost cap (%s USD): answered offline", session.pk, session.cost_usd)
    if use_bedrock:
        from chat import bedrock

        spent = bedrock.Usage()
        classification = bedrock.classify(text, spent, vector)
    else:
        classification = classifier.classify(text, vector)
    meta["classifier"] = {"category": classification.category, "probability": round(classification.probability, 4),
                          "margin": round(classification.margin, 4), "top": classification.probabilities,
                          "language": classification.language, "genre_hint": classification.genre_hint}
    category = _route_category(classification, memory, session, meta)
    if guards.oscillating(_recent_categories(memory) + [category]):
        meta["guard"] = {"routing_loop": True}
        return _charge(session, spent, Draft(text=CLARIFY_LOOP[locale], category=category, confidence=confidence.CLARIFY_CONFIDENCE,
                     locale=locale, intent=category, clarify_text=CLARIFY_LOOP[locale], status_hint="clarify",
                     meta=meta, prompt_version_id=version_id))

    cached = response_cache.get(category, locale, text, vector, version_id)
    if cached:
        meta["cache"] = cached["cache"]
        return _charge(session, spent, Draft(text=cached["text"], category=category, confidence=cached["confidence"],
                                             locale=locale, intent=category, sources=cached["sources"], meta=meta,
                                             prompt_version_id=version_id))

    if use_bedrock:
        from chat import bedrock

        composed, usage = bedrock.answer(message, memory, category, locale, prompt, budget, vector,
                                         model_kind=tier.answer_model)
    else:
        routed = dataclasses.replace(classification, category=category)
        looked_up = _with_context(text, memory, meta)
        composed = generation.compose(looked_up, routed, locale, session.customer,
                                      vector if looked_up == text else None)
        usage = None
        budget.spend(steps=len(composed.results))
    meta["budget"] = {"steps": budget.steps, "tokens": budget.tokens, "violations": budget.violations}

    check = grounding.check(composed.text, composed.results)
    meta["grounding"] = {"grounded": check.grounded, "unverified": check.unverified}
    meta["tools"] = [{"tool": r.tool, "performed": r.performed, "error": r.error} for r in composed.results]
    signals = confidence.Signals(
        probability=classification.probability, margin=classification.margin, retrieval=composed.retrieval,
        grounded=check.grounded, tool_failed=composed.tool_failed, clarify=composed.clarify,
        model_self_assessment=usage.self_assessment if usage else None,
    )
    score = confidence.confidence(signals)
    if not check.grounded:
        log.warning("ungrounded answer replaced: %s", check.unverified)
        composed.text = SAFE_FALLBACK[locale]
    if budget.violations:
        score = min(score, confidence.TOOL_FAILURE_CAP)
    draft = Draft(
        text=composed.text, category=category, confidence=score, locale=locale, intent=category,
        sources=composed.sources, clarify_text=composed.text if composed.clarify else "",
        status_hint="clarify" if composed.clarify else "", prompt_version_id=version_id,
        meta=meta,
    )
    if usage:
        draft.tokens_in, draft.tokens_out, draft.cost_usd = usage.tokens_in, usage.tokens_out, usage.cost_usd
    if check.grounded and not composed.tool_failed and not composed.clarify and not budget.violations:
        skus = sorted({p.sku for r in composed.results if r.performed and isinstance(r.data, tuple)
                       for hit in r.data for p in getattr(hit, "products", ())})
        response_cache.put(category, locale, text, vector, version_id,
                           {"text": draft.text, "confidence": score, "sources": draft.sources}, skus)
    meta["pipeline_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return _charge(session, spent, draft)


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
