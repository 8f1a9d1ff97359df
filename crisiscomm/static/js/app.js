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
