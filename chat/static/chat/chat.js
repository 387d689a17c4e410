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
                timeout: "未確認の回答", fallback: "", specialist: "ストアからのお知らせ" },
      errors: { empty: "メッセージが空です", too_long: "2,000文字以内で入力してください", rate_limited: "送信が多すぎます。少し待ってからお試しください",
                blocked: "この会話は一時的に制限されています", invalid: "送信できませんでした", not_found: "新しい会話を始めます",
                identity_invalid: "ログイン情報を確認できませんでした。ログインせずにご利用いただけます",
                identity_expired: "ログイン情報の有効期限が切れました。ページを再読み込みしてください",
                identity_unavailable: "ログイン連携は現在ご利用いただけません" },
      queued: "未送信：接続が戻りしだい送信します", offline: "接続が切れています。再接続しています…",
      checking: "担当者が回答を確認しています", elapsed: function (m) { return m < 1 ? "1分未満経過" : m + "分経過"; },
      eta: function (m) { return "目安：あと約" + m + "分"; }, etaSoon: "まもなくお届けします",
      inReplyTo: "へのお返事", greeting: "こんにちは！マンガアシストです。在庫・価格・配送・ご注文について、日本語でも英語でもお気軽にどうぞ。",
      examplesLabel: "質問の例",
      examples: ["ONE PIECEの1巻の在庫はありますか？", "送料はいくらですか？", "鬼滅の刃に似たおすすめの漫画は？", "返品はできますか？"],
    },
    en: {
      title: "MangaAssist", send: "Send", inputLabel: "Message", placeholder: "Ask us anything (e.g. is Demon Slayer in stock?)",
      connecting: "Connecting…", failed: "Could not connect", retry: "Reconnect", toggle: "日本語",
      sending: "Sending…", sent: "Sent", answered: "Answered", review: "A staff member is checking", underReview: "Under review",
      up: "Helpful", down: "Not helpful", conversation: "Conversation", thanks: "Thanks for your feedback",
      status: { auto: "", reviewed: "Checked by staff", edited: "Edited by staff", human: "From our staff", clarify: "A question for you",
                timeout: "Unverified answer", fallback: "", specialist: "A notice from the store" },
      errors: { empty: "The message is empty", too_long: "Please keep it under 2,000 characters", rate_limited: "Too many messages; please wait a moment",
                blocked: "This conversation is paused for now", invalid: "Could not send", not_found: "Starting a new conversation",
                identity_invalid: "We could not confirm your sign-in; you can still chat without it",
                identity_expired: "Your sign-in has expired; please reload the page",
                identity_unavailable: "Signing in to the chat is not available right now" },
      queued: "Not sent yet: it goes out when the connection is back", offline: "Connection lost. Reconnecting…",
      checking: "A staff member is checking the answer", elapsed: function (m) { return m < 1 ? "under a minute so far" : m + " min so far"; },
      eta: function (m) { return "about " + m + " min to go"; }, etaSoon: "any moment now",
      inReplyTo: "in reply to", greeting: "Hello! I'm MangaAssist. Ask me about stock, prices, shipping or your order, in English or Japanese.",
      examplesLabel: "Try asking",
      examples: ["Is volume 1 of ONE PIECE in stock?", "How much is shipping?", "Can you recommend manga like Demon Slayer?", "Can I return an item?"],
    },
  };

  var store = window.localStorage;
  var state = {
    locale: store.getItem("ma.locale") || (config.locale === "en" ? "en" : "ja"),
    token: store.getItem("ma.session"), sessionId: store.getItem("ma.sessionId"), historyLoaded: false,
    lastSeen: parseInt(store.getItem("ma.lastSeen") || "0", 10),
    ws: null, tries: 0, pingTimer: null, pongTimer: null, reconnectTimer: null, pending: {}, closing: false,
    receiptTimers: {},
  };
  config.receiptTimeout = config.receiptTimeout || 6000;  // no "received" by then: the line is presumed dead
  var list = document.getElementById("messages");
  var banner = document.getElementById("banner");
  var input = document.getElementById("input");
  var t = function () { return TEXT[state.locale]; };

  // A bubble's label is kept as a key ("sent", "status.reviewed", "errors.too_long"), so switching the language
  // relabels every bubble already on the page, not only the new ones.
  function label(key) {
    var value = t();
    key.split(".").forEach(function (part) { value = value === undefined ? undefined : value[part]; });
    return typeof value === "string" ? value : "";
  }

  function relabel() {
    list.querySelectorAll("[data-state-key]").forEach(function (li) {
      li.querySelector(".state").textContent = label(li.dataset.stateKey) || li.dataset.stateText || "";
    });
    list.querySelectorAll(".thumbs button").forEach(function (b) { b.textContent = t()[b.dataset.value]; });
    list.querySelectorAll(".checking").forEach(renderIndicator);
    list.querySelectorAll(".reply-quote").forEach(function (q) { q.querySelector(".reply-label").textContent = t().inReplyTo; });
    greeting();
  }

  function applyLocale() {
    document.documentElement.lang = state.locale;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t()[el.dataset.i18n]; });
    input.placeholder = t().placeholder;
    list.setAttribute("aria-label", t().conversation);
    document.getElementById("lang-toggle").textContent = t().toggle;
    if (banner.dataset.key && !banner.hidden) showBanner(banner.dataset.key, banner.classList.contains("error"));
    relabel();
  }

  // The banner shows a key of TEXT (so it follows the language too) or, for a server error, its detail.
  function showBanner(key, isError) {
    if (!key) { banner.hidden = true; banner.dataset.key = ""; return; }
    banner.hidden = false; banner.dataset.key = key;
    banner.textContent = label(key) || key; banner.className = "banner" + (isError ? " error" : "");
    if (isError) {
      var button = document.createElement("button");
      button.type = "button"; button.textContent = t().retry;
      button.addEventListener("click", function () { state.tries = 0; connect(); });
      banner.appendChild(document.createTextNode(" ")); banner.appendChild(button);
    }
  }

  // Bubbles sit in message-id order (a message still being sent goes last), whatever order frames arrive in;
  // an answer sits right after the question it answers (order reply_to + 0.5), however late it comes.
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

  function setState(li, key, fallbackText) {
    li.dataset.stateKey = key; li.dataset.stateText = fallbackText || "";
    li.querySelector(".state").textContent = label(key) || fallbackText || "";
    li.dataset.state = label(key) || fallbackText || "";
  }

  function userBubbleFor(messageId) {
    return list.querySelector('.msg.user[data-message-id="' + messageId + '"]');
  }

  // --- waiting for a review: one live indicator per question, updated in place ---------------------------------

  function minutes(seconds) { return Math.max(1, Math.ceil(seconds / 60)); }

  function renderIndicator(li) {
    var since = (Date.now() - Number(li.dataset.receivedAt)) / 1000;
    var elapsed = Number(li.dataset.elapsed) + since;
    // The server's own words say what the wait is for: an answer being checked, or a person being fetched.
    var parts = [li.dataset.headline || t().checking, t().elapsed(Math.floor(elapsed / 60))];
    if (li.dataset.eta !== "") {
      var left = Number(li.dataset.eta) - since;
      parts.push(left > 30 ? t().eta(minutes(left)) : t().etaSoon);
    }
    li.querySelector(".body").textContent = parts[0];
    li.querySelector(".state").textContent = parts.slice(1).join(" · ");
  }

  function indicator(replyTo, elapsedS, etaS, headline) {
    var li = document.getElementById("wait-" + replyTo);
    if (!li) {
      li = bubble("wait-" + replyTo, "assistant pending checking", "", replyTo + 0.25);
      li.dataset.replyTo = replyTo; li.setAttribute("role", "status");
    }
    if (headline) li.dataset.headline = headline;
    li.dataset.elapsed = String(elapsedS || 0); li.dataset.receivedAt = String(Date.now());
    li.dataset.eta = etaS === null || etaS === undefined ? "" : String(etaS);
    renderIndicator(li);
    var asked = userBubbleFor(replyTo);
    if (asked && asked.dataset.stateKey !== "answered") setState(asked, "underReview");
    return li;
  }
  setInterval(function () { list.querySelectorAll(".checking").forEach(renderIndicator); }, 15000);

  function quote(li, question) {
    var q = document.createElement("span"); q.className = "reply-quote";
    var text = question.querySelector(".body").textContent;
    var cut = document.createElement("q"); cut.textContent = text.length > 40 ? text.slice(0, 40) + "…" : text;
    var l = document.createElement("span"); l.className = "reply-label"; l.textContent = t().inReplyTo;
    q.appendChild(cut); q.appendChild(document.createTextNode(" ")); q.appendChild(l);
    li.insertBefore(q, li.firstChild);
  }

  var NOT_RATED = ["fallback", "specialist"];

  function showAnswer(frame) {
    var li = document.getElementById("m-" + frame.message_id);
    var mine = userBubbleFor(frame.reply_to);
    if (!li) {
      li = bubble("m-" + frame.message_id, "assistant", frame.text,
                  frame.reply_to ? frame.reply_to + 0.5 : frame.message_id);
      li.dataset.status = frame.status; li.dataset.replyTo = frame.reply_to || "";
      setState(li, "status." + frame.status);
      // The store's own notices (a fallback, a specialist's promise) are not answers to rate.
      if (NOT_RATED.indexOf(frame.status) === -1) thumbs(li, frame.message_id);
      if (frame.status === "specialist") li.classList.add("store-notice");
      // A later question was asked meanwhile: say which question this answers.
      if (mine && list.querySelector('.msg.user[data-order]') && Array.prototype.some.call(
          list.querySelectorAll(".msg.user"), function (u) { return Number(u.dataset.order) > frame.reply_to; })) {
        quote(li, mine);
      }
    }
    if (mine) setState(mine, "answered");
    // The indicator (and an old acknowledgement) has done its job once the final answer is there.
    var waiting = document.getElementById("wait-" + frame.reply_to);
    if (waiting) waiting.remove();
    list.querySelectorAll('.msg.pending[data-reply-to="' + frame.reply_to + '"]').forEach(function (p) { p.remove(); });
  }

  // --- the greeting and example questions (not a message: nothing is stored for it) ----------------------------

  function greeting() {
    var li = document.getElementById("greeting");
    if (!li) {
      li = document.createElement("li"); li.id = "greeting"; li.className = "greeting"; place(li, 0);
    }
    li.textContent = "";
    var p = document.createElement("p"); p.textContent = t().greeting; li.appendChild(p);
    var box = document.createElement("div"); box.className = "examples"; box.setAttribute("aria-label", t().examplesLabel);
    t().examples.forEach(function (example) {
      var b = document.createElement("button"); b.type = "button"; b.className = "example"; b.textContent = example;
      b.addEventListener("click", function () { input.value = example; document.getElementById("composer").requestSubmit(); });
      box.appendChild(b);
    });
    li.appendChild(box);
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
            setState(li, answered[m.id] ? "answered" : "sent");
          } else if (m.kind === "answer") {
            showAnswer({ message_id: m.id, reply_to: m.reply_to, text: m.text, status: m.status });
          } else if (m.kind === "review_pending" && !answered[m.reply_to]) {
            indicator(m.reply_to, Math.max(0, (Date.now() - Date.parse(m.created_at)) / 1000), null, m.text);
          } else if (m.kind !== "review_pending" && m.kind !== "heartbeat") {
            bubble("m-" + m.id, "assistant", m.text, m.id);
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
      button.dataset.value = value;
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
        if (!list.querySelector(".msg")) loadHistory();
        state.tries = 0; showBanner(null);
        Object.keys(state.pending).forEach(function (cid) { transmit(cid); });
        break;
      case "received":
        var mine = document.getElementById("c-" + frame.client_id);
        if (mine && !mine.dataset.messageId) {
          mine.dataset.messageId = frame.message_id; setState(mine, "sent");
          mine.remove(); place(mine, frame.message_id);
        }
        clearTimeout(state.receiptTimers[frame.client_id]);
        delete state.pending[frame.client_id];
        break;
      case "review_pending":
      case "heartbeat":
        if (!userBubbleFor(frame.reply_to) || userBubbleFor(frame.reply_to).dataset.stateKey !== "answered") {
          // a heartbeat's text is "still checking…": only review_pending says what the wait is for
          indicator(frame.reply_to, frame.elapsed_s, frame.estimated_wait_s,
                    frame.type === "review_pending" ? frame.text : null);
        }
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
        showBanner("thanks"); setTimeout(function () { if (banner.dataset.key === "thanks") showBanner(null); }, 2000);
        break;
      case "error":
        if (frame.code === "not_found") {
          state.token = null; store.removeItem("ma.session"); store.removeItem("ma.sessionId"); state.lastSeen = 0;
          send({ type: "hello", session: null, last_seen: 0, locale: state.locale, customer: identity() });
        } else if (frame.client_id && document.getElementById("c-" + frame.client_id)) {
          setState(document.getElementById("c-" + frame.client_id), "errors." + frame.code, frame.detail);
          clearTimeout(state.receiptTimers[frame.client_id]);
          delete state.pending[frame.client_id];
        } else {
          showBanner(t().errors[frame.code] ? "errors." + frame.code : frame.detail, true);
        }
        break;
    }
  }

  function send(frame) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) { state.ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  // A network loss does not close a socket at once (the browser only notices at the next ping): a message without
  // a "received" within receiptTimeout marks the line as lost, says so, and starts a fresh connection.
  function lineLost() {
    var ws = state.ws;
    state.ws = null; stopPing();
    if (ws) { ws.onclose = null; ws.onmessage = null; try { ws.close(); } catch (e) { /* already gone */ } }
    Object.keys(state.pending).forEach(function (cid) {
      var li = document.getElementById("c-" + cid); if (li) setState(li, "queued");
    });
    showBanner("offline");
    if (!state.closing) scheduleReconnect(true);
  }

  function transmit(clientId) {
    var li = document.getElementById("c-" + clientId);
    clearTimeout(state.receiptTimers[clientId]);
    if (!send(state.pending[clientId])) {
      if (li) setState(li, "queued");
      showBanner("offline");
      return;
    }
    if (li) setState(li, "sending");
    state.receiptTimers[clientId] = setTimeout(function () { if (state.pending[clientId]) lineLost(); }, config.receiptTimeout);
  }

  function startPing() {
    stopPing();
    state.pingTimer = setInterval(function () {
      if (!send({ type: "ping", ts: Date.now() })) return;
      clearTimeout(state.pongTimer);
      state.pongTimer = setTimeout(lineLost, config.pongTimeout);
    }, config.pingEvery);
  }

  function stopPing() { clearInterval(state.pingTimer); clearTimeout(state.pongTimer); }

  function connect() {
    clearTimeout(state.reconnectTimer);
    if (state.ws && state.ws.readyState <= WebSocket.OPEN) return;
    if (banner.dataset.key !== "offline") showBanner("connecting");
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/chat/");
    state.ws = ws; state.closing = false;
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "hello", session: state.token, last_seen: state.lastSeen, locale: state.locale, customer: identity() }));
      startPing();
    };
    ws.onmessage = function (event) { try { onFrame(JSON.parse(event.data)); } catch (e) { /* ignore a bad frame */ } };
    ws.onclose = function () {
      stopPing();
      if (state.ws === ws) state.ws = null;
      if (state.closing) return;
      scheduleReconnect(false);
    };
  }

  function scheduleReconnect(lost) {
    clearTimeout(state.reconnectTimer);
    if (state.tries >= config.maxTries) { showBanner("failed", true); return; }
    var delay = Math.min(config.backoffStart * Math.pow(2, state.tries), config.backoffMax);
    state.tries += 1;
    // A lost line keeps saying so (with a retry button) while it retries; "failed" is for a server that refuses.
    if (state.tries > 2) showBanner(banner.dataset.key === "offline" ? "offline" : "failed", true);
    else if (!lost && banner.dataset.key !== "offline") showBanner("connecting");
    state.reconnectTimer = setTimeout(connect, delay);
  }

  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var clientId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    bubble("c-" + clientId, "user", text);
    state.pending[clientId] = { type: "message", client_id: clientId, text: text };
    transmit(clientId);
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
    send({ type: "hello", session: state.token, last_seen: state.lastSeen, locale: state.locale, customer: identity() });
  });
  // Who the customer is: a signed identity token from the store's page (config.customer), or on the demo page the
  // demo customer chosen in the select (tokens signed by the server, DEBUG only). Choosing another starts afresh.
  function identity() {
    var chosen = store.getItem("ma.demoCustomer");
    var demo = (config.demoCustomers || []).filter(function (c) { return c.id === chosen; })[0];
    return demo ? demo.token : (config.customer || null);
  }
  var demoSelect = document.getElementById("demo-customer");
  if (demoSelect) {
    demoSelect.value = store.getItem("ma.demoCustomer") || "";
    demoSelect.addEventListener("change", function () {
      store.setItem("ma.demoCustomer", demoSelect.value);
      state.token = null; state.lastSeen = 0; store.removeItem("ma.session"); store.removeItem("ma.sessionId");
      store.setItem("ma.lastSeen", "0"); list.innerHTML = "";
      send({ type: "hello", session: null, last_seen: 0, locale: state.locale, customer: identity() });
    });
  }
  function hide() { state.closing = true; clearTimeout(state.reconnectTimer); stopPing(); if (state.ws) state.ws.close(); }
  function show() { state.tries = 0; connect(); }
  window.addEventListener("pagehide", hide);
  window.addEventListener("pageshow", show);
  // iOS keeps a background tab's socket half-open: close it when hidden, reconnect (and catch up) when shown.
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") hide(); else show(); });
  window.addEventListener("online", show);
  window.addEventListener("offline", lineLost);

  applyLocale();
  window.MangaAssistChat = { state: state, connect: connect };
})();
