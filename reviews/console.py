"""The reviewer console and the operations dashboard, inside the Django admin.

Thin views: the queue comes from reviews.queue, claims and decisions from reviews.decisions, check-in/out from
reviews.availability, the dashboard's numbers from reviews.dashboard. The URLs hang under the ReviewTask admin
(ReviewTaskAdmin.get_urls → console_urls), so every view goes through AdminSite.admin_view: staff login,
CSRF protection and never-cache come from the admin.

The console page is a constant number of SQL queries whatever the queue length (the first QUEUE_PAGE_SIZE tasks by
priority then deadline, plus one COUNT); tests/reviews/test_console_queries.py and `manage.py benchmark_console`
hold it to that.
"""

import json
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chat.models import Category, Message
from reviews import availability, dashboard, decisions
from reviews.models import CannedResponse, ReviewerAvailability, ReviewTask
from reviews.queue import pending_queue
from reviews.roles import allowed_pools, is_reviewer

QUEUE_PAGE_SIZE = 100
CONVERSATION_LENGTH = 30  # the latest messages of the session shown beside the draft
CANNED_PER_TASK = 9  # number keys 1–9


# --- access ---------------------------------------------------------------------------------------------------

def reviewer_required(view):
    """Reviewers (reviewer/senior group, or a superuser) only; admin_view has already required a staff login."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_reviewer(request.user):
            if _wants_json(request):
                return JsonResponse({"ok": False, "error": _("Only reviewers can use the review console.")},
                                    status=403)
            raise PermissionDenied(_("Only reviewers can use the review console."))
        return view(request, *args, **kwargs)

    return wrapper


def dashboard_viewer_required(view):
    """Anyone who may see review tasks (reviewers, seniors, ML leads, operations) may see the dashboard."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (is_reviewer(request.user) or request.user.has_perm("reviews.view_reviewtask")):
            raise PermissionDenied(_("You may not see the review dashboard."))
        return view(request, *args, **kwargs)

    return wrapper


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- the console page and its fragments -----------------------------------------------------------------------

def _ms(dt) -> int | None:
    return int(dt.timestamp() * 1000) if dt else None


def _queue(user):
    """The first page of the open queue (claimed ones too, so reviewers see who holds what) and its total size."""
    queue = pending_queue(user, include_claimed=True)
    return list(queue[:QUEUE_PAGE_SIZE]), queue.count()


SOURCE_LABELS = {"manga": gettext_lazy("Series"), "product": gettext_lazy("Product"), "order": gettext_lazy("Order"),
                 "faq": gettext_lazy("FAQ"), "other": gettext_lazy("Other")}
CUSTOMER_ORDERS = 5  # the customer's latest orders shown beside the draft


def resolve_sources(sources: list, locale: str) -> list[dict]:
    """What a draft cites, as rows a reviewer can check: the pipeline's sources are small dicts whose keys depend on
    the type (manga: id/label, product: sku, order: number, faq: key — chat/generation.py, chat/bedrock.py), so the
    template never looks a key up itself. At most one query per source type; an unknown type or a record that has
    since gone is shown as such rather than breaking the page."""
    from catalog.models import FaqEntry, Manga, Order, Product

    wanted: dict[str, set] = {"manga": set(), "product": set(), "order": set(), "faq": set()}
    for s in sources:
        if isinstance(s, dict):
            kind, ref = s.get("type"), s.get({"manga": "id", "product": "sku", "order": "number",
                                              "faq": "key"}.get(s.get("type"), "id"))
            if kind in wanted and ref not in (None, ""):
                wanted[kind].add(ref)
    manga = {m.pk: m for m in Manga.objects.filter(pk__in=[i for i in wanted["manga"] if str(i).isdigit()])} \
        if wanted["manga"] else {}
    products = {p.sku: p for p in Product.objects.select_related("series").filter(sku__in=wanted["product"])} \
        if wanted["product"] else {}
    orders = {o.order_number: o for o in Order.objects.filter(order_number__in=wanted["order"])} \
        if wanted["order"] else {}
    faqs = {f.key: f for f in FaqEntry.objects.filter(key__in=wanted["faq"])} if wanted["faq"] else {}
    rows = []
    for s in sources:
        if not isinstance(s, dict):
            rows.append({"type": "other", "type_label": SOURCE_LABELS["other"], "text": str(s), "detail": ""})
            continue
        kind = s.get("type") if s.get("type") in SOURCE_LABELS else "other"
        row = {"type": kind, "type_label": SOURCE_LABELS[kind], "text": "", "detail": "", "missing": False}
        if kind == "manga":
            m = manga.get(int(s["id"])) if str(s.get("id", "")).isdigit() else None
            row["text"] = (m.title_ja if locale == "ja" else (m.title_en or m.title_ja)) if m else (
                s.get("label") or s.get("id") or "")
            row["missing"] = m is None
        elif kind == "product":
            p = products.get(s.get("sku"))
            if p is not None:
                series = p.series.title_ja if locale == "ja" else (p.series.title_en or p.series.title_ja)
                row["text"] = (_("%(title)s vol. %(volume)s") % {"title": series, "volume": p.volume}
                               if p.volume else series)
            else:
                row["text"] = s.get("label") or s.get("sku") or ""
            if p is not None:
                row["detail"] = _("%(sku)s · ¥%(price)s · stock %(stock)s") % {
                    "sku": p.sku, "price": f"{p.price_jpy:,}", "stock": p.stock}
            row["missing"] = p is None
        elif kind == "order":
            o = orders.get(s.get("number"))
            row["text"] = s.get("number") or s.get("label") or ""
            row["detail"] = order_status_label(o.status) if o else ""
            row["missing"] = o is None
        elif kind == "faq":
            f = faqs.get(s.get("key"))
            row["text"] = (f.question_ja if locale == "ja" else f.question_en) if f else (
                s.get("label") or s.get("key") or "")
            row["detail"] = s.get("key") or ""
            row["missing"] = f is None
        else:
            row["text"] = s.get("label") or s.get("id") or s.get("type") or ""
        rows.append(row)
    return rows


def category_label(code: str) -> str:
    try:
        return str(Category(code).label)
    except ValueError:
        return code


def order_status_label(status: str) -> str:
    from catalog.models import Order

    try:
        return str(Order.Status(status).label)
    except ValueError:
        return status


def customer_context(session) -> dict:
    """The signed-in customer behind a session and their latest orders (two queries; nothing for anonymous ones)."""
    customer = session.customer if session is not None else None
    if customer is None:
        return {"customer": None, "customer_orders": []}
    from catalog.models import Order

    orders = list(Order.objects.filter(customer=customer).prefetch_related("lines__product")
                  .order_by("-placed_at")[:CUSTOMER_ORDERS])
    for o in orders:
        o.status_label = order_status_label(o.status)
        o.total_jpy = sum(line.quantity * line.unit_price_jpy for line in o.lines.all())
    return {"customer": customer, "customer_orders": orders}


def _task_context(task: ReviewTask | None, user) -> dict:
    """The conversation, the AI draft, its sources and the customer, and what the reviewer can do with it (a
    constant number of queries: messages, canned, one per cited source type, customer orders)."""
    if task is None:
        return {"task": None}
    # Heartbeats say nothing a reviewer needs ("still checking…" every minute) and would push the question away.
    conversation = list(Message.objects.filter(session_id=task.session_id).exclude(kind=Message.Kind.HEARTBEAT)
                        .order_by("-id")[:CONVERSATION_LENGTH])
    conversation.reverse()
    canned = [c for c in CannedResponse.objects.filter(is_active=True) if c.fits(task)]
    # Most specific first (both locale and category set), then by position.
    canned.sort(key=lambda c: (-(bool(c.locale) + bool(c.category)), c.position, c.title))
    held_by_me = task.status == ReviewTask.Status.CLAIMED and task.claimed_by_id == user.pk
    can_work = task.is_open and task.pool in allowed_pools(user) and (
        task.status != ReviewTask.Status.CLAIMED or held_by_me)
    return {
        "task": task, "conversation": conversation, "canned": canned[:CANNED_PER_TASK],
        "sources": resolve_sources(task.draft.get("sources") or [], task.locale),
        **customer_context(task.session), "draft_meta": task.draft.get("meta") or {},
        "intent": task.draft.get("intent") or "", "held_by_me": held_by_me, "can_work": can_work,
        "sla_ms": _ms(task.sla_deadline), "timeout_ms": _ms(task.timeout_at), "claim_ms": _ms(task.claim_expires_at),
        "confidence_pct": None if task.confidence is None else round(task.confidence * 100),
    }


def _queue_context(user) -> dict:
    rows, total = _queue(user)
    for row in rows:
        row.sla_ms = _ms(row.sla_deadline)
        row.confidence_pct = None if row.confidence is None else round(row.confidence * 100)
    return {"rows": rows, "total": total, "shown": len(rows), "page_size": QUEUE_PAGE_SIZE}


def _load_task(task_id: int) -> ReviewTask:
    task = (ReviewTask.objects.select_related("message", "session", "claimed_by", "decided_by")
            .filter(pk=task_id).first())
    if task is None:
        raise Http404(_("No such review task."))
    return task


@require_GET
@reviewer_required
def console(request, admin_site):
    queue = _queue_context(request.user)
    rows = queue["rows"]
    selected = None
    wanted = request.GET.get("task", "")
    if wanted.isdigit():
        selected = next((r for r in rows if r.pk == int(wanted)), None) or _load_task(int(wanted))
    else:
        # Resume one's own claim first; otherwise the most urgent task.
        selected = next((r for r in rows if r.claimed_by_id == request.user.pk), None) or (rows[0] if rows else None)
    me = ReviewerAvailability.objects.filter(user=request.user).first()
    context = {
        **admin_site.each_context(request), "title": _("Review console"), **queue,
        **_task_context(selected, request.user),
        "me": me, "active_reviewers": availability.active_reviewer_count(),
        "config": _client_config(request),
    }
    return render(request, "reviews/console.html", context)


@require_GET
@reviewer_required
def queue_fragment(request, admin_site):
    """The queue table alone: what the page swaps in on a live event or a poll."""
    context = _queue_context(request.user)
    response = render(request, "reviews/_queue.html", context)
    response["X-Queue-Total"] = str(context["total"])
    return response


@require_GET
@reviewer_required
def task_fragment(request, admin_site, task_id: int):
    return render(request, "reviews/_task.html", _task_context(_load_task(task_id), request.user))


def _client_config(request) -> str:
    """What console.js needs: endpoints, the server clock (for the countdowns), its UI text in the active language."""
    base = reverse("admin:reviews_reviewtask_console")
    return json.dumps({
        "base": base, "queueUrl": base + "queue/", "taskUrl": base + "task/0/",
        "wsPath": "/ws/reviews/", "serverNow": _ms(timezone.now()), "pollMs": 5000, "safetyPollMs": 30000,
        "text": {
            "live": _("Live"), "polling": _("Polling"), "overdue": _("overdue"), "left": _("left"),
            "claimed": _("Claimed."), "sent": _("Sent to the customer."),
            "rejected": _("Rejected: a handoff task was opened."),
            "released": _("Released to the queue."), "failed": _("Request failed; please retry."),
            "confirmReject": _("Reject this draft?"), "needText": _("Write the reply first."),
            "needReason": _("Give a reason for the rejection."), "newTask": _("New task in the queue"),
            "checkInFirst": _("You are checked out: check in to claim or decide."),
            "confirmHighRisk": _("This is a high-risk draft (refund, payment, complaint or legal). Send it to the "
                                 "customer as it is?"),
        },
    })


# --- actions (JSON for the page's scripts; a redirect with a message for plain form posts) ----------------------

def _done(request, task_id, message, status=200, task=None):
    ok = status < 400
    if _wants_json(request):
        body = {"ok": ok, ("message" if ok else "error"): message}
        if task is not None:
            body["task"] = {"id": task.pk, "status": task.status, "claimed_by": task.claimed_by_id,
                            "claim_expires_ms": _ms(task.claim_expires_at)}
        return JsonResponse(body, status=status)
    (messages.success if ok else messages.error)(request, message)
    url = reverse("admin:reviews_reviewtask_console")
    return HttpResponseRedirect(f"{url}?task={task_id}" if task_id else url)


def _failed(request, task_id, exc: decisions.ReviewError):
    """The console answers a refusal itself: a flash message on the page, or JSON for its fetch calls."""
    return _done(request, task_id, exc.detail, status=exc.status)


def _checked_out(request, task_id):
    """The console's guard: a reviewer who is checked out does not claim or decide (a stray key, a stale tab)."""
    if ReviewerAvailability.objects.filter(user=request.user, checked_in=True).exists():
        return None
    return _done(request, task_id, _("You are checked out: check in to claim or decide."), status=409)


@require_POST
@reviewer_required
def claim(request, admin_site, task_id: int):
    if (refused := _checked_out(request, task_id)) is not None:
        return refused
    try:
        task = decisions.do_claim(task_id, request.user)
    except decisions.ReviewError as exc:
        return _failed(request, task_id, exc)
    return _done(request, task_id, _("Claimed."), task=task)


@require_POST
@reviewer_required
def release(request, admin_site, task_id: int):
    try:
        task = decisions.do_release(task_id, request.user)
    except decisions.ReviewError as exc:
        return _failed(request, task_id, exc)
    return _done(request, task_id, _("Released to the queue."), task=task)


@require_POST
@reviewer_required
def decide(request, admin_site, task_id: int):
    if (refused := _checked_out(request, task_id)) is not None:
        return refused
    decision = request.POST.get("decision", "")
    text, reason = request.POST.get("text", "")[:4000], request.POST.get("reason", "")[:2000]
    try:
        task = decisions.do_decide(task_id, request.user, decision, text=text, reason=reason,
                                   notes=request.POST.get("notes", "")[:2000])
    except decisions.ReviewError as exc:
        return _failed(request, task_id, exc)
    message = _("Rejected: a handoff task was opened.") if decision == decisions.REJECT else _("Sent to the customer.")
    return _done(request, task_id, message, task=task)


@require_POST
@reviewer_required
def check_in(request, admin_site):
    availability.do_check_in(request.user)
    return _done(request, None, _("Checked in."))


@require_POST
@reviewer_required
def check_out(request, admin_site):
    availability.do_check_out(request.user)
    return _done(request, None, _("Checked out."))


# --- the operations dashboard ---------------------------------------------------------------------------------

def alert_text(alert: dict, now_figures: dict) -> str:
    """An open alert in the reader's language. Numbers that are facts of this moment (active reviewers, open
    follow-ups) come from the live figures beside it, so the alert and the counters never disagree."""
    from reviews.alerts import OLDEST_PENDING_LIMIT_S, QUEUE_DEPTH_LIMIT, min_reviewers

    kind, value = alert["kind"], alert.get("value")
    opened = timezone.localtime(alert["opened_at"]).strftime("%H:%M")
    n = int(value) if value is not None else 0
    texts = {
        "queue_depth": _("Review queue depth %(n)s is over %(limit)s") % {"n": n, "limit": QUEUE_DEPTH_LIMIT},
        "oldest_pending": _("The oldest waiting review has waited %(n)s s (limit %(limit)s s)") % {
            "n": n, "limit": OLDEST_PENDING_LIMIT_S},
        "p1_breach_rate": _("P1 SLA breach rate %(rate)s%% is over 5%%") % {"rate": round((value or 0) * 100)},
        "p2_breach_rate": _("P2 SLA breach rate %(rate)s%% is over 10%%") % {"rate": round((value or 0) * 100)},
        "reviewers_low": _("%(n)s active reviewers, below the minimum of %(min)s") % {
            "n": now_figures["active_reviewers"], "min": min_reviewers(timezone.now())},
        "dead_letter": _("%(n)s dead-lettered review tasks wait in the senior pool") % {"n": n},
        "followup_waiting": _("%(n)s high-risk follow-ups wait for a specialist") % {
            "n": now_figures.get("open_followups", n)},
        "followup_overdue": _("%(n)s high-risk follow-ups are past their deadline") % {"n": n},
    }
    return _("%(text)s (since %(time)s JST)") % {"text": texts.get(kind, alert.get("message", kind)), "time": opened}


@require_GET
@dashboard_viewer_required
def dashboard_view(request, admin_site):
    try:
        hours = min(max(float(request.GET.get("hours", 24)), 1), 24 * 14)
    except ValueError:
        hours = 24
    data = dashboard.dashboard_data(hours)
    now_figures = data["current"]
    alerts = [{"kind": a["kind"], "text": alert_text(a, now_figures)} for a in now_figures["open_alerts"]]
    for key in ("escalation", "approval"):
        for row in data[key]:
            row["category_label"] = category_label(row["category"])
    context = {**admin_site.each_context(request), "title": _("Review operations dashboard"), "data": data,
               "alerts": alerts, "customers": data["customers"],
               "hours": int(hours) if hours == int(hours) else hours, "hour_choices": (6, 24, 72, 168),
               "labels": {"depth": _("Open review tasks"), "breach": _("SLA breach rate"),
                          "limit": _("Alert limit"), "escalation": _("Escalation rate"),
                          "approval": _("Approved without change"), "throughput": _("Decisions per hour worked"),
                          "median": _("Median review time (s)")}}
    for row in data["current"]["open_alerts"]:  # the charts' JSON: the English text stays out of the page
        row["opened_at"] = row["opened_at"].isoformat()
        row.pop("message", None)
    return render(request, "reviews/dashboard.html", context)


# --- wiring ---------------------------------------------------------------------------------------------------

def console_urls(admin_site) -> list:
    """URL patterns for ReviewTaskAdmin.get_urls (names are in the admin namespace: admin:reviews_reviewtask_…)."""

    def view(fn):
        def bound(request, *args, **kwargs):
            return fn(request, admin_site, *args, **kwargs)

        return admin_site.admin_view(wraps(fn)(bound))

    return [
        path("console/", view(console), name="reviews_reviewtask_console"),
        path("console/queue/", view(queue_fragment), name="reviews_reviewtask_console_queue"),
        path("console/task/<int:task_id>/", view(task_fragment), name="reviews_reviewtask_console_task"),
        path("console/task/<int:task_id>/claim/", view(claim), name="reviews_reviewtask_console_claim"),
        path("console/task/<int:task_id>/release/", view(release), name="reviews_reviewtask_console_release"),
        path("console/task/<int:task_id>/decide/", view(decide), name="reviews_reviewtask_console_decide"),
        path("console/check-in/", view(check_in), name="reviews_reviewtask_console_check_in"),
        path("console/check-out/", view(check_out), name="reviews_reviewtask_console_check_out"),
        path("dashboard/", view(dashboard_view), name="reviews_reviewtask_dashboard"),
    ]
