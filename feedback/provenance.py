"""How much to believe a piece of feedback, from who sent it and how, computed at write time.

Signals (they add up; only a total above 0.3 is trusted, see FeedbackQuerySet.trusted):

| signal | weight | when |
|---|---|---|
| purchases | +0.3 | the customer has bought something (purchase_count > 0) |
| no_purchases | -0.3 | no purchase history, including anonymous sessions |
| established_account | +0.2 | the account is older than 30 days |
| new_account | -0.2 | the account is younger than 7 days; for an anonymous session, the session's age stands in |
| low_rate | +0.1 | fewer than 5 feedback in the hour (this one included) |
| flood_rate | -0.5 | more than 20 feedback in the hour |
| organic_timing | +0.2 | intervals between recent feedback vary: coefficient of variation >= 0.5 |
| uniform_timing | -0.4 | intervals are machine-regular: coefficient of variation < 0.25 |
| organic_session | +0.8 | the chat session behaves like a person (see below) |
| signed_in | +0.1 | a signed-in customer: the session was linked by a verified identity token (chat.actions.do_sign_in) |

An anonymous session starts at -0.4 (no purchases, new, low rate) and can only be trusted by behaving organically
in the chat itself, which a script rotating throw-away sessions does not: `organic_session` needs all of
- the session is at least ORGANIC_MIN_AGE old (a minute) when the feedback is written;
- the customer actually talked: at least ORGANIC_MIN_MESSAGES messages of their own, and the assistant answered at
  least one of them ORGANIC_READ_SECONDS or more before the feedback (time to read it);
- human-like timing between those messages: every gap at least ORGANIC_MIN_GAP seconds (typing takes time) and,
  with 3 gaps or more, not machine-regular (coefficient of variation >= UNIFORM_CV_BELOW);
- no links in anything the customer typed;
- no more ratings in the session (this one included) than questions of theirs that were answered.
Anonymous and organic: -0.4 + 0.8 = 0.4 > 0.3, trusted; a signed-in customer with the same behaviour gets +0.1 more
(and purchases / an established account add to it). Flooding (-0.5) or uniform feedback timing (-0.4) still pull
an organic-looking session back under the bar, and the weekly adversarial audit quarantines as before.

The "actor" whose history counts is the customer, or the session when anonymous. Timing looks at the actor's last
TIMING_SAMPLE feedback within TIMING_WINDOW and needs at least MIN_INTERVALS intervals; with fewer, timing says nothing
(neither organic nor uniform). A CV between 0.25 and 0.5 is also neutral.
"""

import re
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from chat.models import Message
from feedback.models import Feedback

PURCHASES = 0.3
NO_PURCHASES = -0.3
ESTABLISHED_ACCOUNT = 0.2
NEW_ACCOUNT = -0.2
LOW_RATE = 0.1
FLOOD_RATE = -0.5
ORGANIC_TIMING = 0.2
UNIFORM_TIMING = -0.4

ESTABLISHED_AFTER = timedelta(days=30)
NEW_BEFORE = timedelta(days=7)
LOW_RATE_BELOW = 5  # an hour
FLOOD_RATE_ABOVE = 20  # an hour
MIN_INTERVALS = 5
UNIFORM_CV_BELOW = 0.25
ORGANIC_CV_AT_LEAST = 0.5
TIMING_SAMPLE = 50
TIMING_WINDOW = timedelta(days=21)
ORGANIC_SESSION = 0.8
SIGNED_IN = 0.1
ORGANIC_MIN_AGE = timedelta(minutes=1)
ORGANIC_MIN_MESSAGES = 2
ORGANIC_MIN_GAP = 2.0  # seconds between two of the customer's messages
ORGANIC_READ_SECONDS = 2.0
ORGANIC_SAMPLE = 20
# A URL or a bare domain; an e-mail address (left for a specialist) is not a link.
LINK = re.compile(r"https?://|www\.|(?<![@.\w-])[a-z0-9-]+\.(?:com|net|org|jp|io|shop|example)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Provenance:
    score: float
    signals: dict[str, float]


def coefficient_of_variation(times: list[datetime]) -> float | None:
    """CV (stdev / mean) of the gaps between sorted timestamps; None with fewer than MIN_INTERVALS gaps."""
    times = sorted(times)
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
    if len(gaps) < MIN_INTERVALS:
        return None
    mean = statistics.fmean(gaps)
    if mean <= 0:
        return 0.0  # a burst of simultaneous signals is as machine-like as it gets
    return statistics.pstdev(gaps) / mean


def timing_kind(times: list[datetime]) -> str | None:
    """"uniform", "organic", or None when there is not enough history or the CV is in between."""
    cv = coefficient_of_variation(times)
    if cv is None:
        return None
    if cv < UNIFORM_CV_BELOW:
        return "uniform"
    if cv >= ORGANIC_CV_AT_LEAST:
        return "organic"
    return None


def actor_filter(session, customer) -> Q:
    return Q(customer=customer) if customer is not None else Q(session=session, customer__isnull=True)


def score_feedback(session, customer, now: datetime) -> Provenance:
    """The provenance of a feedback about to be written at `now` by `session` (and its customer, if any).

    Precondition: the new feedback is not saved yet; it is counted as one more signal at `now`.
    """
    signals: dict[str, float] = {}
    if customer is not None and (customer.purchase_count or 0) > 0:
        signals["purchases"] = PURCHASES
    else:
        signals["no_purchases"] = NO_PURCHASES

    born = customer.created_at if customer is not None else session.created_at
    age = now - born
    if customer is not None and age > ESTABLISHED_AFTER:
        signals["established_account"] = ESTABLISHED_ACCOUNT
    elif age < NEW_BEFORE:
        signals["new_account"] = NEW_ACCOUNT

    history = Feedback.objects.filter(actor_filter(session, customer))
    last_hour = history.filter(created_at__gt=now - timedelta(hours=1), created_at__lte=now).count() + 1
    if last_hour < LOW_RATE_BELOW:
        signals["low_rate"] = LOW_RATE
    elif last_hour > FLOOD_RATE_ABOVE:
        signals["flood_rate"] = FLOOD_RATE

    recent = list(history.filter(created_at__gt=now - TIMING_WINDOW, created_at__lte=now)
                  .order_by("-created_at").values_list("created_at", flat=True)[:TIMING_SAMPLE - 1])
    timing = timing_kind([*recent, now])
    if timing == "uniform":
        signals["uniform_timing"] = UNIFORM_TIMING
    elif timing == "organic":
        signals["organic_timing"] = ORGANIC_TIMING

    if customer is not None:
        signals["signed_in"] = SIGNED_IN
    if is_organic_session(session, now):
        signals["organic_session"] = ORGANIC_SESSION

    return Provenance(score=round(sum(signals.values()), 3), signals=signals)


def is_organic_session(session, now: datetime) -> bool:
    """Whether the chat session behaves like a person (the rules in the module docstring). Two queries."""
    if session is None or now - session.created_at < ORGANIC_MIN_AGE:
        return False
    typed = list(Message.objects.filter(session=session, role=Message.Role.USER, created_at__lte=now)
                 .order_by("-created_at").values_list("created_at", "text")[:ORGANIC_SAMPLE])
    if len(typed) < ORGANIC_MIN_MESSAGES or any(LINK.search(text or "") for _, text in typed):
        return False
    times = sorted(t for t, _ in typed)
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
    if min(gaps) < ORGANIC_MIN_GAP:
        return False
    if len(gaps) >= 3 and statistics.pstdev(gaps) / statistics.fmean(gaps) < UNIFORM_CV_BELOW:
        return False
    answered = (Message.objects.filter(session=session, role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER,
                                       reply_to__role=Message.Role.USER,
                                       created_at__lte=now - timedelta(seconds=ORGANIC_READ_SECONDS))
                .values("reply_to").distinct().count())
    # One rating per question the customer asked: ratings beyond that are not what a person chatting does.
    return answered > 0 and Feedback.objects.filter(session=session, created_at__lte=now).count() + 1 <= answered
