"""The canary verdict: is the canary worse than live? Pure arithmetic on counts; feedback/prompt_canary.py counts.

Test: a one-sided two-proportion z-test per metric at α = 0.05 (z > 1.645 means the canary is worse), each metric
judged only with at least a minimum sample on both arms:
- positive rate of trusted thumbs (Feedback.objects.trusted(): provenance > 0.3, not quarantined), lower is worse;
- escalation rate of answers (reviewed, edited or written by a person), higher is worse;
- grounded rate of answers (the grounding check passed), lower is worse.
"worse" needs one metric significantly worse; "not_worse" needs every metric measured and none worse. Anything
else is "insufficient": an empty or small set is never read as "not worse".
"""

import math

Z_CRITICAL = 1.645  # one-sided, α = 0.05


def z_worse(bad_canary: int, n_canary: int, bad_live: int, n_live: int) -> float:
    """z of (canary's share of bad outcomes − live's); > Z_CRITICAL: the canary is significantly worse."""
    pooled = (bad_canary + bad_live) / (n_canary + n_live)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_canary + 1 / n_live))
    if se == 0:
        return 0.0  # both arms all good or all bad: no difference
    return (bad_canary / n_canary - bad_live / n_live) / se


def verdict(arms: dict, min_feedback: int, min_answers: int) -> dict:
    """arms = {"canary": counts, "live": counts}; counts = {thumbs, positive, answers, escalated, grounding_checked,
    grounded}. Returns the numbers decided on: per metric (n, rates, z, enough, worse), the verdict and why."""
    canary, live = arms["canary"], arms["live"]
    tests = {
        # metric: (bad canary, n canary, bad live, n live, minimum)
        "positive_rate": (canary["thumbs"] - canary["positive"], canary["thumbs"],
                          live["thumbs"] - live["positive"], live["thumbs"], min_feedback),
        "escalation_rate": (canary["escalated"], canary["answers"], live["escalated"], live["answers"], min_answers),
        "grounded_rate": (canary["grounding_checked"] - canary["grounded"], canary["grounding_checked"],
                          live["grounding_checked"] - live["grounded"], live["grounding_checked"], min_answers),
    }
    metrics = {}
    for name, (bad_c, n_c, bad_l, n_l, minimum) in tests.items():
        enough = n_c >= minimum and n_l >= minimum and n_c > 0 and n_l > 0
        z = z_worse(bad_c, n_c, bad_l, n_l) if enough else None
        good = (lambda bad, n: None if n == 0 else round((n - bad) / n, 4)) if name != "escalation_rate" else \
            (lambda bad, n: None if n == 0 else round(bad / n, 4))
        metrics[name] = {"canary": good(bad_c, n_c), "live": good(bad_l, n_l), "n_canary": n_c, "n_live": n_l,
                         "minimum": minimum, "enough": enough, "z": None if z is None else round(z, 3),
                         "worse": bool(z is not None and z > Z_CRITICAL)}
    worse = [m for m, r in metrics.items() if r["worse"]]
    short = [m for m, r in metrics.items() if not r["enough"]]
    if worse:
        result, why = "worse", "significantly worse on " + ", ".join(worse)
    elif short:
        result, why = "insufficient", "too little data for " + ", ".join(short)
    else:
        result, why = "not_worse", "no metric significantly worse"
    return {"verdict": result, "verdict_reason": why, "test": f"one-sided two-proportion z-test, z > {Z_CRITICAL}",
            "metrics": metrics, "arms": arms}
