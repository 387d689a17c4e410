"""Hostile-input guards shared by the WebSocket consumers and the REST parsers.

A client controls every byte of a frame or a request body, so before anything reads a value we bound what JSON may
look like: nesting depth (the C decoder recurses, and a 2 KB frame of brackets raised RecursionError), strings free of
NUL (PostgreSQL refuses it in text columns) and of lone surrogates (unencodable as UTF-8: they crashed logging and
the database driver), and integers within a BIGINT id.
"""

import json
import re

MAX_DEPTH = 16  # our frames and bodies nest at most 3 levels; 16 leaves room and stops the bracket bombs
MAX_ID = 2**63 - 1  # the largest BIGINT primary key
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


class BadInput(ValueError):
    """The input is not acceptable; str(exc) says why, for the client."""


def unsafe_text(value: str) -> bool:
    """True when a string holds NUL or a lone surrogate."""
    return _UNSAFE.search(value) is not None


def check_text(value: str, name: str) -> str:
    if unsafe_text(value):
        raise BadInput(f"{name} contains a NUL character or an unpaired surrogate")
    return value


def check_id(value, name: str) -> int:
    """A positive database id as sent in JSON (not a bool, not a float, within BIGINT)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise BadInput(f"{name} must be a positive integer below 2^63")
    return value


def check_value(value, max_depth: int = MAX_DEPTH):
    """Walks a decoded JSON value without recursion: bounded depth, clean strings (keys included)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check_text(item, "a string")
        elif isinstance(item, (dict, list)):
            if depth > max_depth:
                raise BadInput(f"JSON nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    check_text(key, "a key")
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return value


def loads(text: str | bytes, max_depth: int = MAX_DEPTH):
    """json.loads that answers BadInput for anything we refuse, never RecursionError."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise BadInput(f"JSON nested deeper than {max_depth} levels") from None
    except (ValueError, TypeError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadInput(f"not valid JSON: {exc}") from None
    return check_value(value, max_depth)
