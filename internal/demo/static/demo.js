// sessionkit demo: small progressive enhancements; every page works without them.
// No request leaves this site.
"use strict";
(function () {
  function fmt(s) {
    var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  // Live countdown until the cookie's signature expires if left idle.
  var timer = null;
  function countdowns() {
    if (timer) clearInterval(timer);
    var els = document.querySelectorAll("[data-countdown]");
    if (!els.length) return;
    var start = Date.now();
    function tick() {
      var gone = Math.floor((Date.now() - start) / 1000);
      els.forEach(function (el) {
        var left = parseInt(el.getAttribute("data-countdown"), 10) - gone;
        el.textContent = left > 0 ? fmt(left) : el.getAttribute("data-expired");
      });
    }
    tick();
    timer = setInterval(tick, 1000);
  }
  // Reload the inspector panel: it shows the cookie the browser holds now,
  // after this page's response refreshed or changed it.
  function refreshPanel() {
    var box = document.getElementById("inspector");
    if (!box) return Promise.resolve();
    return fetch(box.getAttribute("data-panel"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { box.innerHTML = html; box.setAttribute("data-fresh", "1"); countdowns(); })
      .catch(function () { countdowns(); });
  }
  // Exemplo 01: the buttons make the real request and show its answer.
  function steps() {
    var out = document.getElementById("answer");
    document.querySelectorAll("[data-step]").forEach(function (a) {
      a.setAttribute("role", "button");
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        fetch(a.getAttribute("href"), { credentials: "same-origin", cache: "no-store" })
          .then(function (r) { return r.text(); })
          .then(function (t) { out.textContent = "GET " + a.getAttribute("href") + " → " + t; return refreshPanel(); });
      });
      a.addEventListener("keydown", function (ev) {
        if (ev.key === " ") { ev.preventDefault(); a.click(); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    steps();
    countdowns();
    refreshPanel();
  });
})();
