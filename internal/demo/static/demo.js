// sessionkit demo: small progressive enhancements; every page works without them.
// No request leaves this site.
"use strict";
(function () {
  function fmt(s) {
    var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  // Live countdown until the cookie's signature expires if nothing re-signs it.
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
  // Times are written in UTC by the server; show them in the visitor's own
  // zone, which the page names.
  function localTimes(root) {
    var lang = document.documentElement.lang || undefined;
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d.getTime())) return;
      var opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" };
      if (el.getAttribute("data-local") !== "time") {
        opts.year = "numeric"; opts.month = "2-digit"; opts.day = "2-digit";
      }
      el.title = el.textContent;
      el.textContent = new Intl.DateTimeFormat(lang, opts).format(d);
    });
  }
  // A copy button after every command and code block (and the fresh key).
  function copyButtons() {
    var body = document.body;
    document.querySelectorAll(".copy").forEach(function (el) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "copy-btn";
      b.textContent = body.getAttribute("data-copy");
      b.addEventListener("click", function () {
        var text = el.value !== undefined && el.tagName === "INPUT" ? el.value : el.textContent;
        var done = function () { b.textContent = body.getAttribute("data-copied"); };
        var failed = function () {
          b.textContent = body.getAttribute("data-copyfail");
          var range = document.createRange();
          range.selectNodeContents(el);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, failed);
        } else {
          failed();
        }
        setTimeout(function () { b.textContent = body.getAttribute("data-copy"); }, 2500);
      });
      el.insertAdjacentElement("afterend", b);
    });
  }
  // Reload the inspector panel: it shows the cookie the browser holds now,
  // after this page's response refreshed or changed it.
  function refreshPanel() {
    var box = document.getElementById("inspector");
    if (!box) return Promise.resolve();
    return fetch(box.getAttribute("data-panel"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { box.innerHTML = html; localTimes(box); box.setAttribute("data-fresh", "1"); countdowns(); })
      .catch(function () { box.setAttribute("data-fresh", "1"); countdowns(); });
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
    copyButtons();
    localTimes(document);
    countdowns();
    refreshPanel();
  });
})();
