// The Waymark admin app: client-side routing, the flows list, the tour builder form (with the collector's field errors), preview, the funnel view, and saved segments with the audience rule builder.
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
    if (path === "/segments") return showSegments();
    if (path === "/segments/new") return showSegmentEditor(null);
    if ((match = path.match(/^\/segments\/([^/]+)\/edit$/))) return showSegmentEditor(decodeURIComponent(match[1]));
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
    setUpAudience();

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
    fillAudience(flow.audience);
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
    var flow = {
      format: FORMAT,
      id: document.getElementById("flow-id").value.trim(),
      name: document.getElementById("flow-name").value.trim(),
      trigger: trigger,
      frequency: document.getElementById("flow-frequency").value,
      priority: parseInt(document.getElementById("flow-priority").value, 10) || 0,
      steps: steps
    };
    var audience = audienceFromForm();
    if (audience) flow.audience = audience;
    return flow;
  }

  // Maps a collector field path ("steps[1].buttons[0].label") to the control showing it.
  function controlFor(field) {
    var flowFields = { id: "flow-id", name: "flow-name", frequency: "flow-frequency", priority: "flow-priority", "trigger.pattern": "trigger-value", "trigger.name": "trigger-value", trigger: "trigger-type" };
    if (flowFields[field]) return { control: document.getElementById(flowFields[field]), label: document.querySelector("label[for=" + flowFields[field] + "]").textContent };
    if (field === "steps") return { control: document.getElementById("add-step"), label: "Steps", holder: document.getElementById("steps-error") };
    if (field === "audience" || field.indexOf("audience.") === 0) return audienceControlFor(field);
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
    clearFieldErrors(document.getElementById("flow-form"), document.getElementById("form-errors"));
  }

  function showErrors(result) {
    showFieldErrors(result, document.getElementById("form-errors"), controlFor);
  }

  // Removes the field errors shown in `form` and hides its summary `box`.
  function clearFieldErrors(form, box) {
    if (box) { box.hidden = true; box.replaceChildren(); }
    if (!form) return;
    form.querySelectorAll(".field-error[data-generated]").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[data-error-holder]").forEach(function (holder) { holder.hidden = true; holder.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (control) {
      control.removeAttribute("aria-invalid");
      var describedBy = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        var node = id ? document.getElementById(id) : null;
        return id && id.indexOf("error-") !== 0 && !(node && node.hasAttribute("data-error-holder"));
      });
      if (describedBy.length) control.setAttribute("aria-describedby", describedBy.join(" ")); else control.removeAttribute("aria-describedby");
    });
  }

  // Shows a collector error (422 `errors`, or one `field`) next to the controls `controlFor` finds
  // for each field path, and as a summary with links in `box`.
  var errorSeq = 0;
  function showFieldErrors(result, box, controlFor) {
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
      if (found.holder) {
        found.holder.textContent = error.message;
        found.holder.setAttribute("data-error-for", error.field);
        found.holder.hidden = false;
        id = found.holder.id;
      } else {
        var message = el("p", "field-error", error.message);
        message.id = id;
        message.setAttribute("data-generated", "");
        message.setAttribute("data-error-for", error.field);
        var wrapper = found.control.closest(".field, .check-row, .check-field") || found.control.parentNode;
        wrapper.appendChild(message);
      }
      found.control.setAttribute("aria-invalid", "true");
      var describedBy = found.control.getAttribute("aria-describedby");
      found.control.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + id);
      items.push({ text: found.label + ": " + error.message, href: "#" + found.control.id });
    });
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

  // Rule builder -------------------------------------------------------
  // One component for every audience rule the admin edits (a segment's rule, a flow's audience):
  // a list of user trait / account trait / event conditions combined with all or any.

  var TRAIT_OPS = [
    ["eq", "is"], ["neq", "is not"], ["contains", "contains"], ["starts_with", "starts with"],
    ["gt", "is greater than / after"], ["gte", "is at least / on or after"], ["lt", "is less than / before"],
    ["lte", "is at most / on or before"], ["exists", "is set"], ["not_exists", "is not set"],
    ["within_last_days", "is a date within the last N days"], ["more_than_days_ago", "is a date more than N days ago"],
    ["in", "is one of"]
  ];
  var EVENT_OPS = [["done", "was done"], ["not_done", "was never done"], ["at_least", "was done at least N times"], ["at_most", "was done at most N times"]];
  var CONDITION_KINDS = ["trait", "account_trait", "event"];
  var CONDITION_KEYS = { trait: "condition-field", account_trait: "condition-field", event: "condition-field", op: "condition-op", value: "condition-value", count: "condition-count", within_days: "condition-within-days" };
  var CONDITION_NAMES = { "condition-kind": "Kind", "condition-field": "Name", "condition-op": "Operator", "condition-value": "Value", "condition-count": "Times", "condition-within-days": "In the last N days" };
  var builderSeq = 0;

  // The one kind key (trait, account_trait, event) of a simple condition, or null.
  function conditionKind(rule) {
    if (!rule || typeof rule !== "object" || Array.isArray(rule)) return null;
    var kinds = CONDITION_KINDS.filter(function (key) { return typeof rule[key] === "string"; });
    var others = ["all", "any", "not", "url", "device", "locale", "segment"].filter(function (key) { return key in rule; });
    return kinds.length === 1 && !others.length ? kinds[0] : null;
  }

  // Builds the rule editor inside `container`; `fieldPrefix` is the collector's path to the rule
  // ("rule" for segments, "audience" for flows), used to place field errors.
  function ruleBuilder(container, fieldPrefix, onChange) {
    var uid = ++builderSeq;
    var conditionSeq = 0;
    var kept = null; // a rule the builder can't show, sent back unchanged
    var root = document.getElementById("rule-builder-template").content.firstElementChild.cloneNode(true);
    container.replaceChildren(root);
    container.setAttribute("data-rule-builder", "");
    var match = root.querySelector("[name=rule-match]");
    match.id = "rb" + uid + "-rule-match";
    root.querySelector("label[data-for=rule-match]").htmlFor = match.id;
    var list = root.querySelector("[data-conditions]");
    var listError = root.querySelector("[data-conditions-error]");
    listError.id = "rb" + uid + "-conditions-error";
    var addButton = root.querySelector("[data-rule-action=add]");
    addButton.id = "rb" + uid + "-add";
    var unsupported = root.querySelector("[data-rule-unsupported]");
    var changed = function () { if (onChange) onChange(); };

    addButton.addEventListener("click", function () {
      var item = addCondition({ trait: "", op: "eq" });
      renumberConditions();
      changed();
      item.querySelector("[name=condition-field]").focus();
    });
    root.querySelector("[data-rule-action=reset]").addEventListener("click", function () {
      set(null);
      changed();
      match.focus();
    });

    function fillOps(item, kind, op) {
      var select = item.querySelector("[name=condition-op]");
      var ops = kind === "event" ? EVENT_OPS : TRAIT_OPS;
      select.replaceChildren();
      ops.forEach(function (pair) {
        var option = el("option", "", pair[1]);
        option.value = pair[0];
        select.appendChild(option);
      });
      select.value = ops.some(function (pair) { return pair[0] === op; }) ? op : ops[0][0];
    }

    function syncCondition(item) {
      var kind = item.querySelector("[name=condition-kind]").value;
      var op = item.querySelector("[name=condition-op]").value;
      var event = kind === "event";
      item.querySelector("[data-condition-field-label]").textContent = event ? "Event name" : kind === "account_trait" ? "Account trait name" : "Trait name";
      item.querySelector("[name=condition-field]").placeholder = event ? "project_created" : kind === "account_trait" ? "size" : "plan";
      item.querySelector("[data-value-field]").hidden = event || op === "exists" || op === "not_exists";
      item.querySelector("[data-value-label]").textContent = op === "in" ? "Values (comma-separated)"
        : op === "within_last_days" || op === "more_than_days_ago" ? "Days" : "Value";
      item.querySelector("[data-count-field]").hidden = !(event && (op === "at_least" || op === "at_most"));
      item.querySelector("[data-within-field]").hidden = !event;
    }

    function addCondition(rule) {
      var n = ++conditionSeq;
      var item = document.getElementById("condition-template").content.firstElementChild.cloneNode(true);
      item.querySelectorAll("[name]").forEach(function (control) { control.id = "rb" + uid + "-c" + n + "-" + control.name; });
      item.querySelectorAll("label[data-for]").forEach(function (label) { label.htmlFor = "rb" + uid + "-c" + n + "-" + label.getAttribute("data-for"); });
      var kind = conditionKind(rule) || "trait";
      var kindSelect = item.querySelector("[name=condition-kind]");
      kindSelect.value = kind;
      item.querySelector("[name=condition-field]").value = rule[kind] || "";
      fillOps(item, kind, rule.op);
      var value = rule.value;
      item.querySelector("[name=condition-value]").value = value === undefined || value === null ? "" : Array.isArray(value) ? value.join(", ") : String(value);
      item.querySelector("[name=condition-count]").value = rule.count === undefined || rule.count === null ? "" : String(rule.count);
      item.querySelector("[name=condition-within-days]").value = rule.within_days === undefined || rule.within_days === null ? "" : String(rule.within_days);
      kindSelect.addEventListener("change", function () {
        var wasEvent = item.querySelector("[name=condition-op]").value;
        fillOps(item, kindSelect.value, wasEvent);
        syncCondition(item);
      });
      item.querySelector("[name=condition-op]").addEventListener("change", function () { syncCondition(item); });
      item.querySelector("[data-condition-action=remove]").addEventListener("click", function () {
        var focusAfter = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        renumberConditions();
        changed();
        if (focusAfter) focusAfter.querySelector("[name=condition-kind]").focus(); else addButton.focus();
      });
      syncCondition(item);
      list.appendChild(item);
      return item;
    }

    function renumberConditions() {
      Array.prototype.forEach.call(list.children, function (item, index) {
        item.setAttribute("data-condition-index", String(index));
        item.querySelector("[data-condition-number]").textContent = "Condition " + (index + 1);
        item.querySelector("[data-condition-action=remove]").setAttribute("aria-label", "Remove condition " + (index + 1));
      });
    }

    function numberOr(raw) {
      return raw !== "" && isFinite(Number(raw)) ? Number(raw) : raw;
    }

    function conditionRule(item) {
      function value(name) { return item.querySelector("[name='" + name + "']").value.trim(); }
      var kind = value("condition-kind");
      var op = value("condition-op");
      var rule = {};
      rule[kind] = value("condition-field");
      rule.op = op;
      if (kind === "event") {
        if ((op === "at_least" || op === "at_most") && value("condition-count") !== "") rule.count = numberOr(value("condition-count"));
        if (value("condition-within-days") !== "") rule.within_days = numberOr(value("condition-within-days"));
        return rule;
      }
      var raw = value("condition-value");
      if (op === "exists" || op === "not_exists" || raw === "") return rule;
      if (op === "in") rule.value = raw.split(",").map(function (part) { return part.trim(); }).filter(Boolean);
      else if (["gt", "gte", "lt", "lte", "within_last_days", "more_than_days_ago"].indexOf(op) >= 0) rule.value = numberOr(raw);
      else rule.value = raw;
      return rule;
    }

    function get() {
      if (kept) return kept;
      var rule = {};
      rule[match.value] = Array.prototype.map.call(list.children, conditionRule);
      return rule;
    }

    // Shows `rule` (null: one blank condition); a rule beyond the builder is kept and shown as JSON.
    function set(rule) {
      list.replaceChildren();
      kept = null;
      var combinator = rule && (Array.isArray(rule.all) ? "all" : Array.isArray(rule.any) ? "any" : null);
      var children = !rule ? [{ trait: "", op: "eq" }] : combinator ? rule[combinator] : [rule];
      var simple = children.every(conditionKind) && (!combinator || Object.keys(rule).length === 1);
      unsupported.hidden = simple;
      match.disabled = !simple;
      addButton.hidden = !simple;
      if (!simple) {
        kept = rule;
        root.querySelector("[data-rule-json]").textContent = JSON.stringify(rule, null, 2);
        return;
      }
      match.value = combinator || "all";
      children.forEach(addCondition);
      renumberConditions();
    }

    // The control showing a collector error at `field` (a path under fieldPrefix), for showFieldErrors.
    function controlFor(field) {
      var rest = field.slice(fieldPrefix.length).replace(/^\./, "");
      if (kept || rest === "") return { control: match, label: "Conditions" };
      var found = rest.match(/^(all|any)\[(\d+)\](?:\.(\w+))?/);
      if (!found) return { control: addButton, label: "Conditions", holder: listError };
      var index = Number(found[2]);
      var item = list.querySelector("[data-condition-index='" + index + "']");
      if (!item) return { control: addButton, label: "Conditions", holder: listError };
      var name = CONDITION_KEYS[found[3]] || "condition-kind";
      var control = item.querySelector("[name='" + name + "']");
      if (control.closest("[hidden]")) control = item.querySelector("[name=condition-field]");
      return { control: control, label: "Condition " + (index + 1) + " \u00b7 " + CONDITION_NAMES[control.name] };
    }

    set(null);
    return { get: get, set: set, controlFor: controlFor };
  }

  // Audience (tour builder) ---------------------------------------------

  function audienceMode() {
    var checked = document.querySelector("input[name=audience-mode]:checked");
    return checked ? checked.value : "everyone";
  }

  function syncAudience() {
    var mode = audienceMode();
    document.getElementById("audience-segment-field").hidden = mode !== "segment";
    document.getElementById("audience-rule").hidden = mode !== "rule";
  }

  // Lists the saved segments in the audience select, keeping `selected` even when it is not (yet) listed.
  function fillSegmentOptions(segments, selected) {
    var select = document.getElementById("audience-segment");
    if (!select) return;
    select.replaceChildren();
    var ids = segments.map(function (segment) { return segment.id; });
    if (selected && ids.indexOf(selected) < 0) segments = segments.concat([{ id: selected, name: selected }]);
    if (!segments.length) {
      var none = el("option", "", "No saved segments yet");
      none.value = "";
      select.appendChild(none);
    }
    segments.forEach(function (segment) {
      var option = el("option", "", segment.name + " (" + segment.id + ")");
      option.value = segment.id;
      select.appendChild(option);
    });
    if (selected) select.value = selected;
  }

  function setUpAudience() {
    editor.audienceRule = ruleBuilder(document.getElementById("audience-rule"), "audience", function () { if (editor) editor.dirty = true; });
    editor.segments = [];
    document.querySelectorAll("input[name=audience-mode]").forEach(function (radio) { radio.addEventListener("change", syncAudience); });
    fillSegmentOptions([], "");
    api("GET", "/segments").then(function (result) {
      if (!editor || !result.ok) return;
      editor.segments = result.data || [];
      fillSegmentOptions(editor.segments, document.getElementById("audience-segment").value);
    });
  }

  function fillAudience(audience) {
    var mode = !audience ? "everyone" : conditionKind(audience) === null && typeof audience.segment === "string" && Object.keys(audience).length === 1 ? "segment" : "rule";
    document.getElementById(mode === "everyone" ? "audience-everyone" : mode === "segment" ? "audience-in-segment" : "audience-matching").checked = true;
    fillSegmentOptions(editor.segments || [], mode === "segment" ? audience.segment : "");
    editor.audienceRule.set(mode === "rule" ? audience : null);
    syncAudience();
  }

  function audienceFromForm() {
    var mode = audienceMode();
    if (mode === "segment") return { segment: document.getElementById("audience-segment").value };
    if (mode === "rule") return editor.audienceRule.get();
    return null;
  }

  function audienceControlFor(field) {
    if (field === "audience.segment" || audienceMode() === "segment") return { control: document.getElementById("audience-segment"), label: "Audience segment" };
    if (audienceMode() === "rule") {
      var found = editor.audienceRule.controlFor(field);
      return { control: found.control, label: "Audience \u00b7 " + found.label, holder: found.holder };
    }
    return { control: document.getElementById("audience-everyone"), label: "Audience" };
  }

  // Segments -------------------------------------------------------------

  var segmentsNotice = "";

  function showSegments() {
    mount("view-segments");
    document.title = "Segments · Waymark admin";
    setStatus("segments-status", segmentsNotice);
    segmentsNotice = "";
    loadSegments();
  }

  function loadSegments() {
    return api("GET", "/segments").then(function (result) {
      var body = document.getElementById("segments-body");
      if (!body) return;
      body.replaceChildren();
      var rows = result.ok ? result.data : [];
      if (!result.ok) showSummary(document.getElementById("segments-error"), "Couldn't load segments", [{ text: errorMessage(result) }]);
      if (!rows.length) {
        var empty = el("tr");
        var cell = el("td", "muted", result.ok ? "No segments yet. Create one to target flows at a group of users." : "No segments to show.");
        cell.colSpan = 3;
        empty.appendChild(cell);
        body.appendChild(empty);
      }
      rows.forEach(function (segment) { body.appendChild(segmentRow(segment)); });
    });
  }

  function segmentRow(segment) {
    var row = el("tr");
    row.setAttribute("data-segment-row", segment.id);
    var nameCell = el("td");
    var link = el("a", "flow-name", segment.name);
    link.href = "/segments/" + encodeURIComponent(segment.id) + "/edit";
    link.setAttribute("data-link", "");
    nameCell.appendChild(link);
    nameCell.appendChild(el("div", "muted small mono", segment.id));
    row.appendChild(nameCell);
    var countCell = el("td", "", "Counting\u2026");
    countCell.setAttribute("data-segment-count", "");
    row.appendChild(countCell);
    api("GET", "/segments/" + encodeURIComponent(segment.id) + "/count").then(function (result) {
      if (!result.ok) { countCell.textContent = "Count unavailable: " + errorMessage(result); return; }
      countCell.setAttribute("data-matching", String(result.data.matching_users));
      countCell.setAttribute("data-total", String(result.data.total_users));
      countCell.textContent = result.data.matching_users + " of " + result.data.total_users + " users match";
    });

    var actions = el("td", "row-actions");
    var edit = el("a", "button button-small", "Edit");
    edit.href = link.href;
    edit.setAttribute("data-link", "");
    edit.setAttribute("data-action", "edit");
    edit.setAttribute("aria-label", "Edit " + segment.name);
    actions.appendChild(edit);
    var remove = el("button", "button button-small button-danger", "Delete");
    remove.type = "button";
    remove.setAttribute("data-action", "delete");
    remove.setAttribute("aria-label", "Delete " + segment.name);
    remove.addEventListener("click", function () {
      if (!window.confirm("Delete the segment \u201c" + segment.name + "\u201d?")) return;
      remove.disabled = true;
      api("DELETE", "/segments/" + encodeURIComponent(segment.id)).then(function (result) {
        var box = document.getElementById("segments-error");
        if (!box) return;
        if (result.ok) {
          box.hidden = true;
          setStatus("segments-status", "Deleted \u201c" + segment.name + "\u201d.");
        } else {
          var flows = result.data && result.data.flows ? " Flows using it: " + result.data.flows.join(", ") + "." : "";
          showSummary(box, "Couldn't delete \u201c" + segment.name + "\u201d", [{ text: errorMessage(result) + flows }]);
        }
        loadSegments();
      });
    });
    actions.appendChild(remove);
    row.appendChild(actions);
    return row;
  }

  function showSegmentEditor(segmentId) {
    mount("view-segment-editor");
    document.title = (segmentId ? "Edit segment" : "New segment") + " · Waymark admin";
    var form = document.getElementById("segment-form");
    var box = document.getElementById("segment-errors");
    var rule = ruleBuilder(document.getElementById("segment-rule"), "rule");
    var stored = null;

    function controlFor(field) {
      if (field === "id") return { control: document.getElementById("segment-id"), label: "Segment ID" };
      if (field === "name") return { control: document.getElementById("segment-name"), label: "Name" };
      if (field === "rule" || field.indexOf("rule.") === 0) return rule.controlFor(field);
      return null;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearFieldErrors(form, box);
      setStatus("segment-status", "Saving\u2026");
      var segment = {
        id: document.getElementById("segment-id").value.trim(),
        name: document.getElementById("segment-name").value.trim(),
        rule: rule.get()
      };
      var request = stored
        ? api("PUT", "/segments/" + encodeURIComponent(stored.id), segment)
        : api("POST", "/segments", segment);
      request.then(function (result) {
        if (!document.getElementById("segment-form")) return;
        if (!result.ok) {
          setStatus("segment-status", "Not saved.");
          showFieldErrors(result, box, controlFor);
          return;
        }
        segmentsNotice = "Saved \u201c" + result.data.name + "\u201d.";
        navigate("/segments");
      });
    });

    if (!segmentId) {
      document.getElementById("segment-id").focus();
      return;
    }
    document.getElementById("segment-id").readOnly = true;
    setStatus("segment-status", "Loading\u2026");
    api("GET", "/segments/" + encodeURIComponent(segmentId)).then(function (result) {
      if (!document.getElementById("segment-form")) return;
      setStatus("segment-status", "");
      if (!result.ok) {
        showSummary(box, "Couldn't load the segment", [{ text: errorMessage(result) }]);
        return;
      }
      stored = result.data;
      document.getElementById("segment-id").value = stored.id;
      document.getElementById("segment-name").value = stored.name;
      document.getElementById("segment-title").textContent = stored.name;
      document.getElementById("segment-crumb").textContent = stored.id;
      rule.set(stored.rule);
    });
  }

  route();
})();
