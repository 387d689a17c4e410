"""One confidence for every draft, in [0, 1], which the escalation thresholds compare against.

It multiplies how sure the classifier is (calibrated probability, tempered by the margin to the runner-up) by how
strong the evidence is (retrieval score of what the answer stands on). A failed tool caps it below the review
line, an ungrounded answer is 0, and a clarifying question sits in the clarify band. On Bedrock the model's own
self-assessment can only lower it.
"""

from dataclasses import dataclass

CLARIFY_CONFIDENCE = 0.4  # between handoff_below (0.30) and review_min (0.50): the customer is asked to clarify
TOOL_FAILURE_CAP = 0.45


@dataclass
class Signals:
    probability: float
    margin: float
    retrieval: float
    grounded: bool = True
    tool_failed: bool = False
    clarify: bool = False
    model_self_assessment: float | None = None


def confidence(signals: Signals) -> float:
    if not signals.grounded:
        return 0.0
    if signals.clarify:
        return CLARIFY_CONFIDENCE
    certainty = signals.probability * (0.75 + 0.25 * min(signals.margin / 0.5, 1.0))
    evidence = 0.55 + 0.45 * max(0.0, min(signals.retrieval, 1.0))
    value = certainty * evidence
    if signals.tool_failed:
        value = min(value, TOOL_FAILURE_CAP)
    if signals.model_self_assessment is not None:
        value = min(value, signals.model_self_assessment)
    return round(max(0.0, min(value, 1.0)), 4)
