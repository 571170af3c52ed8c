/* Data-security quiz: renders the learner-safe views the server sends and posts answers.
 * Vanilla JS, no third-party libraries; every DOM query is scoped to the block's element.
 * Grading happens on the server; this file never sees correct answers before the server's
 * show-answer policy allows them. */
(function (global) {
  "use strict";

  var CX = global.CompetencyXBlock;

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  /* Author text: HTML was sanitised on the server; plain text is only ever set as text. */
  function setText(node, text, format) {
    if (format === "html") { node.innerHTML = text; } else { node.textContent = text; }
    return node;
  }

  function number(value) {
    var rounded = Math.round(value * 100) / 100;
    return String(rounded);
  }

  function DataSecurityQuizInit(runtime, element, args) {
    var root = CX.root(element);
    var block = root.querySelector(".cx-quiz") || root;
    var t = args.text;
    var domId = args.dom_id;
    var form = block.querySelector("[data-cx-form]");
    var list = block.querySelector("[data-cx-questions]");
    var submitButton = block.querySelector("[data-cx-submit]");
    var statusLine = block.querySelector("[data-cx-status]");
    var errorBox = block.querySelector("[data-cx-error]");
    var resultBox = block.querySelector("[data-cx-result]");
    var summary = block.querySelector("[data-cx-summary]");
    var review = block.querySelector("[data-cx-review]");
    var attemptsLine = block.querySelector("[data-cx-attempts]");
    var retryButton = block.querySelector("[data-cx-retry]");
    var current = null;  /* the open attempt view */
    var status = null;
    var busy = false;

    function showError(message) {
      errorBox.textContent = message || t.error;
      errorBox.hidden = false;
    }

    function clearError() { errorBox.hidden = true; errorBox.textContent = ""; }

    function statusText(s, attemptNumber) {
      var parts = [];
      if (attemptNumber) {
        parts.push(s.max_attempts ? fmt(t.attempt_of, {n: attemptNumber, max: s.max_attempts})
                                  : fmt(t.attempt_unlimited, {n: attemptNumber}));
      }
      parts.push(fmt(t.threshold, {percent: args.threshold_text || number(s.pass_threshold)}));
      parts.push(s.grade_policy === "last" ? t.grade_last : t.grade_best);
      /* After several attempts the result below is the last one's; the grade is the policy's. */
      if (!attemptNumber && s.submitted > 1 && s.final_percent !== null &&
          s.final_percent !== undefined) {
        parts.push(fmt(t.counting, {percent: number(s.final_percent)}));
      }
      return parts.join(" ");
    }

    function renderAttempt(view) {
      current = view;
      list.textContent = "";
      var total = view.questions.length;
      view.questions.forEach(function (q, index) {
        var qid = domId + "-q" + index;
        var item = CX.el("li", {"class": "cx-quiz__item"});
        var fieldset = CX.el("fieldset", {"class": "cx-quiz__question", "data-question": q.id});
        var describedBy = [qid + "-hint"];
        if (q.scenario) {
          var scenario = CX.el("div", {"class": "cx-quiz__scenario", id: qid + "-scenario"});
          scenario.appendChild(CX.el("p", {"class": "cx-quiz__scenario-label"}, t.scenario));
          scenario.appendChild(setText(CX.el("div", {"class": "cx-quiz__scenario-text"}),
                                       q.scenario, q.format));
          item.appendChild(scenario);
          describedBy.unshift(qid + "-scenario");
        }
        fieldset.setAttribute("aria-describedby", describedBy.join(" "));
        var legend = CX.el("legend", {"class": "cx-quiz__legend"});
        legend.appendChild(CX.el("span", {"class": "cx-quiz__number"},
                                 fmt(t.question_of, {n: index + 1, total: total})));
        legend.appendChild(setText(CX.el("span", {"class": "cx-quiz__prompt"}), q.prompt, q.format));
        fieldset.appendChild(legend);
        var multiple = q.type === "multiple";
        fieldset.appendChild(CX.el("p", {"class": "cx-quiz__hint", id: qid + "-hint"},
                                   multiple ? t.pick_many : t.pick_one));
        q.choices.forEach(function (choice) {
          var cid = qid + "-c" + choice.key;
          var row = CX.el("div", {"class": "cx-quiz__choice"});
          var input = CX.el("input", {type: multiple ? "checkbox" : "radio", id: cid,
                                      name: qid, value: choice.key});
          var label = setText(CX.el("label", {"for": cid}), choice.text, q.format);
          row.appendChild(input);
          row.appendChild(label);
          fieldset.appendChild(row);
        });
        item.appendChild(fieldset);
        list.appendChild(item);
      });
      statusLine.textContent = statusText(status, view.attempt);
      resultBox.hidden = true;
      form.hidden = false;
      submitButton.disabled = false;
      submitButton.textContent = t.submit;
    }

    function collectAnswers() {
      var answers = {};
      var unanswered = 0;
      current.questions.forEach(function (q, index) {
        var picked = [];
        var inputs = list.querySelectorAll("input[name='" + domId + "-q" + index + "']");
        Array.prototype.forEach.call(inputs, function (input) {
          if (input.checked) { picked.push(input.value); }
        });
        if (!picked.length) { unanswered += 1; }
        answers[q.id] = picked;
      });
      return {answers: answers, unanswered: unanswered};
    }

    function renderResult(view) {
      review.textContent = "";
      summary.textContent = [
        fmt(CX.plural(t.score, view.possible), {
          earned: view.earned_text || number(view.earned),
          possible: view.possible_text || number(view.possible),
          percent: view.percent_text || number(view.percent)}),
        view.passed ? t.passed : t.failed
      ].join(" ");
      /* The bank changed since the submit: the score stays until staff rescore. */
      if (view.pending) {
        review.appendChild(CX.el("li", {"class": "cx-quiz__changed-note"},
          fmt(CX.plural(t.pending, view.pending), {count: view.pending})));
      }
      if (view.withdrawn) {
        review.appendChild(CX.el("li", {"class": "cx-quiz__changed-note"},
          fmt(CX.plural(t.withdrawn, view.withdrawn), {count: view.withdrawn})));
      }
      view.questions.forEach(function (q, index) {
        var item = CX.el("li", {"class": "cx-quiz__reviewed"});
        item.appendChild(setText(CX.el("p", {"class": "cx-quiz__prompt"}), q.prompt, q.format));
        var byKey = {};
        q.choices.forEach(function (c) { byKey[c.key] = c; });
        var answer = CX.el("p", {"class": "cx-quiz__your-answer"});
        answer.appendChild(CX.el("span", {"class": "cx-quiz__label"}, t.your_answer + " "));
        if (q.selected.length) {
          q.selected.forEach(function (key, i) {
            if (i) { answer.appendChild(document.createTextNode("; ")); }
            answer.appendChild(setText(CX.el("span"), byKey[key] ? byKey[key].text : "", q.format));
          });
        }
        if (q.removed_answer) {
          /* A picked choice the author removed after the submit: said, never left out. */
          if (q.selected.length) { answer.appendChild(document.createTextNode("; ")); }
          answer.appendChild(CX.el("span", {"class": "cx-quiz__removed"}, t.removed_choice));
        } else if (!q.selected.length) {
          answer.appendChild(CX.el("span", {}, t.no_answer));
        }
        item.appendChild(answer);
        if (Object.prototype.hasOwnProperty.call(q, "correct")) {
          var verdict = q.correct ? t.correct
            : (q.credit > 0 ? fmt(t.partly, {percent: q.credit_text || number(q.credit * 100)})
                            : t.incorrect);
          item.appendChild(CX.el("p", {"class": "cx-quiz__verdict " +
            (q.correct ? "cx-quiz__verdict--ok" : "cx-quiz__verdict--no")}, verdict));
          var right = CX.el("p", {"class": "cx-quiz__correct-answer"});
          right.appendChild(CX.el("span", {"class": "cx-quiz__label"}, t.correct_answer + " "));
          q.correct_keys.forEach(function (key, i) {
            if (i) { right.appendChild(document.createTextNode("; ")); }
            right.appendChild(setText(CX.el("span"), byKey[key] ? byKey[key].text : "", q.format));
          });
          item.appendChild(right);
          if (q.changed) {
            item.appendChild(CX.el("p", {"class": "cx-quiz__changed"}, fmt(
              q.changed === "key" ? t.key_changed : t.answer_removed,
              {percent: q.stored_credit_text || number(q.stored_credit * 100)})));
          }
        }
        (q.feedback || []).forEach(function (fb) {
          var p = CX.el("p", {"class": "cx-quiz__feedback"});
          p.appendChild(CX.el("span", {"class": "cx-quiz__label"}, t.feedback + " "));
          p.appendChild(setText(CX.el("span"), fb.text, q.format));
          item.appendChild(p);
        });
        if (q.explanation) {
          var ex = CX.el("div", {"class": "cx-quiz__explanation"});
          ex.appendChild(CX.el("p", {"class": "cx-quiz__label"}, t.explanation));
          ex.appendChild(setText(CX.el("div"), q.explanation, q.format));
          item.appendChild(ex);
        }
        item.setAttribute("data-index", String(index));
        review.appendChild(item);
      });
      if (!view.answers_revealed) {
        var hidden = CX.el("li", {"class": "cx-quiz__hidden-note"}, t.answers_hidden);
        review.appendChild(hidden);
      }
    }

    function renderStatus(s) {
      status = s;
      if (s.closed || s.attempts_left === null || s.attempts_left === undefined) {
        /* After the deadline the attempts left no longer matter (the closed note says why). */
        attemptsLine.textContent = "";
      } else {
        attemptsLine.textContent = s.attempts_left > 0
          ? fmt(t.attempts_left, {count: s.attempts_left}) : t.no_attempts_left;
      }
      retryButton.hidden = !s.can_attempt;
    }

    function show(data, focusResult) {
      renderStatus(data.status);
      if (data.attempt) {
        renderAttempt(data.attempt);
      } else if (data.result) {
        form.hidden = true;
        statusLine.textContent = statusText(data.status, null);
        renderResult(data.result);
        resultBox.hidden = false;
        if (focusResult) {
          resultBox.focus();
          CX.announce(block, summary.textContent);
        }
      } else {
        /* Nothing to show: the quiz closed before a first attempt (the closed note says so),
         * or the stored attempts cannot be read (the status's notice says so). */
        form.hidden = true;
        resultBox.hidden = true;
        statusLine.textContent = data.status.notice || "";
      }
    }

    function call(handler, payload, focusResult) {
      busy = true;
      clearError();
      return CX.postJson(runtime, element, handler, payload).then(function (response) {
        busy = false;
        if (!response.ok) {
          showError(response.data && response.data.error);
          submitButton.disabled = false;
          submitButton.textContent = t.submit;
          errorBox.focus();   /* the disabled button lost the focus; the alert takes it */
          return;
        }
        show(response.data, focusResult);
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy || !current) { return; }
      var collected = collectAnswers();
      if (collected.unanswered &&
          !global.confirm(fmt(CX.plural(t.unanswered, collected.unanswered),
                              {count: collected.unanswered}))) {
        return;
      }
      submitButton.disabled = true;
      submitButton.textContent = t.submitting;
      call("submit", {attempt: current.attempt, answers: collected.answers}, true);
    });

    retryButton.addEventListener("click", function () {
      if (busy) { return; }
      call("retry", {attempt: status.submitted + 1}, false).then(function () {
        var first = list.querySelector("input");
        if (first && !form.hidden) { first.focus(); }
      });
    });

    call("load", {}, false);
  }

  /* Studio: the import/export panel under the field editor (no init function of its own). */
  function cookie(name) {
    var match = (document.cookie || "").match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function postUrl(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken")},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, data: data};
      });
    }, function () { return {ok: false, data: {}}; });
  }

  function bindStudio(panel) {
    if (panel.getAttribute("data-cx-bound")) { return; }
    panel.setAttribute("data-cx-bound", "1");
    var t = JSON.parse(panel.getAttribute("data-text") || "{}");
    var form = panel.querySelector("[data-cx-import-form]");
    var out = panel.querySelector("[data-cx-import-result]");
    var pre = panel.querySelector("[data-cx-export-output]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var payload = {
        format: form.elements.format.value,
        content: form.elements.content.value,
        replace: form.elements.replace.checked,
        dry_run: form.elements.dry_run.checked
      };
      if (form.elements.topic.value) { payload.topic = form.elements.topic.value; }
      postUrl(panel.getAttribute("data-import-url"), payload).then(function (response) {
        out.textContent = "";
        if (!response.ok) {
          out.appendChild(CX.el("p", {"class": "cx-error"},
                                t.failed + " " + (response.data.error || "")));
          return;
        }
        out.appendChild(CX.el("p", {}, fmt(CX.plural(t.imported, response.data.imported),
                                           {count: response.data.imported})));
        if (response.data.problems.length) {
          out.appendChild(CX.el("p", {}, t.problems));
          var ul = CX.el("ul");
          response.data.problems.forEach(function (p) { ul.appendChild(CX.el("li", {}, p.message)); });
          out.appendChild(ul);
        }
      });
    });
    Array.prototype.forEach.call(panel.querySelectorAll("[data-cx-export]"), function (button) {
      button.addEventListener("click", function () {
        postUrl(panel.getAttribute("data-export-url"),
                {format: button.getAttribute("data-cx-export")}).then(function (response) {
          pre.hidden = false;
          if (!response.ok) { pre.textContent = response.data.error || ""; return; }
          pre.textContent = response.data.text ||
            Object.keys(response.data.files || {}).map(function (name) {
              return "<!-- " + name + " -->\n" + response.data.files[name];
            }).join("\n");
        });
      });
    });
  }

  function bindAllStudioPanels() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-cx-quiz-studio]"), bindStudio);
  }

  global.DataSecurityQuizInit = DataSecurityQuizInit;
  global.DataSecurityQuizStudioBind = bindAllStudioPanels;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAllStudioPanels);
  } else {
    bindAllStudioPanels();
  }
})(window);
