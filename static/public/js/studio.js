/* Our Studio editor (core/studio.py): posts the changed fields to submit_studio_edits and
 * lists every validation message in a live region.  Works in Studio (runtime.notify drives
 * the modal) and in the workbench, whose runtime has no notify.  Vanilla JS; every query
 * is scoped to this block's element. */
function CompetencyStudioEdit(runtime, element, args) {
  "use strict";
  var C = window.CompetencyXBlock;
  var root = C.root(element);
  var text = (args && args.text) || {};
  var form = root.querySelector("[data-cx-studio-form]");
  var errors = root.querySelector("[data-cx-studio-errors]");
  var saveButton = root.querySelector("[data-cx-studio-save]");
  var busy = false;

  function notify(name, data) {
    if (runtime && typeof runtime.notify === "function") { runtime.notify(name, data); }
  }

  function fields() {
    return Array.prototype.slice.call(root.querySelectorAll("[data-cx-field]"));
  }
  function control(field) { return field.querySelector("[data-cx-control]"); }

  /* The control's value as typed (strings; a checkbox as "true"/"false"). */
  function raw(field) {
    var input = control(field);
    return input.type === "checkbox" ? String(input.checked) : input.value;
  }

  var initial = {};
  fields().forEach(function (field) { initial[field.getAttribute("data-cx-field")] = raw(field); });

  /* {value} or {error}: the typed text turned into the field's JSON value. */
  function parse(field) {
    var kind = field.getAttribute("data-kind");
    var label = field.getAttribute("data-label");
    var value = raw(field);
    if (kind === "boolean") { return {value: value === "true"}; }
    if (kind === "select") { return {value: JSON.parse(value)}; }
    if (kind === "text") { return {value: value}; }
    if (kind === "json") {
      if (!value.trim()) { return {value: JSON.parse(field.getAttribute("data-empty") || "{}")}; }
      try { return {value: JSON.parse(value)}; } catch (e) {
        return {error: C.format(text.invalid_json, {field: label})};
      }
    }
    var number = value.trim().replace(/\s/g, "").replace(",", ".");
    var pattern = kind === "integer" ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)$/;
    if (!pattern.test(number)) {
      return {error: C.format(kind === "integer" ? text.invalid_integer : text.invalid_number,
                              {field: label})};
    }
    return {value: kind === "integer" ? parseInt(number, 10) : parseFloat(number)};
  }

  function clearErrors() {
    errors.hidden = true;
    errors.textContent = "";
    fields().forEach(function (field) {
      var input = control(field);
      var box = field.querySelector("[data-cx-field-error]");
      box.hidden = true;
      box.textContent = "";
      input.removeAttribute("aria-invalid");
      var described = (input.getAttribute("aria-describedby") || "").split(" ")
        .filter(function (id) { return id && id !== box.id; });
      if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
    });
  }

  function markField(field, message) {
    var input = control(field);
    var box = field.querySelector("[data-cx-field-error]");
    box.textContent = message;
    box.hidden = false;
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.unshift(box.id);
    input.setAttribute("aria-describedby", described.join(" "));
  }

  /* The error summary: a heading line and one item per problem (linked to its field). */
  function showErrors(items) {
    errors.textContent = "";
    errors.appendChild(C.el("p", {}, text.not_saved));
    var list = C.el("ul");
    items.forEach(function (item) {
      var li = C.el("li");
      if (item.target) {
        var link = C.el("a", {href: "#" + item.target}, item.message);
        link.addEventListener("click", function (event) {
          event.preventDefault();
          var target = root.querySelector("#" + item.target);
          if (target) { target.focus(); }
        });
        li.appendChild(link);
      } else {
        li.textContent = item.message;
      }
      list.appendChild(li);
    });
    errors.appendChild(list);
    errors.hidden = false;
    errors.focus();
  }

  /* After a save, Cancel goes back to the saved values, not to the ones first shown. */
  function keepAsDefault(input) {
    if (input.type === "checkbox") { input.defaultChecked = input.checked; return; }
    if (input.tagName === "SELECT") {
      Array.prototype.forEach.call(input.options, function (o) { o.defaultSelected = o.selected; });
      return;
    }
    input.defaultValue = input.value;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }
    clearErrors();
    var values = {};
    var problems = [];
    fields().forEach(function (field) {
      var name = field.getAttribute("data-cx-field");
      if (raw(field) === initial[name]) { return; }
      var parsed = parse(field);
      if (parsed.error) {
        markField(field, parsed.error);
        problems.push({message: parsed.error, target: control(field).id});
      } else {
        values[name] = parsed.value;
      }
    });
    if (problems.length) { showErrors(problems); return; }
    busy = true;
    saveButton.disabled = true;
    notify("save", {state: "start", message: text.saving});
    C.postJson(runtime, root, "submit_studio_edits", {values: values}).then(function (result) {
      busy = false;
      saveButton.disabled = false;
      if (!result.ok) {
        var data = result.data || {};
        var messages = data.messages && data.messages.length ? data.messages
          : [data.error || text.error];
        showErrors(messages.map(function (message) { return {message: message}; }));
        notify("error", {title: text.not_saved, message: messages.join(" ")});
        return;
      }
      fields().forEach(function (field) {
        initial[field.getAttribute("data-cx-field")] = raw(field);
        keepAsDefault(control(field));
      });
      saveButton.focus();   /* it lost the focus while disabled */
      C.announce(root, text.saved);
      notify("save", {state: "end"});
    });
  });

  root.querySelector("[data-cx-studio-cancel]").addEventListener("click", function () {
    form.reset();
    clearErrors();
    C.announce(root, text.cancelled);
    notify("cancel", {});
  });
}
