// MangaAssist chat widget: DESIGN.md's WebSocket protocol, kept alive on flaky mobile networks.
(function () {
  "use strict";
  var config = Object.assign({
    pingEvery: 20000, pongTimeout: 5000, backoffStart: 500, backoffMax: 10000, maxTries: 10,
  }, window.MANGAASSIST_CONFIG || {});

  var TEXT = {
    ja: {
      title: "マンガアシスト", send: "送信", inputLabel: "メッセージ", placeholder: "ご質問をどうぞ",
      connecting: "接続中…", failed: "接続できませんでした", retry: "再接続", toggle: "English",
      sending: "送信中…", sent: "送信済み", answered: "回答済み", review: "担当者が確認中です",
      up: "役に立った", down: "いまひとつ", conversation: "会話", thanks: "ご意見ありがとうございます",
      status: { auto: "", reviewed: "担当者確認済み", edited: "担当者が編集", human: "担当者より", clarify: "確認のご質問",
                timeout: "未確認の回答", fallback: "" },
      errors: { empty: "メッセージが空です", too_long: "2,000文字以内で入力してください", rate_limited: "送信が多すぎます。少し待ってからお試しください",
                blocked: "この会話は一時的に制限されています", invalid: "送信できませんでした", not_found: "新しい会話を始めます" },
    },
    en: {
      title: "MangaAssist", send: "Send", inputLabel: "Message", placeholder: "Ask us anything (e.g. is Demon Slayer in stock?)",
      connecting: "Connecting…", failed: "Could not connect", retry: "Reconnect", toggle: "日本語",
      sending: "Sending…", sent: "Sent", answered: "Answered", review: "A staff member is checking",
      up: "Helpful", down: "Not helpful", conversation: "Conversation", thanks: "Thanks for your feedback",
      status: { auto: "", reviewed: "Checked by staff", edited: "Edited by staff", human: "From our staff", clarify: "A question for you",
                timeout: "Unverified answer", fallback: "" },
      errors: { empty: "The message is empty", too_long: "Please keep it under 2,000 characters", rate_limited: "Too many messages; please wait a moment",
                blocked: "This conversation is paused for now", invalid: "Could not send", not_found: "Starting a new conversation" },
    },
  };

  var store = window.localStorage;
  var state = {
    locale: store.getItem("ma.locale") || "ja",
    token: store.getItem("ma.session"),
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

  function bubble(id, role, text) {
    var existing = id && document.getElementById(id);
    if (existing) return existing;
    var li = document.createElement("li");
    li.className = "msg " + role; if (id) li.id = id;
    var body = document.createElement("span"); body.className = "body"; body.textContent = text;
    var status = document.createElement("span"); status.className = "state";
    li.appendChild(body); li.appendChild(status); list.appendChild(li);
    list.scrollTop = list.scrollHeight;
    return li;
  }

  function setState(li, text) { li.querySelector(".state").textContent = text; li.dataset.state = text; }

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
        if (frame.session !== state.token) { state.lastSeen = 0; store.setItem("ma.lastSeen", "0"); }
        state.token = frame.session; store.setItem("ma.session", frame.session);
        state.tries = 0; showBanner(null);
        Object.keys(state.pending).forEach(function (cid) { send(state.pending[cid]); });
        break;
      case "received":
        var mine = document.getElementById("c-" + frame.client_id);
        if (mine) { setState(mine, t().sent); mine.dataset.messageId = frame.message_id; }
        delete state.pending[frame.client_id];
        break;
      case "review_pending":
        var wait = bubble("m-" + frame.message_id, "assistant pending", frame.text);
        setState(wait, t().review); markSeen(frame.message_id);
        break;
      case "heartbeat":
        var beat = bubble("m-" + frame.message_id, "assistant pending", frame.text);
        setState(beat, t().review); markSeen(frame.message_id);
        break;
      case "answer":
        var li = document.getElementById("m-" + frame.message_id);
        if (!li) {
          li = bubble("m-" + frame.message_id, "assistant", frame.text);
          li.dataset.status = frame.status;
          setState(li, t().status[frame.status] || "");
          if (frame.status !== "fallback") thumbs(li, frame.message_id);
        }
        document.querySelectorAll(".msg.user").forEach(function (u) {
          if (String(u.dataset.messageId) === String(frame.reply_to)) setState(u, t().answered);
        });
        markSeen(frame.message_id);
        break;
      case "notice":
        bubble("m-" + frame.message_id, "assistant", frame.text); markSeen(frame.message_id);
        break;
      case "pong":
        clearTimeout(state.pongTimer);
        break;
      case "feedback_ack":
        showBanner(t().thanks); setTimeout(function () { showBanner(null); }, 2000);
        break;
      case "error":
        if (frame.code === "not_found") {
          state.token = null; store.removeItem("ma.session"); state.lastSeen = 0;
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
    send({ type: "hello", session: state.token, last_seen: state.lastSeen, locale: state.locale });
  });
  window.addEventListener("pagehide", function () { state.closing = true; stopPing(); if (state.ws) state.ws.close(); });
  window.addEventListener("pageshow", function () { state.tries = 0; connect(); });
  window.addEventListener("online", function () { state.tries = 0; connect(); });

  applyLocale();
  window.MangaAssistChat = { state: state, connect: connect };
})();
