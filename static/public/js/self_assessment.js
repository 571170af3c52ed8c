/* Competency self-assessment block: choose role, rate, save draft, submit, print, staff view.
 * Vanilla JS, no third-party libraries; every DOM query is scoped to this block's element,
 * so several blocks can share a page.  HTML inserted here comes from our server (templates
 * with autoescaping, the result view built with every value escaped); text from the server
 * is set with textContent. */
function CompetencySelfAssessment(runtime, element, args) {
  "use strict";
  var C = window.CompetencyXBlock;
  var root = C.root(element);
  var text = (args && args.text) || {};
  var block = root.querySelector("[data-cx-self-assessment]") || root;

  function area(name) { return block.querySelector("[data-cx-" + name + "]"); }

  function clearErrors() {
    var box = area("errors");
    if (!box) { return; }
    box.hidden = true;
    box.textContent = "";
    Array.prototype.forEach.call(block.querySelectorAll(".cx-sa-invalid"), function (node) {
      node.classList.remove("cx-sa-invalid");
      node.removeAttribute("aria-invalid");
    });
  }

  function showErrors(message, details) {
    var box = area("errors");
    if (!box) { return; }
    box.textContent = "";
    box.appendChild(C.el("p", {}, message));
    if (details && details.length) {
      var list = C.el("ul");
      details.forEach(function (item) { list.appendChild(C.el("li", {}, item)); });
      box.appendChild(list);
    }
    box.hidden = false;
  }

  function failed(result) {
    var data = result.data || {};
    showErrors(data.error || text.error, data.messages || []);
    var box = area("errors");
    if (box) { box.focus(); }
  }

  function ratingsForm() { return block.querySelector("[data-cx-ratings]"); }

  function collect(form) {
    var ratings = {};
    var missing = [];
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-competence]"),
      function (fieldset) {
        var checked = fieldset.querySelector("input[type=radio]:checked");
        if (checked) {
          ratings[fieldset.getAttribute("data-competence")] = checked.value;
        } else {
          missing.push(fieldset);
        }
      });
    return {ratings: ratings, missing: missing};
  }

  function payload(form, ratings) {
    // The unit changes no question, so the unit list's current choice counts even when the
    // learner did not press "Show my competences" again (e.g. a role fixed by the author).
    var unitSelect = block.querySelector("[data-cx-select] select[name=unit]");
    var unit = unitSelect ? unitSelect.value : form.getAttribute("data-unit");
    return {role: form.getAttribute("data-role"), unit: unit ? unit : null, ratings: ratings};
  }

  function onSubmitRatings(event) {
    event.preventDefault();
    clearErrors();
    var form = event.currentTarget;
    var found = collect(form);
    if (found.missing.length) {
      found.missing.forEach(function (fieldset) {
        fieldset.classList.add("cx-sa-invalid");
        fieldset.setAttribute("aria-invalid", "true");
      });
      var message = (text.missing || "").replace("{count}", String(found.missing.length));
      showErrors(message, found.missing.map(function (fs) {
        return fs.querySelector("legend").textContent;
      }));
      C.announce(block, message);
      var first = found.missing[0].querySelector("input");
      if (first) { first.focus(); }
      return;
    }
    var button = form.querySelector("[data-cx-submit]");
    if (button) { button.disabled = true; }
    C.postJson(runtime, root, "submit", payload(form, found.ratings)).then(function (result) {
      if (button) { button.disabled = false; }
      if (!result.ok) { failed(result); return; }
      unsaved = false;
      /* The form stays as it is (it holds the ratings just submitted), hidden until the
         learner chooses to reassess; only the note about a draft no longer applies. */
      var formArea = area("form-area");
      var note = formArea.querySelector(".cx-sa-draft-note");
      if (note) { note.parentNode.removeChild(note); }
      formArea.hidden = true;
      var resultArea = area("result-area");
      resultArea.innerHTML = result.data.result_html;
      wireResult();
      showClear(true);
      var heading = resultArea.querySelector("[data-cx-result-heading]");
      if (heading) { heading.focus(); }
      C.announce(block, result.data.message);
    });
  }

  function onDraft() {
    clearErrors();
    var form = ratingsForm();
    var found = collect(form);
    C.postJson(runtime, root, "save_draft", payload(form, found.ratings)).then(function (result) {
      if (!result.ok) { failed(result); return; }
      unsaved = false;
      C.announce(block, result.data.message);
      showClear(true);
      var note = form.querySelector(".cx-sa-draft-note");
      if (!note) {
        note = C.el("p", {"class": "cx-sa-draft-note"});
        form.appendChild(note);
      }
      note.textContent = result.data.message;
    });
  }

  function onSelect(event) {
    event.preventDefault();
    clearErrors();
    var form = event.currentTarget;
    var role = form.querySelector("select[name=role]");
    var unit = form.querySelector("select[name=unit]");
    var data = {};
    if (role) {
      if (!role.value) {
        showErrors(text.choose_first || "");
        role.setAttribute("aria-invalid", "true");
        role.classList.add("cx-sa-invalid");
        role.focus();
        return;
      }
      data.role = role.value;
    }
    if (unit) { data.unit = unit.value || null; }
    C.postJson(runtime, root, "select", data).then(function (result) {
      if (!result.ok) { failed(result); return; }
      area("form-area").innerHTML = result.data.form_html;
      wireForm();
      var intro = block.querySelector(".cx-sa-intro");
      if (intro) { intro.focus(); }
      C.announce(block, result.data.message);
    });
  }

  /* Ratings the learner has not saved (as a draft or by submitting): leaving the page asks
     first, so twenty ratings are not lost to a reload or a language switch. */
  var unsaved = false;
  window.addEventListener("beforeunload", function (event) {
    if (!unsaved) { return undefined; }
    event.preventDefault();
    event.returnValue = "";   /* the browser shows its own (translated) question */
    return "";
  });

  function wireForm() {
    var select = block.querySelector("[data-cx-select]");
    if (select) { select.addEventListener("submit", onSelect); }
    var form = ratingsForm();
    if (form) {
      form.addEventListener("submit", onSubmitRatings);
      var draft = form.querySelector("[data-cx-draft]");
      if (draft) { draft.addEventListener("click", onDraft); }
      form.addEventListener("change", function (event) {
        var fieldset = event.target.closest("fieldset[data-competence]");
        if (fieldset) {
          fieldset.classList.remove("cx-sa-invalid");
          fieldset.removeAttribute("aria-invalid");
          unsaved = true;
        }
      });
    }
  }

  function wireResult() {
    var print = block.querySelector("[data-cx-print]");
    if (print) { print.addEventListener("click", function () { window.print(); }); }
    var again = block.querySelector("[data-cx-reassess]");
    if (again) {
      again.addEventListener("click", function () {
        var formArea = area("form-area");
        formArea.hidden = false;
        var target = formArea.querySelector(".cx-sa-intro") || formArea.querySelector("select");
        if (target) { target.focus(); }
      });
    }
  }

  function wireStaff() {
    var filter = block.querySelector("[data-cx-staff-filter]");
    if (!filter) { return; }
    filter.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      var role = filter.querySelector("select[name=role]");
      var unit = filter.querySelector("select[name=unit]");
      var data = {role: role && role.value ? role.value : null,
                  unit: unit && unit.value ? unit.value : null};
      C.postJson(runtime, root, "staff_summary", data).then(function (result) {
        if (!result.ok) { failed(result); return; }
        block.querySelector("[data-cx-staff-result]").innerHTML = result.data.html;
        C.announce(block, result.data.message);
      });
    });
  }

  function showClear(visible) {
    var section = area("clear");
    if (section) { section.hidden = !visible; }
  }

  function wireClear() {
    var start = block.querySelector("[data-cx-clear-start]");
    var confirmBox = area("clear-confirm");
    if (!start || !confirmBox) { return; }
    function toggle(open) {
      confirmBox.hidden = !open;
      start.setAttribute("aria-expanded", open ? "true" : "false");
    }
    start.addEventListener("click", function () {
      toggle(true);
      confirmBox.querySelector("[data-cx-clear-no]").focus();
    });
    confirmBox.querySelector("[data-cx-clear-no]").addEventListener("click", function () {
      toggle(false);
      start.focus();
    });
    var yes = confirmBox.querySelector("[data-cx-clear-yes]");
    yes.addEventListener("click", function () {
      clearErrors();
      yes.disabled = true;
      C.postJson(runtime, root, "clear_my_data", {confirm: true}).then(function (result) {
        yes.disabled = false;
        if (!result.ok) { failed(result); return; }
        toggle(false);
        showClear(false);
        var formArea = area("form-area");
        formArea.innerHTML = result.data.form_html;
        formArea.hidden = false;
        wireForm();
        area("result-area").innerHTML = "";
        var target = formArea.querySelector("select") || formArea.querySelector("input");
        if (target) { target.focus(); }
        C.announce(block, result.data.message);
      });
    });
  }

  wireForm();
  wireResult();
  wireStaff();
  wireClear();
}

/* Studio: the field editor (studio.js) plus the panel for spreadsheets and files
 * (self_assessment_studio.html): import a role-profile or framework sheet or a JSON file
 * through import_data, download through export_data. */
function CompetencySelfAssessmentStudio(runtime, element, args) {
  "use strict";
  CompetencyStudioEdit(runtime, element, args);
  var C = window.CompetencyXBlock;
  var root = C.root(element);
  var text = (args && args.io_text) || {};
  var panel = root.querySelector("[data-cx-sa-studio]");
  if (!panel) { return; }
  var form = panel.querySelector("[data-cx-sa-import]");
  var errors = panel.querySelector("[data-cx-sa-io-errors]");
  var status = panel.querySelector("[data-cx-sa-io-status]");

  function say(message) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function showErrors(message, details) {
    errors.textContent = "";
    errors.appendChild(C.el("p", {}, message));
    if (details && details.length) {
      var list = C.el("ul");
      details.forEach(function (item) { list.appendChild(C.el("li", {}, item)); });
      errors.appendChild(list);
    }
    errors.hidden = false;
    errors.focus();
  }

  /* Text of a file: UTF-8, else Windows-1252 (Danish Excel's plain "CSV" keeps æøå so). */
  function readFile(file) {
    return file.arrayBuffer().then(function (buffer) {
      try { return new TextDecoder("utf-8", {fatal: true}).decode(buffer); } catch (e) {
        return new TextDecoder("windows-1252").decode(buffer);
      }
    });
  }

  function formatFor(kind, file, content) {
    if (kind === "profiles") { return "csv"; }
    if (kind === "setup") { return "json"; }
    var json = /\.json$/i.test(file.name) || /^\s*\{/.test(content.replace(/^\uFEFF/, ""));
    return json ? "json" : "csv";
  }

  function send(save) {
    errors.hidden = true;
    errors.textContent = "";
    var input = form.querySelector("input[type=file]");
    var file = input.files && input.files[0];
    if (!file) {
      showErrors(text.import_no_file || "");
      input.focus();
      return;
    }
    var kind = form.querySelector("select[name=kind]").value;
    readFile(file).then(function (content) {
      var payload = {kind: kind, format: formatFor(kind, file, content), text: content,
                     save: save};
      return C.postJson(runtime, root, "import_data", payload);
    }).then(function (result) {
      if (!result.ok) {
        var data = result.data || {};
        showErrors(data.error || text.error, data.messages || []);
        return;
      }
      if (save) {
        var setup = root.querySelector("[data-cx-field=setup] [data-cx-control]");
        if (setup) {
          /* the server keeps the import: Cancel in the field editor must not bring back the
             text it replaced */
          setup.value = setup.defaultValue = JSON.stringify(result.data.setup, null, 2);
        }
      }
      say(save ? text.import_saved : text.import_checked);
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); send(true); });
  panel.querySelector("[data-cx-sa-check]").addEventListener("click", function () {
    send(false);
  });

  Array.prototype.forEach.call(panel.querySelectorAll("[data-cx-sa-export]"), function (button) {
    button.addEventListener("click", function () {
      errors.hidden = true;
      var payload = {kind: button.getAttribute("data-cx-sa-export"),
                     format: button.getAttribute("data-format")};
      if (args && (args.language === "da" || args.language === "en")) {
        payload.language = args.language;
      }
      C.postJson(runtime, root, "export_data", payload).then(function (result) {
        if (!result.ok) {
          showErrors((result.data && result.data.error) || text.error);
          return;
        }
        var type = payload.format === "csv" ? "text/csv" : "application/json";
        var url = URL.createObjectURL(new Blob([result.data.text], {type: type}));
        var link = C.el("a", {href: url, download: result.data.filename, hidden: "hidden"});
        panel.appendChild(link);
        link.click();
        panel.removeChild(link);
        window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
        say(C.format(text.exported || "", {filename: result.data.filename}));
      });
    });
  });
}
