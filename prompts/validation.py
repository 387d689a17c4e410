"""Checks a proposed version must pass before anyone reviews it; each problem is named exactly.

The tool names come from whoever knows them (chat registers the Bedrock tools at start-up, see chat/apps.py):
prompts stands below chat and never imports it.
"""

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from prompts.wording import LANGUAGES, TEMPLATE_KEYS, placeholders

# A snake_case identifier in the system prompt is a tool reference ("call search_manga_catalog first").
TOOL_REFERENCE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")

_tool_names: Callable[[], Iterable[str]] | None = None


def register_tool_names(provider: Callable[[], Iterable[str]]) -> None:
    global _tool_names
    _tool_names = provider


def tool_names() -> set[str]:
    if _tool_names is None:
        raise LookupError("no tool list registered: prompts cannot be validated before the chat app is ready")
    return set(_tool_names())


def estimate_tokens(text: str) -> int:
    """A conservative token estimate without a tokenizer: one per CJK character, one per 4 other characters."""
    cjk = len(CJK.findall(text))
    return cjk + -(-(len(text) - cjk) // 4)


def problems(text: str, templates: dict, known_tools: Iterable[str], token_budget: int | None = None) -> list[str]:
    """Every problem of this content, in a stable order; an empty list means it may go to review."""
    found = []
    budget = token_budget if token_budget is not None else settings.PROMPT_SYSTEM_TOKEN_BUDGET
    if not text.strip():
        found.append(_("the system prompt is empty"))
    tokens = estimate_tokens(text)
    if tokens > budget:
        found.append(_("the system prompt is about %(tokens)d tokens, over its budget of %(budget)d")
                     % {"tokens": tokens, "budget": budget})
    known = set(known_tools)
    for name in sorted(set(TOOL_REFERENCE.findall(text)) - known):
        found.append(_("the system prompt names a tool that does not exist: %(name)s") % {"name": name})
    if not isinstance(templates, dict):
        return found + [_("the templates must be an object of {key: {ja, en}}")]
    for key in sorted(set(templates) - set(TEMPLATE_KEYS)):
        found.append(_("unknown template key: %(key)s") % {"key": key})
    for key, (intent, allowed) in TEMPLATE_KEYS.items():
        entry = templates.get(key)
        if not isinstance(entry, dict):
            found.append(_("template %(key)s (intent %(intent)s) is missing") % {"key": key, "intent": intent})
            continue
        for language in LANGUAGES:
            template = entry.get(language)
            if not isinstance(template, str) or not template.strip():
                found.append(_("template %(key)s (intent %(intent)s) has no %(language)s text")
                             % {"key": key, "intent": intent, "language": language})
                continue
            try:
                used = placeholders(template)
            except ValueError as exc:
                found.append(_("template %(key)s [%(language)s] is malformed: %(error)s")
                             % {"key": key, "language": language, "error": exc})
                continue
            for field in used:
                if field not in allowed:
                    found.append(_("template %(key)s [%(language)s] uses an unknown placeholder {%(field)s}; "
                                   "allowed: %(allowed)s") % {"key": key, "language": language, "field": field,
                                                              "allowed": ", ".join(sorted(allowed)) or "—"})
        for language in sorted(set(entry) - set(LANGUAGES)):
            found.append(_("template %(key)s has an unknown language %(language)s") % {"key": key, "language": language})
    return found
