/*! Waymark loader: fetches the widget (JS glue + wasm) and hands it the snippet's queue. */
(function (w, d) {
  "use strict";
  var wm = w.waymark;
  if (!wm || typeof wm !== "object" || wm._loading) return;
  wm._loading = true;

  var METHODS = ["identify", "group", "track", "page", "start", "reset", "on", "off", "preview"];
  var queue = wm._q || [];
  var listeners = {};
  var isReady = false;
  var mod = null;
  var options = wm._o || {};
  var host = String(options.host || "").replace(/\/+$/, "");
  var writeKey = String(options.writeKey || "");
  // An admin or other page that only previews flows: nothing starts, shows or is tracked.
  var previewOnly = options.previewOnly === true;

  function warn(what, error) {
    try { if (w.console) w.console.warn("waymark: " + what, error); } catch (ignored) { /* never throw */ }
  }

  // Where loader.js came from; the hashed files sit beside it.
  var base = "";
  try {
    var cs = d.currentScript;
    if (cs && cs.src) base = cs.src.replace(/[^\/]*(\?.*)?(#.*)?$/, "");
  } catch (e) { /* fall through */ }
  if (!base) base = host + "/sdk/";

  // The critical path is download → compile → boot → render. Nothing here waits for the glue:
  // the wasm downloads and compiles (off the main thread) while the glue loads, and boot's round
  // trip runs meanwhile too; the wasm takes the answer if it is for the same user and page.
  var wasmUrl = base + "__WAYMARK_WASM__";
  var glueLoad = import(base + "__WAYMARK_GLUE__");
  var wasmModule = Promise.resolve(wasmUrl);
  try {
    if (WebAssembly.compileStreaming) {
      // On any failure the glue fetches the URL itself, the ordinary way.
      wasmModule = WebAssembly.compileStreaming(fetch(wasmUrl)).catch(function () { return wasmUrl; });
    }
  } catch (e) { /* keep the URL */ }

  // [user id, page url, promise of the boot answer's text or null] — what glue.boot may reuse.
  var prefetched = null;
  function userIdOf(value) {
    var text = typeof value === "number" ? String(value) : typeof value === "string" ? value : "";
    return text.trim();
  }
  function prefetchBoot(user, traits) {
    if (!user || mod || (prefetched && prefetched[0] === user)) return;
    try {
      var url = String(w.location.href);
      var enc = encodeURIComponent;
      // The identified traits ride along so a brand-new user's first page can be targeted by them.
      var withTraits = traits && typeof traits === "object" ? "&traits=" + enc(JSON.stringify(traits)) : "";
      // The same query the wasm sends (its `locale` is navigator.languages, most preferred first).
      var locale = "&locale=" + enc((w.navigator.languages || []).join(","));
      var answer = fetch(host + "/v1/boot?write_key=" + enc(writeKey) + "&user_id=" + enc(user) + "&url=" + enc(url) + locale + withTraits,
        { mode: "cors", credentials: "omit" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .catch(function () { return null; });
      prefetched = [user, url, answer];
    } catch (e) { prefetched = null; }
  }

  // Called by the wasm for every lifecycle event and for "ready".
  function emit(name, detail) {
    if (name === "ready") isReady = true;
    var list = (listeners[name] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try { list[i](detail); } catch (e) { warn("a '" + name + "' callback threw", e); }
    }
  }

  function on(name, cb) {
    if (typeof cb !== "function") return;
    (listeners[name] = listeners[name] || []).push(cb);
    if (name === "ready" && isReady) {
      try { cb({}); } catch (e) { warn("a 'ready' callback threw", e); }
    }
  }

  function off(name, cb) {
    var list = listeners[name];
    if (!list) return;
    if (cb === undefined) { delete listeners[name]; return; }
    for (var i = list.length - 1; i >= 0; i--) if (list[i] === cb) list.splice(i, 1);
  }

  function dispatch(method, args) {
    try {
      if (method === "on") return on(args[0], args[1]);
      if (method === "off") return off(args[0], args[1]);
      if (mod) return mod.call(method, args);
      queue.push([method, args]);
      if (method === "identify") prefetchBoot(userIdOf(args[0]), args[1]);
      if (method === "reset") prefetched = null;
    } catch (e) {
      warn(method + " failed", e);
    }
  }

  METHODS.forEach(function (method) {
    wm[method] = function () {
      dispatch(method, Array.prototype.slice.call(arguments));
      return wm;
    };
  });
  // on/off calls queued by the snippet take effect at once; the rest wait for the wasm.
  var pending = [];
  for (var i = 0; i < queue.length; i++) {
    var item = queue[i];
    if (item && (item[0] === "on" || item[0] === "off")) dispatch(item[0], item[1] || []);
    else if (item) pending.push(item);
  }
  queue = [];
  wm._q = queue;
  // The remembered user boots unless the page identifies someone else (each identify re-aims it).
  try { prefetchBoot(w.localStorage.getItem("waymark:user:" + writeKey)); } catch (e) { /* storage off */ }
  for (var k = 0; k < pending.length; k++) dispatch(pending[k][0], pending[k][1] || []);

  Promise.all([glueLoad, wasmModule])
    .then(function (loaded) {
      var glue = loaded[0];
      return glue.default({ module_or_path: loaded[1] }).then(function () {
        glue.start(host, writeKey, emit, previewOnly);
        mod = glue;
        var replay = queue.splice(0, queue.length);
        for (var j = 0; j < replay.length; j++) dispatch(replay[j][0], replay[j][1] || []);
        // The early boot answer counts only for the user the queue left the widget with (the
        // widget remembers it in localStorage) and this very page.
        var answer;
        try {
          if (prefetched && prefetched[0] === w.localStorage.getItem("waymark:user:" + writeKey) &&
              prefetched[1] === String(w.location.href)) answer = prefetched[2];
        } catch (e) { /* boot fetches for itself */ }
        glue.boot(answer);
      });
    })
    .catch(function (e) { warn("failed to load the widget", e); });
})(window, document);
