// Tasklane's single-page app: client-side routing with history.pushState, the views' behaviour, and the product events sent to Waymark.
(function () {
  "use strict";

  var user = window.tasklaneUser || { id: "demo-user", first_name: "Ada", email: "demo-user@acme.test" };

  // `start` and `weeks` place each project on the timeline view (weeks from today).
  var projects = [
    { name: "Website relaunch", lead: "Ada Lovelace", status: "On track", progress: 72, tasks: 18, due: "Dec 12", start: 0, weeks: 3 },
    { name: "Mobile app v2", lead: "Grace Hopper", status: "At risk", progress: 41, tasks: 27, due: "Jan 20", start: 1, weeks: 8 },
    { name: "Billing migration", lead: "Alan Turing", status: "On track", progress: 88, tasks: 9, due: "Nov 30", start: 0, weeks: 1 },
    { name: "Customer onboarding", lead: "Ada Lovelace", status: "Planning", progress: 12, tasks: 14, due: "Feb 3", start: 4, weeks: 7 }
  ];
  var TIMELINE_WEEKS = 12;
  var projectView = "list";
  var activity = [
    { who: "Grace Hopper", what: "completed", item: "API rate limiting", when: "12 min ago" },
    { who: "Alan Turing", what: "commented on", item: "Invoice PDF layout", when: "1 h ago" },
    { who: "Ada Lovelace", what: "moved", item: "Pricing page copy to Review", when: "3 h ago" },
    { who: "Katherine Johnson", what: "created", item: "Q1 roadmap review", when: "yesterday" }
  ];
  var team = [
    { name: "Ada Lovelace", role: "Admin" },
    { name: "Grace Hopper", role: "Member" },
    { name: "Alan Turing", role: "Member" }
  ];

  var routes = { "/": "dashboard", "/projects": "projects", "/settings": "settings" };
  var main = document.getElementById("main");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function initials(name) {
    return name.split(/\s+/).map(function (part) { return part.charAt(0); }).join("").slice(0, 2).toUpperCase();
  }

  function toast(message) {
    var box = document.getElementById("toast");
    box.textContent = message;
    box.hidden = false;
    window.clearTimeout(toast.timer);
    toast.timer = window.setTimeout(function () { box.hidden = true; }, 3500);
  }

  function routeName(path) {
    var clean = path.length > 1 ? path.replace(/\/+$/, "") : path;
    return routes[clean] || "not-found";
  }

  function render() {
    var name = routeName(window.location.pathname);
    var template = document.getElementById("view-" + name);
    main.replaceChildren(template.content.cloneNode(true));
    document.querySelectorAll(".sidebar a[data-route]").forEach(function (link) {
      if (link.getAttribute("data-route") === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    var titles = { dashboard: "Dashboard", projects: "Projects", settings: "Settings", "not-found": "Not found" };
    document.title = titles[name] + " · Tasklane";
    if (name === "dashboard") renderDashboard();
    if (name === "projects") renderProjects();
    if (name === "settings") renderSettings();
  }

  function navigate(path, afterRender) {
    if (path !== window.location.pathname) window.history.pushState({}, "", path);
    render();
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    if (afterRender) afterRender();
    window.waymark.page();
  }

  // Views -------------------------------------------------------------

  function renderDashboard() {
    main.querySelectorAll("[data-first-name]").forEach(function (node) { node.textContent = user.first_name; });
    main.querySelector("[data-stat=projects]").textContent = String(projects.length);
    var list = main.querySelector("[data-activity]");
    activity.forEach(function (entry) {
      var item = el("li");
      item.appendChild(el("span", "avatar avatar-sm", initials(entry.who)));
      var text = el("p");
      text.appendChild(el("strong", "", entry.who));
      text.appendChild(document.createTextNode(" " + entry.what + " "));
      text.appendChild(el("span", "activity-item", entry.item));
      item.appendChild(text);
      item.appendChild(el("span", "muted small", entry.when));
      list.appendChild(item);
    });
  }

  function projectRow(project) {
    var item = el("li", "project");
    var head = el("div", "project-main");
    head.appendChild(el("h3", "project-name", project.name));
    head.appendChild(el("p", "muted small", "Lead: " + project.lead + " · " + project.tasks + " tasks · due " + project.due));
    item.appendChild(head);
    var statusClass = project.status === "At risk" ? "badge badge-red" : project.status === "Planning" ? "badge badge-grey" : "badge badge-green";
    item.appendChild(el("span", statusClass, project.status));
    var meter = el("div", "meter");
    var bar = el("progress");
    bar.max = 100;
    bar.value = project.progress;
    bar.setAttribute("aria-label", project.name + " progress");
    meter.appendChild(bar);
    meter.appendChild(el("span", "small", project.progress + "%"));
    item.appendChild(meter);
    // The timeline bar: CSSOM writes, which the strict CSP allows (no style="" attributes).
    var track = el("div", "timeline-track");
    track.setAttribute("aria-hidden", "true");
    var bar = el("div", "timeline-bar");
    var start = project.start || 0;
    var weeks = project.weeks || 2;
    bar.style.marginLeft = Math.min(100, (start / TIMELINE_WEEKS) * 100) + "%";
    bar.style.width = Math.min(100 - (start / TIMELINE_WEEKS) * 100, (weeks / TIMELINE_WEEKS) * 100) + "%";
    track.appendChild(bar);
    item.appendChild(track);
    return item;
  }

  function renderProjects() {
    var list = main.querySelector("[data-projects]");
    function drawProjects() {
      var shown = projects.slice();
      if (projectView === "timeline") shown.sort(function (a, b) { return (a.start + a.weeks) - (b.start + b.weeks); });
      list.replaceChildren();
      shown.forEach(function (project) { list.appendChild(projectRow(project)); });
      list.classList.toggle("projects-timeline", projectView === "timeline");
      document.getElementById("list-view").setAttribute("aria-pressed", String(projectView === "list"));
      document.getElementById("timeline-view").setAttribute("aria-pressed", String(projectView === "timeline"));
    }
    ["list", "timeline"].forEach(function (view) {
      document.getElementById(view + "-view").addEventListener("click", function () {
        projectView = view;
        drawProjects();
        window.waymark.track("project_view_changed", { view: view });
      });
    });
    drawProjects();

    var dialog = document.getElementById("create-project-dialog");
    var form = document.getElementById("create-project-form");
    var input = document.getElementById("project-name");
    var error = document.getElementById("project-name-error");
    document.getElementById("new-project").addEventListener("click", function () {
      form.reset();
      error.hidden = true;
      input.removeAttribute("aria-invalid");
      dialog.showModal();
      input.focus();
    });
    dialog.querySelector("[data-close-dialog]").addEventListener("click", function () { dialog.close(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = input.value.trim();
      if (!name) {
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "project-name-error");
        input.focus();
        return;
      }
      var project = { name: name, lead: document.getElementById("project-lead").value, status: "Planning", progress: 0, tasks: 0, due: "—", start: 2, weeks: 4 };
      projects.unshift(project);
      drawProjects();
      activity.unshift({ who: user.first_name, what: "created", item: name, when: "just now" });
      dialog.close();
      window.waymark.track("project_created", { name: name });
      toast("Project \u201c" + name + "\u201d created");
    });
  }

  function renderSettings() {
    document.getElementById("profile-name").value = user.first_name;
    document.getElementById("profile-email").value = user.email;
    document.getElementById("profile-form").addEventListener("submit", function (event) {
      event.preventDefault();
      toast("Profile saved");
    });
    var teamList = main.querySelector("[data-team]");
    function drawTeam() {
      teamList.replaceChildren();
      team.forEach(function (member) {
        var item = el("li");
        item.appendChild(el("span", "avatar avatar-sm", initials(member.name)));
        item.appendChild(el("span", "team-name", member.name));
        item.appendChild(el("span", "badge badge-grey", member.role));
        teamList.appendChild(item);
      });
    }
    drawTeam();
    var inviteForm = document.getElementById("invite-form");
    inviteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var email = document.getElementById("invite-email");
      if (!email.checkValidity()) { email.reportValidity(); return; }
      var role = document.getElementById("invite-role");
      team.push({ name: email.value.trim() + " (invited)", role: role.options[role.selectedIndex].text });
      drawTeam();
      window.waymark.track("teammate_invited");
      toast("Invite sent to " + email.value.trim());
      inviteForm.reset();
    });
  }

  function focusInvite() {
    var section = document.getElementById("invite-section");
    if (section) section.scrollIntoView({ block: "start" });
    var email = document.getElementById("invite-email");
    if (email) email.focus({ preventScroll: true });
  }

  // Wiring -------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-link]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(new URL(link.href).pathname);
  });

  document.getElementById("invite-teammates").addEventListener("click", function () {
    if (routeName(window.location.pathname) === "settings") focusInvite();
    else navigate("/settings", focusInvite);
  });

  window.addEventListener("popstate", function () {
    render();
    window.waymark.page();
  });

  document.getElementById("user-avatar").textContent = initials(user.first_name);
  document.getElementById("user-label").textContent = "Signed in as " + user.first_name + " (" + user.email + ")";
  render();
})();
