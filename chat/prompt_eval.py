"""Offline evaluation of a prompt version (manage.py eval_prompt): the held-out set answered with the candidate's
wording and, in the same run, with the live version's, so the difference compares like with like."""

from chat import classifier
from chat.evaluation import evaluate
from prompts import lifecycle, serving
from prompts.models import PromptVersion


def _numbers(version: PromptVersion, examples: list[dict], samples: int) -> dict:
    with serving.forced(version):
        report = evaluate(examples, samples)
    right = sum(o.right for o in report.outcomes) + report.availability_correct
    total = len(report.outcomes) + report.availability_checked
    return {"category_accuracy": round(report.accuracy(), 4), "grounded_rate": round(report.grounded_rate(), 4),
            "answers_right": round(right / total, 4), "answers_right_count": right, "answers": total,
            "replaced": sum(o.replaced for o in report.outcomes), "held_out": len(report.outcomes)}


def evaluate_version(version: PromptVersion, samples: int = 20, limit: int | None = None,
                     progress=None) -> PromptVersion:
    """Preconditions: the catalog is loaded. Stores candidate and live numbers and their difference (and how many
    held-out messages were used: a limited run is visible as such on the approval page)."""
    examples = classifier.load_examples("heldout.jsonl")
    if limit:
        examples = examples[::max(1, len(examples) // limit)][:limit]  # spread over every category
    live = PromptVersion.active(version.name)
    if progress:
        progress(f"evaluating {version} on {len(examples)} held-out messages and {samples} availability questions")
    candidate = _numbers(version, examples, samples)
    baseline = None
    if live is not None and live.pk != version.pk:
        if progress:
            progress(f"evaluating the live {live} on the same set")
        baseline = _numbers(live, examples, samples)
    return lifecycle.do_record_evaluation(version, candidate, baseline, live if baseline else None)
