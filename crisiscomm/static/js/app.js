/* crisiscomm: small progressive enhancements; the pages work without JavaScript. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content;

  // Copy buttons: <button data-copy="#element-id">
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn) return;
    var el = document.querySelector(btn.getAttribute("data-copy"));
    if (!el) return;
    var text = el.innerText.trim();
    var done = function () { var old = btn.textContent; btn.textContent = btn.getAttribute("data-copied") || "✓"; setTimeout(function () { btn.textContent = old; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var ta = document.createElement("textarea"); ta.value = text; document.body.appendChild(ta); ta.select();
      try { document.execCommand("copy"); done(); } finally { document.body.removeChild(ta); }
    }
  });

  // Tables read as stacked cards on a phone: each cell is labelled with its column heading (CSS uses
  // data-label); a table without a simple one-row heading is left as it is.
  document.querySelectorAll("table.table").forEach(function (table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (rows.length !== 1 || table.classList.contains("no-stack")) return;
    var heads = Array.prototype.map.call(rows[0].cells, function (th) { return th.textContent.trim(); });
    if (Array.prototype.some.call(rows[0].cells, function (th) { return th.colSpan > 1; })) return;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (tr) {
        if (tr.cells.length !== heads.length) return;
        Array.prototype.forEach.call(tr.cells, function (cell, i) { if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[i] || ""); });
      });
    });
    table.classList.add("stack");
  });

  // Confirm before a consequential submit: <form data-confirm="…">
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });

  // Countdowns: <span class="countdown" data-deadline="ISO-8601"><span class="countdown-rel">còn 5 giờ 59 phút</span>…
  // The wording comes from <body data-fmt-*> (the UI language), so a countdown never reads "5:59:12".
  var fmt = document.body.dataset;
  // The server's clock is the reference (a phone's clock may be off): count from the time the page was made.
  var skew = fmt.serverNow ? Date.parse(fmt.serverNow) - Date.now() : 0;
  function duration(ms) {
    var min = Math.floor(Math.abs(ms) / 60000), d = Math.floor(min / 1440), h = Math.floor((min % 1440) / 60), m = min % 60;
    if (d) return fmt.fmtDh.replace("{d}", d).replace("{h}", h);
    if (h) return fmt.fmtHm.replace("{h}", h).replace("{m}", m);
    return fmt.fmtM.replace("{m}", m);
  }
  function tick() {
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var ms = new Date(el.getAttribute("data-deadline")).getTime() - (Date.now() + skew);
      var out = el.querySelector(".countdown-rel") || el;
      out.textContent = (ms < 0 ? fmt.fmtOver : fmt.fmtLeft).replace("{d}", duration(ms));
      el.classList.toggle("overdue", ms < 0);
    });
  }
  if (document.querySelector(".countdown[data-deadline]") && fmt.fmtLeft) { tick(); setInterval(tick, 30000); }

  // Live word count: <textarea data-wordcount="#counter" data-word-limit="27">
  document.querySelectorAll("[data-wordcount]").forEach(function (input) {
    var sel = input.getAttribute("data-wordcount"), out = sel && document.querySelector(sel);
    if (!out) return;
    var limit = parseInt(input.getAttribute("data-word-limit") || "0", 10);
    var update = function () {
      var n = input.value.trim() ? input.value.trim().split(/\s+/).length : 0;
      out.textContent = n + (limit ? " / " + limit : "");
      out.classList.toggle("error", limit && n > limit);
    };
    input.addEventListener("input", update); update();
  });

  // Type-ahead: <input data-typeahead="/api/v1/…?q=" data-typeahead-target="#hidden-id" data-typeahead-label="full_name">
  document.querySelectorAll("[data-typeahead]").forEach(function (input) {
    var list = document.createElement("ul"); list.className = "typeahead"; input.parentNode.appendChild(list);
    var hidden = document.querySelector(input.getAttribute("data-typeahead-target"));
    var timer;
    input.addEventListener("input", function () {
      if (hidden) hidden.value = "";
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { list.innerHTML = ""; return; }
      timer = setTimeout(function () {
        fetch(input.getAttribute("data-typeahead") + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            (data.items || []).slice(0, 8).forEach(function (item) {
              var li = document.createElement("li"); li.tabIndex = 0;
              li.textContent = item.label || item.full_name || item.name;
              if (item.detail || item.outlet) { var small = document.createElement("small"); small.textContent = " · " + (item.detail || item.outlet); li.appendChild(small); }
              var choose = function () {
                input.value = item.full_name || item.name || item.label; if (hidden) hidden.value = item.id;
                list.innerHTML = ""; input.dispatchEvent(new CustomEvent("typeahead:chosen", { detail: item, bubbles: true }));
              };
              li.addEventListener("click", choose);
              li.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); choose(); } });
              list.appendChild(li);
            });
          });
      }, 150);
    });
  });

  // JSON actions from a page: <button data-post="/api/v1/…" data-reload> (session + CSRF header)
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-post]");
    if (!btn) return;
    ev.preventDefault(); btn.disabled = true;
    fetch(btn.getAttribute("data-post"), { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json" }, body: btn.getAttribute("data-body") || "{}" })
      .then(function (r) { if (r.ok && btn.hasAttribute("data-reload")) { window.location.reload(); } else { btn.disabled = false; if (!r.ok) r.json().then(function (j) { alert((j.error && j.error.message) || r.status); }); } });
  });
})();

/* --- scenarios: print button and key-message word counts ---------------------------------- */
(function () {
  "use strict";
  // Print the page: <button data-print>
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-print]")) { ev.preventDefault(); window.print(); }
  });

  // Key messages of a scenario body: <textarea data-keymessages="#list" data-word-limit-each="27">
  // Lists each "### " message under "## Thông điệp chính" with its word count and supporting facts.
  document.querySelectorAll("[data-keymessages]").forEach(function (input) {
    var out = document.querySelector(input.getAttribute("data-keymessages"));
    var limit = parseInt(input.getAttribute("data-word-limit-each") || "27", 10);
    if (!out) return;
    var words = function (s) { return s.replace(/[*_`#>]/g, " ").trim().split(/\s+/).filter(function (w) { return /[\p{L}\p{N}]/u.test(w); }).length; };
    var update = function () {
      var inSection = false, messages = [];
      input.value.split(/\r?\n/).forEach(function (line) {
        if (/^## /.test(line)) { inSection = line.slice(3).trim() === "Thông điệp chính"; return; }
        if (!inSection) return;
        if (/^### /.test(line)) { messages.push({ text: line.slice(4).trim(), facts: 0 }); }
        else if (messages.length && /^[-*+]\s+/.test(line)) { messages[messages.length - 1].facts += 1; }
      });
      out.textContent = "";
      messages.forEach(function (m) {
        var li = document.createElement("li"), n = words(m.text);
        li.textContent = n + " / " + limit + " · " + m.facts + " · " + m.text;
        if (n > limit || m.facts > 3) li.classList.add("error");
        out.appendChild(li);
      });
    };
    input.addEventListener("input", update); update();
  });
})();

// --- inquiries: statement library beside the drafting form ---------------------------------
// <button data-insert-into="#answer" data-insert-text="…"> inserts the passage at the cursor of the draft.
(function () {
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-insert-into]");
    if (!btn) return;
    var area = document.querySelector(btn.getAttribute("data-insert-into"));
    if (!area) return;
    ev.preventDefault();
    var text = btn.getAttribute("data-insert-text") || "";
    var start = area.selectionStart != null ? area.selectionStart : area.value.length;
    var end = area.selectionEnd != null ? area.selectionEnd : area.value.length;
    var before = area.value.slice(0, start), after = area.value.slice(end);
    var sep = before && !/\n$/.test(before) ? "\n\n" : "";
    area.value = before + sep + text + after;
    area.focus();
    var pos = (before + sep + text).length; area.setSelectionRange(pos, pos);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // --- Installable app: service worker, offline copies, push ------------------------------------------
  var body = document.body;
  var swUrl = body.getAttribute("data-sw");
  var signedOut = body.hasAttribute("data-signed-out");

  function clearOffline() {
    // Never leave one person's pages on a shared phone after sign-out.
    if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: "signed-out" });
    if (window.caches) caches.keys().then(function (names) { names.forEach(function (n) { if (n.indexOf("crisiscomm-user-") === 0) caches.delete(n); }); });
    try {
      Object.keys(localStorage).forEach(function (k) { if (k.indexOf("crisiscomm-offline-at-") === 0) localStorage.removeItem(k); });
    } catch (e) { /* storage off */ }
  }
  document.addEventListener("submit", function (ev) {
    if (ev.target.matches && ev.target.matches("form[action$='/logout']")) clearOffline();
  });
  if (signedOut) clearOffline();

  // Offline copy shown by the service worker: say how old it is.
  var banner = document.querySelector("[data-offline-banner][data-saved-at]");
  if (banner) {
    var saved = new Date(banner.getAttribute("data-saved-at"));
    var mins = Math.max(0, Math.round((Date.now() - saved.getTime()) / 60000));
    var age = mins < 60 ? banner.getAttribute("data-min-label").replace("{n}", mins)
      : banner.getAttribute("data-hour-label").replace("{n}", Math.floor(mins / 60));
    var at = saved.toLocaleString("vi-VN", { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric" });
    banner.textContent = banner.getAttribute("data-label").replace("{age}", age).replace("{at}", at);
    banner.hidden = false;
  }

  var swReady = null;
  if ("serviceWorker" in navigator && swUrl) {
    swReady = navigator.serviceWorker.register(swUrl, { scope: "/" }).then(function () { return navigator.serviceWorker.ready; });
    var list = body.getAttribute("data-offline-list");
    // Offline copies are refreshed at most every ten minutes per person, not on every page view.
    var refreshedKey = "crisiscomm-offline-at-" + body.getAttribute("data-user");
    var lastRefresh = 0;
    try { lastRefresh = Number(localStorage.getItem(refreshedKey) || 0); } catch (e) { /* storage off */ }
    if (list && navigator.onLine && !banner && Date.now() - lastRefresh > 600000) {
      try { localStorage.setItem(refreshedKey, String(Date.now())); } catch (e) { /* storage off */ }
      swReady.then(function (reg) {
        return fetch(list, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { if (data && reg.active) reg.active.postMessage({ type: "refresh", user: data.user, urls: data.urls }); });
      }).catch(function () {});
    }
  }

  function b64ToBytes(b64) {
    var s = atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function bytesToB64(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function postJson(url, data) {
    return fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify(data || {}),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf } });
  }
  function sameKey(sub, key) {
    var k = sub && sub.options && sub.options.applicationServerKey;
    return !k || bytesToB64(k) === key;
  }
  function deviceLabel(fallback) {
    var ua = navigator.userAgent;
    var os = /iPhone|iPad/.test(ua) ? "iPhone/iPad" : /Android/.test(ua) ? "Android" : /Mac/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
    var br = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "";
    return [br, os].filter(Boolean).join(" · ") || fallback;
  }

  document.querySelectorAll("[data-push-prompt]").forEach(function (box) {
    var status = box.querySelector("[data-push-status]");
    var enable = box.querySelector("[data-push-enable]");
    var disable = box.querySelector("[data-push-disable]");
    function say(name, state) {
      status.textContent = box.getAttribute("data-msg-" + name) || "";
      box.setAttribute("data-push-state", state || name);
    }
    box.hidden = false;
    var ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
    var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
    if (!swReady || !("PushManager" in window) || !("Notification" in window)) {
      enable.hidden = true;
      say(ios && !standalone ? "ios" : "unsupported");
      return;
    }
    if (Notification.permission === "denied") say("denied");
    var key = null;
    function fetchKey() {
      return postJson(box.getAttribute("data-key-url")).then(function (r) { return r.json(); })
        .then(function (d) { key = d.public_key; return key; });
    }
    function send(sub) {
      var json = sub.toJSON();
      json.label = deviceLabel(box.getAttribute("data-label-device"));
      return postJson(box.getAttribute("data-subscribe-url"), json).then(function (r) {
        return r.json().then(function (d) { if (!r.ok) throw new Error((d.error || {}).message || r.status); return d; });
      });
    }
    // Already subscribed: show it, and re-subscribe when the server's VAPID key was rotated.
    swReady.then(function (reg) { return reg.pushManager.getSubscription().then(function (sub) {
      if (!sub) return;
      return fetchKey().then(function (k) {
        if (sameKey(sub, k)) { enable.hidden = true; disable.hidden = false; say("on"); return; }
        return sub.unsubscribe().then(function () { return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(k) }); }).then(send);
      });
    }); }).catch(function () {});
    enable.addEventListener("click", function () {
      enable.disabled = true;
      var settled = false;
      function finish(fn) { return function (arg) { if (settled) return; settled = true; clearTimeout(slow); enable.disabled = false; fn(arg); }; }
      // On weak signal the browser's push service may not answer: say so after 15 s rather than spin forever.
      var slow = setTimeout(function () { say("failed"); enable.disabled = false; }, 15000);
      Promise.resolve(Notification.requestPermission()).then(function (perm) {
        if (perm !== "granted") { finish(function () { say("denied"); })(); return; }
        return Promise.all([swReady, key ? key : fetchKey()]).then(function (res) {
          return res[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(res[1]) });
        }).then(send).then(function (d) {
          // It may succeed after the 15 s message: then it is on after all.
          settled = false;
          finish(function () {
            enable.hidden = true; disable.hidden = false;
            status.textContent = d.message; box.setAttribute("data-push-state", d.verified ? "on" : "sent");
          })();
        });
      }).catch(finish(function () { say("failed"); }));
    });
    disable.addEventListener("click", function () {
      swReady.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
        if (!sub) return;
        return postJson(box.getAttribute("data-unsubscribe-url"), { endpoint: sub.endpoint }).then(function () { return sub.unsubscribe(); });
      }).then(function () { disable.hidden = true; enable.hidden = false; status.textContent = ""; box.setAttribute("data-push-state", "off"); });
    });
  });
})();

// --- incident form: exam-related means high severity and an exam playbook ------------------------
// <form data-incident-form>: ticking "exam-related" raises the severity to data-exam-severity (unless someone chose
// one) and sets the category to exam; the playbook select (data-suggest-from="#title") preselects the scenario of
// that category whose title and summary share most words with the incident title, until someone picks one.
(function () {
  var form = document.querySelector("[data-incident-form]");
  if (!form) return;
  var exam = form.querySelector("#exam_related"), severity = form.querySelector("[data-exam-severity]");
  var category = form.querySelector("#category"), scenario = form.querySelector("[data-suggest-from]");
  var title = scenario && document.querySelector(scenario.getAttribute("data-suggest-from"));
  var touched = { severity: false, scenario: !!(scenario && scenario.value) };
  if (severity) severity.addEventListener("change", function () { touched.severity = true; });
  if (scenario) scenario.addEventListener("change", function () { touched.scenario = true; });
  var fold = function (s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase(); };
  function suggest() {
    if (!scenario || touched.scenario) return;
    var tokens = fold((title && title.value) || "").split(/[^a-z0-9]+/).filter(function (w) { return w.length > 0; });
    var words = tokens.filter(function (w) { return w.length > 1; }).concat(tokens.slice(1).map(function (w, i) { return tokens[i] + "_" + w; }));
    var wanted = category ? category.value : "", best = null, bestScore = 0;
    Array.prototype.forEach.call(scenario.options, function (opt) {
      if (!opt.value || (wanted && opt.getAttribute("data-category") !== wanted)) return;
      // a word of the playbook's title counts twice, a word of its summary once
      var inTitle = " " + (opt.getAttribute("data-title-words") || "") + " ", inSummary = " " + (opt.getAttribute("data-words") || "") + " ";
      var score = 0.1;
      words.forEach(function (w) { score += inTitle.indexOf(" " + w + " ") >= 0 ? 2 : inSummary.indexOf(" " + w + " ") >= 0 ? 1 : 0; });
      if (score > bestScore) { best = opt; bestScore = score; }
    });
    if (best && (words.length === 0 ? wanted === "exam" : bestScore >= 1)) scenario.value = best.value;
  }
  if (exam) exam.addEventListener("change", function () {
    if (exam.checked) {
      if (severity && !touched.severity && ["low", "medium"].indexOf(severity.value) >= 0) severity.value = severity.getAttribute("data-exam-severity");
      if (category && category.value !== "exam") category.value = "exam";
      suggest();
    }
  });
  if (title) title.addEventListener("input", suggest);
  if (category) category.addEventListener("change", suggest);
  suggest();
})();
