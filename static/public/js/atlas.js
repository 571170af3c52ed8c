/* atlas_lookup block: search the service atlas, refer scenarios, staff candidate søgeord.
 * Vanilla JS; every query is scoped to this block's element; atlas text is only ever put
 * into the page as text nodes (matches wrapped in <mark> elements built with the DOM). */
function AtlasLookupInit(runtime, element, args) {
  "use strict";
  var cx = window.CompetencyXBlock;
  var root = cx.root(element);
  var block = root.querySelector(".cx-atlas") || root;
  var text = args.text || {};
  var scenarios = args.scenarios || [];
  var current = 0;
  var busy = false;

  function q(selector) { return block.querySelector(selector); }
  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }
  function clear(node) { while (node && node.firstChild) { node.removeChild(node.firstChild); } }

  /* Text with highlight spans [[start, end], ...] → text nodes and <mark> elements. */
  function highlighted(tag, value, spans, attrs) {
    var node = cx.el(tag, attrs || {});
    var pos = 0;
    (spans || []).slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
      var start = s[0], end = s[1];
      if (start < pos || end > value.length || start >= end) { return; }
      if (start > pos) { node.appendChild(document.createTextNode(value.slice(pos, start))); }
      node.appendChild(cx.el("mark", {}, value.slice(start, end)));
      pos = end;
    });
    if (pos < value.length) { node.appendChild(document.createTextNode(value.slice(pos))); }
    return node;
  }

  function showError(message) {
    var box = q("[data-cx-error]");
    box.textContent = message || text.error;
    box.hidden = false;
  }
  function hideError() { q("[data-cx-error]").hidden = true; }

  /* ---------------------------------------------------------------- results */
  function contactList(contact) {
    var dl = cx.el("dl", {"class": "cx-atlas__contact"});
    ["phone", "email", "secure_mail", "address", "opening_hours", "web"].forEach(function (key) {
      if (!contact || !contact[key]) { return; }
      dl.appendChild(cx.el("dt", {}, text[key]));
      var dd = cx.el("dd");
      var value = contact[key];
      if (key === "web" && /^https?:\/\//.test(value)) {
        dd.appendChild(cx.el("a", {href: value, rel: "noopener noreferrer"}, value));
      } else if (key === "email" && /^[^\s@<>"]+@[^\s@<>"]+$/.test(value)) {
        dd.appendChild(cx.el("a", {href: "mailto:" + value}, value));
      } else if (key === "phone") {
        dd.appendChild(cx.el("a", {href: "tel:" + value.replace(/[^\d+]/g, "")}, value));
      } else {
        dd.textContent = value;
      }
      dl.appendChild(dd);
    });
    return dl;
  }

  function renderHit(hit, index) {
    var li = cx.el("li", {"class": "cx-atlas__hit"});
    var headingId = block.id + "-hit-" + index;
    li.appendChild(highlighted("h3", hit.title, hit.title_spans, {id: headingId}));
    if (hit.unit) {
      var unit = cx.el("p", {"class": "cx-atlas__meta"});
      unit.appendChild(cx.el("strong", {}, text.unit + ": "));
      unit.appendChild(document.createTextNode(hit.unit.path.join(" › ")));
      li.appendChild(unit);
      li.appendChild(contactList(hit.unit.contact));
    }
    if (hit.kle && hit.kle.length) {
      li.appendChild(cx.el("p", {"class": "cx-atlas__meta"}, text.kle + ": " + hit.kle.join(", ")));
    }
    if (hit.keywords && hit.keywords.length) {
      var kw = cx.el("p", {"class": "cx-atlas__meta"}, text.keywords + ":");
      li.appendChild(kw);
      var ul = cx.el("ul", {"class": "cx-atlas__keywords"});
      hit.keywords.forEach(function (k) { ul.appendChild(highlighted("li", k.text, k.spans)); });
      li.appendChild(ul);
    }
    if (hit.description) {
      li.appendChild(highlighted("p", hit.description, hit.description_spans,
                                 {"class": "cx-atlas__meta"}));
    }
    if (hit.referral_notes) {
      li.appendChild(cx.el("p", {"class": "cx-atlas__meta"},
                           text.referral + ": " + hit.referral_notes));
    }
    var scenario = scenarios[current];
    /* No pick buttons after the deadline (args.closed): searching stays open.  None either
     * for a scenario whose stored progress cannot be read (scenario.unreadable). */
    if (args.mode === "exercise" && !args.closed && scenario && !scenario.finished &&
        !scenario.unreadable) {
      var actions = cx.el("div", {"class": "cx-atlas__actions"});
      var pickService = cx.el("button", {type: "button", "aria-describedby": headingId},
                              text.pick_service);
      pickService.addEventListener("click", function () { pick("service", hit.id); });
      actions.appendChild(pickService);
      if (hit.unit) {
        var pickUnit = cx.el("button", {type: "button", "class": "cx-secondary"},
                             format(text.pick_unit, {unit: hit.unit.name}));
        pickUnit.addEventListener("click", function () { pick("unit", hit.unit.id); });
        actions.appendChild(pickUnit);
      }
      li.appendChild(actions);
    }
    return li;
  }

  var lastResult = null;
  function renderResults(data) {
    lastResult = data;
    var list = q("[data-cx-results]");
    clear(list);
    var count = q("[data-cx-count]");
    count.textContent = data.message || "";
    var corrections = q("[data-cx-corrections]");
    if (data.corrections && data.corrections.length) {
      corrections.textContent = format(text.did_you_mean, {
        words: data.corrections.map(function (c) { return c.used; }).join(", ")});
      corrections.hidden = false;
    } else {
      corrections.hidden = true;
    }
    (data.hits || []).forEach(function (hit, i) { list.appendChild(renderHit(hit, i)); });
  }

  function runSearch(event) {
    if (event) { event.preventDefault(); }
    if (busy) { return; }
    var input = q("[data-cx-query]");
    var payload = {query: input.value, limit: args.limit};
    var scenario = scenarios[current];
    if (args.mode === "exercise" && scenario) { payload.scenario = scenario.id; }
    busy = true;
    q("[data-cx-submit]").setAttribute("aria-busy", "true");
    q("[data-cx-count]").textContent = text.searching;
    cx.postJson(runtime, element, "search", payload).then(function (res) {
      busy = false;
      q("[data-cx-submit]").removeAttribute("aria-busy");
      if (!res.ok) { q("[data-cx-count]").textContent = ""; showError(res.data.error); return; }
      hideError();
      if (scenario) { scenario.searches = (scenario.searches || 0) + 1; }
      renderResults(res.data);
    });
  }

  /* --------------------------------------------------------------- exercise */
  function renderScenario() {
    var box = q("[data-cx-exercise]");
    if (!box || !scenarios.length) { return; }
    box.hidden = false;
    var scenario = scenarios[current];
    q("[data-cx-scenario-count]").textContent = format(text.scenario, {
      n: current + 1, total: scenarios.length}) + " · " +
      (scenario.unreadable ? text.unreadable_status
        : scenario.finished ? (scenario.solved ? text.solved : text.not_solved) : text.open);
    q("[data-cx-prompt]").textContent = scenario.prompt;
    q("[data-cx-prev]").disabled = current === 0;
    q("[data-cx-next]").disabled = current >= scenarios.length - 1;
    var feedback = q("[data-cx-feedback]");
    clear(feedback);
    feedback.className = "cx-atlas__feedback";
    feedback.hidden = true;
    if (scenario.unreadable) {
      feedback.hidden = false;
      feedback.appendChild(cx.el("p", {}, text.unreadable));
    } else if (scenario.finished) {
      showOutcome({correct: scenario.solved, finished: true, explanation: scenario.explanation,
                   answer: scenario.answer, attempts_left: scenario.attempts_left}, false);
    } else if (scenario.hint) {
      showOutcome({correct: false, finished: false, hint: scenario.hint,
                   attempts_left: scenario.attempts_left}, false);
    }
    if (args.score) {
      q("[data-cx-score]").textContent = format(cx.plural(text.score, args.score.possible),
                                                args.score);
    }
  }

  function showOutcome(outcome, announce) {
    var feedback = q("[data-cx-feedback]");
    clear(feedback);
    feedback.hidden = false;
    feedback.className = "cx-atlas__feedback " + (outcome.correct ? "is-correct" : "is-wrong");
    var head = outcome.correct ? text.correct : text.incorrect;
    feedback.appendChild(cx.el("p", {}, head));
    if (!outcome.finished && outcome.hint) {
      var hint = cx.el("p");
      hint.appendChild(cx.el("strong", {}, text.hint + " "));
      hint.appendChild(document.createTextNode(outcome.hint));
      feedback.appendChild(hint);
    }
    if (!outcome.finished && outcome.attempts_left !== null && outcome.attempts_left !== undefined) {
      feedback.appendChild(cx.el("p", {}, format(text.attempts_left, {count: outcome.attempts_left})));
    }
    if (outcome.finished) {
      if (!outcome.correct) { feedback.appendChild(cx.el("p", {}, text.no_attempts_left)); }
      if (outcome.answer && outcome.answer.length) {
        var answer = cx.el("p");
        answer.appendChild(cx.el("strong", {}, text.answer + " "));
        answer.appendChild(document.createTextNode(
          outcome.answer.map(function (a) { return a.label; }).join(", ")));
        feedback.appendChild(answer);
      }
      if (outcome.explanation) {
        var expl = cx.el("p");
        expl.appendChild(cx.el("strong", {}, text.explanation + " "));
        expl.appendChild(document.createTextNode(outcome.explanation));
        feedback.appendChild(expl);
      }
    }
    if (announce) { cx.announce(block, feedback.textContent); }
  }

  function pick(kind, id) {
    var scenario = scenarios[current];
    if (busy || args.closed || !scenario || scenario.finished || scenario.unreadable) { return; }
    busy = true;
    cx.postJson(runtime, element, "pick", {scenario: scenario.id, kind: kind, id: id})
      .then(function (res) {
        busy = false;
        if (!res.ok) { showError(res.data.error); return; }
        hideError();
        scenarios[current] = res.data.scenario;
        args.score = res.data.score;
        renderScenario();
        showOutcome(res.data, true);
        if (lastResult) { renderResults(lastResult); }   // drop the pick buttons if finished
        q("[data-cx-feedback]").setAttribute("tabindex", "-1");
        q("[data-cx-feedback]").focus();
      });
  }

  function move(step) {
    current = Math.max(0, Math.min(scenarios.length - 1, current + step));
    clear(q("[data-cx-results]"));
    q("[data-cx-count]").textContent = "";
    q("[data-cx-query]").value = "";
    lastResult = null;
    renderScenario();
    q("[data-cx-scenario]").focus();
  }

  /* ------------------------------------------------------------------ staff */
  function renderStaffStatus(status) {
    var box = q("[data-cx-staff-status]");
    if (!box || !status) { return; }
    clear(box);
    if (status.source) { box.appendChild(cx.el("p", {}, status.source)); }
    if (status.stale) { box.appendChild(cx.el("p", {"class": "cx-error"}, status.stale)); }
    if (status.drift) {
      box.appendChild(cx.el("p", {}, status.drift + " " + (status.drift_numbers || []).join(", ")));
    }
    if (status.problems && status.problems.length) {
      box.appendChild(cx.el("p", {}, text.staff_error));
      var ul = cx.el("ul", {"class": "cx-error"});
      status.problems.forEach(function (p) { ul.appendChild(cx.el("li", {}, p)); });
      box.appendChild(ul);
    }
  }

  function loadGaps() {
    var target = q("[data-cx-gap-list]");
    cx.postJson(runtime, element, "staff_gaps", {}).then(function (res) {
      clear(target);
      if (!res.ok) { target.appendChild(cx.el("p", {"class": "cx-error"}, res.data.error || text.error)); return; }
      var titleId = block.id + "-gaps-title";
      target.appendChild(cx.el("h4", {id: titleId}, text.staff_gaps_heading));
      var rows = res.data.candidates || [];
      if (!rows.length) { target.appendChild(cx.el("p", {}, text.staff_gaps_empty)); return; }
      /* A wide table scrolls in its own region: focusable and named, for keyboard users. */
      var wrap = cx.el("div", {"class": "cx-atlas__table-wrap", role: "region", tabindex: "0",
                               "aria-labelledby": titleId});
      var table = cx.el("table");
      var head = cx.el("tr");
      ["staff_term", "staff_learners", "staff_count", "staff_no_hits", "staff_wrong",
       "staff_target"].forEach(function (key) { head.appendChild(cx.el("th", {scope: "col"}, text[key])); });
      var thead = cx.el("thead"); thead.appendChild(head); table.appendChild(thead);
      var tbody = cx.el("tbody");
      rows.forEach(function (row) {
        var tr = cx.el("tr");
        [row.term, row.learners, row.count, row.no_hits, row.wrong_picks,
         row.target_label || ""].forEach(function (v) { tr.appendChild(cx.el("td", {}, v)); });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      wrap.appendChild(table);
      target.appendChild(wrap);
      cx.announce(block, text.staff_gaps_heading);
    });
  }

  /* ------------------------------------------------------------------- wire */
  var form = q("[data-cx-form]");
  if (form) { form.addEventListener("submit", runSearch); }
  if (args.mode === "exercise") {
    if (q("[data-cx-prev]")) {
      q("[data-cx-prev]").addEventListener("click", function () { move(-1); });
      q("[data-cx-next]").addEventListener("click", function () { move(1); });
    }
    var firstOpen = scenarios.findIndex ? scenarios.findIndex(function (s) { return !s.finished; }) : 0;
    current = firstOpen > 0 ? firstOpen : 0;
    renderScenario();
  }
  if (args.staff) {
    renderStaffStatus(args.staff_status);
    var gapsButton = q("[data-cx-gaps]");
    if (gapsButton) { gapsButton.addEventListener("click", loadGaps); }
  }
}
