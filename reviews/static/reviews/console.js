/* MangaAssist reviewer console: live queue (ws/reviews/, polling as a fallback), SLA countdowns, keyboard shortcuts.
   The server renders the queue and the task panel; this script swaps those fragments in and posts decisions. */
(function () {
  "use strict";
  var root = document.getElementById("review-console");
  if (!root) return;
  var config = JSON.parse(document.getElementById("rc-config").textContent);
  var T = config.text;
  var skew = config.serverNow - Date.now(); // countdowns follow the server's clock, not the reviewer's
  var queueBox = document.getElementById("rc-queue");
  var detail = document.getElementById("rc-detail");
  var liveBadge = document.getElementById("rc-live");
  var flashBox = document.getElementById("rc-flash");
  var ws = null, tries = 0, pollTimer = null, refreshTimer = null, flashTimer = null;

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function flash(text, isError) {
    flashBox.hidden = false; flashBox.textContent = text;
    flashBox.className = "rc-flash" + (isError ? " is-error" : " is-ok");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { flashBox.hidden = true; }, isError ? 8000 : 3000);
  }

  // --- countdowns -------------------------------------------------------------------------------------------
  function fmt(ms) {
    var s = Math.round(Math.abs(ms) / 1000), m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }
  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-deadline-ms]").forEach(function (el) {
      var at = Number(el.dataset.deadlineMs);
      if (!at) return;
      var left = at - now;
      el.textContent = left >= 0 ? fmt(left) + " " + T.left : "−" + fmt(left) + " " + T.overdue;
      el.classList.toggle("is-overdue", left < 0);
      el.classList.toggle("is-soon", left >= 0 && left < 30000);
    });
  }
  setInterval(tick, 1000); tick();

  // --- selection ----------------------------------------------------------------------------------------------
  function selectedId() { var t = document.getElementById("rc-task"); return t ? t.dataset.taskId : ""; }
  function rows() { return Array.prototype.slice.call(queueBox.querySelectorAll("tr[data-task-id]")); }
  function markSelected() {
    var id = selectedId();
    rows().forEach(function (r) { r.classList.toggle("is-selected", r.dataset.taskId === id); });
  }
  function loadTask(id) {
    if (!id) return Promise.resolve();
    return fetch(config.taskUrl.replace("/0/", "/" + id + "/"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r); })
      .then(function (html) {
        detail.innerHTML = html; markSelected(); tick();
        history.replaceState(null, "", "?task=" + id);
      })
      .catch(function () { flash(T.failed, true); });
  }
  function move(step) {
    var list = rows(); if (!list.length) return;
    var i = list.findIndex(function (r) { return r.dataset.taskId === selectedId(); });
    var next = list[Math.min(list.length - 1, Math.max(0, i < 0 ? 0 : i + step))];
    loadTask(next.dataset.taskId).then(function () { next.scrollIntoView({ block: "nearest" }); });
  }

  // --- live queue -----------------------------------------------------------------------------------------------
  function refreshQueue() {
    return fetch(config.queueUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text().then(function (html) { return [html, r.headers.get("X-Queue-Total")]; }) : Promise.reject(r); })
      .then(function (res) {
        queueBox.innerHTML = res[0]; markSelected(); tick();
        if (res[1] !== null) document.getElementById("rc-total").textContent = res[1];
      })
      .catch(function () { /* the next event or poll retries */ });
  }
  function scheduleRefresh() { clearTimeout(refreshTimer); refreshTimer = setTimeout(refreshQueue, 200); }

  function setLive(mode) {
    root.dataset.live = mode;
    liveBadge.textContent = mode === "ws" ? T.live : T.polling;
    liveBadge.className = "rc-pill " + (mode === "ws" ? "rc-in" : "rc-out");
  }
  function startPolling(ms) { clearInterval(pollTimer); pollTimer = setInterval(refreshQueue, ms); }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + config.wsPath);
    ws.onopen = function () { tries = 0; setLive("ws"); startPolling(config.safetyPollMs); refreshQueue(); };
    ws.onmessage = function (event) {
      var data; try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type !== "review_event") return;
      scheduleRefresh();
      var task = data.task || {};
      if (data.event === "created") flash(T.newTask + " (P" + task.priority + " " + task.category + ")");
      // Someone else acted on the task on screen: show its new state.
      if (String(task.id) === selectedId() && String(task.claimed_by) !== root.dataset.userId) loadTask(selectedId());
    };
    ws.onclose = function () {
      ws = null; setLive("poll"); startPolling(config.pollMs);
      tries += 1; setTimeout(connect, Math.min(500 * Math.pow(2, tries), 10000));
    };
  }
  setLive("poll"); startPolling(config.pollMs); connect();
  setInterval(function () { if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "ping", ts: Date.now() })); }, 20000);

  // --- actions --------------------------------------------------------------------------------------------------
  function post(path, fields) {
    var id = selectedId(); if (!id) return Promise.resolve();
    var body = new URLSearchParams(fields || {});
    return fetch(config.base + "task/" + id + "/" + path + "/", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: T.failed }; });
    }).then(function (res) {
      flash(res.ok ? res.message : res.error, !res.ok);
      // After a decision, go straight on to the next task in the queue (auto-advance); otherwise reload this one.
      var decided = res.ok && path === "decide";
      return refreshQueue().then(function () {
        if (!decided) return loadTask(id);
        var next = rows().find(function (r) { return r.dataset.taskId !== id && r.dataset.status !== "claimed"; });
        return next ? loadTask(next.dataset.taskId) : loadTask(id);
      }).then(function () { return res; });
    }).catch(function () { flash(T.failed, true); });
  }
  function checkedIn() { var me = document.getElementById("rc-me"); return me && me.dataset.checkedIn === "1"; }
  function act(action) {
    var task = document.getElementById("rc-task");
    if (!task || !task.dataset.taskId) return;
    if (action === "release") return post("release");
    // Checked out means "not working the queue": say so instead of letting a stray key approve something.
    if (!checkedIn()) { flash(T.checkInFirst, true); return; }
    if (action === "claim") return post("claim");
    if (action === "approve") {
      // A one-key approve of a high-risk draft (refund, payment, complaint, legal) asks first.
      if (task.dataset.risk === "high" && !window.confirm(T.confirmHighRisk)) return;
      return post("decide", { decision: "approve" });
    }
    if (action === "edit") {
      var text = document.getElementById("rc-edit-text").value.trim();
      if (!text) { flash(T.needText, true); return; }
      return post("decide", { decision: "edit", text: text });
    }
    if (action === "reject") {
      var reason = document.getElementById("rc-reject-reason").value.trim();
      if (!reason) { flash(T.needReason, true); document.getElementById("rc-reject-reason").focus(); return; }
      return post("decide", { decision: "reject", reason: reason });
    }
  }

  root.addEventListener("click", function (event) {
    var open = event.target.closest("a.rc-open");
    if (open) { event.preventDefault(); loadTask(open.dataset.taskId); return; }
    var row = event.target.closest("tr[data-task-id]");
    if (row) { loadTask(row.dataset.taskId); return; }
    var button = event.target.closest("button[data-action]");
    if (button) { act(button.dataset.action); return; }
    var canned = event.target.closest("button[data-canned]");
    if (canned) insertCanned(canned);
  });
  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-action]");
    if (form) { event.preventDefault(); act(form.dataset.action); }
  });

  function insertCanned(button) {
    var box = document.getElementById("rc-edit-text");
    if (!box || box.disabled) return;
    // Insert at the cursor (replacing only a selection), so a canned sentence adds to the reviewer's own text.
    var start = box.selectionStart === undefined ? box.value.length : box.selectionStart;
    var end = box.selectionEnd === undefined ? start : box.selectionEnd;
    var text = button.dataset.text;
    box.focus();
    box.setRangeText(text, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("keydown", function (event) {
    var el = event.target, typing = el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT");
    if (typing) {
      if (event.key === "Escape") el.blur();
      else if (el.id === "rc-edit-text" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); act("edit"); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "c": act("claim"); break;
      case "a": act("approve"); break;
      case "u": act("release"); break;
      case "e": var box = document.getElementById("rc-edit-text"); if (box && !box.disabled) { event.preventDefault(); box.focus(); box.setSelectionRange(box.value.length, box.value.length); } break;
      case "r": var reason = document.getElementById("rc-reject-reason"); if (reason && !reason.disabled) { event.preventDefault(); reason.focus(); } break;
      case "?": var help = document.getElementById("rc-help"); help.open = !help.open; break;
      default:
        if (/^[1-9]$/.test(event.key)) {
          var canned = detail.querySelector('button[data-canned="' + event.key + '"]');
          if (canned) { event.preventDefault(); insertCanned(canned); }
        }
    }
  });
  markSelected();
})();
