// MangaAssist chat widget: DESIGN.md's WebSocket protocol, kept alive on flaky mobile networks.
(function () {
  "use strict";
  // Timings per DESIGN.md; the page's JSON (#chat-config) and then window.MANGAASSIST_CONFIG may override them
  // (the browser test shortens them).
  var serverConfig = {};
  try { serverConfig = JSON.parse(document.getElementById("chat-config").textContent) || {}; } catch (e) { /* none */ }
  var config = Object.assign({
    pingEvery: 20000, pongTimeout: 5000, backoffStart: 500, backoffMax: 10000, maxTries: 10, locale: "ja",
  }, serverConfig, window.MANGAASSIST_CONFIG || {});

  var TEXT = {
    ja: {
      title: "マンガアシスト", send: "送信", inputLabel: "メッセージ", placeholder: "ご質問をどうぞ",
      connecting: "接続中…", failed: "接続できませんでした", retry: "再接続", toggle: "English",
      sending: "送信中…", sent: "送信済み", answered: "回答済み", review: "担当者が確認中です", underReview: "確認中",
      up: "役に立った", down: "いまひとつ", conversation: "会話", thanks: "ご意見ありがとうございます",
      status: { auto: "", reviewed: "担当者確認済み", edited: "担当者が編集", human: "担当者より", clarify: "確認のご質問",
                timeout: "未確認の回答", fallback: "" },
      errors: { empty: "メッセージが空です", too_long: "2,000文字以内で入力してください", rate_limited: "送信が多すぎます。少し待ってからお試しください",
                blocked: "この会話は一時的に制限されています", invalid: "送信できませんでした", not_found: "新しい会話を始めます" },
    },
    en: {
      title: "MangaAssist", send: "Send", inputLabel: "Message", placeholder: "Ask us anything (e.g. is Demon Slayer in stock?)",
      connecting: "Connecting…", failed: "Could not connect", retry: "Reconnect", toggle: "日本語",
      sending: "Sending…", sent: "Sent", answered: "Answered", review: "A staff member is checking", underReview: "Under review",
      up: "Helpful", down: "Not helpful", conversation: "Conversation", thanks: "Thanks for your feedback",
      status: { auto: "", reviewed: "Checked by staff", edited: "Edited by staff", human: "From our staff", clarify: "A question for you",
                timeout: "Unverified answer", fallback: "" },
      errors: { empty: "The message is empty", too_long: "Please keep it under 2,000 characters", rate_limited: "Too many messages; please wait a moment",
                blocked: "This conversation is paused for now", invalid: "Could not send", not_found: "Starting a new conversation" },
    },
  };

  var store = window.localStorage;
  var state = {
    locale: store.getItem("ma.locale") || (config.locale === "en" ? "en" : "ja"),
    token: store.getItem("ma.session"), sessionId: store.getItem("ma.sessionId"), historyLoaded: false,
    lastSeen: parseInt(store.getItem("ma.lastSeen") || "0", 10),
    ws: null, tries: 0, pingTimer: null, pongTimer: null, reconnectTimer: null, pending: {}, closing: false,
  };
  var list = document.getElementById("messages");
  var banner = document.getElementById("banner");
  var input = document.getElementById("input");
  var t = function () { return TEXT[state.locale]; };

  function applyLocale() {
    document.documentElement.lang = state.locale;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t()[el.dataset.i18n]; });
    input.placeholder = t().placeholder;
    list.setAttribute("aria-label", t().conversation);
    document.getElementById("lang-toggle").textContent = t().toggle;
  }

  function showBanner(text, isError) {
    if (!text) { banner.hidden = true; return; }
    banner.hidden = false; banner.textContent = text; banner.className = "banner" + (isError ? " error" : "");
    if (isError) {
      var button = document.createElement("button");
      button.type = "button"; button.textContent = t().retry;
      button.addEventListener("click", function () { state.tries = 0; connect(); });
      banner.appendChild(document.createTextNode(" ")); banner.appendChild(button);
    }
  }

  // Bubbles sit in message-id order (a message still being sent goes last), whatever order frames arrive in.
  function place(li, order) {
    li.dataset.order = String(order);
    var next = null;
    for (var node = list.lastElementChild; node; node = node.previousElementSibling) {
      if (Number(node.dataset.order) <= order) break;
      next = node;
    }
    list.insertBefore(li, next);
  }

  function bubble(id, role, text, order) {
    var existing = id && document.getElementById(id);
    if (existing) return existing;
    var li = document.createElement("li");
    li.className = "msg " + role; if (id) li.id = id;
    var body = document.createElement("span"); body.className = "body"; body.textContent = text;
    var status = document.createElement("span"); status.className = "state";
    li.appendChild(body); li.appendChild(status);
    place(li, order === undefined ? Number.MAX_SAFE_INTEGER : order);
    list.scrollTop = list.scrollHeight;
    return li;
  }

  function setState(li, text) { li.querySelector(".state").textContent = text; li.dataset.state = text; }

  function userBubbleFor(messageId) {
    return list.querySelector('.msg.user[data-message-id="' + messageId + '"]');
  }

  function showAnswer(frame) {
    var li = document.getElementById("m-" + frame.message_id);
    if (!li) {
      li = bubble("m-" + frame.message_id, "assistant", frame.text, frame.message_id);
      li.dataset.status = frame.status;
      setState(li, t().status[frame.status] || "");
      if (frame.status !== "fallback") thumbs(li, frame.message_id);
    }
    var mine = userBubbleFor(frame.reply_to);
    if (mine) setState(mine, t().answered);
    // The acknowledgement has done its job once the final answer is there.
    list.querySelectorAll('.msg.pending[data-reply-to="' + frame.reply_to + '"]').forEach(function (p) {
      p.classList.remove("pending"); setState(p, "");
    });
  }

  // After a page reload the list is empty: fetch the conversation so far over HTTP (the socket only resends
  // what was not seen yet).
  function loadHistory() {
    if (state.historyLoaded || !state.sessionId || !state.token || !window.fetch) return;
    state.historyLoaded = true;
    fetch("/api/v1/sessions/" + state.sessionId + "/messages?after=0", { headers: { "X-Session-Token": state.token } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (messages) {
        var answered = {};
        messages.forEach(function (m) { if (m.kind === "answer") answered[m.reply_to] = true; });
        messages.forEach(function (m) {
          if (m.role === "user") {
            var li = bubble("c-" + m.client_id, "user", m.text, m.id);
            li.dataset.messageId = m.id;
            setState(li, answered[m.id] ? t().answered : t().sent);
          } else if (m.kind === "answer") {
            showAnswer({ message_id: m.id, reply_to: m.reply_to, text: m.text, status: m.status });
          } else if (!answered[m.reply_to]) {
            var wait = bubble("m-" + m.id, "assistant pending", m.text, m.id);
            wait.dataset.replyTo = m.reply_to; setState(wait, t().review);
          }
        });
      })
      .catch(function () { state.historyLoaded = false; });
  }

  function markSeen(messageId) {
    if (messageId > state.lastSeen) { state.lastSeen = messageId; store.setItem("ma.lastSeen", String(messageId)); }
    send({ type: "seen", message_id: messageId });
  }

  function thumbs(li, messageId) {
    var box = document.createElement("div"); box.className = "thumbs";
    ["up", "down"].forEach(function (value) {
      var button = document.createElement("button");
      button.type = "button"; button.textContent = t()[value]; button.className = "thumb-" + value;
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () {
        send({ type: "feedback", message_id: messageId, kind: "thumb", value: value });
        box.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
      });
      box.appendChild(button);
    });
    li.appendChild(box);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "welcome":
        // A new token is a new session (first visit, or a long pause): its ids start afresh for last_seen.
        // (Compare ids, not tokens: a token is re-signed at every welcome.)
        if (frame.session_id !== state.sessionId) { state.lastSeen = 0; store.setItem("ma.lastSeen", "0"); state.historyLoaded = true; }
        state.token = frame.session; store.setItem("ma.session", frame.session);
        state.sessionId = frame.session_id; store.setItem("ma.sessionId", frame.session_id);
        if (!list.children.length) loadHistory();
        state.tries = 0; showBanner(null);
        Object.keys(state.pending).forEach(function (cid) { send(state.pending[cid]); });
        break;
      case "received":
        var mine = document.getElementById("c-" + frame.client_id);
        if (mine && !mine.dataset.messageId) {
          mine.dataset.messageId = frame.message_id; setState(mine, t().sent);
          mine.remove(); place(mine, frame.message_id);
        }
        delete state.pending[frame.client_id];
        break;
      case "review_pending":
      case "heartbeat":
        var wait = bubble("m-" + frame.message_id, "assistant pending", frame.text, frame.message_id);
        wait.dataset.replyTo = frame.reply_to; setState(wait, t().review);
        var asked = userBubbleFor(frame.reply_to);
        if (asked && asked.dataset.state !== t().answered) setState(asked, t().underReview);
        markSeen(frame.message_id);
        break;
      case "answer":
        showAnswer(frame);
        markSeen(frame.message_id);
        break;
      case "notice":
        bubble("m-" + frame.message_id, "assistant", frame.text, frame.message_id); markSeen(frame.message_id);
        break;
      case "pong":
        clearTimeout(state.pongTimer);
        break;
      case "feedback_ack":
        showBanner(t().thanks); setTimeout(function () { showBanner(null); }, 2000);
        break;
      case "error":
        if (frame.code === "not_found") {
          state.token = null; store.removeItem("ma.session"); store.removeItem("ma.sessionId"); state.lastSeen = 0;
          send({ type: "hello", session: null, last_seen: 0, locale: state.locale });
        } else if (frame.client_id && document.getElementById("c-" + frame.client_id)) {
          setState(document.getElementById("c-" + frame.client_id), t().errors[frame.code] || frame.detail);
          delete state.pending[frame.client_id];
        } else {
          showBanner(t().errors[frame.code] || frame.detail, true);
        }
        break;
    }
  }

  function send(frame) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) { state.ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function startPing() {
    stopPing();
    state.pingTimer = setInterval(function () {
      if (!send({ type: "ping", ts: Date.now() })) return;
      clearTimeout(state.pongTimer);
      state.pongTimer = setTimeout(function () { if (state.ws) state.ws.close(); }, config.pongTimeout);
    }, config.pingEvery);
  }

  function stopPing() { clearInterval(state.pingTimer); clearTimeout(state.pongTimer); }

  function connect() {
    clearTimeout(state.reconnectTimer);
    if (state.ws && state.ws.readyState <= WebSocket.OPEN) return;
    showBanner(t().connecting);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/chat/");
    state.ws = ws; state.closing = false;
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "hello", session: state.token, last_seen: state.lastSeen, locale: state.locale }));
      startPing();
    };
    ws.onmessage = function (event) { try { onFrame(JSON.parse(event.data)); } catch (e) { /* ignore a bad frame */ } };
    ws.onclose = function () {
      stopPing();
      if (state.ws === ws) state.ws = null;
      if (state.closing) return;
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (state.tries >= config.maxTries) { showBanner(t().failed, true); return; }
    var delay = Math.min(config.backoffStart * Math.pow(2, state.tries), config.backoffMax);
    state.tries += 1;
    showBanner(state.tries > 2 ? t().failed : t().connecting, state.tries > 2);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var clientId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    var li = bubble("c-" + clientId, "user", text);
    var frame = { type: "message", client_id: clientId, text: text };
    state.pending[clientId] = frame;
    setState(li, t().sending);
    send(frame);
    input.value = "";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault(); document.getElementById("composer").requestSubmit();
    }
  });
  document.getElementById("lang-toggle").addEventListener("click", function () {
    state.locale = state.locale === "ja" ? "en" : "ja"; store.setItem("ma.locale", state.locale); applyLocale();
    document.getElementById("lang-toggle").lang = state.locale === "ja" ? "en" : "ja";
    send({ type: "hello", session: state.token, last_seen: state.lastSeen, locale: state.locale });
  });
  window.addEventListener("pagehide", function () { state.closing = true; stopPing(); if (state.ws) state.ws.close(); });
  window.addEventListener("pageshow", function () { state.tries = 0; connect(); });
  window.addEventListener("online", function () { state.tries = 0; connect(); });

  applyLocale();
  window.MangaAssistChat = { state: state, connect: connect };
})();
