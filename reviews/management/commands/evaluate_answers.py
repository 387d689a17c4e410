import json
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Manga
from chat import classifier
from chat.answer_data import build
from chat.evaluation import Report, evaluate, evaluate_answer_set


def _high_risk_categories() -> set[str]:
    from reviews.models import DEFAULT_THRESHOLDS, RiskClass
    from reviews.thresholds import current_limits

    live = {category for category, limits in current_limits().items() if limits.is_high_risk}
    return live or {category for category, (risk, _) in DEFAULT_THRESHOLDS.items() if risk == RiskClass.HIGH}


def _legacy(report: Report) -> dict:
    """What this command reported before the answer set existed (category accuracy on the intent held-out messages,
    grounding, availability price/stock, reliability, latency)."""
    high = [o for o in report.outcomes if o.confidence >= 0.85]
    p50, p95 = report.latency()
    return {
        "messages": len(report.outcomes),
        "category_accuracy": round(report.accuracy(), 3),
        "grounded_rate": round(report.grounded_rate(), 3),
        "ungrounded_replaced": sum(o.replaced for o in report.outcomes),
        "availability_right": {"right": report.availability_correct, "total": report.availability_checked},
        "reliability": [{"bin": label, "answers": count, "share_right": None if share != share else round(share, 3)}
                        for label, count, share in report.reliability()],
        "right_at_085": {"right": sum(o.right for o in high), "total": len(high)},
        "pipeline_ms": {"p50": round(p50, 1), "p95": round(p95, 1)},
    }


def _share(part: dict) -> str:
    if not part["total"]:
        return "n/a (0)"
    return f"{part['share']:.3f} ({part['right']}/{part['total']})"


class Command(BaseCommand):
    help = ("Asks the labelled answer set (chat/answer_data, --set tuning|heldout|fresh…) through the whole offline "
            "pipeline and reports answers right (route and facts) overall, per category, per failure class and among "
            "AUTO answers, normal-risk questions sent to review, high-risk messages answered with a clarifying "
            "question and invented titles/prices/stock; then what it reported before (category accuracy on the intent "
            "held-out messages, grounding, availability price/stock, reliability). Decides routes without acting, "
            "with the configured thresholds at an ordinary hour (not the peak hour's, not a backpressure "
            "override's): no review task, no message to anyone; the sessions it creates are deleted. Loads the shipped catalog "
            "first when the store is empty.")

    def add_arguments(self, parser):
        parser.add_argument("--set", dest="part", default="heldout", choices=list(build.PARTS),
                            help="which part of the answer set (default heldout)")
        parser.add_argument("--samples", type=int, default=60, help="availability questions to check (before)")
        parser.add_argument("--limit", type=int, default=None,
                            help="only the first N questions of the set and of the intent held-out messages")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
        parser.add_argument("--show", metavar="FILE", default=None,
                            help="print the text report of a saved --json result instead of running anything")

    def handle(self, part, samples, limit, json: bool, show, **options):  # noqa: A002 (the option's name)
        if show:
            self._print(_loads(Path(show).read_text(encoding="utf-8")))
            return
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        if not Manga.objects.exists():
            call_command("load_catalog", str(Path(settings.BASE_DIR) / "catalog" / "data"))
        from reviews import texts
        from reviews.thresholds import decide

        records = build.load(part)[:limit]
        verbose = not json and options.get("verbosity", 1) >= 1

        def progress(n, total):
            if verbose and (n % 25 == 0 or n == total):
                self.stderr.write(f"  {n}/{total} questions asked")

        # the configured thresholds, not the peak hour's or a backpressure's
        answers = evaluate_answer_set(records, partial(decide, steady=True), _high_risk_categories(), progress=progress,
                                      generic_clarify=lambda locale: texts.text("clarify", locale))
        examples = classifier.load_examples("heldout.jsonl")[:limit]
        legacy = _legacy(evaluate(examples, samples))
        result = {"set": part, "answer_set": answers.summary(), "wrong": answers.wrong(), "before": legacy}
        if json:
            self.stdout.write(_dumps(result))
        else:
            self._print(result)

    def _print(self, result: dict) -> None:
        out = self.stdout.write
        s = result["answer_set"]
        langs = ", ".join(f"{k} {v['total']}" for k, v in s["by_language"].items())
        out(f"answer set: {result['set']} — {s['questions']} questions ({langs}); "
            f"chat/answer_data/{result['set']}.jsonl")
        out(f"answers right: {_share(s['answers_right'])} (target >= 0.90)")
        out(f"answers right among AUTO answers: {_share(s['answers_right_among_auto'])} (target >= 0.97)")
        out(f"route right: {s['route_right']:.3f}; category accuracy on the set: {s['category_accuracy']:.3f} "
            f"(target >= 0.93)")
        review = s["normal_risk_sent_to_review"]
        out(f"normal-risk questions sent to review: {review['count']}/{review['total']} "
            f"({review['share']:.3f}; target <= 0.15)" if review["total"] else "normal-risk questions: none")
        clarify = s["high_risk_answered_with_clarify"]
        out(f"high-risk (complaint/legal) messages answered with a clarifying question: "
            f"{clarify['count']}/{clarify['total']} (target 0)")
        out(f"answers with invented titles/prices/stock figures: {s['answers_with_invented_facts']} (target 0); "
            f"drafts replaced by the safe fallback: {s['drafts_replaced_by_fallback']}")
        out(f"questions where a catalog tool timed out or failed: {s['questions_with_a_failed_tool']} "
            f"(expected 0 on an idle machine: a tool has a 2 s budget)")
        out("routes taken: " + ", ".join(f"{k} {v}" for k, v in s["routes"].items()))
        out("answers right per category:")
        for name, part in s["by_category"].items():
            out(f"  {name:<16} {_share(part)}")
        out("answers right per failure class:")
        for name, part in s["by_class"].items():
            out(f"  {name:<16} {_share(part)}")
        if result["wrong"]:
            out("wrong answers (id: expected route → route, expected category → category; missing facts; invented):")
            for w in result["wrong"]:
                extra = "; ".join(x for x in [", ".join(w["missing"]), ", ".join(w["invented"]),
                                              "tool failed" if w["tool_failed"] else ""] if x)
                out(f"  {w['id']}: {w['expected_route']} → {w['route']}, {w['expected_category']} → "
                    f"{w['category']} ({w['confidence']:.2f}){'; ' + extra if extra else ''}")
        b = result["before"]
        out("")
        out(f"before (what this command reported until now), intent held-out messages: {b['messages']}")
        out(f"category accuracy: {b['category_accuracy']:.3f} (target >= 0.90)")
        out(f"grounded answers: {b['grounded_rate']:.3f} sent grounded (target 1.000); "
            f"{b['ungrounded_replaced']} ungrounded draft(s) replaced by the safe fallback")
        out(f"availability answers with the right price and stock: {b['availability_right']['right']}/"
            f"{b['availability_right']['total']}")
        out("confidence reliability (bin, answers, share right = right category, grounded):")
        for row in b["reliability"]:
            share = "nan" if row["share_right"] is None else f"{row['share_right']:.3f}"
            out(f"  {row['bin']}: {row['answers']:4d}  {share}")
        high = b["right_at_085"]
        if high["total"]:
            out(f"at confidence >= 0.85: {high['right']}/{high['total']} right "
                f"({high['right'] / high['total']:.3f}; target >= 0.95)")
        out(f"pipeline time per turn on these messages: p50 {b['pipeline_ms']['p50']:.1f} ms, "
            f"p95 {b['pipeline_ms']['p95']:.1f} ms")


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1)


def _loads(text: str) -> dict:
    return json.loads(text)
