// The Waymark admin app: client-side routing, the flows list, the flow editor for every pattern (tours, announcements, banners, slide-outs, hotspots, checklists, surveys; prerequisites, translations, theme) with the collector's field errors, preview, the funnel view, saved segments with the rule builder, app settings, the users "why" page, and the insight pages (surveys with SVG charts, feedback, accounts and their register cards, recurring problems).
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
    "cta-label": "Call-to-action label", "cta-url": "Call-to-action URL", spotlight: "Spotlight",
    push: "Push the page", "media-kind": "Media", "media-url": "Media URL", "media-alt": "Alternative text"
  };
  // The step kind of each one-step content type; tours mix kinds, checklists have no steps.
  var KIND_FOR_TYPE = { announcement: "modal", banner: "banner", slideout: "slideout", hotspot: "hotspot" };
  var POINTING = [["bottom", "Below"], ["top", "Above"], ["right", "Right"], ["left", "Left"], ["auto", "Automatic"]];
  var PLACEMENTS = {
    tooltip: POINTING, hotspot: POINTING, modal: POINTING,
    banner: [["top", "Top of the page"], ["bottom", "Bottom of the page"]],
    slideout: [["right", "Bottom-right corner"], ["left", "Bottom-left corner"]]
  };
  // Content types whose steps may only be some kinds (surveys ask in modals and slide-outs).
  var KINDS_FOR_TYPE = { survey: ["slideout", "modal"] };
  var SCALE_KINDS = { nps: [0, 10], ces: [1, 7], csat: [1, 5] };
  var CHOICE_KINDS = { single: true, multiple: true };
  // engine::survey::standard_title: a blank title on a scale question shows these words.
  var STANDARD_TITLES = {
    nps: function () { return "How likely are you to recommend us to a friend or colleague?"; },
    ces: function (task) { return task ? "How easy was it to " + task + "?" : "How easy was it?"; },
    csat: function () { return "How satisfied are you?"; }
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
    if (trigger.type === "completed") return "After " + trigger.flow + " is completed";
    if (trigger.type === "step_completed") return "After step " + trigger.step + " of " + trigger.flow;
    if (trigger.type === "days_after") return trigger.days + " days after " + (trigger.since === "signup" ? "sign-up" : "first visit");
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
    markNav(path);
    if (path === "/flows") return showFlows();
    if (path === "/flows/new") return showEditor(null);
    if ((match = path.match(/^\/flows\/([^/]+)\/edit$/))) return showEditor(decodeURIComponent(match[1]));
    if ((match = path.match(/^\/flows\/([^/]+)\/funnel$/))) return showFunnel(decodeURIComponent(match[1]));
    if (path === "/segments") return showSegments();
    if (path === "/segments/new") return showSegmentEditor(null);
    if ((match = path.match(/^\/segments\/([^/]+)\/edit$/))) return showSegmentEditor(decodeURIComponent(match[1]));
    if (path === "/settings") return showSettings();
    if (path === "/users") return showUsers();
    if (path === "/surveys") return showSurveys();
    if ((match = path.match(/^\/surveys\/([^/]+)$/))) return showSurvey(decodeURIComponent(match[1]));
    if (path === "/feedback") return showFeedback();
    if (path === "/accounts") return showAccounts();
    if ((match = path.match(/^\/accounts\/([^/]+)$/))) return showAccount(decodeURIComponent(match[1]));
    if (path === "/problems") return showProblems();
    mount("view-not-found");
  }

  // Marks the header link of the current section with aria-current.
  var NAV_SECTIONS = [["/segments", "nav-segments"], ["/settings", "nav-settings-admin"], ["/users", "nav-users"], ["/surveys", "nav-surveys"],
    ["/feedback", "nav-feedback"], ["/accounts", "nav-accounts"], ["/problems", "nav-problems"]];

  function markNav(path) {
    var section = NAV_SECTIONS.filter(function (pair) { return path.indexOf(pair[0]) === 0; })[0];
    var current = section ? section[1] : "nav-flows";
    document.querySelectorAll(".topbar nav a").forEach(function (link) {
      if (link.id === current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
    });
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
    var url = new URL(link.href);
    navigate(url.pathname + url.search);
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
    row.appendChild(el("td", "", flow.kind === "checklist" ? "Checklist" : flow.step_count));
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

  // A new step; `kind` is forced by one-step content types, else the first step is a modal and the rest tooltips.
  function blankStep(index, kind) {
    if (currentType() === "survey") return blankSurveyStep(index, "text");
    kind = kind || (index === 0 ? "modal" : "tooltip");
    var single = kind !== "tooltip" && !(kind === "modal" && index > 0);
    return {
      id: "step-" + (index + 1), kind: kind, target: "", placement: (PLACEMENTS[kind] || POINTING)[0][0], page: "",
      title: "", body: "", buttons: index === 0 ? [{ action: "next", label: single && kind !== "modal" ? "Got it" : "Next" }] : [{ action: "back", label: "Back" }, { action: "next", label: "Next" }],
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
      var item = addStep(blankStep(steps.children.length, KIND_FOR_TYPE[currentType()]));
      renumber();
      renderTranslations();
      editor.dirty = true;
      item.querySelector("[name=step-id]").focus();
    });
    document.getElementById("publish-flow").addEventListener("click", publishFlow);
    document.getElementById("preview-flow").addEventListener("click", previewFlow);
    document.getElementById("flow-type").addEventListener("change", function () { applyType(currentType(), true); });
    setUpAudience();
    setUpRequires();
    setUpChecklist();
    setUpTranslations();
    wireColorPickers(form);
    loadFlowIdOptions();
    loadAppColours();

    if (!flowId) {
      document.title = "New flow · Waymark admin";
      fillForm({ id: "", name: "", trigger: { type: "url", pattern: "/" }, frequency: "once", priority: 0, steps: [blankStep(0)] }, "tour");
      // "New survey" on the Surveys page opens the editor as a survey with an NPS question and a thank-you.
      if (new URLSearchParams(window.location.search).get("type") === "survey") {
        document.getElementById("flow-type").value = "survey";
        applyType("survey", true);
      }
      editor.dirty = false;
      document.getElementById("flow-id").focus();
      return;
    }
    document.title = "Edit flow · Waymark admin";
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

  // The words of #trigger-value per trigger type: label, hint, placeholder.
  var TRIGGER_VALUE_TEXT = {
    url: ["URL pattern", "Use * as a wildcard, e.g. /projects/*.", "/projects/*"],
    event: ["Event name", "The name the product passes to waymark.track(), e.g. project_created.", "project_created"],
    completed: ["Flow or checklist ID", "Starts right after the user completes it.", "get-started"],
    step_completed: ["Flow ID", "The flow whose step is completed.", "welcome-tour"]
  };

  function syncTrigger() {
    var type = document.getElementById("trigger-type").value;
    var text = TRIGGER_VALUE_TEXT[type];
    var input = document.getElementById("trigger-value");
    document.getElementById("trigger-value-field").hidden = !text;
    document.getElementById("trigger-step-field").hidden = type !== "step_completed";
    document.getElementById("trigger-since-field").hidden = type !== "days_after";
    document.getElementById("trigger-days-field").hidden = type !== "days_after";
    if (!text) return;
    document.getElementById("trigger-value-label").textContent = text[0];
    document.getElementById("trigger-value-hint").textContent = text[1];
    input.placeholder = text[2];
    if (type === "completed" || type === "step_completed") input.setAttribute("list", "flow-id-options"); else input.removeAttribute("list");
  }

  function triggerFromForm() {
    var type = document.getElementById("trigger-type").value;
    var value = document.getElementById("trigger-value").value.trim();
    if (type === "url") return { type: "url", pattern: value };
    if (type === "event") return { type: "event", name: value };
    if (type === "completed") return { type: "completed", flow: value };
    if (type === "step_completed") return { type: "step_completed", flow: value, step: document.getElementById("trigger-step").value.trim() };
    if (type === "days_after") {
      var days = document.getElementById("trigger-days").value.trim();
      return { type: "days_after", since: document.getElementById("trigger-since").value, days: /^\d+$/.test(days) ? Number(days) : days };
    }
    return { type: "manual" };
  }

  function fillTrigger(trigger) {
    document.getElementById("trigger-type").value = trigger.type;
    document.getElementById("trigger-value").value = trigger.type === "url" ? trigger.pattern : trigger.type === "event" ? trigger.name
      : trigger.type === "completed" || trigger.type === "step_completed" ? trigger.flow : "";
    document.getElementById("trigger-step").value = trigger.step || "";
    document.getElementById("trigger-since").value = trigger.since || "signup";
    document.getElementById("trigger-days").value = trigger.days === undefined ? "14" : String(trigger.days);
    syncTrigger();
  }

  function fillMeta(flow) {
    var existing = !!(editor && editor.flow);
    document.getElementById("editor-title").textContent = existing ? (flow.name || flow.id) : "New flow";
    document.getElementById("editor-crumb").textContent = existing ? flow.id : "New flow";
    document.getElementById("flow-meta").replaceChildren();
    var meta = document.getElementById("flow-meta");
    if (!existing) { meta.textContent = "Not saved yet"; return; }
    meta.appendChild(el("span", "badge badge-" + flow.status, flow.status));
    var count = flow.checklist ? (flow.checklist.items || []).length + " items" : (flow.steps || []).length + " steps";
    meta.appendChild(document.createTextNode(" Version " + flow.version + " · " + count));
    document.getElementById("flow-id").readOnly = true;
    document.getElementById("publish-flow").textContent = flow.status === "published" ? "Save & publish" : "Publish";
  }

  // Fills the editor from a flow; `type` is the content type for a new flow (else read from the flow).
  function fillForm(flow, type) {
    type = type || flowTypeOf(flow);
    document.getElementById("flow-type").value = type;
    document.getElementById("flow-replayable").checked = !!flow.replayable;
    document.getElementById("flow-id").value = flow.id || "";
    document.getElementById("flow-name").value = flow.name || "";
    fillTrigger(flow.trigger || { type: "manual" });
    var survey = flow.survey || {};
    document.getElementById("survey-sample-percent").value = String(survey.sample_percent === undefined ? 100 : survey.sample_percent);
    document.getElementById("survey-reask-days").value = survey.reask_days === undefined || survey.reask_days === null ? "" : String(survey.reask_days);
    document.getElementById("flow-frequency").value = flow.frequency || "once";
    document.getElementById("flow-priority").value = String(flow.priority || 0);
    document.getElementById("steps").replaceChildren();
    (flow.steps || []).forEach(addStep);
    renumber();
    fillChecklist(flow.checklist);
    fillAudience(flow.audience);
    fillRequires(flow.requires);
    fillTheme(flow.theme);
    applyType(type, false);
    fillTranslations(flow);
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
    set("push", step.push);
    set("media-kind", step.media ? step.media.kind : "none");
    set("media-url", step.media ? step.media.url : "");
    set("media-alt", step.media ? step.media.alt : "");
    item.waymarkRequires = addRequiresDisclosure(item, "data-step-requires", "step-" + uid, "When this step shows (until then it is passed over)");
    item.waymarkRequires.fill(step.requires);
    item.setAttribute("data-uid", "s" + uid);
    restrictKinds(item, allowedKinds(currentType()));
    fillQuestion(item, step.question);

    item.querySelector("[name=advance]").addEventListener("change", function () { syncAdvance(item); });
    item.querySelector("[name=media-kind]").addEventListener("change", function () { syncMedia(item); });
    item.querySelector("[name=kind]").addEventListener("change", function () { syncKind(item); });
    item.querySelector("[name=title]").addEventListener("input", function () { renumber(); });
    item.querySelector("[name=step-id]").addEventListener("input", refreshStepTargets);
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

  // Shows the fields that matter for the step's kind, with the placements it accepts.
  function syncKind(item) {
    var kind = item.querySelector("[name=kind]").value;
    var modal = kind === "modal";
    var pointing = kind === "tooltip" || kind === "hotspot";
    var label = item.querySelector("label[data-for=target]");
    label.textContent = modal ? "Target CSS selector (optional for modals)" : "Target CSS selector";
    item.querySelector("[data-target-field]").hidden = !(pointing || modal);
    item.querySelector("[data-spotlight-field]").hidden = !(pointing || modal);
    item.querySelector("[data-target-missing-field]").hidden = !(pointing || modal);
    item.querySelector("[data-timeout-field]").hidden = !(pointing || modal);
    item.querySelector("[data-placement-field]").hidden = modal;
    item.querySelector("[data-push-field]").hidden = kind !== "banner";
    item.querySelector("[data-media-fields]").hidden = !(modal || kind === "slideout");
    item.querySelector("[data-question-fields]").hidden = currentType() !== "survey";
    var placement = item.querySelector("[name=placement]");
    var current = placement.value;
    var options = PLACEMENTS[kind] || POINTING;
    placement.replaceChildren();
    options.forEach(function (pair) {
      var option = el("option", "", pair[1]);
      option.value = pair[0];
      placement.appendChild(option);
    });
    placement.value = options.some(function (pair) { return pair[0] === current; }) ? current : options[0][0];
    syncMedia(item);
  }

  function syncMedia(item) {
    var kind = item.querySelector("[name=media-kind]").value;
    item.querySelectorAll("[data-media-detail]").forEach(function (field) { field.hidden = kind === "none"; });
    item.querySelector("[data-media-alt-label]").textContent = kind === "video" ? "Caption label" : "Alternative text";
  }

  // The step kinds a content type allows (null: any).
  function allowedKinds(type) {
    return KINDS_FOR_TYPE[type] || (KIND_FOR_TYPE[type] ? [KIND_FOR_TYPE[type]] : null);
  }

  // One-step content types allow only their own step kind; surveys modals and slide-outs.
  function restrictKinds(item, allowed) {
    Array.prototype.forEach.call(item.querySelector("[name=kind]").options, function (option) {
      option.disabled = !!allowed && allowed.indexOf(option.value) < 0;
    });
  }

  function stepAction(item, action) {
    var list = document.getElementById("steps");
    if (action === "up" && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
    if (action === "down" && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
    if (action === "remove") {
      var focusAfter = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      renumber();
      if (focusAfter) focusAfter.querySelector("[name=step-id]").focus();
      else document.getElementById("add-step").focus();
    } else {
      item.querySelector("[data-step-action='" + action + "']").focus();
    }
    editor.dirty = true;
    renumber();
    renderTranslations();
  }

  function renumber() {
    var items = Array.prototype.slice.call(document.getElementById("steps").children);
    document.getElementById("add-step").hidden = !!KIND_FOR_TYPE[currentType()] && items.length >= 1;
    items.forEach(function (item, index) {
      item.setAttribute("data-step-index", String(index));
      var title = item.querySelector("[name=title]").value.trim();
      item.querySelector("[data-step-number]").textContent = "Step " + (index + 1) + (title ? " \u00b7 " + title : "");
      item.querySelector("[data-step-action=up]").disabled = index === 0;
      item.querySelector("[data-step-action=down]").disabled = index === items.length - 1;
      item.querySelectorAll("[data-step-action]").forEach(function (button) {
        var verb = button.getAttribute("data-step-action");
        // The name starts with the visible text ("Move up"), as speech-input users say what they see.
        var text = verb === "remove" ? "Remove step " + (index + 1) : "Move " + verb + ": step " + (index + 1);
        button.setAttribute("aria-label", text);
      });
    });
    refreshStepTargets();
  }

  function flowFromForm() {
    var trigger = triggerFromForm();
    editor.buttonMaps = [];
    var type = currentType();
    var steps = type === "checklist" ? [] : Array.prototype.map.call(document.getElementById("steps").children, function (item, index) {
      function value(name) { return item.querySelector("[name='" + name + "']").value; }
      function checked(name) { return item.querySelector("[name='" + name + "']").checked; }
      function shown(hook) { return !item.querySelector("[" + hook + "]").hidden; }
      var buttons = stepButtons(item);
      editor.buttonMaps[index] = buttons.map(function (button) { return button.action; });
      var advanceType = value("advance");
      var advanceValue = value("advance-value").trim();
      var advance = advanceType === "event" ? { type: "event", name: advanceValue }
        : advanceType === "url" ? { type: "url", pattern: advanceValue } : { type: advanceType };
      var step = {
        id: value("step-id").trim(), kind: value("kind"), placement: value("placement"),
        title: value("title"), body: value("body"), buttons: buttons, advance: advance,
        spotlight: shown("data-spotlight-field") && checked("spotlight"), when_target_missing: value("when-target-missing"),
        target_timeout_ms: Math.max(0, parseInt(value("target-timeout-ms"), 10) || 0)
      };
      var target = value("target").trim();
      var page = value("page").trim();
      if (target && shown("data-target-field")) step.target = target;
      if (page) step.page = page;
      if (shown("data-push-field") && checked("push")) step.push = true;
      if (shown("data-media-fields") && value("media-kind") !== "none") {
        step.media = { kind: value("media-kind"), url: value("media-url").trim(), alt: value("media-alt").trim() };
      }
      var requires = item.waymarkRequires.get();
      if (requires) step.requires = requires;
      var question = type === "survey" ? questionFromItem(item) : null;
      if (question) step.question = question;
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
    var requires = requiresFromForm();
    if (requires) flow.requires = requires;
    if (type === "checklist") flow.checklist = checklistFromForm();
    if (type === "survey") flow.survey = surveyFromForm();
    if (document.getElementById("flow-replayable").checked) flow.replayable = true;
    var translations = translationsFromForm();
    if (Object.keys(translations).length) flow.translations = translations;
    var theme = themeFromForm();
    if (theme) flow.theme = theme;
    return flow;
  }

  // The step's buttons in the order they are sent: dismiss, back, cta, next.
  function stepButtons(item) {
    function value(name) { return item.querySelector("[name='" + name + "']").value; }
    var buttons = [];
    BUTTON_ORDER.forEach(function (action) {
      if (action === "cta") {
        var label = value("cta-label").trim();
        var url = value("cta-url").trim();
        if (label || url) buttons.push({ action: "cta", label: label, url: url });
      } else if (item.querySelector("[name='" + action + "']").checked) {
        buttons.push({ action: action, label: value(action + "-label").trim() });
      }
    });
    return buttons;
  }

  // Maps a collector field path ("steps[1].buttons[0].label") to the control showing it.
  function controlFor(field) {
    var flowFields = {
      id: "flow-id", name: "flow-name", frequency: "flow-frequency", priority: "flow-priority", "trigger.pattern": "trigger-value", "trigger.name": "trigger-value", trigger: "trigger-type",
      "trigger.flow": "trigger-value", "trigger.step": "trigger-step", "trigger.since": "trigger-since", "trigger.days": "trigger-days", "trigger.type": "trigger-type",
      survey: "survey-sample-percent", "survey.sample_percent": "survey-sample-percent", "survey.reask_days": "survey-reask-days",
      replayable: "flow-replayable", theme: "theme-accent", "theme.mode": "theme-mode", "theme.accent": "theme-accent", "theme.accent_text": "theme-accent-text"
    };
    if (flowFields[field]) return { control: document.getElementById(flowFields[field]), label: document.querySelector("label[for=" + flowFields[field] + "]").textContent };
    if (field.indexOf("theme.") === 0) return { control: document.getElementById("theme-accent"), label: "Appearance" };
    if (field === "steps" && currentType() === "checklist") return { control: document.getElementById("add-item"), label: "Checklist items", holder: document.getElementById("checklist-items-error") };
    if (field === "steps") return { control: document.getElementById("add-step"), label: "Steps", holder: document.getElementById("steps-error") };
    if (field === "audience" || field.indexOf("audience.") === 0) return audienceControlFor(field);
    if (field === "requires" || field.indexOf("requires.") === 0) return requiresControlFor(field);
    if (field === "checklist" || field.indexOf("checklist.") === 0) return checklistControlFor(field);
    if (field === "translations" || field.indexOf("translations.") === 0) return translationControlFor(field);
    var match = field.match(/^steps\[(\d+)\](?:\.(.+))?$/);
    if (!match) return null;
    var index = Number(match[1]);
    var item = document.querySelector("#steps > [data-step-index='" + index + "']");
    if (!item) return null;
    var rest = match[2] || "";
    if (rest === "question" || rest.indexOf("question.") === 0) return questionControlFor(item, index, rest.slice("question".length).replace(/^\./, ""));
    if (rest === "requires" || rest.indexOf("requires.") === 0) return item.waymarkRequires.controlFor(rest, "Step " + (index + 1) + " \u00b7 Prerequisites");
    var name = {
      id: "step-id", kind: "kind", target: "target", placement: "placement", page: "page", title: "title", body: "body",
      advance: "advance", "advance.name": "advance-value", "advance.pattern": "advance-value", buttons: "next",
      spotlight: "spotlight", when_target_missing: "when-target-missing", target_timeout_ms: "target-timeout-ms",
      push: "push", media: "media-kind", "media.kind": "media-kind", "media.url": "media-url", "media.alt": "media-alt"
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
    // A field this kind of step doesn't show: the error goes next to the kind, which explains it.
    if (control.closest("[hidden]")) { control = item.querySelector("[name=kind]"); name = "kind"; }
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

  // Survey questions ----------------------------------------------------------
  // A survey step asks a question when "Asks" is not "Nothing"; branches and "Then go to" pick a
  // later step by id from selects that follow the steps as they are renamed, added or moved.

  var rowSeq = 0;

  function blankSurveyStep(index, questionKind) {
    var step = { id: "question-" + (index + 1), kind: "slideout", placement: "right", title: "", body: "", buttons: [], advance: { type: "button" } };
    if (questionKind) step.question = { kind: questionKind };
    if (questionKind && STANDARD_TITLES[questionKind]) step.title = STANDARD_TITLES[questionKind]("");
    return step;
  }

  // Picking "Survey" for steps without questions starts an NPS question and a thank-you step.
  function startSurvey(steps) {
    var asks = Array.prototype.some.call(steps.children, function (item) { return item.querySelector("[name=question-kind]").value !== "none"; });
    if (asks) return;
    steps.replaceChildren();
    addStep(blankSurveyStep(0, "nps"));
    var thanks = blankSurveyStep(1, null);
    thanks.id = "thanks";
    thanks.title = "Thank you!";
    thanks.body = "Your answer helps us improve.";
    addStep(thanks);
  }

  function fillQuestion(item, question) {
    question = question || null;
    var kind = item.querySelector("[name=question-kind]");
    kind.value = question ? question.kind : "none";
    item.querySelector("[name=question-task]").value = question && question.task ? question.task : "";
    item.querySelector("[name=question-max-length]").value = question && question.max_length ? String(question.max_length) : "";
    item.querySelector("[name=question-low-label]").value = question && question.low_label ? question.low_label : "";
    item.querySelector("[name=question-high-label]").value = question && question.high_label ? question.high_label : "";
    item.querySelector("[name=question-next]").setAttribute("data-value", question && question.next ? question.next : "");
    item.querySelector("[data-options]").replaceChildren();
    item.querySelector("[data-branches]").replaceChildren();
    ((question && question.options) || []).forEach(function (option) { addOptionRow(item, option); });
    ((question && question.branches) || []).forEach(function (branch) { addBranchRow(item, branch); });
    kind.addEventListener("change", function () {
      if (CHOICE_KINDS[kind.value] && !item.querySelector("[data-options]").children.length) {
        addOptionRow(item, { id: "option-1", label: "" });
        addOptionRow(item, { id: "option-2", label: "" });
      }
      prefillTitle(item);
      syncQuestion(item);
    });
    item.querySelector("[name=question-task]").addEventListener("input", function () { prefillTitle(item); syncQuestion(item); });
    item.querySelector("[data-question-action=add-option]").addEventListener("click", function () {
      var row = addOptionRow(item, { id: "option-" + (item.querySelector("[data-options]").children.length + 1), label: "" });
      syncQuestion(item);
      row.querySelector("input").focus();
    });
    item.querySelector("[data-question-action=add-branch]").addEventListener("click", function () {
      var row = addBranchRow(item, { when: {}, goto: "" });
      syncQuestion(item);
      row.querySelector("input, select").focus();
    });
    syncQuestion(item);
  }

  // A blank title, or one still holding a standard wording, takes the kind's standard wording.
  function prefillTitle(item) {
    var title = item.querySelector("[name=title]");
    var kind = item.querySelector("[name=question-kind]").value;
    var task = item.querySelector("[name=question-task]").value.trim();
    var current = title.value.trim();
    var standard = current === "" || /^How (likely are you to recommend us|easy was it|satisfied are you)/.test(current);
    if (!standard) return;
    title.value = STANDARD_TITLES[kind] ? STANDARD_TITLES[kind](task) : "";
    renumber();
  }

  function syncQuestion(item) {
    var kind = item.querySelector("[name=question-kind]").value;
    var scale = !!SCALE_KINDS[kind];
    var choice = !!CHOICE_KINDS[kind];
    item.querySelector("[data-question-task-field]").hidden = kind !== "ces";
    item.querySelector("[data-question-max-field]").hidden = kind !== "text";
    item.querySelectorAll("[data-question-scale-field]").forEach(function (field) { field.hidden = !scale; });
    item.querySelector("[data-question-next-field]").hidden = kind === "none";
    item.querySelector("[data-question-options-field]").hidden = !choice;
    item.querySelector("[data-question-branches-field]").hidden = !(scale || choice);
    var range = SCALE_KINDS[kind];
    // A blank title on a scale question shows the standard wording: the placeholder says which.
    var title = item.querySelector("[name=title]");
    title.placeholder = STANDARD_TITLES[kind] ? STANDARD_TITLES[kind](item.querySelector("[name=question-task]").value.trim()) : "Hi {{first_name|there}}!";
    item.querySelectorAll("[data-branch-row]").forEach(function (row) {
      row.querySelectorAll("[data-branch-scale]").forEach(function (field) { field.hidden = !scale; });
      row.querySelector("[data-branch-choice]").hidden = !choice;
      row.querySelectorAll("input[type=number]").forEach(function (input) {
        if (range) { input.min = String(range[0]); input.max = String(range[1]); }
      });
      fillChoiceSelect(item, row.querySelector("[name=branch-choice]"));
    });
    renumberRows(item);
  }

  // One labelled control in a row: [label, control] inside a .field.
  function rowField(labelText, control, extraClass) {
    var id = "row-" + (++rowSeq);
    var wrap = el("div", "field" + (extraClass ? " " + extraClass : ""));
    var label = el("label", "", labelText);
    label.htmlFor = id;
    control.id = id;
    wrap.appendChild(label);
    wrap.appendChild(control);
    return wrap;
  }

  function textInput(name, value, placeholder) {
    var input = el("input");
    input.type = "text";
    input.name = name;
    input.autocomplete = "off";
    input.value = value === undefined || value === null ? "" : String(value);
    if (placeholder) input.placeholder = placeholder;
    return input;
  }

  // A row of options or branches, with its remove button.
  function removableRow(item, attribute, onRemove) {
    var row = el("li", "row-item");
    row.setAttribute(attribute, "");
    var remove = el("button", "button button-small button-danger", "Remove");
    remove.type = "button";
    remove.setAttribute("data-row-action", "remove");
    remove.addEventListener("click", function () {
      var focusAfter = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      if (onRemove) onRemove();
      syncQuestion(item);
      editor.dirty = true;
      if (focusAfter) focusAfter.querySelector("input, select").focus();
    });
    return { row: row, remove: remove };
  }

  function addOptionRow(item, option) {
    var parts = removableRow(item, "data-option-row");
    var id = textInput("option-id", option.id, "option-1");
    id.spellcheck = false;
    parts.row.appendChild(rowField("Option ID", id));
    parts.row.appendChild(rowField("Label", textInput("option-label", option.label, "Too expensive")));
    parts.row.appendChild(parts.remove);
    id.addEventListener("input", function () { syncQuestion(item); });
    parts.row.querySelector("[name=option-label]").addEventListener("input", function () { syncQuestion(item); });
    item.querySelector("[data-options]").appendChild(parts.row);
    return parts.row;
  }

  function addBranchRow(item, branch) {
    var parts = removableRow(item, "data-branch-row");
    var when = branch.when || {};
    ["min", "max"].forEach(function (bound) {
      var input = el("input");
      input.type = "number";
      input.step = "1";
      input.name = "branch-" + bound;
      input.value = when[bound] === undefined || when[bound] === null ? "" : String(when[bound]);
      var field = rowField(bound === "min" ? "Answer at least" : "Answer at most", input);
      field.setAttribute("data-branch-scale", "");
      parts.row.appendChild(field);
    });
    var choice = el("select");
    choice.name = "branch-choice";
    choice.setAttribute("data-value", when.choice || "");
    choice.addEventListener("change", function () { choice.setAttribute("data-value", choice.value); });
    var choiceField = rowField("Answer includes", choice);
    choiceField.setAttribute("data-branch-choice", "");
    parts.row.appendChild(choiceField);
    var target = el("select");
    target.name = "branch-goto";
    target.setAttribute("data-value", branch.goto || "");
    parts.row.appendChild(rowField("Go to", target));
    parts.row.appendChild(parts.remove);
    item.querySelector("[data-branches]").appendChild(parts.row);
    refreshStepTargets();
    return parts.row;
  }

  function fillChoiceSelect(item, select) {
    var wanted = select.getAttribute("data-value") || "";
    var options = Array.prototype.map.call(item.querySelectorAll("[data-option-row]"), function (row) {
      var id = row.querySelector("[name=option-id]").value.trim();
      return [id, (row.querySelector("[name=option-label]").value.trim() || id) + " (" + id + ")"];
    }).filter(function (pair) { return pair[0]; });
    fillSelect(select, options, wanted, "(pick an option)");
  }

  // Fills a select with [value, text] pairs, keeping `wanted` even when it is not among them.
  function fillSelect(select, pairs, wanted, blankText) {
    select.replaceChildren();
    if (blankText !== null) pairs = [["", blankText]].concat(pairs);
    if (wanted && !pairs.some(function (pair) { return pair[0] === wanted; })) pairs = pairs.concat([[wanted, wanted + " (not a later step)"]]);
    pairs.forEach(function (pair) {
      var option = el("option", "", pair[1]);
      option.value = pair[0];
      select.appendChild(option);
    });
    select.value = wanted || "";
  }

  // Every "Go to" and "Then go to" select lists the steps after its own.
  function refreshStepTargets() {
    var list = document.getElementById("steps");
    if (!list) return;
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (item, index) {
      var later = items.slice(index + 1).map(function (other, offset) {
        var id = other.querySelector("[name=step-id]").value.trim();
        return [id, "Step " + (index + offset + 2) + " \u00b7 " + id];
      }).filter(function (pair) { return pair[0]; });
      item.querySelectorAll("[name=branch-goto], [name=question-next]").forEach(function (select) {
        if (!select.hasAttribute("data-listening")) {
          select.setAttribute("data-listening", "");
          select.addEventListener("change", function () { select.setAttribute("data-value", select.value); });
        }
        fillSelect(select, later, select.getAttribute("data-value") || "", select.name === "question-next" ? "The following step" : "(pick a step)");
      });
    });
  }

  function renumberRows(item) {
    item.querySelectorAll("[data-option-row]").forEach(function (row, index) {
      row.setAttribute("data-option-index", String(index));
      row.querySelector("[data-row-action=remove]").setAttribute("aria-label", "Remove option " + (index + 1));
    });
    item.querySelectorAll("[data-branch-row]").forEach(function (row, index) {
      row.setAttribute("data-branch-index", String(index));
      row.querySelector("[data-row-action=remove]").setAttribute("aria-label", "Remove branch " + (index + 1));
    });
  }

  function questionFromItem(item) {
    function value(name) { return item.querySelector("[name='" + name + "']").value.trim(); }
    var kind = value("question-kind");
    if (kind === "none") return null;
    var question = { kind: kind };
    if (kind === "ces" && value("question-task")) question.task = value("question-task");
    if (SCALE_KINDS[kind]) {
      if (value("question-low-label")) question.low_label = value("question-low-label");
      if (value("question-high-label")) question.high_label = value("question-high-label");
    }
    if (kind === "text" && value("question-max-length")) {
      var max = value("question-max-length");
      question.max_length = /^\d+$/.test(max) ? Number(max) : max;
    }
    if (CHOICE_KINDS[kind]) {
      question.options = Array.prototype.map.call(item.querySelectorAll("[data-option-row]"), function (row) {
        return { id: row.querySelector("[name=option-id]").value.trim(), label: row.querySelector("[name=option-label]").value.trim() };
      });
    }
    if (SCALE_KINDS[kind] || CHOICE_KINDS[kind]) {
      var branches = Array.prototype.map.call(item.querySelectorAll("[data-branch-row]"), function (row) {
        var when = {};
        if (CHOICE_KINDS[kind]) {
          when.choice = row.querySelector("[name=branch-choice]").value;
        } else {
          ["min", "max"].forEach(function (bound) {
            var raw = row.querySelector("[name=branch-" + bound + "]").value.trim();
            if (raw !== "") when[bound] = isFinite(Number(raw)) ? Number(raw) : raw;
          });
        }
        return { when: when, goto: row.querySelector("[name=branch-goto]").value };
      });
      if (branches.length) question.branches = branches;
    }
    if (value("question-next")) question.next = value("question-next");
    return question;
  }

  function surveyFromForm() {
    var survey = {};
    var percent = document.getElementById("survey-sample-percent").value.trim();
    var reask = document.getElementById("survey-reask-days").value.trim();
    survey.sample_percent = percent === "" ? 100 : /^\d+$/.test(percent) ? Number(percent) : percent;
    if (reask !== "") survey.reask_days = /^\d+$/.test(reask) ? Number(reask) : reask;
    return survey;
  }

  // `rest` is the path under `steps[N].question` ("kind", "options[1].id", "branches[0].when.min", ...).
  function questionControlFor(item, index, rest) {
    var prefix = "Step " + (index + 1) + " \u00b7 ";
    var simple = { "": "question-kind", kind: "question-kind", task: "question-task", max_length: "question-max-length", low_label: "question-low-label", high_label: "question-high-label", next: "question-next" };
    var found = null;
    var label = "Question";
    var option = rest.match(/^options(?:\[(\d+)\](?:\.(\w+))?)?/);
    var branch = rest.match(/^branches(?:\[(\d+)\](?:\.(.+))?)?/);
    if (simple[rest] !== undefined) {
      found = item.querySelector("[name=" + simple[rest] + "]");
      var own = document.querySelector("label[for='" + found.id + "']");
      label = own ? own.textContent : label;
    } else if (option) {
      var optionRow = option[1] === undefined ? null : item.querySelector("[data-option-row][data-option-index='" + option[1] + "']");
      if (!optionRow) return { control: item.querySelector("[data-question-action=add-option]"), label: prefix + "Options", holder: optionsHolder(item) };
      found = optionRow.querySelector(option[2] === "label" ? "[name=option-label]" : "[name=option-id]");
      label = "Option " + (Number(option[1]) + 1);
    } else if (branch) {
      var branchRow = branch[1] === undefined ? null : item.querySelector("[data-branch-row][data-branch-index='" + branch[1] + "']");
      if (branchRow) {
        var part = branch[2] || "";
        var name = part === "goto" ? "branch-goto" : /choice$/.test(part) ? "branch-choice" : /max$/.test(part) ? "branch-max" : "branch-min";
        found = branchRow.querySelector("[name=" + name + "]");
        if (found.closest("[hidden]")) found = branchRow.querySelector("[name=branch-goto]");
        label = "Branch " + (Number(branch[1]) + 1);
      }
    }
    if (!found || found.closest("[hidden]")) { found = item.querySelector("[name=question-kind]"); label = "Asks"; }
    return { control: found, label: prefix + label };
  }

  function optionsHolder(item) {
    var holder = item.querySelector("[data-options-error]");
    if (!holder.id) holder.id = "options-error-" + (++rowSeq);
    return holder;
  }

  // Content types ---------------------------------------------------------

  function currentType() {
    var select = document.getElementById("flow-type");
    return select ? select.value : "tour";
  }

  // The content type a stored flow was authored as.
  function flowTypeOf(flow) {
    if (flow.checklist) return "checklist";
    if (flow.survey) return "survey";
    var steps = flow.steps || [];
    if (steps.length === 1) {
      var type = Object.keys(KIND_FOR_TYPE).filter(function (name) { return KIND_FOR_TYPE[name] === steps[0].kind; })[0];
      if (type) return type;
    }
    return "tour";
  }

  // Shapes the editor for a content type; `fromUser` when the author just picked it (steps follow).
  function applyType(type, fromUser) {
    var checklist = type === "checklist";
    var single = KIND_FOR_TYPE[type];
    var allowed = allowedKinds(type);
    var steps = document.getElementById("steps");
    document.getElementById("steps-section").hidden = checklist;
    document.getElementById("checklist").hidden = !checklist;
    document.getElementById("survey-settings").hidden = type !== "survey";
    document.getElementById("steps-title").textContent = single ? "Content" : type === "survey" ? "Questions" : "Steps";
    if (type === "survey" && fromUser && !editor.flow) startSurvey(steps);
    if (!checklist && !steps.children.length) addStep(blankStep(0, single));
    if (checklist && !document.getElementById("checklist-items").children.length) {
      addItem(blankItem(0));
      renumberItems();
    }
    Array.prototype.forEach.call(steps.children, function (item) {
      var kind = item.querySelector("[name=kind]");
      if (fromUser && allowed && allowed.indexOf(kind.value) < 0) kind.value = allowed[0];
      restrictKinds(item, allowed);
      syncKind(item);
    });
    renumber();
    if (fromUser) renderTranslations();
  }

  // Offers the app's flow ids wherever a flow id is typed (completed rules, "show me how").
  function loadFlowIdOptions() {
    api("GET", "/flows").then(function (result) {
      var list = document.getElementById("flow-id-options");
      if (!list || !result.ok || !Array.isArray(result.data)) return;
      list.replaceChildren();
      result.data.forEach(function (flow) {
        var option = el("option", "", flow.name);
        option.value = flow.id;
        list.appendChild(option);
      });
    });
  }

  // The theme override's placeholders show the app's own colours (what an empty field means).
  function loadAppColours() {
    api("GET", "/settings").then(function (result) {
      if (!editor || !result.ok || !result.data || !result.data.theme || !result.data.theme.light) return;
      var light = result.data.theme.light;
      [["theme-accent", light.accent], ["theme-accent-text", light.accent_text]].forEach(function (pair) {
        var input = document.getElementById(pair[0]);
        if (!input || !HEX_COLOUR.test(pair[1] || "")) return;
        input.placeholder = pair[1];
        syncPicker(input);
      });
    });
  }

  // Prerequisites ---------------------------------------------------------

  // One "Right away" / "Only once these conditions hold" choice with its rule builder: the flow's own
  // (the #prerequisites card) and, through addRequiresDisclosure, each step's and checklist item's.
  // `none` and `matching` are the two radios, `container` holds the builder.
  function requiresChoice(none, matching, container) {
    var rule = ruleBuilder(container, "requires", function () { if (editor) editor.dirty = true; });
    var disclosure = container.closest("details");
    var state = disclosure ? disclosure.querySelector("[data-requires-state]") : null;
    function sync() {
      container.hidden = !matching.checked;
      if (state) state.textContent = matching.checked ? "\u00b7 Only once conditions hold" : "\u00b7 Right away";
    }
    none.addEventListener("change", sync);
    matching.addEventListener("change", sync);

    function fill(value) {
      (value ? matching : none).checked = true;
      rule.set(value || null, { completed: "" });
      sync();
    }

    // null for "Right away"; one condition is sent on its own (`{"completed": "welcome-tour"}`), as
    // prerequisites are usually written.
    function get() {
      if (!matching.checked) return null;
      var value = rule.get();
      var combinator = Array.isArray(value.all) ? "all" : Array.isArray(value.any) ? "any" : null;
      return combinator && Object.keys(value).length === 1 && value[combinator].length === 1 ? value[combinator][0] : value;
    }

    // `field` is the collector's path from `requires` on ("requires.completed"); `label` names the place.
    function controlFor(field, label) {
      if (disclosure) disclosure.open = true;
      if (!matching.checked) return { control: none, label: label };
      // A lone condition was sent unwrapped: `requires.completed` is the builder's first condition.
      var value = rule.get();
      var combinator = Array.isArray(value.all) ? "all" : Array.isArray(value.any) ? "any" : null;
      var rest = field.slice("requires".length);
      if (combinator && rest && !/^\.(all|any)\[/.test(rest)) field = "requires." + combinator + "[0]" + rest;
      var found = rule.controlFor(field);
      return { control: found.control, label: label + " \u00b7 " + found.label, holder: found.holder };
    }

    return { fill: fill, get: get, controlFor: controlFor };
  }

  // Adds a collapsed "Prerequisites" disclosure (#requires-template) to a step or checklist item:
  // `hook` marks it (data-step-requires, data-item-requires), `idPrefix` keeps its ids and radio group
  // its own, `legend` says what the choice decides.
  function addRequiresDisclosure(item, hook, idPrefix, legend) {
    var disclosure = document.getElementById("requires-template").content.firstElementChild.cloneNode(true);
    disclosure.setAttribute(hook, "");
    disclosure.querySelector("[data-requires-legend]").textContent = legend;
    var radios = {};
    ["none", "matching"].forEach(function (mode) {
      var radio = disclosure.querySelector("[data-requires-mode=" + mode + "]");
      radio.id = idPrefix + "-requires-" + mode;
      radio.name = idPrefix + "-requires-mode";
      radio.nextElementSibling.htmlFor = radio.id;
      radios[mode] = radio;
    });
    item.querySelector("[data-requires-slot]").appendChild(disclosure);
    return requiresChoice(radios.none, radios.matching, disclosure.querySelector("[data-requires-rule]"));
  }

  function setUpRequires() {
    editor.requires = requiresChoice(document.getElementById("requires-none"), document.getElementById("requires-matching"), document.getElementById("requires-rule"));
  }

  function fillRequires(rule) {
    editor.requires.fill(rule);
  }

  function requiresFromForm() {
    return editor.requires.get();
  }

  function requiresControlFor(field) {
    return editor.requires.controlFor(field, "Prerequisites");
  }

  // Checklist -------------------------------------------------------------

  var itemSeq = 0;
  var ITEM_CONDITIONS = {
    event: ["Event name", "project_created", "The name the product passes to waymark.track()."],
    completed: ["Flow or checklist ID", "welcome-tour", "Done once the user completes it."],
    visited: ["URL pattern", "/settings*", "Done once the user has been on a matching page."],
    trait: ["Trait (name, or name=value)", "plan=pro", "\u201cname\u201d: the trait is set; \u201cname=value\u201d: it equals the value."]
  };

  function blankItem(index) {
    return { id: "item-" + (index + 1), title: "", manual: true };
  }

  function setUpChecklist() {
    document.getElementById("add-item").addEventListener("click", function () {
      var list = document.getElementById("checklist-items");
      var item = addItem(blankItem(list.children.length));
      renumberItems();
      renderTranslations();
      editor.dirty = true;
      item.querySelector("[name=item-id]").focus();
    });
  }

  function fillChecklist(checklist) {
    checklist = checklist || { title: "", items: [] };
    document.getElementById("checklist-title").value = checklist.title || "";
    document.getElementById("badge-id").value = checklist.badge ? checklist.badge.id : "";
    document.getElementById("badge-name").value = checklist.badge ? checklist.badge.name : "";
    document.getElementById("open-on-first-show").checked = !!checklist.open_on_first_show;
    document.getElementById("checklist-items").replaceChildren();
    (checklist.items || []).forEach(addItem);
    renumberItems();
  }

  // How the builder shows an item's `done_when`: {kind, value, count}, or kind "custom" when it can't.
  function parseItemCondition(rule) {
    if (!rule) return { kind: "manual" };
    var keys = Object.keys(rule);
    if (typeof rule.completed === "string" && keys.length === 1) return { kind: "completed", value: rule.completed };
    if (typeof rule.visited === "string" && keys.length === 1) return { kind: "visited", value: rule.visited };
    if (typeof rule.event === "string" && rule.within_days === undefined) {
      if (rule.op === "done" && keys.length === 2) return { kind: "event", value: rule.event, count: "" };
      if (rule.op === "at_least" && typeof rule.count === "number" && keys.length === 3) return { kind: "event", value: rule.event, count: String(rule.count) };
    }
    if (typeof rule.trait === "string") {
      if (rule.op === "exists" && keys.length === 2) return { kind: "trait", value: rule.trait };
      if (rule.op === "eq" && keys.length === 3 && ["string", "number", "boolean"].indexOf(typeof rule.value) >= 0) return { kind: "trait", value: rule.trait + "=" + rule.value };
    }
    return { kind: "custom" };
  }

  function addItem(data) {
    var uid = ++itemSeq;
    var item = document.getElementById("item-template").content.firstElementChild.cloneNode(true);
    item.setAttribute("data-uid", "i" + uid);
    item.querySelectorAll("[name]").forEach(function (control) { control.id = "item-" + uid + "-" + control.name; });
    item.querySelectorAll("label[data-for]").forEach(function (label) { label.htmlFor = "item-" + uid + "-" + label.getAttribute("data-for"); });
    var hint = item.querySelector("[data-item-value-hint]");
    hint.id = "item-" + uid + "-value-hint";
    item.querySelector("[name=item-condition-value]").setAttribute("aria-describedby", hint.id);
    function set(name, value) {
      var control = item.querySelector("[name='" + name + "']");
      if (control.type === "checkbox") control.checked = !!value; else control.value = value === undefined || value === null ? "" : String(value);
    }
    set("item-id", data.id);
    set("item-title", data.title);
    set("item-description", data.description);
    set("item-manual", data.manual);
    set("item-launch-flow", data.launch_flow);
    set("item-depends-on", (data.depends_on || []).join(", "));
    var condition = parseItemCondition(data.done_when);
    var select = item.querySelector("[name=item-condition]");
    if (condition.kind === "custom") {
      var option = el("option", "", "A custom condition (kept as it is)");
      option.value = "custom";
      select.appendChild(option);
      item.waymarkKept = data.done_when;
      item.querySelector("[data-item-custom-json]").textContent = JSON.stringify(data.done_when, null, 2);
    }
    select.value = condition.kind;
    set("item-condition-value", condition.value);
    set("item-condition-count", condition.count);
    item.waymarkRequires = addRequiresDisclosure(item, "data-item-requires", "item-" + uid, "When this item unlocks (it shows as locked until then)");
    item.waymarkRequires.fill(data.requires);
    select.addEventListener("change", function () {
      // "Ticks it off" is the manual flag; another condition completes the item by itself.
      item.querySelector("[name=item-manual]").checked = select.value === "manual";
      syncItem(item);
    });
    item.querySelector("[name=item-title]").addEventListener("input", renumberItems);
    item.querySelectorAll("[data-item-action]").forEach(function (button) {
      button.addEventListener("click", function () { itemAction(item, button.getAttribute("data-item-action")); });
    });
    syncItem(item);
    document.getElementById("checklist-items").appendChild(item);
    return item;
  }

  function syncItem(item) {
    var kind = item.querySelector("[name=item-condition]").value;
    var text = ITEM_CONDITIONS[kind];
    var input = item.querySelector("[name=item-condition-value]");
    item.querySelector("[data-item-value-field]").hidden = !text;
    item.querySelector("[data-item-count-field]").hidden = kind !== "event";
    item.querySelector("[data-item-custom]").hidden = kind !== "custom";
    if (text) {
      item.querySelector("[data-item-value-label]").textContent = text[0];
      input.placeholder = text[1];
      item.querySelector("[data-item-value-hint]").textContent = text[2];
    }
    if (kind === "completed") input.setAttribute("list", "flow-id-options"); else input.removeAttribute("list");
  }

  function itemAction(item, action) {
    var list = document.getElementById("checklist-items");
    if (action === "up" && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
    if (action === "down" && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
    if (action === "remove") {
      var focusAfter = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      if (focusAfter) focusAfter.querySelector("[name=item-id]").focus();
      else document.getElementById("add-item").focus();
    } else {
      item.querySelector("[data-item-action='" + action + "']").focus();
    }
    editor.dirty = true;
    renumberItems();
    renderTranslations();
  }

  function renumberItems() {
    var items = Array.prototype.slice.call(document.getElementById("checklist-items").children);
    items.forEach(function (item, index) {
      item.setAttribute("data-item-index", String(index));
      var title = item.querySelector("[name=item-title]").value.trim();
      item.querySelector("[data-item-number]").textContent = "Item " + (index + 1) + (title ? " \u00b7 " + title : "");
      item.querySelector("[data-item-action=up]").disabled = index === 0;
      item.querySelector("[data-item-action=down]").disabled = index === items.length - 1;
      item.querySelectorAll("[data-item-action]").forEach(function (button) {
        var verb = button.getAttribute("data-item-action");
        button.setAttribute("aria-label", verb === "remove" ? "Remove item " + (index + 1) : "Move " + verb + ": item " + (index + 1));
      });
    });
  }

  function itemCondition(item) {
    var kind = item.querySelector("[name=item-condition]").value;
    var value = item.querySelector("[name=item-condition-value]").value.trim();
    var count = item.querySelector("[name=item-condition-count]").value.trim();
    if (kind === "custom") return item.waymarkKept;
    if (kind === "completed") return { completed: value };
    if (kind === "visited") return { visited: value };
    if (kind === "event") return count === "" ? { event: value, op: "done" } : { event: value, op: "at_least", count: isFinite(Number(count)) ? Number(count) : count };
    if (kind === "trait") {
      var equals = value.indexOf("=");
      return equals < 0 ? { trait: value, op: "exists" } : { trait: value.slice(0, equals).trim(), op: "eq", value: value.slice(equals + 1).trim() };
    }
    return null;
  }

  function checklistFromForm() {
    var checklist = {
      title: document.getElementById("checklist-title").value.trim(),
      items: Array.prototype.map.call(document.getElementById("checklist-items").children, function (item) {
        function value(name) { return item.querySelector("[name='" + name + "']").value.trim(); }
        var out = { id: value("item-id"), title: value("item-title") };
        if (value("item-description")) out.description = value("item-description");
        var doneWhen = itemCondition(item);
        if (doneWhen) out.done_when = doneWhen;
        if (item.querySelector("[name=item-manual]").checked) out.manual = true;
        if (value("item-launch-flow")) out.launch_flow = value("item-launch-flow");
        var dependsOn = value("item-depends-on").split(",").map(function (id) { return id.trim(); }).filter(Boolean);
        if (dependsOn.length) out.depends_on = dependsOn;
        var requires = item.waymarkRequires.get();
        if (requires) out.requires = requires;
        return out;
      })
    };
    var badgeId = document.getElementById("badge-id").value.trim();
    var badgeName = document.getElementById("badge-name").value.trim();
    if (badgeId || badgeName) checklist.badge = { id: badgeId, name: badgeName };
    if (document.getElementById("open-on-first-show").checked) checklist.open_on_first_show = true;
    return checklist;
  }

  function checklistControlFor(field) {
    var simple = { checklist: "checklist-title", "checklist.title": "checklist-title", "checklist.badge": "badge-id", "checklist.badge.id": "badge-id", "checklist.badge.name": "badge-name", "checklist.open_on_first_show": "open-on-first-show" };
    if (simple[field]) return { control: document.getElementById(simple[field]), label: document.querySelector("label[for=" + simple[field] + "]").textContent };
    var holder = { control: document.getElementById("add-item"), label: "Checklist items", holder: document.getElementById("checklist-items-error") };
    var match = field.match(/^checklist\.items(?:\[(\d+)\](?:\.(\w+))?(?:[.[](.*))?)?$/);
    if (!match || match[1] === undefined) return holder;
    var index = Number(match[1]);
    var item = document.querySelector("#checklist-items > [data-item-index='" + index + "']");
    if (!item) return holder;
    var part = match[2] || "";
    var sub = match[3] || "";
    if (part === "requires") return item.waymarkRequires.controlFor(field.slice(field.indexOf("requires")), "Item " + (index + 1) + " \u00b7 Prerequisites");
    var name = { id: "item-id", title: "item-title", description: "item-description", manual: "item-manual", launch_flow: "item-launch-flow", depends_on: "item-depends-on", done_when: "item-condition-value" }[part] || "item-id";
    if (part === "done_when" && /(^|\.)count$/.test(sub)) name = "item-condition-count";
    var control = item.querySelector("[name='" + name + "']");
    if (control.closest("[hidden]")) control = item.querySelector("[name=item-condition]");
    var label = control.id ? document.querySelector("label[for='" + control.id + "']") : null;
    return { control: control, label: "Item " + (index + 1) + " \u00b7 " + (label ? label.textContent : part || "item") };
  }

  // Translations ----------------------------------------------------------
  // The texts per locale live in editor.translations, keyed by the step / item element (data-uid), so
  // renaming a step id or reordering keeps what was typed; the blocks are redrawn after structural changes.

  function localeName(locale) {
    try {
      var name = new Intl.DisplayNames(["en"], { type: "language" }).of(locale);
      return name && name !== locale ? name + " (" + locale + ")" : locale;
    } catch (e) {
      return locale;
    }
  }

  // "pt_br" -> "pt-BR"; null when it isn't a language tag.
  function normalLocale(raw) {
    var tag = raw.trim().replace(/_/g, "-");
    if (!/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(tag)) return null;
    return tag.split("-").map(function (part, index) {
      if (index === 0) return part.toLowerCase();
      return part.length === 2 ? part.toUpperCase() : part.length === 4 ? part.charAt(0).toUpperCase() + part.slice(1).toLowerCase() : part.toLowerCase();
    }).join("-");
  }

  function setUpTranslations() {
    editor.translations = {};
    var input = document.getElementById("translation-locale");
    document.getElementById("add-translation").addEventListener("click", addTranslation);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); addTranslation(); }
    });
    ["steps", "checklist-items"].forEach(function (id) {
      document.getElementById(id).addEventListener("change", function (event) {
        if (event.target.closest("[data-translation-step], [data-translation-item]")) return;
        renderTranslations();
      });
    });
    document.getElementById("checklist-title").addEventListener("change", renderTranslations);
    // Adding or removing a question's option is a click, not a change: the option label fields follow it.
    document.getElementById("steps").addEventListener("click", function (event) {
      if (event.target.closest("[data-question-action=add-option], [data-option-row] [data-row-action=remove]")) renderTranslations();
    });
  }

  // A survey step's question texts a translation may cover: its options (choice kinds), each with the
  // uid its typed label is kept under, and its end labels (scale kinds), each with its base wording.
  var optionSeq = 0;
  function optionUid(row) {
    if (!row.getAttribute("data-option-uid")) row.setAttribute("data-option-uid", "o" + (++optionSeq));
    return row.getAttribute("data-option-uid");
  }
  function translatableQuestion(item) {
    var kind = currentType() === "survey" ? item.querySelector("[name=question-kind]").value : "none";
    var options = !CHOICE_KINDS[kind] ? [] : Array.prototype.map.call(item.querySelectorAll("[data-option-row]"), function (row) {
      return { uid: optionUid(row), label: row.querySelector("[name=option-label]").value.trim() };
    });
    var ends = !SCALE_KINDS[kind] ? [] : [["low_label", "low-label", "Low end label"], ["high_label", "high-label", "High end label"]].map(function (end) {
      return { key: end[0], name: "translation-" + end[1], label: end[2], base: item.querySelector("[name=question-" + end[1] + "]").value.trim() };
    });
    return { options: options, ends: ends };
  }

  function addTranslation() {
    var input = document.getElementById("translation-locale");
    var holder = document.getElementById("translations-error");
    var locale = normalLocale(input.value);
    var problem = !locale ? "Use a language code such as fr, de or pt-BR."
      : editor.translations[locale] ? "There is already a " + localeName(locale) + " translation." : "";
    holder.textContent = problem;
    holder.hidden = !problem;
    if (problem) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    harvestTranslations();
    editor.translations[locale] = { checklist_title: "", steps: {}, items: {} };
    editor.dirty = true;
    input.value = "";
    renderTranslations();
    var block = document.querySelector("#translation-blocks [data-locale='" + locale + "']");
    var first = block && block.querySelector("input, textarea");
    if (first) first.focus();
  }

  // Copies what is typed in the blocks into editor.translations.
  function harvestTranslations() {
    if (!editor || !editor.translations) return;
    document.querySelectorAll("#translation-blocks [data-locale]").forEach(function (block) {
      var model = editor.translations[block.getAttribute("data-locale")];
      if (!model) return;
      var title = block.querySelector("[name=translation-checklist-title]");
      if (title) model.checklist_title = title.value;
      block.querySelectorAll("[data-translation-step]").forEach(function (part) {
        var entry = model.steps[part.getAttribute("data-uid")] || { buttons: {}, options: {} };
        entry.title = part.querySelector("[name=translation-title]").value;
        entry.body = part.querySelector("[name=translation-body]").value;
        entry.buttons = entry.buttons || {};
        part.querySelectorAll("[name=translation-button]").forEach(function (input) {
          entry.buttons[input.getAttribute("data-button-action")] = input.value;
        });
        entry.options = entry.options || {};
        part.querySelectorAll("[name=translation-option]").forEach(function (input) {
          entry.options[input.getAttribute("data-option-uid")] = input.value;
        });
        part.querySelectorAll("[data-translation-end]").forEach(function (input) {
          entry[input.getAttribute("data-translation-end")] = input.value;
        });
        model.steps[part.getAttribute("data-uid")] = entry;
      });
      block.querySelectorAll("[data-translation-item]").forEach(function (part) {
        model.items[part.getAttribute("data-uid")] = {
          title: part.querySelector("[name=translation-item-title]").value,
          description: part.querySelector("[name=translation-item-description]").value
        };
      });
    });
  }

  function renderTranslations() {
    if (!editor || !editor.translations || !document.getElementById("translation-blocks")) return;
    harvestTranslations();
    var container = document.getElementById("translation-blocks");
    container.replaceChildren();
    Object.keys(editor.translations).sort().forEach(function (locale) { container.appendChild(translationBlock(locale)); });
  }

  function translationBlock(locale) {
    var model = editor.translations[locale];
    var key = "tr-" + locale.replace(/[^a-zA-Z0-9]/g, "_");
    var block = el("fieldset", "subgroup translation");
    block.setAttribute("data-locale", locale);
    block.setAttribute("lang", locale);
    var legend = el("legend", "", localeName(locale));
    legend.setAttribute("lang", "en");
    block.appendChild(legend);
    var remove = el("button", "button button-small button-danger translation-remove", "Remove");
    remove.type = "button";
    remove.setAttribute("lang", "en");
    remove.setAttribute("data-translation-action", "remove");
    remove.setAttribute("aria-label", "Remove the " + localeName(locale) + " translation");
    remove.addEventListener("click", function () {
      harvestTranslations();
      delete editor.translations[locale];
      editor.dirty = true;
      renderTranslations();
      document.getElementById("translation-locale").focus();
    });
    block.appendChild(remove);

    function field(labelText, name, value, base, multiline, suffix) {
      var wrap = el("div", "field" + (multiline ? " field-wide" : ""));
      var id = key + "-" + suffix;
      var label = el("label", "", labelText);
      label.htmlFor = id;
      label.setAttribute("lang", "en");
      var input = el(multiline ? "textarea" : "input");
      if (multiline) input.rows = 3; else input.type = "text";
      input.id = id;
      input.name = name;
      input.value = value || "";
      input.autocomplete = "off";
      wrap.appendChild(label);
      wrap.appendChild(input);
      if (base) {
        var hint = el("p", "hint", "English: " + base);
        hint.id = id + "-base";
        hint.setAttribute("lang", "en");
        input.setAttribute("aria-describedby", hint.id);
        wrap.appendChild(hint);
      }
      return wrap;
    }
    function part(kind, id, uid, heading) {
      var box = el("div", "translation-part");
      box.setAttribute(kind === "step" ? "data-translation-step" : "data-translation-item", id);
      box.setAttribute("data-uid", uid);
      var title = el("h3", "", heading);
      title.setAttribute("lang", "en");
      box.appendChild(title);
      var grid = el("div", "grid");
      box.appendChild(grid);
      block.appendChild(box);
      return grid;
    }

    if (currentType() === "checklist") {
      var top = el("div", "grid");
      top.appendChild(field("Checklist title", "translation-checklist-title", model.checklist_title, document.getElementById("checklist-title").value.trim(), false, "checklist-title"));
      block.appendChild(top);
      Array.prototype.forEach.call(document.getElementById("checklist-items").children, function (item, index) {
        var uid = item.getAttribute("data-uid");
        var text = model.items[uid] || {};
        var baseTitle = item.querySelector("[name=item-title]").value.trim();
        var grid = part("item", item.querySelector("[name=item-id]").value.trim(), uid, "Item " + (index + 1) + (baseTitle ? " \u00b7 " + baseTitle : ""));
        grid.appendChild(field("Title", "translation-item-title", text.title, baseTitle, false, uid + "-title"));
        grid.appendChild(field("Description", "translation-item-description", text.description, item.querySelector("[name=item-description]").value.trim(), true, uid + "-description"));
      });
    } else {
      Array.prototype.forEach.call(document.getElementById("steps").children, function (item, index) {
        var uid = item.getAttribute("data-uid");
        var text = model.steps[uid] || {};
        var baseTitle = item.querySelector("[name=title]").value.trim();
        var grid = part("step", item.querySelector("[name=step-id]").value.trim(), uid, "Step " + (index + 1) + (baseTitle ? " \u00b7 " + baseTitle : ""));
        grid.appendChild(field("Title", "translation-title", text.title, baseTitle, false, uid + "-title"));
        grid.appendChild(field("Body (Markdown)", "translation-body", text.body, "", true, uid + "-body"));
        stepButtons(item).forEach(function (button) {
          var wrap = field(BUTTON_NAMES[button.action] + " button label", "translation-button", (text.buttons || {})[button.action], button.label, false, uid + "-button-" + button.action);
          wrap.querySelector("input").setAttribute("data-button-action", button.action);
          grid.appendChild(wrap);
        });
        var question = translatableQuestion(item);
        question.options.forEach(function (option) {
          var wrap = field("Option label", "translation-option", (text.options || {})[option.uid], option.label, false, uid + "-option-" + option.uid);
          wrap.querySelector("input").setAttribute("data-option-uid", option.uid);
          grid.appendChild(wrap);
        });
        question.ends.forEach(function (end) {
          var wrap = field(end.label, end.name, text[end.key], end.base, false, uid + "-" + end.name);
          wrap.querySelector("input").setAttribute("data-translation-end", end.key);
          grid.appendChild(wrap);
        });
      });
    }
    return block;
  }

  // Reads a stored flow's translations into editor.translations (after its steps and items are in the form).
  function fillTranslations(flow) {
    editor.translations = {};
    var stored = flow.translations || {};
    var stepItems = Array.prototype.slice.call(document.getElementById("steps").children);
    var checklistItems = Array.prototype.slice.call(document.getElementById("checklist-items").children);
    Object.keys(stored).forEach(function (locale) {
      var translation = stored[locale] || {};
      var model = { checklist_title: translation.checklist_title || "", steps: {}, items: {} };
      stepItems.forEach(function (item) {
        var id = item.querySelector("[name=step-id]").value.trim();
        var text = (translation.steps || {})[id];
        if (!text) return;
        var step = (flow.steps || []).filter(function (candidate) { return candidate.id === id; })[0];
        var buttons = {};
        (text.buttons || []).forEach(function (label, index) {
          var button = step && step.buttons && step.buttons[index];
          if (button) buttons[button.action] = label;
        });
        var options = {};
        var rows = item.querySelectorAll("[data-option-row]");
        (text.options || []).forEach(function (label, index) {
          if (rows[index]) options[optionUid(rows[index])] = label;
        });
        model.steps[item.getAttribute("data-uid")] = {
          title: text.title || "", body: text.body || "", buttons: buttons, options: options,
          low_label: text.low_label || "", high_label: text.high_label || ""
        };
      });
      checklistItems.forEach(function (item) {
        var text = (translation.items || {})[item.querySelector("[name=item-id]").value.trim()];
        if (text) model.items[item.getAttribute("data-uid")] = { title: text.title || "", description: text.description || "" };
      });
      editor.translations[locale] = model;
    });
    document.getElementById("translation-blocks").replaceChildren();
    renderTranslations();
  }

  // The flow's `translations`: a locale the author added is always sent (the collector names what is missing).
  function translationsFromForm() {
    harvestTranslations();
    var out = {};
    var checklist = currentType() === "checklist";
    Object.keys(editor.translations || {}).forEach(function (locale) {
      var model = editor.translations[locale];
      var translation = {};
      if (checklist) {
        if (model.checklist_title.trim()) translation.checklist_title = model.checklist_title.trim();
        var items = {};
        Array.prototype.forEach.call(document.getElementById("checklist-items").children, function (item) {
          var text = model.items[item.getAttribute("data-uid")];
          if (!text || !(text.title.trim() || text.description.trim())) return;
          var entry = { title: text.title.trim() };
          if (text.description.trim()) entry.description = text.description.trim();
          items[item.querySelector("[name=item-id]").value.trim()] = entry;
        });
        if (Object.keys(items).length) translation.items = items;
      } else {
        var steps = {};
        Array.prototype.forEach.call(document.getElementById("steps").children, function (item) {
          var text = model.steps[item.getAttribute("data-uid")];
          if (!text) return;
          var buttons = stepButtons(item);
          var labels = buttons.map(function (button) { return ((text.buttons || {})[button.action] || "").trim(); });
          var question = translatableQuestion(item);
          var optionLabels = question.options.map(function (option) { return ((text.options || {})[option.uid] || "").trim(); });
          var ends = {};
          question.ends.forEach(function (end) {
            var label = (text[end.key] || "").trim();
            if (label) ends[end.key] = label;
          });
          if (!(text.title.trim() || text.body.trim() || labels.some(Boolean) || optionLabels.some(Boolean) || Object.keys(ends).length)) return;
          // Labels go in button order: trailing blanks are left out (they keep the base label), inner blanks take it.
          while (labels.length && !labels[labels.length - 1]) labels.pop();
          labels = labels.map(function (label, index) { return label || buttons[index].label; });
          // Option labels go in option order; a blank one keeps the base label (the collector leaves it).
          while (optionLabels.length && !optionLabels[optionLabels.length - 1]) optionLabels.pop();
          var entry = { title: text.title.trim() };
          if (text.body.trim()) entry.body = text.body;
          if (labels.length) entry.buttons = labels;
          if (optionLabels.length) entry.options = optionLabels;
          Object.keys(ends).forEach(function (key) { entry[key] = ends[key]; });
          steps[item.querySelector("[name=step-id]").value.trim()] = entry;
        });
        if (Object.keys(steps).length) translation.steps = steps;
      }
      out[locale] = translation;
    });
    return out;
  }

  function translationControlFor(field) {
    var fallback = { control: document.getElementById("translation-locale"), label: "Translations", holder: document.getElementById("translations-error") };
    var match = field.match(/^translations(?:\.([^.]+))?(?:\.(.*))?$/);
    if (!match || !match[1]) return fallback;
    var block = null;
    document.querySelectorAll("#translation-blocks [data-locale]").forEach(function (candidate) {
      if (candidate.getAttribute("data-locale") === match[1]) block = candidate;
    });
    if (!block) return fallback;
    var rest = match[2] || "";
    var label = "Translation " + localeName(match[1]);
    function partFor(attribute, id) {
      var found = null;
      block.querySelectorAll("[" + attribute + "]").forEach(function (candidate) {
        if (candidate.getAttribute(attribute) === id) found = candidate;
      });
      return found;
    }
    var step = rest.match(/^steps\.([^.]+)(?:\.(\w+)(?:\[(\d+)\])?)?/);
    var stepPart = step && partFor("data-translation-step", step[1]);
    if (stepPart) {
      var control = null;
      var where = label + " \u00b7 step " + step[1];
      if (step[2] === "body") control = stepPart.querySelector("[name=translation-body]");
      var listed = { buttons: "translation-button", options: "translation-option" }[step[2]];
      if (listed) {
        var controls = stepPart.querySelectorAll("[name=" + listed + "]");
        control = controls[Number(step[3] || 0)] || controls[0] || null;
      }
      if (control && step[2] === "options") where += step[3] === undefined ? " \u00b7 options" : " \u00b7 option " + (Number(step[3]) + 1);
      if (step[2] === "low_label" || step[2] === "high_label") {
        control = stepPart.querySelector("[data-translation-end=" + step[2] + "]");
        if (control) where += " \u00b7 " + (step[2] === "low_label" ? "low" : "high") + " end label";
      }
      return { control: control || stepPart.querySelector("[name=translation-title]"), label: where };
    }
    var item = rest.match(/^items\.([^.]+)(?:\.(\w+))?/);
    var itemPart = item && partFor("data-translation-item", item[1]);
    if (itemPart) {
      var name = item[2] === "description" ? "translation-item-description" : "translation-item-title";
      return { control: itemPart.querySelector("[name=" + name + "]"), label: label + " \u00b7 item " + item[1] };
    }
    var first = block.querySelector("[name=translation-checklist-title]") || block.querySelector("input, textarea");
    return { control: first || fallback.control, label: label };
  }

  // Theme override -------------------------------------------------------

  var HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

  // Keeps each colour picker and its text field (the value sent) in step.
  function wireColorPickers(root) {
    root.querySelectorAll("[data-color-picker]").forEach(function (picker) {
      var text = document.getElementById(picker.getAttribute("data-color-picker"));
      picker.addEventListener("input", function () {
        text.value = picker.value;
        text.dispatchEvent(new Event("input", { bubbles: true }));
      });
      text.addEventListener("input", function () { syncPicker(text); });
    });
  }

  // An empty field shows its placeholder (the colour used when it is left empty) in the picker.
  function syncPicker(text) {
    var picker = document.querySelector("[data-color-picker='" + text.id + "']");
    var shown = text.value.trim() || text.placeholder;
    if (picker && HEX_COLOUR.test(shown)) picker.value = shown.toLowerCase();
  }

  function fillTheme(theme) {
    theme = theme || {};
    document.getElementById("theme-mode").value = theme.mode || "";
    document.getElementById("theme-accent").value = theme.accent || "";
    document.getElementById("theme-accent-text").value = theme.accent_text || "";
    syncPicker(document.getElementById("theme-accent"));
    syncPicker(document.getElementById("theme-accent-text"));
    // Parts of an override the editor doesn't show are kept.
    editor.themeKept = {};
    if (theme.radius_px !== undefined) editor.themeKept.radius_px = theme.radius_px;
    if (theme.font !== undefined) editor.themeKept.font = theme.font;
  }

  function themeFromForm() {
    var theme = {};
    Object.keys(editor.themeKept || {}).forEach(function (key) { theme[key] = editor.themeKept[key]; });
    var mode = document.getElementById("theme-mode").value;
    var accent = document.getElementById("theme-accent").value.trim();
    var accentText = document.getElementById("theme-accent-text").value.trim();
    if (mode) theme.mode = mode;
    if (accent) theme.accent = accent;
    if (accentText) theme.accent_text = accentText;
    return Object.keys(theme).length ? theme : null;
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
  var CONDITION_KINDS = ["trait", "account_trait", "event", "completed", "visited"];
  var CONDITION_KEYS = { trait: "condition-field", account_trait: "condition-field", event: "condition-field", completed: "condition-field", visited: "condition-field", op: "condition-op", value: "condition-value", count: "condition-count", within_days: "condition-within-days" };
  var CONDITION_NAMES = { "condition-kind": "Kind", "condition-field": "Name", "condition-op": "Operator", "condition-value": "Value", "condition-count": "Times", "condition-within-days": "In the last N days" };
  var builderSeq = 0;

  // The one kind key (trait, account_trait, event) of a simple condition, or null.
  function conditionKind(rule) {
    if (!rule || typeof rule !== "object" || Array.isArray(rule)) return null;
    var kinds = CONDITION_KINDS.filter(function (key) { return typeof rule[key] === "string"; });
    var others = ["all", "any", "not", "url", "device", "locale", "segment"].filter(function (key) { return key in rule; });
    if (kinds.length !== 1 || others.length) return null;
    // completed / visited carry nothing but their key.
    if ((kinds[0] === "completed" || kinds[0] === "visited") && Object.keys(rule).length !== 1) return null;
    return kinds[0];
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
      var ops = kind === "event" ? EVENT_OPS : kind === "completed" || kind === "visited" ? [["", "(none)"]] : TRAIT_OPS;
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
      var bare = kind === "completed" || kind === "visited";
      var fieldInput = item.querySelector("[name=condition-field]");
      item.querySelector("[data-condition-field-label]").textContent = event ? "Event name" : kind === "account_trait" ? "Account trait name"
        : kind === "completed" ? "Flow or checklist ID" : kind === "visited" ? "URL pattern (ever visited)" : "Trait name";
      fieldInput.placeholder = event ? "project_created" : kind === "account_trait" ? "size" : kind === "completed" ? "welcome-tour" : kind === "visited" ? "/settings*" : "plan";
      if (kind === "completed") fieldInput.setAttribute("list", "flow-id-options"); else fieldInput.removeAttribute("list");
      item.querySelector("[data-op-field]").hidden = bare;
      item.querySelector("[data-value-field]").hidden = event || bare || op === "exists" || op === "not_exists";
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
      if (kind === "completed" || kind === "visited") return rule;
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
    function set(rule, blank) {
      list.replaceChildren();
      kept = null;
      var combinator = rule && (Array.isArray(rule.all) ? "all" : Array.isArray(rule.any) ? "any" : null);
      var children = !rule ? [blank || { trait: "", op: "eq" }] : combinator ? rule[combinator] : [rule];
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

  // Settings -------------------------------------------------------------
  // The app's theme (with a live WCAG contrast check), fatigue budget and resource center.

  var DEFAULT_SETTINGS = {
    theme: {
      mode: "light",
      light: { background: "#ffffff", text: "#1f2330", muted: "#5b6170", accent: "#3b4bd8", accent_text: "#ffffff", border: "#d5d8e0" },
      dark: { background: "#1c1f2a", text: "#f2f3f7", muted: "#b3b8c6", accent: "#8e9bff", accent_text: "#10131c", border: "#3a3f4f" },
      font: "", radius_px: 10, shadow: "soft"
    },
    fatigue: { max_per_session: 3, cooldown_seconds: 300, session_timeout_minutes: 30 },
    resource_center: { enabled: false, position: "bottom_right", title: "Help", articles: [], feedback: true }
  };
  var COLOURS = [["background", "Background"], ["text", "Text"], ["muted", "Secondary text"], ["accent", "Accent (buttons)"], ["accent_text", "Text on accent"], ["border", "Border"]];
  // The pairs the collector checks for WCAG AA (4.5:1), named by the field that gets the error.
  var CONTRAST_PAIRS = [["text", "background", "Text on background"], ["muted", "background", "Secondary text on background"], ["accent_text", "accent", "Button text on accent"]];
  var AA_RATIO = 4.5;
  var articleSeq = 0;

  function colourId(mode, name) {
    return mode + "-" + name.replace("_", "-");
  }

  function relativeLuminance(hex) {
    if (!HEX_COLOUR.test(hex)) return null;
    var number = parseInt(hex.slice(1), 16);
    var channels = [(number >> 16) & 255, (number >> 8) & 255, number & 255].map(function (value) {
      value /= 255;
      return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  // WCAG 2 contrast ratio of two #rrggbb colours, or null.
  function contrastRatio(first, second) {
    var a = relativeLuminance(first);
    var b = relativeLuminance(second);
    if (a === null || b === null) return null;
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  function showSettings() {
    mount("view-settings");
    document.title = "Settings · Waymark admin";
    var form = document.getElementById("settings-form");
    var box = document.getElementById("settings-errors");
    var colours = document.getElementById("theme-colours");
    ["light", "dark"].forEach(function (mode) {
      var group = document.getElementById("colour-mode-template").content.firstElementChild.cloneNode(true);
      group.setAttribute("data-mode", mode);
      group.querySelector("[data-mode-legend]").textContent = (mode === "light" ? "Light" : "Dark") + " mode colours";
      var fields = group.querySelector("[data-colour-fields]");
      COLOURS.forEach(function (pair) {
        var id = colourId(mode, pair[0]);
        var field = el("div", "field");
        var label = el("label", "", pair[1]);
        label.htmlFor = id;
        var wrap = el("div", "color-input");
        var text = el("input");
        text.type = "text";
        text.id = id;
        text.name = id;
        text.autocomplete = "off";
        text.spellcheck = false;
        text.placeholder = DEFAULT_SETTINGS.theme[mode][pair[0]];
        var picker = el("input");
        picker.type = "color";
        picker.id = id + "-picker";
        picker.setAttribute("data-color-picker", id);
        picker.setAttribute("aria-label", "Pick the " + (mode === "light" ? "light" : "dark") + " mode " + pair[1].toLowerCase() + " colour");
        wrap.appendChild(text);
        wrap.appendChild(picker);
        field.appendChild(label);
        field.appendChild(wrap);
        fields.appendChild(field);
      });
      var list = group.querySelector("[data-contrast-list]");
      list.setAttribute("aria-label", (mode === "light" ? "Light" : "Dark") + " mode contrast");
      CONTRAST_PAIRS.forEach(function (pair) {
        var item = el("li", "contrast");
        item.setAttribute("data-contrast", colourId(mode, pair[0]));
        list.appendChild(item);
      });
      colours.appendChild(group);
    });
    wireColorPickers(form);
    form.addEventListener("input", updateContrast);
    form.addEventListener("change", updateContrast);
    document.getElementById("add-article").addEventListener("click", function () {
      var item = addArticle({ id: "", title: "", url: "", summary: "" });
      renumberArticles();
      item.querySelector("[name=article-id]").focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      saveSettings();
    });

    setStatus("settings-status", "Loading\u2026");
    api("GET", "/settings").then(function (result) {
      if (!document.getElementById("settings-form")) return;
      if (!result.ok) {
        fillSettings(DEFAULT_SETTINGS);
        setStatus("settings-status", "Showing the built-in defaults.");
        showSummary(box, "Couldn't load the settings", [{ text: errorMessage(result) }]);
        return;
      }
      setStatus("settings-status", "");
      fillSettings(result.data);
    });
  }

  function fillSettings(settings) {
    var theme = settings.theme || DEFAULT_SETTINGS.theme;
    var fatigue = settings.fatigue || DEFAULT_SETTINGS.fatigue;
    var center = settings.resource_center || DEFAULT_SETTINGS.resource_center;
    function set(id, value) {
      var control = document.getElementById(id);
      if (control.type === "checkbox") control.checked = !!value; else control.value = value === undefined || value === null ? "" : String(value);
    }
    set("settings-theme-mode", theme.mode);
    set("theme-font", theme.font);
    set("theme-radius", theme.radius_px);
    set("theme-shadow", theme.shadow);
    ["light", "dark"].forEach(function (mode) {
      COLOURS.forEach(function (pair) {
        set(colourId(mode, pair[0]), (theme[mode] || {})[pair[0]]);
        syncPicker(document.getElementById(colourId(mode, pair[0])));
      });
    });
    set("fatigue-max", fatigue.max_per_session);
    set("fatigue-cooldown", fatigue.cooldown_seconds);
    set("fatigue-session-timeout", fatigue.session_timeout_minutes);
    set("rc-enabled", center.enabled);
    set("rc-position", center.position);
    set("rc-title", center.title);
    set("rc-feedback", center.feedback);
    document.getElementById("rc-articles").replaceChildren();
    (center.articles || []).forEach(addArticle);
    renumberArticles();
    updateContrast();
  }

  // Shows each checked pair's ratio and verdict in words (not colour alone), and paints the previews.
  function updateContrast() {
    ["light", "dark"].forEach(function (mode) {
      function colour(name) {
        var input = document.getElementById(colourId(mode, name));
        return input ? input.value.trim() : "";
      }
      CONTRAST_PAIRS.forEach(function (pair) {
        var item = document.querySelector("[data-contrast='" + colourId(mode, pair[0]) + "']");
        if (!item) return;
        var ratio = contrastRatio(colour(pair[0]), colour(pair[1]));
        item.classList.remove("contrast-pass", "contrast-fail");
        if (ratio === null) {
          item.removeAttribute("data-ratio");
          item.removeAttribute("data-passes");
          item.textContent = pair[2] + ": enter both colours as #rrggbb";
          return;
        }
        var passes = ratio >= AA_RATIO;
        var rounded = Math.floor(ratio * 100) / 100;
        item.setAttribute("data-ratio", rounded.toFixed(2));
        item.setAttribute("data-passes", String(passes));
        item.classList.add(passes ? "contrast-pass" : "contrast-fail");
        item.textContent = (passes ? "\u2713 " : "\u2717 ") + pair[2] + ": " + rounded.toFixed(2) + ":1 \u2014 " +
          (passes ? "passes WCAG AA" : "fails WCAG AA (needs 4.5:1)");
      });
      var preview = document.querySelector("[data-mode='" + mode + "'] [data-theme-preview]");
      if (!preview) return;
      var valid = function (name) { return HEX_COLOUR.test(colour(name)) ? colour(name) : ""; };
      // CSSOM writes: allowed by the admin's CSP, unlike style="" attributes.
      preview.style.background = valid("background");
      preview.style.color = valid("text");
      preview.style.borderColor = valid("border");
      var radius = parseInt(document.getElementById("theme-radius").value, 10);
      preview.style.borderRadius = isFinite(radius) ? Math.max(0, Math.min(32, radius)) + "px" : "";
      preview.style.fontFamily = document.getElementById("theme-font").value.trim();
      preview.querySelector(".theme-preview-muted").style.color = valid("muted");
      var button = preview.querySelector(".theme-preview-button");
      button.style.background = valid("accent");
      button.style.color = valid("accent_text");
    });
  }

  function addArticle(article) {
    var uid = ++articleSeq;
    var item = document.getElementById("article-template").content.firstElementChild.cloneNode(true);
    item.querySelectorAll("[name]").forEach(function (control) { control.id = "article-" + uid + "-" + control.name; });
    item.querySelectorAll("label[data-for]").forEach(function (label) { label.htmlFor = "article-" + uid + "-" + label.getAttribute("data-for"); });
    ["id", "title", "url", "summary"].forEach(function (key) {
      item.querySelector("[name=article-" + key + "]").value = article[key] || "";
    });
    item.querySelector("[data-article-action=remove]").addEventListener("click", function () {
      var focusAfter = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      renumberArticles();
      if (focusAfter) focusAfter.querySelector("[name=article-id]").focus(); else document.getElementById("add-article").focus();
    });
    document.getElementById("rc-articles").appendChild(item);
    return item;
  }

  function renumberArticles() {
    Array.prototype.forEach.call(document.getElementById("rc-articles").children, function (item, index) {
      item.setAttribute("data-article-index", String(index));
      item.querySelector("[data-article-number]").textContent = "Article " + (index + 1);
      item.querySelector("[data-article-action=remove]").setAttribute("aria-label", "Remove article " + (index + 1));
    });
  }

  // A whole number when the field holds one; otherwise what was typed, so the collector names the field.
  function wholeNumber(id) {
    var raw = document.getElementById(id).value.trim();
    return raw !== "" && /^\d+$/.test(raw) ? Number(raw) : raw;
  }

  function settingsFromForm() {
    function value(id) { return document.getElementById(id).value.trim(); }
    var theme = { mode: value("settings-theme-mode"), light: {}, dark: {}, font: value("theme-font"), radius_px: wholeNumber("theme-radius"), shadow: value("theme-shadow") };
    ["light", "dark"].forEach(function (mode) {
      COLOURS.forEach(function (pair) { theme[mode][pair[0]] = value(colourId(mode, pair[0])); });
    });
    return {
      theme: theme,
      fatigue: {
        max_per_session: wholeNumber("fatigue-max"),
        cooldown_seconds: wholeNumber("fatigue-cooldown"),
        session_timeout_minutes: wholeNumber("fatigue-session-timeout")
      },
      resource_center: {
        enabled: document.getElementById("rc-enabled").checked,
        position: value("rc-position"),
        title: value("rc-title"),
        feedback: document.getElementById("rc-feedback").checked,
        articles: Array.prototype.map.call(document.getElementById("rc-articles").children, function (item) {
          var article = {};
          ["id", "title", "url", "summary"].forEach(function (key) { article[key] = item.querySelector("[name=article-" + key + "]").value.trim(); });
          return article;
        })
      }
    };
  }

  function settingsControlFor(field) {
    var simple = {
      theme: "settings-theme-mode", "theme.mode": "settings-theme-mode", "theme.font": "theme-font", "theme.radius_px": "theme-radius", "theme.shadow": "theme-shadow",
      fatigue: "fatigue-max", "fatigue.max_per_session": "fatigue-max", "fatigue.cooldown_seconds": "fatigue-cooldown", "fatigue.session_timeout_minutes": "fatigue-session-timeout",
      resource_center: "rc-enabled", "resource_center.enabled": "rc-enabled", "resource_center.position": "rc-position", "resource_center.title": "rc-title", "resource_center.feedback": "rc-feedback"
    };
    if (simple[field]) return { control: document.getElementById(simple[field]), label: document.querySelector("label[for=" + simple[field] + "]").textContent };
    var colour = field.match(/^theme\.(light|dark)(?:\.(\w+))?$/);
    if (colour) {
      var name = COLOURS.some(function (pair) { return pair[0] === colour[2]; }) ? colour[2] : "background";
      var id = colourId(colour[1], name);
      return { control: document.getElementById(id), label: (colour[1] === "light" ? "Light" : "Dark") + " mode \u00b7 " + document.querySelector("label[for=" + id + "]").textContent };
    }
    var article = field.match(/^resource_center\.articles(?:\[(\d+)\](?:\.(\w+))?)?/);
    if (article) {
      var holder = { control: document.getElementById("add-article"), label: "Help articles", holder: document.getElementById("rc-articles-error") };
      var item = article[1] === undefined ? null : document.querySelector("#rc-articles > [data-article-index='" + article[1] + "']");
      if (!item) return holder;
      var key = ["id", "title", "url", "summary"].indexOf(article[2]) >= 0 ? article[2] : "id";
      var control = item.querySelector("[name=article-" + key + "]");
      return { control: control, label: "Article " + (Number(article[1]) + 1) + " \u00b7 " + document.querySelector("label[for='" + control.id + "']").textContent };
    }
    return null;
  }

  function saveSettings() {
    var form = document.getElementById("settings-form");
    var box = document.getElementById("settings-errors");
    clearFieldErrors(form, box);
    setStatus("settings-status", "Saving\u2026");
    api("PUT", "/settings", settingsFromForm()).then(function (result) {
      if (!document.getElementById("settings-form")) return;
      if (!result.ok) {
        setStatus("settings-status", "Not saved.");
        showFieldErrors(result, box, settingsControlFor);
        return;
      }
      fillSettings(result.data || settingsFromForm());
      setStatus("settings-status", "Settings saved. Users get them on their next page load.");
    });
  }

  // Users ("why") ---------------------------------------------------------
  // For one user, every flow with its status and the first reason it is held back, in plain words.

  var STATUS_WORDS = { eligible: "Eligible", active: "In progress", completed: "Completed", blocked: "Not shown" };
  var REASON_WORDS = {
    draft_or_archived: "Not live: the flow is a draft or archived.",
    audience_not_matched: "Outside the audience: the user doesn't match who the flow is for.",
    prerequisite_missing: "Waiting on a prerequisite",
    already_completed: "Already completed, so it won't show again.",
    already_dismissed: "The user dismissed it, so it won't show again.",
    trigger_not_met: "Its trigger doesn't fire on this page.",
    blocked_by_session_limit: "Held back: the user already saw the most items allowed in one session.",
    blocked_by_cooldown: "Held back: too soon after the previous item (cool-down)."
  };

  function showUsers() {
    mount("view-users");
    document.title = "Users · Waymark admin";
    var params = new URLSearchParams(window.location.search);
    var idInput = document.getElementById("user-lookup-id");
    var urlInput = document.getElementById("user-lookup-url");
    idInput.value = params.get("user") || "";
    urlInput.value = params.get("url") || "";
    document.getElementById("user-lookup-form").addEventListener("submit", function (event) {
      event.preventDefault();
      lookUpUser();
    });
    if (idInput.value.trim()) lookUpUser(); else idInput.focus();
  }

  function lookUpUser() {
    var idInput = document.getElementById("user-lookup-id");
    var userId = idInput.value.trim();
    var url = document.getElementById("user-lookup-url").value.trim();
    var box = document.getElementById("users-error");
    var card = document.getElementById("eligibility-card");
    box.hidden = true;
    idInput.removeAttribute("aria-invalid");
    if (!userId) {
      idInput.setAttribute("aria-invalid", "true");
      showSummary(box, "Enter a user ID", [{ text: "The ID your product passes to waymark.identify(), e.g. demo-user.", href: "#user-lookup-id" }]);
      card.hidden = true;
      idInput.focus();
      return;
    }
    var query = "?user=" + encodeURIComponent(userId) + (url ? "&url=" + encodeURIComponent(url) : "");
    window.history.replaceState({}, "", "/users" + query);
    setStatus("users-status", "Looking up " + userId + "\u2026");
    api("GET", "/users/" + encodeURIComponent(userId) + "/eligibility" + (url ? "?url=" + encodeURIComponent(url) : "")).then(function (result) {
      if (!document.getElementById("eligibility-table")) return;
      if (!result.ok) {
        card.hidden = true;
        setStatus("users-status", "");
        var notFound = result.status === 404 && result.data && result.data.code === "user_not_found";
        showSummary(box, notFound ? "No such user" : "Couldn't explain this user's flows", [{
          text: notFound ? "No user with the ID \u201c" + userId + "\u201d has been seen yet. Check the ID your product passes to waymark.identify()." : errorMessage(result)
        }]);
        return;
      }
      renderEligibility(result.data, url);
    });
  }

  function renderEligibility(data, url) {
    var body = document.getElementById("eligibility-body");
    var items = (data && data.items) || [];
    body.replaceChildren();
    document.getElementById("eligibility-caption").textContent = "Flows for " + data.user_id + (url ? " on " + url : "");
    if (!items.length) {
      var empty = el("tr");
      var cell = el("td", "muted", "This app has no flows yet.");
      cell.colSpan = 4;
      empty.appendChild(cell);
      body.appendChild(empty);
    }
    items.forEach(function (item) {
      var row = el("tr");
      row.setAttribute("data-eligibility-row", item.flow_id);
      var nameCell = el("td");
      var link = el("a", "flow-name", item.name || item.flow_id);
      link.href = "/flows/" + encodeURIComponent(item.flow_id) + "/edit";
      link.setAttribute("data-link", "");
      nameCell.appendChild(link);
      nameCell.appendChild(el("div", "muted small mono", item.flow_id));
      row.appendChild(nameCell);
      row.appendChild(el("td", "", item.kind || ""));
      var statusCell = el("td");
      statusCell.setAttribute("data-eligibility-status", item.status);
      statusCell.appendChild(el("span", "badge badge-eligibility-" + item.status, STATUS_WORDS[item.status] || item.status));
      row.appendChild(statusCell);
      var reasonCell = el("td", "small");
      reasonCell.setAttribute("data-eligibility-reason", "");
      reasonCell.setAttribute("data-reason", item.reason || "");
      var words = item.reason ? REASON_WORDS[item.reason] || item.reason : item.status === "active" ? "In progress: it resumes where the user left off."
        : url ? "Would show on this page." : "Would show when its trigger fires.";
      if (item.detail) words = words.replace(/\.$/, "") + ": " + item.detail + ".";
      reasonCell.appendChild(document.createTextNode(words));
      if (item.reason) reasonCell.appendChild(el("div", "muted small mono", item.reason));
      row.appendChild(reasonCell);
      body.appendChild(row);
    });
    document.getElementById("eligibility-card").hidden = false;
    setStatus("users-status", items.length + (items.length === 1 ? " flow" : " flows") + " explained for " + data.user_id + ".");
  }

  // Insights: shared helpers ------------------------------------------------------
  // Tables, SVG charts (each with an accessible name and its numbers as a visually hidden table),
  // stat lists and the tag editor, shared by the surveys, feedback, accounts and problems pages.

  var SVG_NS = "http://www.w3.org/2000/svg";
  var KIND_WORDS = { nps: "NPS", ces: "CES", csat: "CSAT", single: "One choice", multiple: "Several choices", text: "Free text" };
  var CATEGORY_WORDS = { bug: "Bug", idea: "Idea", question: "Question", other: "Other" };
  var TASK_STATUS_WORDS = { todo: "To do", in_progress: "In progress", done: "Done" };
  var NOTE_KIND_WORDS = { objection: "Objection", challenge: "Challenge", note: "Note" };

  function svgNode(tag, attributes, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, String(attributes[name])); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  // "32", "3.5", "—" for a missing value.
  function formatNumber(value, digits) {
    if (!isNumber(value)) return "\u2014";
    var text = value.toFixed(digits === undefined ? 1 : digits);
    return text.indexOf(".") >= 0 ? text.replace(/\.?0+$/, "") : text;
  }

  function formatInterval(low, high, digits) {
    return isNumber(low) && isNumber(high) ? formatNumber(low, digits) + " to " + formatNumber(high, digits) : "\u2014";
  }

  function formatTime(ms) {
    if (!isNumber(ms)) return "\u2014";
    return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function shorten(text, length) {
    text = String(text || "");
    return text.length > length ? text.slice(0, length - 1) + "\u2026" : text;
  }

  // A client-side link (with an optional small id under it).
  function pageLink(text, href, detail) {
    var wrap = document.createDocumentFragment();
    var link = el("a", "flow-name", text);
    link.href = href;
    link.setAttribute("data-link", "");
    wrap.appendChild(link);
    if (detail) wrap.appendChild(el("div", "muted small mono", detail));
    return wrap;
  }

  function accountLink(accountId) {
    return accountId ? pageLink(accountId, "/accounts/" + encodeURIComponent(accountId)) : el("span", "muted", "No account");
  }

  function answers(count) {
    return count + (count === 1 ? " answer" : " answers");
  }

  function badge(text, kind) {
    return el("span", "badge" + (kind ? " badge-" + kind : ""), text);
  }

  // A table: `columns` are header texts; each row is {cells: [text or Node], attrs: {name: value}, className}.
  function dataTable(options) {
    var table = el("table", options.className || "");
    if (options.id) table.id = options.id;
    table.appendChild(el("caption", options.captionClass || "visually-hidden", options.caption));
    var headRow = el("tr");
    options.columns.forEach(function (column) {
      var th = el("th", "", column);
      th.scope = "col";
      headRow.appendChild(th);
    });
    var head = el("thead");
    head.appendChild(headRow);
    table.appendChild(head);
    var body = el("tbody");
    if (!options.rows.length) {
      var emptyRow = el("tr");
      var cell = el("td", "muted", options.empty || "Nothing to show yet.");
      cell.colSpan = options.columns.length;
      emptyRow.appendChild(cell);
      body.appendChild(emptyRow);
    }
    options.rows.forEach(function (row) {
      var tr = el("tr", row.className || "");
      Object.keys(row.attrs || {}).forEach(function (name) { tr.setAttribute(name, String(row.attrs[name])); });
      row.cells.forEach(function (cell, index) {
        var header = options.rowHeaders && index === 0;
        var td = el(header ? "th" : "td");
        if (header) td.scope = "row";
        if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? "" : String(cell);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  // Puts `content` (a node, or a message) into the element `id`, if the page is still shown.
  function fill(id, content) {
    var box = document.getElementById(id);
    if (!box) return null;
    box.replaceChildren(typeof content === "string" ? el("p", "muted pad", content) : content);
    return box;
  }

  // Stat cards: [[label, value, note], ...].
  function statList(stats, hook) {
    var list = el("dl", "stats");
    stats.forEach(function (stat) {
      var wrap = el("div", "stat");
      if (hook) wrap.setAttribute(hook, stat[3] || stat[0]);
      wrap.appendChild(el("dt", "", stat[0]));
      var value = el("dd", "", stat[1]);
      if (stat[2]) value.appendChild(el("span", "muted small stat-note", stat[2]));
      wrap.appendChild(value);
      list.appendChild(wrap);
    });
    return list;
  }

  // An SVG chart (`data-chart=kind`) named `name`, with its numbers in a visually hidden table.
  function chartFigure(kind, name, width, height, table) {
    var figure = el("figure", "chart");
    figure.setAttribute("data-chart", kind);
    var root = svgNode("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": name, "class": "chart-svg" });
    root.appendChild(svgNode("title", {}, name));
    figure.appendChild(root);
    figure.appendChild(dataTable({ caption: table.caption || name, columns: table.columns, rows: table.rows.map(function (cells) { return { cells: cells }; }), className: "visually-hidden", rowHeaders: true }));
    return { figure: figure, svg: root };
  }

  // The NPS split: promoters, passives and detractors side by side in one bar, with a legend in words.
  function npsSplitBar(nps) {
    var parts = [["Promoters", nps.promoters || 0, "promoters"], ["Passives", nps.passives || 0, "passives"], ["Detractors", nps.detractors || 0, "detractors"]];
    var total = parts.reduce(function (sum, part) { return sum + part[1]; }, 0);
    function share(count) { return total ? Math.round((count / total) * 100) : 0; }
    var name = "NPS " + formatNumber(nps.score, 0) + ": " + parts.map(function (part) { return share(part[1]) + "% " + part[0].toLowerCase(); }).join(", ") + " of " + total + " answers";
    var chart = chartFigure("nps-split", name, 600, 40, {
      caption: "NPS answers by group", columns: ["Group", "Answers", "Share"],
      rows: parts.map(function (part) { return [part[0], part[1], share(part[1]) + "%"]; })
    });
    var x = 0;
    if (!total) chart.svg.appendChild(svgNode("rect", { x: 0, y: 0, width: 600, height: 40, "class": "chart-empty" }));
    parts.forEach(function (part) {
      var width = total ? (part[1] / total) * 600 : 0;
      if (width <= 0) return;
      chart.svg.appendChild(svgNode("rect", { x: x, y: 0, width: width, height: 40, "class": "fill-" + part[2] }));
      if (width >= 48) chart.svg.appendChild(svgNode("text", { x: x + width / 2, y: 25, "text-anchor": "middle", "class": "chart-label label-" + part[2] }, share(part[1]) + "%"));
      x += width;
    });
    var legend = el("ul", "legend");
    legend.setAttribute("aria-hidden", "true");
    parts.forEach(function (part) {
      var item = el("li");
      item.appendChild(el("span", "swatch fill-" + part[2]));
      item.appendChild(document.createTextNode(part[0] + " " + part[1] + " (" + share(part[1]) + "%)"));
      legend.appendChild(item);
    });
    chart.figure.appendChild(legend);
    return chart.figure;
  }

  // A line over periods with its 95 % interval as a shaded band; `domain` is the y axis [min, max].
  // Points are {period, n, score | mean, ci_low, ci_high}.
  function lineChart(kind, label, points, domain, valueLabel) {
    var width = 600, height = 220, left = 44, right = 16, top = 12, bottom = 30;
    var values = points.map(function (point) { return isNumber(point.score) ? point.score : point.mean; });
    var shown = points.map(function (point, index) { return { point: point, value: values[index], index: index }; }).filter(function (entry) { return isNumber(entry.value); });
    var name = !shown.length ? label + ": no answers in this period"
      : label + ", " + shown.length + (shown.length === 1 ? " period" : " periods") + ": from " + formatNumber(shown[0].value, 1) + " (" + shown[0].point.period + ") to " +
        formatNumber(shown[shown.length - 1].value, 1) + " (" + shown[shown.length - 1].point.period + "); the shaded band is the 95 % interval";
    var chart = chartFigure(kind, name, width, height, {
      caption: label, columns: ["Period", "Answers", valueLabel, "95 % interval"],
      rows: points.map(function (point, index) { return [point.period, point.n, formatNumber(values[index], 1), formatInterval(point.ci_low, point.ci_high, 1)]; })
    });
    var plotWidth = width - left - right, plotHeight = height - top - bottom;
    function x(index) { return left + (points.length <= 1 ? plotWidth / 2 : (index * plotWidth) / (points.length - 1)); }
    function y(value) {
      var clamped = Math.max(domain[0], Math.min(domain[1], value));
      return top + ((domain[1] - clamped) / (domain[1] - domain[0])) * plotHeight;
    }
    [domain[0], (domain[0] + domain[1]) / 2, domain[1]].forEach(function (tick) {
      chart.svg.appendChild(svgNode("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), "class": "chart-grid" }));
      chart.svg.appendChild(svgNode("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", "class": "chart-axis" }, formatNumber(tick, 1)));
    });
    // The band runs over consecutive periods that have an interval; a lone one is a whisker.
    var runs = [];
    shown.forEach(function (entry) {
      if (!isNumber(entry.point.ci_low) || !isNumber(entry.point.ci_high)) return;
      var run = runs[runs.length - 1];
      if (run && run[run.length - 1].index === entry.index - 1) run.push(entry); else runs.push([entry]);
    });
    runs.forEach(function (run) {
      if (run.length === 1) {
        chart.svg.appendChild(svgNode("line", { x1: x(run[0].index), x2: x(run[0].index), y1: y(run[0].point.ci_high), y2: y(run[0].point.ci_low), "class": "chart-whisker" }));
        return;
      }
      var upper = run.map(function (entry) { return x(entry.index) + "," + y(entry.point.ci_high); });
      var lower = run.slice().reverse().map(function (entry) { return x(entry.index) + "," + y(entry.point.ci_low); });
      chart.svg.appendChild(svgNode("polygon", { points: upper.concat(lower).join(" "), "class": "chart-band" }));
    });
    if (shown.length > 1) {
      chart.svg.appendChild(svgNode("polyline", { points: shown.map(function (entry) { return x(entry.index) + "," + y(entry.value); }).join(" "), "class": "chart-line" }));
    }
    shown.forEach(function (entry) {
      chart.svg.appendChild(svgNode("circle", { cx: x(entry.index), cy: y(entry.value), r: 3.5, "class": "chart-dot" }));
    });
    var labelled = points.length > 2 ? [0, Math.floor((points.length - 1) / 2), points.length - 1] : points.map(function (point, index) { return index; });
    labelled.forEach(function (index) {
      chart.svg.appendChild(svgNode("text", { x: x(index), y: height - 8, "text-anchor": "middle", "class": "chart-axis" }, points[index].period));
    });
    if (!shown.length) chart.svg.appendChild(svgNode("text", { x: width / 2, y: height / 2, "text-anchor": "middle", "class": "chart-axis" }, "No answers in this period"));
    return chart.figure;
  }

  // Horizontal bars in the given order on [min, max]; rows are {label, value, low?, high?, cells}
  // (`cells` are the row of the screen-reader table), whiskers showing the 95 % interval.
  function barChart(kind, name, rows, domain, columns) {
    var width = 600, labelWidth = 230, right = 56, rowHeight = 30;
    var height = Math.max(1, rows.length) * rowHeight + 8;
    var chart = chartFigure(kind, name, width, height, { caption: name, columns: columns, rows: rows.map(function (row) { return row.cells; }) });
    var plotWidth = width - labelWidth - right;
    function x(value) { return labelWidth + ((Math.max(domain[0], Math.min(domain[1], value)) - domain[0]) / (domain[1] - domain[0])) * plotWidth; }
    rows.forEach(function (row, index) {
      var top = 4 + index * rowHeight;
      chart.svg.appendChild(svgNode("text", { x: labelWidth - 8, y: top + 17, "text-anchor": "end", "class": "chart-axis" }, shorten(row.label, 34)));
      chart.svg.appendChild(svgNode("rect", { x: labelWidth, y: top + 4, width: plotWidth, height: 18, "class": "chart-track" }));
      if (isNumber(row.value)) {
        chart.svg.appendChild(svgNode("rect", { x: labelWidth, y: top + 4, width: Math.max(0, x(row.value) - labelWidth), height: 18, "class": "chart-bar" }));
        chart.svg.appendChild(svgNode("text", { x: width - right + 6, y: top + 17, "class": "chart-axis" }, row.valueText || formatNumber(row.value, 1)));
      }
      if (isNumber(row.low) && isNumber(row.high)) {
        var middle = top + 13;
        chart.svg.appendChild(svgNode("line", { x1: x(row.low), x2: x(row.high), y1: middle, y2: middle, "class": "chart-whisker" }));
        [row.low, row.high].forEach(function (end) {
          chart.svg.appendChild(svgNode("line", { x1: x(end), x2: x(end), y1: middle - 6, y2: middle + 6, "class": "chart-whisker" }));
        });
      }
    });
    if (!rows.length) chart.svg.appendChild(svgNode("text", { x: width / 2, y: 24, "text-anchor": "middle", "class": "chart-axis" }, "No answers yet"));
    return chart.figure;
  }

  // The counts of each answer value as bars.
  function distributionChart(question, labels) {
    var rows = (question.distribution || []).map(function (entry) {
      var label = labels && labels[entry.value] ? labels[entry.value] : String(entry.value);
      return { label: label, value: entry.count, valueText: String(entry.count), cells: [label, entry.count] };
    });
    var most = rows.reduce(function (max, row) { return Math.max(max, row.value); }, 1);
    var name = "Answers to \u201c" + (question.title || question.step_id) + "\u201d: " + (rows.length ? rows.map(function (row) { return row.label + " " + row.value; }).join(", ") : "none yet");
    return barChart("distribution", name, rows, [0, most], ["Answer", "Answers"]);
  }

  // A small trend line of counts, named with its numbers.
  function sparkline(name, values) {
    var width = 120, height = 28;
    var root = svgNode("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img", "aria-label": name, "class": "sparkline" });
    root.appendChild(svgNode("title", {}, name));
    var most = Math.max.apply(null, [1].concat(values));
    function x(index) { return values.length <= 1 ? width / 2 : 3 + (index * (width - 6)) / (values.length - 1); }
    function y(value) { return height - 4 - (value / most) * (height - 8); }
    if (values.length > 1) root.appendChild(svgNode("polyline", { points: values.map(function (value, index) { return x(index) + "," + y(value); }).join(" "), "class": "chart-line" }));
    if (values.length) root.appendChild(svgNode("circle", { cx: x(values.length - 1), cy: y(values[values.length - 1]), r: 2.5, "class": "chart-dot" }));
    return root;
  }

  // A one-click "+ tag" button for a suggested tag.
  function suggestionChip(tag, onClick) {
    var chip = el("button", "chip chip-suggested", "+ " + tag);
    chip.type = "button";
    chip.setAttribute("data-suggested-tag", tag);
    chip.setAttribute("aria-label", "Add suggested tag " + tag);
    chip.addEventListener("click", onClick);
    return chip;
  }

  // Tags of one feedback entry, text answer or note (`kind`), saved at once with PUT /api/tags/KIND/ID;
  // suggested tags are one click away. `what` names the thing for screen readers.
  var tagSeq = 0;
  function tagEditor(kind, id, tags, suggested, what) {
    var state = { tags: (tags || []).slice(), suggested: (suggested || []).slice() };
    var uid = ++tagSeq;
    var box = el("div", "tag-editor");
    box.setAttribute("data-tag-editor", kind);
    box.setAttribute("data-tag-target", id);
    var list = el("ul", "chips");
    list.setAttribute("aria-label", "Tags of " + what);
    var suggestions = el("div", "chips suggestions");
    var form = el("form", "tag-add");
    form.noValidate = true;
    var input = textInput("tag", "", "add a tag");
    input.spellcheck = false;
    input.id = "tag-input-" + uid;
    var label = el("label", "visually-hidden", "Add a tag to " + what);
    label.htmlFor = input.id;
    var add = el("button", "button button-small", "Add tag");
    add.type = "submit";
    var message = el("p", "field-error");
    message.id = "tag-error-" + uid;
    message.hidden = true;
    var status = el("span", "visually-hidden");
    status.setAttribute("role", "status");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(add);
    [list, suggestions, form, message, status].forEach(function (node) { box.appendChild(node); });

    function render() {
      list.replaceChildren();
      if (!state.tags.length) list.appendChild(el("li", "muted small", "No tags"));
      state.tags.forEach(function (tag) {
        var chip = el("li", "chip");
        chip.setAttribute("data-tag", tag);
        chip.appendChild(document.createTextNode(tag));
        var remove = el("button", "chip-remove", "\u00d7");
        remove.type = "button";
        remove.setAttribute("aria-label", "Remove tag " + tag);
        remove.addEventListener("click", function () {
          save(state.tags.filter(function (other) { return other !== tag; }), function () { input.focus(); });
        });
        chip.appendChild(remove);
        list.appendChild(chip);
      });
      suggestions.replaceChildren();
      var open = state.suggested.filter(function (tag) { return state.tags.indexOf(tag) < 0; });
      suggestions.hidden = !open.length;
      if (!open.length) return;
      suggestions.appendChild(el("span", "muted small", "Suggested:"));
      open.forEach(function (tag) {
        suggestions.appendChild(suggestionChip(tag, function () { save(state.tags.concat([tag]), function () { input.focus(); }); }));
      });
    }

    function save(next, then) {
      message.hidden = true;
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      api("PUT", "/tags/" + kind + "/" + encodeURIComponent(id), { tags: next }).then(function (result) {
        if (!result.ok) {
          message.textContent = errorMessage(result);
          message.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", message.id);
          input.focus();
          return;
        }
        state.tags = result.data && Array.isArray(result.data.tags) ? result.data.tags : next;
        render();
        status.textContent = "Tags saved: " + (state.tags.join(", ") || "none") + ".";
        if (then) then();
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var tag = input.value.trim().toLowerCase();
      if (!tag) { input.focus(); return; }
      if (state.tags.indexOf(tag) >= 0) { input.value = ""; return; }
      save(state.tags.concat([tag]), function () { input.value = ""; input.focus(); });
    });
    render();
    return box;
  }

  // Query string of the non-empty `fields` ({name: value}).
  function queryOf(fields) {
    var params = new URLSearchParams();
    Object.keys(fields).forEach(function (name) { if (fields[name] !== "" && fields[name] !== null && fields[name] !== undefined) params.set(name, fields[name]); });
    var text = params.toString();
    return text ? "?" + text : "";
  }

  // Fills a filter form from the page's query string (a shared link shows the same results); returns the parameters.
  function restoreFilters(form) {
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(form.elements, function (control) { if (control.name && params.get(control.name)) control.value = params.get(control.name); });
    return params;
  }

  // The values of a filter form's named controls.
  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (control) { if (control.name) values[control.name] = control.value.trim(); });
    return values;
  }

  // A filter form's control for a collector error naming a query parameter.
  function filterControlFor(form) {
    return function (field) {
      var control = form.elements.namedItem(field);
      if (!control || !control.id) return null;
      return { control: control, label: document.querySelector("label[for='" + control.id + "']").textContent };
    };
  }

  function fillOptions(select, pairs) {
    pairs.forEach(function (pair) {
      var option = el("option", "", pair[1]);
      option.value = pair[0];
      select.appendChild(option);
    });
  }

  // Surveys -----------------------------------------------------------------------

  function showSurveys() {
    mount("view-surveys");
    document.title = "Surveys \u00b7 Waymark admin";
    api("GET", "/surveys").then(function (result) {
      if (!document.getElementById("surveys-list")) return;
      if (!result.ok) {
        showSummary(document.getElementById("surveys-error"), "Couldn't load surveys", [{ text: errorMessage(result) }]);
        fill("surveys-list", "No surveys to show.");
        return;
      }
      fill("surveys-list", dataTable({
        id: "surveys-table", caption: "All surveys", columns: ["Survey", "Status", "Asks", "Responses", "Last response"],
        empty: "No surveys yet. Create a flow of the type Survey.",
        rows: (result.data || []).map(function (survey) {
          return {
            attrs: { "data-survey-row": survey.flow_id },
            cells: [pageLink(survey.name, "/surveys/" + encodeURIComponent(survey.flow_id), survey.flow_id), badge(survey.status, survey.status),
              (survey.kinds || []).map(function (kind) { return KIND_WORDS[kind] || kind; }).join(", "), survey.responses, formatTime(survey.last_response_at)]
          };
        })
      }));
    });
    api("GET", "/ces").then(function (result) {
      if (!result.ok) { fill("ces-chart", "Couldn't load the effort scores: " + errorMessage(result)); return; }
      var rows = (result.data || []).slice().sort(function (a, b) { return a.mean - b.mean; }).map(function (row) {
        var label = (row.flow_name || row.flow_id) + (row.step_id ? " \u00b7 " + (row.step_title || row.step_id) : "");
        return { label: label, value: row.mean, low: row.ci_low, high: row.ci_high, cells: [label, formatNumber(row.mean, 2), formatInterval(row.ci_low, row.ci_high, 2), row.n] };
      });
      var name = rows.length ? "Effort (CES) by flow and step, hardest first: " + rows.slice(0, 3).map(function (row) { return row.label + " " + formatNumber(row.value, 1); }).join("; ")
        : "Effort (CES) by flow and step: no answers yet";
      fill("ces-chart", barChart("ces", name, rows, [1, 7], ["Flow or step", "Mean (1\u20137)", "95 % interval", "Answers"]));
    });
    api("GET", "/csat?interval=week").then(function (result) {
      if (!result.ok) { fill("csat-chart", "Couldn't load satisfaction: " + errorMessage(result)); return; }
      var data = result.data || {};
      var wrap = document.createDocumentFragment();
      wrap.appendChild(statList([["Mean (1\u20135)", formatNumber(data.mean, 2)], ["Satisfied (4\u20135)", isNumber(data.satisfied_percent) ? formatNumber(data.satisfied_percent, 0) + "%" : "\u2014"], ["Answers", data.n || 0]]));
      wrap.appendChild(lineChart("csat-over-time", "CSAT over time by week", data.over_time || [], [1, 5], "Mean (1\u20135)"));
      fill("csat-chart", wrap);
    });
  }

  function showSurvey(flowId) {
    mount("view-survey");
    document.title = "Survey results \u00b7 Waymark admin";
    document.getElementById("survey-crumb").textContent = flowId;
    document.getElementById("survey-edit").href = "/flows/" + encodeURIComponent(flowId) + "/edit";
    var form = document.getElementById("results-filters");
    var params = restoreFilters(form);
    var labels = {};
    api("GET", "/segments").then(function (result) {
      if (!result.ok || !document.getElementById("filter-segment")) return;
      fillOptions(document.getElementById("filter-segment"), (result.data || []).map(function (segment) { return [segment.id, segment.name]; }));
      if (params.get("segment")) document.getElementById("filter-segment").value = params.get("segment");
    });
    api("GET", "/accounts").then(function (result) {
      if (!result.ok || !document.getElementById("filter-account")) return;
      fillOptions(document.getElementById("filter-account"), (result.data || []).map(function (account) { return [account.id, account.name]; }));
      if (params.get("account")) document.getElementById("filter-account").value = params.get("account");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load();
    });

    function load() {
      var box = document.getElementById("survey-error");
      clearFieldErrors(form, box);
      var values = formValues(form);
      window.history.replaceState({}, "", "/surveys/" + encodeURIComponent(flowId) + queryOf(values));
      var resultsQuery = queryOf({ from: values.from, to: values.to, segment: values.segment, account: values.account, interval: values.interval });
      var filters = { survey: flowId, segment: values.segment, account: values.account, from: values.from, to: values.to, band: values.band };
      document.getElementById("download-csv").href = "/api/responses.csv" + queryOf(filters);
      setStatus("survey-status", "Loading\u2026");
      Promise.all([
        api("GET", "/surveys/" + encodeURIComponent(flowId) + "/results" + resultsQuery),
        api("GET", "/responses" + queryOf(Object.assign({ limit: 100 }, filters))),
        api("GET", "/flows/" + encodeURIComponent(flowId))
      ]).then(function (results) {
        if (!document.getElementById("survey-results")) return;
        var failed = results.slice(0, 2).filter(function (result) { return !result.ok; })[0];
        if (results[2].ok) labels = optionLabels(results[2].data);
        document.getElementById("survey-results").setAttribute("aria-busy", "false");
        if (failed) {
          setStatus("survey-status", "");
          showFieldErrors(failed, box, filterControlFor(form));
          return;
        }
        renderResults(results[0].data, labels);
        renderResponses(results[1].data);
      });
    }
    load();
  }

  // {step id: {option id: label}} of a survey flow, to name choice answers.
  function optionLabels(flow) {
    var labels = {};
    (flow.steps || []).forEach(function (step) {
      var options = step.question && step.question.options;
      if (!options) return;
      labels[step.id] = {};
      options.forEach(function (option) { labels[step.id][option.id] = option.label; });
    });
    return labels;
  }

  function renderResults(data, labels) {
    document.getElementById("survey-title").textContent = data.name || data.flow_id;
    document.getElementById("survey-crumb").textContent = data.name || data.flow_id;
    document.getElementById("survey-meta").textContent = data.responses + (data.responses === 1 ? " response" : " responses");
    var container = document.getElementById("survey-results");
    container.replaceChildren();
    (data.questions || []).forEach(function (question) {
      var section = el("section", "card insight question-results");
      section.setAttribute("data-question", question.step_id);
      var headingId = "question-" + question.step_id.replace(/[^a-zA-Z0-9_-]/g, "_");
      var heading = el("h2", "", question.title || question.step_id);
      heading.id = headingId;
      section.setAttribute("aria-labelledby", headingId);
      section.appendChild(heading);
      section.appendChild(el("p", "muted small", (KIND_WORDS[question.kind] || question.kind) + " \u00b7 " + answers(question.n)));
      section.appendChild(questionBody(question, labels[question.step_id]));
      container.appendChild(section);
    });
    setStatus("survey-status", "");
  }

  function questionBody(question, labels) {
    var body = document.createDocumentFragment();
    if (question.kind === "nps" && question.nps) {
      var nps = question.nps;
      body.appendChild(statList([["NPS", formatNumber(nps.score, 0), "95 %: " + formatInterval(nps.ci_low, nps.ci_high, 0), "score"],
        ["Promoters", nps.promoters], ["Passives", nps.passives], ["Detractors", nps.detractors]], "data-stat"));
      body.appendChild(npsSplitBar(nps));
      body.appendChild(lineChart("nps-over-time", "NPS over time", question.over_time || [], [-100, 100], "NPS"));
      return body;
    }
    if (SCALE_KINDS[question.kind]) {
      var range = SCALE_KINDS[question.kind];
      var stats = [["Mean (" + range[0] + "\u2013" + range[1] + ")", formatNumber(question.mean, 2), "95 %: " + formatInterval(question.ci_low, question.ci_high, 2), "mean"]];
      if (question.kind === "csat") stats.push(["Satisfied (4\u20135)", isNumber(question.satisfied_percent) ? formatNumber(question.satisfied_percent, 0) + "%" : "\u2014"]);
      body.appendChild(statList(stats, "data-stat"));
      body.appendChild(lineChart("mean-over-time", KIND_WORDS[question.kind] + " over time", question.over_time || [], range, "Mean"));
      body.appendChild(distributionChart(question));
      return body;
    }
    if (CHOICE_KINDS[question.kind]) {
      body.appendChild(distributionChart(question, labels));
      return body;
    }
    body.appendChild(el("p", "muted", "Free-text answers are listed under Responses, where you can tag them."));
    return body;
  }

  function answerText(answer) {
    return Array.isArray(answer) ? answer.join(", ") : answer === null || answer === undefined ? "" : String(answer);
  }

  function renderResponses(data) {
    var rows = (data && data.rows) || [];
    fill("responses-list", dataTable({
      id: "responses-table", caption: "Responses", columns: ["Answered", "User", "Account", "Question", "Answer", "Tags"],
      empty: "No responses match these filters.",
      rows: rows.map(function (row) {
        var tags = row.kind === "text" ? tagEditor("answer", row.message_id, row.tags, [], "the answer of " + row.user_id) : (row.tags || []).join(", ");
        return {
          attrs: { "data-response-row": row.message_id, "data-kind": row.kind },
          cells: [formatTime(row.answered_at), row.user_id, accountLink(row.account_id), row.step_id, answerText(row.answer), tags]
        };
      })
    }));
    setStatus("survey-status", "Showing " + rows.length + " of " + ((data && data.total) || 0) + " responses.");
  }

  // Feedback ------------------------------------------------------------------------

  function showFeedback() {
    mount("view-feedback");
    document.title = "Feedback \u00b7 Waymark admin";
    var form = document.getElementById("feedback-filters");
    var params = restoreFilters(form);
    form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
    document.getElementById("feedback-category").addEventListener("change", load);
    function load() {
      var box = document.getElementById("feedback-error");
      clearFieldErrors(form, box);
      var values = formValues(form);
      window.history.replaceState({}, "", "/feedback" + queryOf(values));
      setStatus("feedback-status", "Loading\u2026");
      api("GET", "/feedback" + queryOf(Object.assign({ limit: 100 }, values))).then(function (result) {
        if (!document.getElementById("feedback-list")) return;
        if (!result.ok) {
          setStatus("feedback-status", "");
          showFieldErrors(result, box, filterControlFor(form));
          fill("feedback-list", "No feedback to show.");
          return;
        }
        fill("feedback-list", feedbackTable("feedback-table", result.data.rows || [], "Feedback entries"));
        setStatus("feedback-status", "Showing " + (result.data.rows || []).length + " of " + (result.data.total || 0) + " entries.");
      });
    }
    load();
  }

  // Feedback rows (the Feedback page and a register card), each with its tag editor.
  function feedbackTable(id, rows, caption) {
    return dataTable({
      id: id, caption: caption, columns: ["Received", "Category", "Feedback", "From", "Tags"], empty: "No feedback yet.",
      rows: rows.map(function (row) {
        var from = el("div");
        from.appendChild(accountLink(row.account_id));
        from.appendChild(el("div", "muted small", row.user_id));
        if (row.page_url) from.appendChild(el("div", "muted small mono", shorten(row.page_url, 60)));
        return {
          attrs: { "data-feedback-row": row.id, "data-category": row.category },
          cells: [formatTime(row.created_at), badge(CATEGORY_WORDS[row.category] || row.category, "category-" + row.category), el("p", "feedback-text", row.text), from,
            tagEditor("feedback", row.id, row.tags, row.suggested_tags, "the feedback from " + row.user_id)]
        };
      })
    });
  }

  // Accounts ------------------------------------------------------------------------

  function showAccounts() {
    mount("view-accounts");
    document.title = "Accounts \u00b7 Waymark admin";
    api("GET", "/accounts").then(function (result) {
      if (!document.getElementById("accounts-list")) return;
      if (!result.ok) {
        showSummary(document.getElementById("accounts-error"), "Couldn't load accounts", [{ text: errorMessage(result) }]);
        fill("accounts-list", "No accounts to show.");
        return;
      }
      fill("accounts-list", dataTable({
        id: "accounts-table", caption: "All accounts", columns: ["Account", "Plan", "Users", "Onboarding", "NPS", "Specialist", "Overdue tasks"],
        empty: "No accounts yet. Accounts appear once your product calls waymark.group().",
        rows: (result.data || []).map(function (account) {
          var overdue = account.overdue_tasks || 0;
          return {
            attrs: { "data-account-row": account.id },
            cells: [pageLink(account.name, "/accounts/" + encodeURIComponent(account.id), account.id), (account.traits || {}).plan || "\u2014", account.users,
              formatNumber(account.onboarding_percent, 0) + "%", formatNumber(account.nps, 0),
              account.specialist || el("span", "muted", "Unassigned"), overdue ? badge(overdue + " overdue", "overdue") : "0"]
          };
        })
      }));
    });
  }

  function showAccount(accountId) {
    mount("view-account");
    document.title = "Account \u00b7 Waymark admin";
    document.getElementById("account-crumb").textContent = accountId;
    var base = "/accounts/" + encodeURIComponent(accountId);
    var box = document.getElementById("account-error");
    var tagRules = [];
    api("GET", "/tag-rules").then(function (result) { if (result.ok && result.data) tagRules = result.data.rules || []; });

    function controlsById(ids) {
      return function (field) {
        var id = ids[field.split(/[.[]/)[0]];
        var control = id && document.getElementById(id);
        return control ? { control: control, label: document.querySelector("label[for='" + id + "']").textContent } : null;
      };
    }

    // Sends a form's request; field errors go next to its controls, success reloads the card.
    function submit(form, request, ids, done) {
      clearFieldErrors(form, box);
      request().then(function (result) {
        if (!document.getElementById("account-title")) return;
        if (!result.ok) { showFieldErrors(result, box, controlsById(ids)); return; }
        done(result.data);
        load();
      });
    }

    document.getElementById("specialist-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var value = document.getElementById("account-specialist").value.trim();
      submit(event.target, function () { return api("PUT", base + "/specialist", { specialist: value || null }); }, { specialist: "account-specialist" }, function () {
        setStatus("account-status", value ? "Assigned to " + value + "." : "Specialist cleared.");
      });
    });

    var noteText = document.getElementById("note-text");
    var noteTags = document.getElementById("note-tags");
    function splitTags(raw) { return raw.split(",").map(function (tag) { return tag.trim().toLowerCase(); }).filter(Boolean); }
    function suggestNoteTags() {
      var set = splitTags(noteTags.value);
      var tags = suggestTags(noteText.value, tagRules).filter(function (tag) { return set.indexOf(tag) < 0; });
      var holder = document.getElementById("note-tag-suggestions");
      holder.replaceChildren();
      if (tags.length) holder.appendChild(el("span", "muted small", "Suggested:"));
      tags.forEach(function (tag) {
        holder.appendChild(suggestionChip(tag, function () {
          noteTags.value = splitTags(noteTags.value).concat([tag]).join(", ");
          suggestNoteTags();
          noteTags.focus();
        }));
      });
    }
    noteText.addEventListener("input", suggestNoteTags);
    noteTags.addEventListener("input", suggestNoteTags);
    document.getElementById("note-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var kind = document.getElementById("note-kind").value;
      var note = { kind: kind, text: noteText.value.trim(), tags: splitTags(noteTags.value) };
      submit(event.target, function () { return api("POST", base + "/notes", note); }, { kind: "note-kind", text: "note-text", tags: "note-tags" }, function () {
        noteText.value = "";
        noteTags.value = "";
        suggestNoteTags();
        setStatus("account-status", NOTE_KIND_WORDS[kind] + " added.");
      });
    });
    document.getElementById("plan-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var task = formValues(event.target);
      submit(event.target, function () { return api("POST", base + "/plan", task); }, { title: "plan-title", owner: "plan-owner", due: "plan-due", status: "plan-status" }, function () {
        document.getElementById("plan-title").value = "";
        setStatus("account-status", "Task \u201c" + task.title + "\u201d added to the plan.");
      });
    });

    function load() {
      return api("GET", base).then(function (result) {
        if (!document.getElementById("account-title")) return;
        if (!result.ok) {
          showSummary(box, result.status === 404 ? "No such account" : "Couldn't load the account", [{ text: errorMessage(result) }]);
          return;
        }
        renderAccount(result.data, load);
      });
    }
    load();
  }

  // engine-compatible suggestions: a rule's tag when one of its keywords starts a word of the text.
  function suggestTags(text, rules) {
    var words = String(text || "").toLowerCase().split(/[^a-z0-9\u00c0-\u024f]+/).filter(Boolean);
    return rules.filter(function (rule) {
      return (rule.keywords || []).some(function (keyword) {
        keyword = String(keyword).toLowerCase();
        return words.some(function (word) { return word.indexOf(keyword) === 0; });
      });
    }).map(function (rule) { return rule.tag; });
  }

  function renderAccount(account, reload) {
    document.title = account.name + " \u00b7 Waymark admin";
    document.getElementById("account-title").textContent = account.name;
    document.getElementById("account-crumb").textContent = account.name;
    document.getElementById("account-meta").textContent = account.id + " \u00b7 " + (account.users || []).length + ((account.users || []).length === 1 ? " user" : " users");
    var specialist = document.getElementById("account-specialist");
    if (document.activeElement !== specialist) specialist.value = account.specialist || "";

    var traits = account.traits || {};
    var data = el("dl", "facts");
    Object.keys(traits).sort().forEach(function (key) {
      data.appendChild(el("dt", "", key));
      data.appendChild(el("dd", "", typeof traits[key] === "object" ? JSON.stringify(traits[key]) : traits[key]));
    });
    fill("account-data", Object.keys(traits).length ? data : "No traits yet.");

    var scores = account.scores || {};
    fill("account-scores", statList([
      ["NPS", scores.nps ? formatNumber(scores.nps.score, 0) : "\u2014", scores.nps ? answers(scores.nps.n) : "no answers", "nps"],
      ["CES (1\u20137)", scores.ces ? formatNumber(scores.ces.mean, 2) : "\u2014", scores.ces ? answers(scores.ces.n) : "no answers", "ces"],
      ["CSAT (1\u20135)", scores.csat ? formatNumber(scores.csat.mean, 2) : "\u2014", scores.csat ? answers(scores.csat.n) : "no answers", "csat"]
    ], "data-score"));

    var onboarding = (account.onboarding || []).map(function (flow) {
      return { label: flow.name, value: flow.percent, valueText: formatNumber(flow.percent, 0) + "%", cells: [flow.name, flow.kind, flow.completed_users + " of " + flow.total_users, formatNumber(flow.percent, 0) + "%"] };
    });
    fill("account-onboarding", barChart("onboarding", "Onboarding progress of " + account.name + ": " + (onboarding.length ? onboarding.map(function (row) { return row.label + " " + row.valueText; }).join(", ") : "no key flows yet"),
      onboarding, [0, 100], ["Flow", "Kind", "Users done", "Share"]));

    fill("account-users", dataTable({
      id: "account-users-table", caption: "Users of " + account.name, columns: ["User", "Last active", "Completed", "Stuck at"], empty: "No users yet.",
      rows: (account.users || []).map(function (user) {
        var who = el("div");
        var traits = user.traits || {};
        who.appendChild(el("strong", "", [traits.first_name, traits.last_name].filter(Boolean).join(" ") || user.user_id));
        who.appendChild(el("div", "muted small mono", user.user_id));
        var stuck = user.stuck ? (user.stuck.flow_name || user.stuck.flow_id) + " \u00b7 " + (user.stuck.step_title || user.stuck.step_id) : "\u2014";
        return { attrs: { "data-user-row": user.user_id }, cells: [who, formatTime(user.last_active_at), (user.completed || []).join(", ") || "\u2014", stuck] };
      })
    }));

    [["objections-list", account.objections], ["challenges-list", account.challenges], ["notes-list", account.notes]].forEach(function (pair) {
      var list = document.getElementById(pair[0]);
      list.replaceChildren();
      if (!(pair[1] || []).length) list.appendChild(el("li", "muted small", "None yet."));
      (pair[1] || []).forEach(function (note) { list.appendChild(noteItem(note, reload)); });
    });

    fill("plan-list", dataTable({
      id: "plan-table", caption: "Onboarding plan of " + account.name, columns: ["Task", "Owner", "Due", "Status", "Actions"], empty: "No tasks yet.",
      rows: (account.plan || []).map(function (task) { return planRow(task, reload); })
    }));
    fill("account-feedback", feedbackTable("account-feedback-table", account.feedback || [], "Feedback from " + account.name));

    var timeline = document.getElementById("account-timeline");
    timeline.replaceChildren();
    if (!(account.timeline || []).length) timeline.appendChild(el("li", "muted", "Nothing happened yet."));
    (account.timeline || []).forEach(function (entry) {
      var item = el("li");
      item.appendChild(el("span", "muted small timeline-at", formatTime(entry.at)));
      item.appendChild(el("strong", "", entry.name || entry.type));
      item.appendChild(document.createTextNode(" \u00b7 " + entry.user_id + (entry.detail ? " \u00b7 " + entry.detail : "")));
      timeline.appendChild(item);
    });
  }

  function noteItem(note, reload) {
    var item = el("li", "note card-inner");
    item.setAttribute("data-note-id", note.id);
    item.setAttribute("data-note-kind", note.kind);
    item.appendChild(el("p", "note-text", note.text));
    item.appendChild(el("p", "muted small", (note.author || "admin") + " \u00b7 " + formatTime(note.created_at)));
    item.appendChild(tagEditor("note", note.id, note.tags, note.suggested_tags, "the " + (NOTE_KIND_WORDS[note.kind] || "note").toLowerCase() + " \u201c" + shorten(note.text, 40) + "\u201d"));
    var remove = el("button", "button button-small button-danger", "Delete");
    remove.type = "button";
    remove.setAttribute("data-action", "delete-note");
    remove.setAttribute("aria-label", "Delete the " + (NOTE_KIND_WORDS[note.kind] || "note").toLowerCase() + " \u201c" + shorten(note.text, 40) + "\u201d");
    remove.addEventListener("click", function () {
      if (!window.confirm("Delete this " + (NOTE_KIND_WORDS[note.kind] || "note").toLowerCase() + "?")) return;
      api("DELETE", "/notes/" + encodeURIComponent(note.id)).then(function (result) {
        if (!result.ok) { showSummary(document.getElementById("account-error"), "Couldn't delete it", [{ text: errorMessage(result) }]); return; }
        setStatus("account-status", "Deleted.");
        reload();
      });
    });
    item.appendChild(remove);
    return item;
  }

  function planRow(task, reload) {
    var status = el("select");
    status.name = "task-status";
    status.setAttribute("aria-label", "Status of \u201c" + task.title + "\u201d");
    fillOptions(status, Object.keys(TASK_STATUS_WORDS).map(function (key) { return [key, TASK_STATUS_WORDS[key]]; }));
    status.value = task.status;
    status.addEventListener("change", function () {
      api("PUT", "/plan/" + encodeURIComponent(task.id), { title: task.title, owner: task.owner, due: task.due, status: status.value }).then(function (result) {
        if (!result.ok) { showSummary(document.getElementById("account-error"), "Couldn't change the task", [{ text: errorMessage(result) }]); return; }
        setStatus("account-status", "\u201c" + task.title + "\u201d is now " + TASK_STATUS_WORDS[status.value].toLowerCase() + ".");
        reload();
      });
    });
    var due = el("span", "", task.due);
    var dueCell = el("div");
    dueCell.appendChild(due);
    if (task.overdue) dueCell.appendChild(badge("Overdue", "overdue"));
    var remove = el("button", "button button-small button-danger", "Delete");
    remove.type = "button";
    remove.setAttribute("data-action", "delete-task");
    remove.setAttribute("aria-label", "Delete the task \u201c" + task.title + "\u201d");
    remove.addEventListener("click", function () {
      if (!window.confirm("Delete the task \u201c" + task.title + "\u201d?")) return;
      api("DELETE", "/plan/" + encodeURIComponent(task.id)).then(function () { reload(); });
    });
    return {
      className: task.overdue ? "row-overdue" : "",
      attrs: { "data-task-id": task.id, "data-overdue": !!task.overdue, "data-status": task.status },
      cells: [task.title, task.owner, dueCell, status, remove]
    };
  }

  // Problems ------------------------------------------------------------------------

  function showProblems() {
    mount("view-problems");
    document.title = "Problems \u00b7 Waymark admin";
    var form = document.getElementById("tag-rules-form");
    var box = document.getElementById("problems-error");
    api("GET", "/tag-rules").then(function (result) {
      if (!result.ok || !document.getElementById("tag-rules")) return;
      document.getElementById("problem-threshold").value = String(result.data.threshold);
      document.getElementById("tag-rules").value = (result.data.rules || []).map(function (rule) { return rule.tag + ": " + (rule.keywords || []).join(", "); }).join("\n");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearFieldErrors(form, box);
      var threshold = document.getElementById("problem-threshold").value.trim();
      var rules = document.getElementById("tag-rules").value.split("\n").map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
        var colon = line.indexOf(":");
        var tag = (colon < 0 ? line : line.slice(0, colon)).trim();
        var keywords = colon < 0 ? [] : line.slice(colon + 1).split(",").map(function (word) { return word.trim(); }).filter(Boolean);
        return { tag: tag, keywords: keywords };
      });
      api("PUT", "/tag-rules", { threshold: /^\d+$/.test(threshold) ? Number(threshold) : threshold, rules: rules }).then(function (result) {
        if (!document.getElementById("tag-rules")) return;
        if (!result.ok) {
          showFieldErrors(result, box, function (field) {
            var id = field.indexOf("threshold") === 0 ? "problem-threshold" : "tag-rules";
            return { control: document.getElementById(id), label: document.querySelector("label[for=" + id + "]").textContent };
          });
          return;
        }
        setStatus("problems-status", "Saved. Problems are recurrent from " + result.data.threshold + " accounts.");
        loadProblems();
      });
    });
    loadProblems();
  }

  function loadProblems() {
    return api("GET", "/problems").then(function (result) {
      if (!document.getElementById("problems-list")) return;
      if (!result.ok) {
        showSummary(document.getElementById("problems-error"), "Couldn't load problems", [{ text: errorMessage(result) }]);
        fill("problems-list", "No problems to show.");
        return;
      }
      var data = result.data || {};
      fill("problems-list", dataTable({
        id: "problems-table", caption: "Problems ranked by accounts (recurrent from " + data.threshold + " accounts)",
        columns: ["Rank", "Tag", "Accounts", "Responses", "Kind", "Last 8 weeks", "Details"], empty: "No tagged feedback, answers or notes yet.",
        rows: (data.rows || []).map(function (row, index) {
          var kind = badge(row.recurrent ? "Recurrent" : "Specific", row.recurrent ? "recurrent" : "specific");
          kind.setAttribute("data-problem-badge", row.recurrent ? "recurrent" : "specific");
          var trend = (row.trend || []).map(function (week) { return week.accounts; });
          var drill = el("button", "button button-small", "Show responses");
          drill.type = "button";
          drill.setAttribute("data-action", "drill");
          drill.setAttribute("aria-label", "Show responses tagged " + row.tag);
          drill.setAttribute("aria-controls", "problem-detail");
          drill.addEventListener("click", function () { showProblem(row.tag); });
          return {
            attrs: { "data-problem-row": row.tag, "data-rank": index + 1, "data-accounts": row.accounts, "data-recurrent": !!row.recurrent },
            cells: [index + 1, el("strong", "mono", row.tag), row.accounts, row.responses, kind,
              sparkline("Accounts raising " + row.tag + " per week, last " + trend.length + " weeks: " + trend.join(", "), trend), drill]
          };
        })
      }));
    });
  }

  function showProblem(tag) {
    var section = document.getElementById("problem-detail");
    document.getElementById("problem-detail-title").textContent = "Responses tagged \u201c" + tag + "\u201d";
    section.hidden = false;
    fill("problem-rows", "Loading\u2026");
    api("GET", "/problems/" + encodeURIComponent(tag)).then(function (result) {
      if (!document.getElementById("problem-rows")) return;
      if (!result.ok) { fill("problem-rows", "Couldn't load them: " + errorMessage(result)); return; }
      fill("problem-rows", dataTable({
        id: "problem-table", caption: "Responses tagged " + tag, columns: ["Source", "Account", "User", "Text", "When"], empty: "Nothing carries this tag any more.",
        rows: (result.data.rows || []).map(function (row) {
          return { attrs: { "data-problem-source": row.source }, cells: [row.source, accountLink(row.account_id), row.user_id || "\u2014", row.text, formatTime(row.created_at)] };
        })
      }));
      section.focus();
    });
  }

  route();
})();
