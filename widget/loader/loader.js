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

  function warn(what, error) {
    try { if (w.console) w.console.warn("waymark: " + what, error); } catch (ignored) { /* never throw */ }
  }

  // Where loader.js came from; the hashed files sit beside it.
  var base = "";
  try {
    var cs = d.currentScript;
    if (cs && cs.src) base = cs.src.replace(/[^\/]*(\?.*)?(#.*)?$/, "");
  } catch (e) { /* fall through */ }
  if (!base) base = String((wm._o && wm._o.host) || "").replace(/\/+$/, "") + "/sdk/";

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
      if (mod) mod.call(method, args);
      else queue.push([method, args]);
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
  queue = pending;
  wm._q = queue;

  import(base + "__WAYMARK_GLUE__")
    .then(function (glue) {
      return glue.default({ module_or_path: base + "__WAYMARK_WASM__" }).then(function () {
        var options = wm._o || {};
        glue.start(String(options.host || ""), String(options.writeKey || ""), emit);
        mod = glue;
        var replay = queue.splice(0, queue.length);
        for (var j = 0; j < replay.length; j++) dispatch(replay[j][0], replay[j][1] || []);
        glue.boot();
      });
    })
    .catch(function (e) { warn("failed to load the widget", e); });
})(window, document);
