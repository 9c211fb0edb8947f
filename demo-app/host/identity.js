// Tells Waymark who the demo user is: ?user=, ?first_name= and ?plan= (kept in sessionStorage across SPA navigation).
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var store = window.sessionStorage;
  function remember(key, fromQuery, fallback) {
    var value = params.get(fromQuery);
    try {
      if (value) { store.setItem(key, value); return value; }
      return store.getItem(key) || fallback;
    } catch (e) {
      return value || fallback;
    }
  }
  var userId = remember("tasklane.user", "user", "demo-user");
  var firstName = remember("tasklane.first_name", "first_name", "Ada");
  var plan = remember("tasklane.plan", "plan", "pro");
  var signedUpAt = remember("tasklane.signed_up_at", "signed_up_at", new Date().toISOString());
  try { store.setItem("tasklane.signed_up_at", signedUpAt); } catch (e) { /* storage may be off */ }
  var email = userId.toLowerCase().replace(/[^a-z0-9._-]+/g, "-") + "@acme.test";

  window.tasklaneUser = { id: userId, first_name: firstName, email: email, plan: plan, signed_up_at: signedUpAt };
  window.waymark.identify(userId, { first_name: firstName, email: email, plan: plan, signed_up_at: signedUpAt });
  window.waymark.group("acme", { name: "Acme Inc", plan: "pro" });
})();
