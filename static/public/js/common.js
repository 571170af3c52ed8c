/* Shared helpers for the competency_xblock blocks: JSON calls with CSRF, announcements.
 * No third-party libraries; every DOM query is scoped to the block's element. */
(function (global) {
  "use strict";

  function cookie(name) {
    var parts = (document.cookie || "").split(";");
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].trim().split("=");
      if (kv[0] === name) { return decodeURIComponent(kv.slice(1).join("=")); }
    }
    return "";
  }

  /* POST json to a handler; resolves with {ok, status, data}. Never throws on HTTP errors. */
  function postJson(runtime, element, handler, payload) {
    var url = runtime.handlerUrl(element, handler);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken"),
                "X-Requested-With": "XMLHttpRequest"},
      body: JSON.stringify(payload || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    }, function () {
      return {ok: false, status: 0, data: {}};
    });
  }

  /* Put text into the block's polite live region so screen readers announce it. */
  function announce(element, text) {
    var region = element.querySelector("[data-cx-live]");
    if (!region) { return; }
    region.textContent = "";
    global.setTimeout(function () { region.textContent = text; }, 50);
  }

  /* Create an element with text (never HTML) and optional attributes. */
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* "{name}" placeholders filled from values (text only; unknown names stay as they are). */
  function format(template, values) {
    return String(template === undefined || template === null ? "" : template)
      .replace(/\{(\w+)\}/g, function (all, key) {
        return values && Object.prototype.hasOwnProperty.call(values, key)
          ? String(values[key]) : all;
      });
  }

  /* The form of a translated plural pair {one, other} for n (English and Danish: n != 1). */
  function plural(entry, n) {
    if (!entry || typeof entry === "string") { return entry || ""; }
    return Number(n) === 1 ? entry.one : entry.other;
  }

  function root(element) {
    /* The workbench passes a DOM node; the LMS may pass a jQuery object. */
    return element && element.jquery ? element[0] : element;
  }

  /* The init function the runtime calls for every block (core/base.py ``fragment``): reads
   * the block's arguments from the JSON <script data-cx-init-args> of its own HTML ("<"
   * escaped there, so author text holding "</script>" cannot break out, whatever the
   * runtime's own escaping) and calls the block's init function named in ``args.init``. */
  function init(runtime, element, args) {
    var node = root(element);
    var holder = node && node.querySelector("script[data-cx-init-args]");
    var data = holder ? JSON.parse(holder.textContent) : {};
    return global[args.init](runtime, element, data);
  }

  global.CompetencyXBlock = {postJson: postJson, announce: announce, el: el, root: root,
                            format: format, plural: plural};
  global.CompetencyXBlockInit = init;
})(window);
