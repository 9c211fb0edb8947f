// The Waymark admin app: client-side routing, the flows list, the tour builder form (with the collector's field errors), preview and the funnel view.
(function () {
  "use strict";

  var main = document.getElementById("main");
  var FORMAT = "waymark.flow/v1";
  var BUTTON_ORDER = ["dismiss", "back", "cta", "next"];
  var BUTTON_NAMES = { back: "Back", next: "Next", dismiss: "Dismiss", cta: "Call to action" };
  var FIELD_NAMES = {
    "step-id": "Step ID", kind: "Kind", target: "Target", placement: "Placement", page: "Page pattern",
    title: "Title", body: "Body", advance: "Moves on when", "advance-value": "Advance rule",
    "when-target-missing": "When the target is missing", "target-timeout-ms": "Wait for the target",
    "cta-label": "Call-to-action label", "cta-url": "Call-to-action URL", spotlight: "Spotlight"
  };
  var editor = null; // { flow: stored flow or null, dirty: bool, buttonMaps: [[action...]] }
  var stepSeq = 0;

  // Helpers ------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function api(method, path, body) {
    return call(method, "/api" + path, body);
  }

  // A same-origin JSON request; a lost session sends the admin back to the sign-in page.
  function call(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { accept: "application/json" } };
    if (body !== undefined) {
      options.headers["content-type"] = "application/json";
      options.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 401) {
        window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
      }
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { code: "bad_response", message: text || response.statusText }; }
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: { code: "network", message: "The admin server could not be reached." } };
    });
  }

  function errorMessage(result) {
    var data = result.data || {};
    return data.message || ("Request failed (" + result.status + ")");
  }

  function triggerText(trigger) {
    if (!trigger) return "";
    if (trigger.type === "url") return "Page " + trigger.pattern;
    if (trigger.type === "event") return "Event " + trigger.name;
    return "Manual";
  }

  function setStatus(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  function showSummary(box, title, items) {
    box.replaceChildren();
    box.appendChild(el("h2", "", title));
    var list = el("ul");
    items.forEach(function (item) {
      var li = el("li");
      if (item.href) {
        var link = el("a", "", item.text);
        link.href = item.href;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          var target = document.getElementById(item.href.slice(1));
          if (target) target.focus();
        });
        li.appendChild(link);
      } else {
        li.textContent = item.text;
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  // Routing ------------------------------------------------------------

  function mount(templateId) {
    main.replaceChildren(document.getElementById(templateId).content.cloneNode(true));
  }

  function route() {
    var path = window.location.pathname.replace(/\/+$/, "") || "/flows";
    var match;
    editor = null;
    if (path === "/flows") return showFlows();
    if (path === "/flows/new") return showEditor(null);
    if ((match = path.match(/^\/flows\/([^/]+)\/edit$/))) return showEditor(decodeURIComponent(match[1]));
    if ((match = path.match(/^\/flows\/([^/]+)\/funnel$/))) return showFunnel(decodeURIComponent(match[1]));
    mount("view-not-found");
  }

  function navigate(path) {
    window.history.pushState({}, "", path);
    route();
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-link]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(new URL(link.href).pathname);
  });
  window.addEventListener("popstate", route);

  // Flows list ---------------------------------------------------------

  function showFlows() {
    mount("view-flows");
    document.title = "Flows · Waymark admin";
    document.getElementById("import-file").addEventListener("change", importFile);
    loadFlows();
  }

  function loadFlows() {
    return api("GET", "/flows").then(function (result) {
      var body = document.getElementById("flows-body");
      if (!body) return;
      body.replaceChildren();
      if (!result.ok) {
        showSummary(document.getElementById("flows-error"), "Couldn't load flows", [{ text: errorMessage(result) }]);
        var row = el("tr");
        var cell = el("td", "muted", "No flows to show.");
        cell.colSpan = 6;
        row.appendChild(cell);
        body.appendChild(row);
        return;
      }
      if (!result.data.length) {
        var empty = el("tr");
        var emptyCell = el("td", "muted", "No flows yet. Create one or import a flow file.");
        emptyCell.colSpan = 6;
        empty.appendChild(emptyCell);
        body.appendChild(empty);
      }
      result.data.forEach(function (flow) { body.appendChild(flowRow(flow)); });
    });
  }

  function flowRow(flow) {
    var row = el("tr");
    row.setAttribute("data-flow-row", flow.id);
    row.setAttribute("data-status", flow.status);
    var nameCell = el("td");
    var link = el("a", "flow-name", flow.name);
    link.href = "/flows/" + encodeURIComponent(flow.id) + "/edit";
    link.setAttribute("data-link", "");
    nameCell.appendChild(link);
    nameCell.appendChild(el("div", "muted small mono", flow.id));
    row.appendChild(nameCell);
    var statusCell = el("td");
    statusCell.appendChild(el("span", "badge badge-" + flow.status, flow.status));
    row.appendChild(statusCell);
    row.appendChild(el("td", "", "v" + flow.version));
    row.appendChild(el("td", "", flow.step_count));
    row.appendChild(el("td", "small", triggerText(flow.trigger)));

    var actions = el("td", "row-actions");
    var edit = el("a", "button button-small", "Edit");
    edit.href = link.href;
    edit.setAttribute("data-link", "");
    edit.setAttribute("data-action", "edit");
    edit.setAttribute("aria-label", "Edit " + flow.name);
    actions.appendChild(edit);
    if (flow.status !== "published") actions.appendChild(actionButton("publish", "Publish", flow));
    if (flow.status !== "archived") actions.appendChild(actionButton("archive", "Archive", flow));
    var exportLink = el("a", "button button-small", "Export");
    exportLink.href = "/api/flows/" + encodeURIComponent(flow.id) + "/export";
    exportLink.setAttribute("download", flow.id + ".json");
    exportLink.setAttribute("data-action", "export");
    exportLink.setAttribute("aria-label", "Export " + flow.name);
    actions.appendChild(exportLink);
    var funnel = el("a", "button button-small", "Funnel");
    funnel.href = "/flows/" + encodeURIComponent(flow.id) + "/funnel";
    funnel.setAttribute("data-link", "");
    funnel.setAttribute("data-action", "funnel");
    funnel.setAttribute("aria-label", "Funnel of " + flow.name);
    actions.appendChild(funnel);
    row.appendChild(actions);
    ["Name", "Status", "Version", "Steps", "Trigger", "Actions"].forEach(function (label, index) {
      row.children[index].setAttribute("data-label", label);
    });
    return row;
  }

  function actionButton(action, label, flow) {
    var button = el("button", "button button-small", label);
    button.type = "button";
    button.setAttribute("data-action", action);
    button.setAttribute("aria-label", label + " " + flow.name);
    button.addEventListener("click", function () {
      button.disabled = true;
      api("POST", "/flows/" + encodeURIComponent(flow.id) + "/" + action).then(function (result) {
        if (result.ok) {
          setStatus("flows-status", "\u201c" + flow.name + "\u201d is now " + result.data.status + ".");
          document.getElementById("flows-error").hidden = true;
        } else {
          showSummary(document.getElementById("flows-error"), "Couldn't " + action + " \u201c" + flow.name + "\u201d", [{ text: errorMessage(result) }]);
        }
        loadFlows();
      });
    });
    return button;
  }

  function importFile(event) {
    var input = event.target;
    var file = input.files && input.files[0];
    var errorBox = document.getElementById("flows-error");
    errorBox.hidden = true;
    if (!file) return;
    file.text().then(function (text) {
      try { JSON.parse(text); } catch (e) {
        showSummary(errorBox, "Couldn't import " + file.name, [{ text: "The file is not valid JSON: " + e.message }]);
        return;
      }
      return api("POST", "/flows/import", text).then(function (result) {
        input.value = "";
        if (result.ok) {
          setStatus("flows-status", "Imported \u201c" + result.data.name + "\u201d as a draft.");
          loadFlows();
        } else {
          var items = (result.data && result.data.errors && result.data.errors.length)
            ? result.data.errors.map(function (error) { return { text: error.field + ": " + error.message }; })
            : [{ text: errorMessage(result) }];
          showSummary(errorBox, "Couldn't import " + file.name, items);
        }
      });
    });
  }

  // Editor -------------------------------------------------------------

  function blankStep(index) {
    return {
      id: "step-" + (index + 1), kind: index === 0 ? "modal" : "tooltip", target: "", placement: "bottom", page: "",
      title: "", body: "", buttons: index === 0 ? [{ action: "next", label: "Next" }] : [{ action: "back", label: "Back" }, { action: "next", label: "Next" }],
      advance: { type: "button" }, spotlight: false, when_target_missing: "skip", target_timeout_ms: 4000
    };
  }

  function showEditor(flowId) {
    mount("view-editor");
    editor = { flow: null, dirty: false, buttonMaps: [] };
    var form = document.getElementById("flow-form");
    form.addEventListener("submit", function (event) { event.preventDefault(); saveFlow(); });
    form.addEventListener("input", function () { if (editor) editor.dirty = true; });
    form.addEventListener("change", function () { if (editor) editor.dirty = true; });
    document.getElementById("trigger-type").addEventListener("change", syncTrigger);
    document.getElementById("add-step").addEventListener("click", function () {
      var steps = document.getElementById("steps");
      var item = addStep(blankStep(steps.children.length));
      renumber();
      editor.dirty = true;
      item.querySelector("[name=step-id]").focus();
    });
    document.getElementById("publish-flow").addEventListener("click", publishFlow);
    document.getElementById("preview-flow").addEventListener("click", previewFlow);

    if (!flowId) {
      document.title = "New flow · Waymark admin";
      fillForm({ id: "", name: "", trigger: { type: "url", pattern: "/" }, frequency: "once", priority: 0, steps: [blankStep(0)] });
      editor.dirty = false;
      document.getElementById("flow-id").focus();
      return;
    }
    setStatus("editor-status", "Loading…");
    api("GET", "/flows/" + encodeURIComponent(flowId)).then(function (result) {
      if (!editor) return;
      setStatus("editor-status", "");
      if (!result.ok) {
        showSummary(document.getElementById("form-errors"), "Couldn't load the flow", [{ text: errorMessage(result) }]);
        return;
      }
      editor.flow = result.data;
      fillForm(result.data);
      editor.dirty = false;
    });
  }

  function syncTrigger() {
    var type = document.getElementById("trigger-type").value;
    var field = document.getElementById("trigger-value-field");
    field.hidden = type === "manual";
    document.getElementById("trigger-value-label").textContent = type === "event" ? "Event name" : "URL pattern";
    document.getElementById("trigger-value-hint").textContent = type === "event"
      ? "The name the product passes to waymark.track(), e.g. project_created."
      : "Use * as a wildcard, e.g. /projects/*.";
    document.getElementById("trigger-value").placeholder = type === "event" ? "project_created" : "/projects/*";
  }

  function fillMeta(flow) {
    var existing = !!(editor && editor.flow);
    document.getElementById("editor-title").textContent = existing ? (flow.name || flow.id) : "New flow";
    document.getElementById("editor-crumb").textContent = existing ? flow.id : "New flow";
    document.getElementById("flow-meta").replaceChildren();
    var meta = document.getElementById("flow-meta");
    if (!existing) { meta.textContent = "Not saved yet"; return; }
    meta.appendChild(el("span", "badge badge-" + flow.status, flow.status));
    meta.appendChild(document.createTextNode(" Version " + flow.version + " · " + flow.steps.length + " steps"));
    document.getElementById("flow-id").readOnly = true;
    document.getElementById("publish-flow").textContent = flow.status === "published" ? "Save & publish" : "Publish";
  }

  function fillForm(flow) {
    document.getElementById("flow-id").value = flow.id || "";
    document.getElementById("flow-name").value = flow.name || "";
    var trigger = flow.trigger || { type: "manual" };
    document.getElementById("trigger-type").value = trigger.type;
    document.getElementById("trigger-value").value = trigger.type === "url" ? trigger.pattern : trigger.type === "event" ? trigger.name : "";
    syncTrigger();
    document.getElementById("flow-frequency").value = flow.frequency || "once";
    document.getElementById("flow-priority").value = String(flow.priority || 0);
    document.getElementById("steps").replaceChildren();
    (flow.steps || []).forEach(addStep);
    renumber();
    fillMeta(flow);
  }

  function addStep(step) {
    var uid = ++stepSeq;
    var item = document.getElementById("step-template").content.firstElementChild.cloneNode(true);
    item.querySelectorAll("[name]").forEach(function (control) { control.id = "step-" + uid + "-" + control.name; });
    item.querySelectorAll("label[data-for]").forEach(function (label) { label.htmlFor = "step-" + uid + "-" + label.getAttribute("data-for"); });
    function set(name, value) {
      var control = item.querySelector("[name='" + name + "']");
      if (control.type === "checkbox") control.checked = !!value; else control.value = value === undefined || value === null ? "" : String(value);
    }
    set("step-id", step.id);
    set("kind", step.kind || "tooltip");
    set("target", step.target);
    set("placement", step.placement || "bottom");
    set("page", step.page);
    set("title", step.title);
    set("body", step.body);
    ["back", "next", "dismiss"].forEach(function (action) {
      var button = (step.buttons || []).filter(function (b) { return b.action === action; })[0];
      set(action, !!button);
      if (button) set(action + "-label", button.label);
    });
    var cta = (step.buttons || []).filter(function (b) { return b.action === "cta"; })[0];
    set("cta-label", cta ? cta.label : "");
    set("cta-url", cta ? cta.url : "");
    var advance = step.advance || { type: "button" };
    set("advance", advance.type);
    set("advance-value", advance.type === "event" ? advance.name : advance.type === "url" ? advance.pattern : "");
    set("spotlight", step.spotlight);
    set("when-target-missing", step.when_target_missing || "skip");
    set("target-timeout-ms", step.target_timeout_ms === undefined ? 4000 : step.target_timeout_ms);

    item.querySelector("[name=advance]").addEventListener("change", function () { syncAdvance(item); });
    item.querySelector("[name=kind]").addEventListener("change", function () { syncKind(item); });
    item.querySelector("[name=title]").addEventListener("input", function () { renumber(); });
    item.querySelectorAll("[data-step-action]").forEach(function (button) {
      button.addEventListener("click", function () { stepAction(item, button.getAttribute("data-step-action")); });
    });
    syncAdvance(item);
    syncKind(item);
    document.getElementById("steps").appendChild(item);
    return item;
  }

  function syncAdvance(item) {
    var type = item.querySelector("[name=advance]").value;
    var field = item.querySelector("[data-advance-value-field]");
    field.hidden = type === "button" || type === "click";
    item.querySelector("[data-advance-value-label]").textContent = type === "url" ? "URL pattern to reach" : "Event name";
  }

  function syncKind(item) {
    var modal = item.querySelector("[name=kind]").value === "modal";
    var label = item.querySelector("label[data-for=target]");
    label.textContent = modal ? "Target CSS selector (optional for modals)" : "Target CSS selector";
  }

  function stepAction(item, action) {
    var list = document.getElementById("steps");
    if (action === "up" && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
    if (action === "down" && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
    if (action === "remove") {
      var focusAfter = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      if (focusAfter) focusAfter.querySelector("[name=step-id]").focus();
      else document.getElementById("add-step").focus();
    } else {
      item.querySelector("[data-step-action='" + action + "']").focus();
    }
    editor.dirty = true;
    renumber();
  }

  function renumber() {
    var items = Array.prototype.slice.call(document.getElementById("steps").children);
    items.forEach(function (item, index) {
      item.setAttribute("data-step-index", String(index));
      var title = item.querySelector("[name=title]").value.trim();
      item.querySelector("[data-step-number]").textContent = "Step " + (index + 1) + (title ? " \u00b7 " + title : "");
      item.querySelector("[data-step-action=up]").disabled = index === 0;
      item.querySelector("[data-step-action=down]").disabled = index === items.length - 1;
      item.querySelectorAll("[data-step-action]").forEach(function (button) {
        var verb = button.getAttribute("data-step-action");
        var text = verb === "remove" ? "Remove step " + (index + 1) : "Move step " + (index + 1) + " " + verb;
        button.setAttribute("aria-label", text);
      });
    });
  }

  function flowFromForm() {
    var triggerType = document.getElementById("trigger-type").value;
    var triggerValue = document.getElementById("trigger-value").value.trim();
    var trigger = triggerType === "url" ? { type: "url", pattern: triggerValue }
      : triggerType === "event" ? { type: "event", name: triggerValue } : { type: "manual" };
    editor.buttonMaps = [];
    var steps = Array.prototype.map.call(document.getElementById("steps").children, function (item, index) {
      function value(name) { return item.querySelector("[name='" + name + "']").value; }
      function checked(name) { return item.querySelector("[name='" + name + "']").checked; }
      var buttons = [];
      var map = [];
      BUTTON_ORDER.forEach(function (action) {
        if (action === "cta") {
          var label = value("cta-label").trim();
          var url = value("cta-url").trim();
          if (label || url) { buttons.push({ action: "cta", label: label, url: url }); map.push("cta"); }
        } else if (checked(action)) {
          buttons.push({ action: action, label: value(action + "-label").trim() });
          map.push(action);
        }
      });
      editor.buttonMaps[index] = map;
      var advanceType = value("advance");
      var advanceValue = value("advance-value").trim();
      var advance = advanceType === "event" ? { type: "event", name: advanceValue }
        : advanceType === "url" ? { type: "url", pattern: advanceValue } : { type: advanceType };
      var step = {
        id: value("step-id").trim(), kind: value("kind"), placement: value("placement"),
        title: value("title"), body: value("body"), buttons: buttons, advance: advance,
        spotlight: checked("spotlight"), when_target_missing: value("when-target-missing"),
        target_timeout_ms: Math.max(0, parseInt(value("target-timeout-ms"), 10) || 0)
      };
      var target = value("target").trim();
      var page = value("page").trim();
      if (target) step.target = target;
      if (page) step.page = page;
      return step;
    });
    return {
      format: FORMAT,
      id: document.getElementById("flow-id").value.trim(),
      name: document.getElementById("flow-name").value.trim(),
      trigger: trigger,
      frequency: document.getElementById("flow-frequency").value,
      priority: parseInt(document.getElementById("flow-priority").value, 10) || 0,
      steps: steps
    };
  }

  // Maps a collector field path ("steps[1].buttons[0].label") to the control showing it.
  function controlFor(field) {
    var flowFields = { id: "flow-id", name: "flow-name", frequency: "flow-frequency", priority: "flow-priority", "trigger.pattern": "trigger-value", "trigger.name": "trigger-value", trigger: "trigger-type" };
    if (flowFields[field]) return { control: document.getElementById(flowFields[field]), label: document.querySelector("label[for=" + flowFields[field] + "]").textContent };
    if (field === "steps") return { control: document.getElementById("add-step"), label: "Steps", holder: document.getElementById("steps-error") };
    var match = field.match(/^steps\[(\d+)\](?:\.(.+))?$/);
    if (!match) return null;
    var index = Number(match[1]);
    var item = document.querySelector("#steps > [data-step-index='" + index + "']");
    if (!item) return null;
    var rest = match[2] || "";
    var name = {
      id: "step-id", kind: "kind", target: "target", placement: "placement", page: "page", title: "title", body: "body",
      advance: "advance", "advance.name": "advance-value", "advance.pattern": "advance-value", buttons: "next",
      spotlight: "spotlight", when_target_missing: "when-target-missing", target_timeout_ms: "target-timeout-ms"
    }[rest];
    var buttonMatch = rest.match(/^buttons\[(\d+)\]\.(\w+)$/);
    if (buttonMatch) {
      var action = (editor.buttonMaps[index] || [])[Number(buttonMatch[1])] || "next";
      var part = buttonMatch[2];
      if (action === "cta") name = part === "url" ? "cta-url" : "cta-label";
      else name = part === "label" ? action + "-label" : action;
    }
    var prefix = "Step " + (index + 1);
    if (!name) return { control: item.querySelector("[name=step-id]"), label: prefix };
    var control = item.querySelector("[name='" + name + "']");
    var fieldName = rest.indexOf("buttons") === 0 ? (BUTTON_NAMES[name.replace("-label", "").replace("-url", "")] || "Buttons") + " button" : FIELD_NAMES[name];
    return { control: control, label: prefix + " \u00b7 " + (fieldName || rest) };
  }

  function clearErrors() {
    var box = document.getElementById("form-errors");
    if (box) { box.hidden = true; box.replaceChildren(); }
    document.querySelectorAll("#flow-form .field-error[data-generated]").forEach(function (node) { node.remove(); });
    var stepsError = document.getElementById("steps-error");
    if (stepsError) { stepsError.hidden = true; stepsError.textContent = ""; }
    document.querySelectorAll("#flow-form [aria-invalid]").forEach(function (control) {
      control.removeAttribute("aria-invalid");
      var describedBy = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id.indexOf("error-") !== 0; });
      if (describedBy.length) control.setAttribute("aria-describedby", describedBy.join(" ")); else control.removeAttribute("aria-describedby");
    });
  }

  var errorSeq = 0;
  function showErrors(result) {
    var data = result.data || {};
    var errors = data.errors && data.errors.length ? data.errors : [{ field: data.field || "", code: data.code, message: errorMessage(result) }];
    var items = [];
    errors.forEach(function (error) {
      var found = error.field ? controlFor(error.field) : null;
      if (!found || !found.control) {
        items.push({ text: (error.field ? error.field + ": " : "") + error.message });
        return;
      }
      var id = "error-" + (++errorSeq);
      var message = el("p", "field-error", error.message);
      message.id = id;
      message.setAttribute("data-generated", "");
      message.setAttribute("data-error-for", error.field);
      if (found.holder) {
        found.holder.textContent = error.message;
        found.holder.hidden = false;
      } else {
        var wrapper = found.control.closest(".field, .check-row, .check-field") || found.control.parentNode;
        wrapper.appendChild(message);
      }
      found.control.setAttribute("aria-invalid", "true");
      var describedBy = found.control.getAttribute("aria-describedby");
      found.control.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + (found.holder ? "steps-error" : id));
      items.push({ text: found.label + ": " + error.message, href: "#" + found.control.id });
    });
    var box = document.getElementById("form-errors");
    showSummary(box, items.length === 1 ? "1 problem to fix" : items.length + " problems to fix", items);
    box.focus();
  }

  function saveFlow() {
    clearErrors();
    setStatus("editor-status", "Saving…");
    var flow = flowFromForm();
    var existing = editor.flow;
    var request = existing
      ? api("PUT", "/flows/" + encodeURIComponent(existing.id), flow)
      : api("POST", "/flows", flow);
    return request.then(function (result) {
      if (!editor) return false;
      if (!result.ok) {
        setStatus("editor-status", "Not saved.");
        showErrors(result);
        return false;
      }
      editor.flow = result.data;
      editor.dirty = false;
      fillMeta(result.data);
      window.history.replaceState({}, "", "/flows/" + encodeURIComponent(result.data.id) + "/edit");
      setStatus("editor-status", "Saved version " + result.data.version + " (" + result.data.status + ").");
      return true;
    });
  }

  function publishFlow() {
    var ready = editor.dirty || !editor.flow ? saveFlow() : Promise.resolve(true);
    ready.then(function (saved) {
      if (!saved || !editor) return;
      setStatus("editor-status", "Publishing…");
      return api("POST", "/flows/" + encodeURIComponent(editor.flow.id) + "/publish").then(function (result) {
        if (!editor) return;
        if (!result.ok) { setStatus("editor-status", "Not published."); showErrors(result); return; }
        editor.flow = result.data;
        fillMeta(result.data);
        setStatus("editor-status", "Published version " + result.data.version + ": users now see it.");
      });
    });
  }

  function previewFlow() {
    var status = document.getElementById("preview-status");
    status.classList.remove("status-error");
    var waymark = window.waymark;
    if (!waymark || typeof waymark.preview !== "function") {
      var host = waymark && waymark._o ? waymark._o.host : "the collector";
      status.classList.add("status-error");
      status.setAttribute("role", "alert");
      status.textContent = "Preview isn't available: the Waymark widget hasn't loaded from " + host +
        ". Check that the collector is running and lists this admin's origin in its allowed origins.";
      return;
    }
    // A saved, unchanged flow is previewed as stored; otherwise the form, with its Markdown compiled by the server.
    var source = !editor.dirty && editor.flow
      ? api("GET", "/flows/" + encodeURIComponent(editor.flow.id)).then(function (result) { return result.ok ? result.data : flowFromForm(); })
      : call("POST", "/preview/flow", flowFromForm()).then(function (result) { return result.ok ? result.data : flowFromForm(); });
    source.then(function (flow) {
      flow.status = "published";
      try {
        waymark.preview(flow);
        status.removeAttribute("role");
        status.textContent = "Previewing \u201c" + (flow.name || flow.id) + "\u201d on this page. Nothing is recorded.";
      } catch (error) {
        status.classList.add("status-error");
        status.setAttribute("role", "alert");
        status.textContent = "Preview failed: " + (error && error.message ? error.message : error);
      }
    });
  }

  // Funnel -------------------------------------------------------------

  function percent(part, whole) {
    return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
  }

  function barRow(label, count, base, note, kind) {
    var row = el("div", "bar-row" + (kind ? " bar-row-" + kind : ""));
    row.setAttribute("data-funnel-row", "");
    row.appendChild(el("div", "bar-label", label));
    var track = el("div", "bar-track");
    var fill = el("div", "bar-fill");
    fill.style.width = percent(count, base) + "%";
    track.appendChild(fill);
    row.appendChild(track);
    var numbers = el("div", "bar-numbers");
    numbers.appendChild(el("strong", "", count));
    if (note) numbers.appendChild(el("span", "muted small", note));
    row.appendChild(numbers);
    return row;
  }

  function showFunnel(flowId) {
    mount("view-funnel");
    document.title = "Funnel · Waymark admin";
    document.getElementById("funnel-crumb").textContent = flowId;
    document.getElementById("funnel-edit").href = "/flows/" + encodeURIComponent(flowId) + "/edit";
    Promise.all([api("GET", "/flows/" + encodeURIComponent(flowId)), api("GET", "/flows/" + encodeURIComponent(flowId) + "/funnel")]).then(function (results) {
      var box = document.getElementById("funnel");
      if (!box) return;
      box.setAttribute("aria-busy", "false");
      var flowResult = results[0];
      var funnelResult = results[1];
      if (flowResult.ok) document.getElementById("funnel-title").textContent = "Funnel: " + flowResult.data.name;
      if (!funnelResult.ok) {
        box.replaceChildren(el("p", "muted", "No funnel to show."));
        showSummary(document.getElementById("funnel-error"), "Couldn't load the funnel", [{ text: errorMessage(funnelResult) }]);
        return;
      }
      var funnel = funnelResult.data;
      var started = funnel.started || 0;
      box.replaceChildren();
      var cards = el("dl", "funnel-cards");
      [["Started", started, "started"], ["Completed", funnel.completed, "completed"], ["Dismissed", funnel.dismissed, "dismissed"],
        ["Completion rate", percent(funnel.completed, started) + "%", "rate"]].forEach(function (card) {
        var wrap = el("div", "funnel-card");
        wrap.setAttribute("data-funnel-stat", card[2]);
        wrap.appendChild(el("dt", "", card[0]));
        wrap.appendChild(el("dd", "", card[1]));
        cards.appendChild(wrap);
      });
      box.appendChild(cards);

      var bars = el("div", "bars");
      bars.appendChild(barRow("Started", started, started, started ? "100%" : "", "start"));
      (funnel.steps || []).forEach(function (step, index) {
        var group = el("div", "bar-group");
        group.setAttribute("data-funnel-step", step.step_id);
        group.appendChild(el("h3", "bar-step-title", "Step " + (index + 1) + " \u00b7 " + (step.title || step.step_id)));
        group.appendChild(barRow("Viewed", step.viewed, started, percent(step.viewed, started) + "% of started", "viewed"));
        var conversion = percent(step.completed, step.viewed);
        var completedRow = barRow("Completed", step.completed, started, conversion + "% of viewers", "completed");
        completedRow.setAttribute("data-conversion", String(conversion));
        group.appendChild(completedRow);
        bars.appendChild(group);
      });
      bars.appendChild(barRow("Finished the flow", funnel.completed, started, percent(funnel.completed, started) + "%", "done"));
      bars.appendChild(barRow("Dismissed", funnel.dismissed, started, percent(funnel.dismissed, started) + "%", "dismissed"));
      box.appendChild(bars);
      if (!started) box.appendChild(el("p", "muted", "Nobody has started this flow yet."));
    });
  }

  route();
})();
