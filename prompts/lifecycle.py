"""Every status change of a prompt version: check_* validates, do_* acts. Views, admin, API, commands and the canary
sweep are thin wrappers over these.

draft → pending (validated) → approved (evaluated, a second ML lead) → canary (sticky share) → live → retired,
or rejected / rolled_back. Each change is an atomic conditional update plus an immutable PromptTransition row, and
bumps the serving version after commit so every process serves the new state within about a second.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common import metrics
from prompts import serving, validation
from prompts.models import PromptFreeze, PromptTransition, PromptVersion

log = logging.getLogger(__name__)
Status = PromptVersion.Status
# The ML-lead role is the Django group seeded by reviews' migration 0002 (reviews.roles.ML_LEAD); prompts stands
# below reviews, so it names the group instead of importing it.
ML_LEAD_GROUP = "ml_lead"
EVALUATION_METRICS = ("category_accuracy", "grounded_rate", "answers_right")


class PromptError(Exception):
    """A refused action: `code` for machines, the message for people, `status` the HTTP status it maps to."""

    def __init__(self, code: str, message: str, status: int = 409, problems: list[str] | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.problems = code, message, status, problems or []


def is_ml_lead(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=ML_LEAD_GROUP).exists()


def _actor(actor) -> tuple:
    """(user or None, label): a person, or the name of the automatic step that acted."""
    if actor is None or isinstance(actor, str):
        return None, actor or ""
    return actor, ""


def _transition(version: PromptVersion, from_status: str, to_status: str, actor, reason: str = "",
                numbers: dict | None = None, **fields) -> PromptVersion:
    """Claim the change atomically (two callers never both win), record it, reload the version."""
    user, label = _actor(actor)
    with transaction.atomic():
        try:
            claimed = PromptVersion.objects.filter(pk=version.pk, status=from_status).update(status=to_status, **fields)
        except IntegrityError:
            raise PromptError("conflict", _("another %(name)s version is already %(status)s")
                              % {"name": version.name, "status": to_status})
        if claimed != 1:
            raise PromptError("conflict", _("%(version)s is no longer %(status)s")
                              % {"version": version.label, "status": from_status})
        PromptTransition.objects.create(version=version, from_status=from_status, to_status=to_status, actor=user,
                                        actor_label=label, reason=reason, numbers=numbers or {})
        transaction.on_commit(serving.bump_version)
    metrics.incr("prompt_transitions_total", to=to_status)
    version.refresh_from_db()
    return version


def _note(version: PromptVersion, actor, reason: str, numbers: dict | None = None) -> None:
    """A history row for a decision that keeps the status (a canary extended, a human asked)."""
    user, label = _actor(actor)
    PromptTransition.objects.create(version=version, from_status=version.status, to_status=version.status,
                                    actor=user, actor_label=label, reason=reason, numbers=numbers or {})


def frozen() -> PromptFreeze | None:
    return PromptFreeze.current()


# --- proposing ------------------------------------------------------------------------------------------------

def do_create(name: str, text: str, templates: dict, author, reason: str = "") -> PromptVersion:
    """A new draft with the next version number of `name` (editable until submitted)."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                number = (PromptVersion.objects.filter(name=name).aggregate(m=Max("version"))["m"] or 0) + 1
                version = PromptVersion.objects.create(name=name, version=number, text=text, templates=templates,
                                                       reason=reason, created_by=author)
                PromptTransition.objects.create(version=version, to_status=Status.DRAFT, actor=author,
                                                reason=reason)
                return version
        except IntegrityError:  # two drafts took the same number: take the next one
            continue
    raise PromptError("conflict", _("could not number a new %(name)s version, try again") % {"name": name})


def check_submit(version: PromptVersion, known_tools=None) -> None:
    """Preconditions: a draft whose content passes validation (every problem named)."""
    if version.status != Status.DRAFT:
        raise PromptError("not_draft", _("only a draft can be proposed; %(version)s is %(status)s")
                          % {"version": version, "status": version.status})
    found = validation.problems(version.text, version.templates,
                                known_tools if known_tools is not None else validation.tool_names())
    if found:
        raise PromptError("invalid", "; ".join(str(p) for p in found), status=400, problems=found)


def do_submit(version: PromptVersion, actor, known_tools=None) -> PromptVersion:
    """Draft → pending: from now on the content can never change."""
    check_submit(version, known_tools)
    return _transition(version, Status.DRAFT, Status.PENDING, actor, _("proposed for review"),
                       proposed_at=timezone.now())


def do_propose(name: str, text: str, templates: dict, author, reason: str = "", known_tools=None) -> PromptVersion:
    """Create and submit in one step; nothing is stored when validation refuses it."""
    found = validation.problems(text, templates, known_tools if known_tools is not None else validation.tool_names())
    if found:
        raise PromptError("invalid", "; ".join(str(p) for p in found), status=400, problems=found)
    with transaction.atomic():
        version = do_create(name, text, templates, author, reason)
        return do_submit(version, author, known_tools)


# --- evaluation and approval ------------------------------------------------------------------------------------

def do_record_evaluation(version: PromptVersion, candidate: dict, live: dict | None, live_version=None) -> PromptVersion:
    """Store eval_prompt's numbers and their difference against the live version on the candidate."""
    difference = {m: round(candidate[m] - live[m], 4) for m in EVALUATION_METRICS if live and m in live}
    evaluation = {"candidate": candidate, "live": live or {}, "difference": difference,
                  "live_version": live_version.pk if live_version else None,
                  "live_label": str(live_version) if live_version else ""}
    PromptVersion.objects.filter(pk=version.pk).update(evaluation=evaluation, evaluated_at=timezone.now())
    version.refresh_from_db()
    return version


def regressions(version: PromptVersion) -> list[str]:
    """The evaluation metrics on which the candidate did worse than the live version."""
    difference = (version.evaluation or {}).get("difference", {})
    return [m for m in EVALUATION_METRICS if difference.get(m, 0) < 0]


def check_approve(version: PromptVersion, user, override_reason: str = "") -> None:
    """Preconditions: pending, evaluated, approver an ML lead who is not the author, and a written override when
    the evaluation got worse on any metric."""
    if not is_ml_lead(user):
        raise PromptError("not_ml_lead", _("only an ML lead may approve a prompt version"), status=403)
    if version.created_by_id is not None and version.created_by_id == user.pk:
        raise PromptError("self_approval", _("you wrote %(version)s: another ML lead must approve it (four eyes)")
                          % {"version": version.label}, status=403)
    if version.status != Status.PENDING:
        raise PromptError("not_pending", _("only a pending version can be approved; %(version)s is %(status)s")
                          % {"version": version.label, "status": version.status})
    if not version.evaluated_at:
        raise PromptError("not_evaluated", _("run `manage.py eval_prompt %(pk)s` before approving")
                          % {"pk": version.pk})
    worse = regressions(version)
    if worse and not override_reason.strip():
        raise PromptError("worse_without_override",
                          _("the evaluation got worse on %(metrics)s: approving needs a written override")
                          % {"metrics": ", ".join(worse)})


def do_approve(version: PromptVersion, user, override_reason: str = "", reason: str = "") -> PromptVersion:
    """Pending → approved, then → canary at once unless frozen or another canary runs (the sweep starts it later)."""
    check_approve(version, user, override_reason)
    numbers = dict(version.evaluation or {})
    version = _transition(version, Status.PENDING, Status.APPROVED, user, override_reason or reason, numbers,
                          approved_by=user, approved_at=timezone.now(), override_reason=override_reason.strip())
    try:
        return do_start_canary(version, user)
    except PromptError as exc:
        log.info("approved %s stays approved: %s", version, exc.message)
        return version


def do_reject(version: PromptVersion, user, reason: str) -> PromptVersion:
    if not is_ml_lead(user):
        raise PromptError("not_ml_lead", _("only an ML lead may reject a prompt version"), status=403)
    if not reason.strip():
        raise PromptError("reason_required", _("a rejection needs a reason"), status=400)
    if version.status not in (Status.PENDING, Status.APPROVED):
        raise PromptError("not_pending", _("only a pending or approved version can be rejected; it is %(status)s")
                          % {"status": version.status})
    return _transition(version, version.status, Status.REJECTED, user, reason, ended_at=timezone.now())


# --- canary and promotion ---------------------------------------------------------------------------------------

def check_start_canary(version: PromptVersion) -> None:
    if frozen():
        raise PromptError("frozen", _("prompt changes are frozen: no canary starts until the freeze is lifted"))
    if version.status != Status.APPROVED:
        raise PromptError("not_approved", _("only an approved version can start a canary"))
    if PromptVersion.objects.filter(name=version.name, status=Status.CANARY).exists():
        raise PromptError("canary_busy", _("another %(name)s canary is running") % {"name": version.name})
    if not PromptVersion.objects.filter(name=version.name, status=Status.LIVE).exists():
        raise PromptError("no_live", _("there is no live %(name)s version to compare a canary with")
                          % {"name": version.name})


def do_start_canary(version: PromptVersion, actor, now=None) -> PromptVersion:
    check_start_canary(version)
    now = now or timezone.now()
    return _transition(version, Status.APPROVED, Status.CANARY, actor,
                       _("canary: %(percent)s%% of sessions") % {"percent": settings.PROMPT_CANARY_PERCENT},
                       canary_percent=settings.PROMPT_CANARY_PERCENT, canary_started_at=now,
                       canary_until=now + timedelta(seconds=settings.PROMPT_CANARY_SECONDS))


def do_promote(version: PromptVersion, actor, numbers: dict, reason: str = "") -> PromptVersion:
    """Canary → live; the previous live version → retired (it stays the target of a rollback)."""
    if frozen():
        raise PromptError("frozen", _("prompt changes are frozen: nothing is promoted until the freeze is lifted"))
    now = timezone.now()
    with transaction.atomic():
        previous = PromptVersion.objects.select_for_update().filter(name=version.name, status=Status.LIVE).first()
        if previous is not None:
            _transition(previous, Status.LIVE, Status.RETIRED, actor, _("replaced by v%(v)s") % {"v": version.version},
                        numbers, ended_at=now)
        return _transition(version, Status.CANARY, Status.LIVE, actor, reason or _("canary not worse than live"),
                           numbers, activated_at=now, canary_result=numbers)


def do_end_canary(version: PromptVersion, actor, numbers: dict, reason: str) -> PromptVersion:
    """Canary → rolled_back: its sessions go back to the live version."""
    return _transition(version, Status.CANARY, Status.ROLLED_BACK, actor, reason, numbers,
                       ended_at=timezone.now(), canary_result=numbers)


def do_extend_canary(version: PromptVersion, actor, numbers: dict) -> PromptVersion:
    until = timezone.now() + timedelta(seconds=settings.PROMPT_CANARY_SECONDS)
    with transaction.atomic():
        if PromptVersion.objects.filter(pk=version.pk, status=Status.CANARY, canary_extended=False).update(
                canary_extended=True, canary_until=until, canary_result=numbers) != 1:
            raise PromptError("conflict", _("the canary was already extended"))
        version.refresh_from_db()
        _note(version, actor, _("too little trusted data at the deadline: canary extended once"), numbers)
    return version


def do_ask_human(version: PromptVersion, actor, numbers: dict) -> PromptVersion:
    """Still too little data after the extension: flag the version and alert; a person promotes or rolls back."""
    with transaction.atomic():
        if PromptVersion.objects.filter(pk=version.pk, status=Status.CANARY, needs_decision=False).update(
                needs_decision=True, canary_result=numbers) != 1:
            return version
        version.refresh_from_db()
        _note(version, actor, _("still too little trusted data after the extension: a person must decide"), numbers)
        transaction.on_commit(lambda: _alert(version, numbers))
    return version


def _alert(version: PromptVersion, numbers: dict) -> None:
    message = f"prompt canary {version} cannot decide on its own: {numbers.get('verdict_reason', '')}"
    log.warning(message, extra={"prompt_version": version.pk})
    metrics.incr("prompt_canary_alerts_total")
    if settings.ALERT_EMAILS:
        try:
            send_mail(f"[MangaAssist] {message[:120]}",
                      f"{message}\n\n{settings.SITE_URL}/admin/prompts/promptversion/{version.pk}/review/",
                      settings.DEFAULT_FROM_EMAIL, settings.ALERT_EMAILS)
        except Exception:  # an unreachable mail server must not lose the decision
            log.exception("could not e-mail the prompt canary alert")


# --- rollback and freeze ----------------------------------------------------------------------------------------

def rollback_target(name: str, to: PromptVersion | None = None) -> PromptVersion:
    """The version a rollback puts back: `to` (one that was live before), else the last retired one."""
    if to is not None:
        # retired means it was live; a rolled-back one may have been a canary only: ask its history
        was_live = to.status == Status.RETIRED or (
            to.status == Status.ROLLED_BACK and to.transitions.filter(from_status=Status.LIVE).exists())
        if to.name != name or not was_live:
            raise PromptError("bad_target", _("%(version)s was never live before, or is live now: cannot roll back to it")
                              % {"version": to}, status=400)
        return to
    target = PromptVersion.objects.filter(name=name, status=Status.RETIRED).order_by("-ended_at", "-version").first()
    if target is None:
        raise PromptError("no_previous", _("no earlier live %(name)s version to roll back to") % {"name": name})
    return target


def do_rollback(name: str, actor, reason: str, to: PromptVersion | None = None) -> tuple[PromptVersion | None, PromptVersion]:
    """Put the previous live version back (allowed while frozen: it is the incident tool); a running canary ends
    too. Returns (the version taken off, the version now live)."""
    if not reason.strip():
        raise PromptError("reason_required", _("a rollback needs a reason"), status=400)
    now = timezone.now()
    with transaction.atomic():
        current = PromptVersion.objects.select_for_update().filter(name=name, status=Status.LIVE).first()
        target = rollback_target(name, to)
        for canary in PromptVersion.objects.filter(name=name, status=Status.CANARY):
            _transition(canary, Status.CANARY, Status.ROLLED_BACK, actor, reason, ended_at=now)
        if current is not None:
            _transition(current, Status.LIVE, Status.ROLLED_BACK, actor, reason, ended_at=now)
        target = _transition(target, target.status, Status.LIVE, actor, reason, activated_at=now, ended_at=None)
    return current, target


def do_freeze(user, reason: str) -> PromptFreeze:
    """Stop every promotion and canary start until lifted (idempotent: an existing freeze stays)."""
    if not reason.strip():
        raise PromptError("reason_required", _("a freeze needs a reason"), status=400)
    try:
        with transaction.atomic():
            freeze = PromptFreeze.objects.create(reason=reason, frozen_by=user if user and user.pk else None)
    except IntegrityError:
        return PromptFreeze.current()
    log.warning("prompt changes frozen: %s", reason)
    return freeze


def do_lift_freeze(user, reason: str = "") -> PromptFreeze | None:
    freeze = PromptFreeze.current()
    if freeze is None:
        return None
    PromptFreeze.objects.filter(pk=freeze.pk, in_force=True).update(
        in_force=False, lifted_at=timezone.now(), lifted_by=user if user and user.pk else None, lift_reason=reason)
    freeze.refresh_from_db()
    return freeze
