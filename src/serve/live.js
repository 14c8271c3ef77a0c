/* Altitude live reload (served only by `altitude serve`). Listens for
 * builds, reloads the page when its own file changed (keeping the scroll
 * position), swaps stylesheets in place when only CSS changed, shows the
 * build's problems over the page, and reconnects by itself. */
(function () {
  "use strict";
  var KEY = "altitude-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    var y = Number(saved);
    var restore = function () { window.scrollTo(0, y); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }
  var seen = null;

  function reload() {
    sessionStorage.setItem(KEY, String(window.scrollY));
    location.reload();
  }

  // The page's new content, swapped in where the old was: no reload, so no
  // flash, and the scroll position stays. Anything unexpected: a reload.
  function swap() {
    fetch(location.href, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var parts = ["main", "sidebar-sections", "altitude-previews"];
      var pairs = parts.map(function (id) {
        return [document.getElementById(id), fresh.getElementById(id)];
      });
      if (pairs.some(function (p) { return !p[0] !== !p[1]; })) throw new Error("layout changed");
      document.title = fresh.title;
      pairs.forEach(function (p) { if (p[0]) p[0].replaceWith(p[1]); });
      document.dispatchEvent(new CustomEvent("altitude:swapped"));
    }).catch(reload);
  }

  // A page that is gone goes to its nearest surviving parent.
  function gone() {
    var parent = function (p) { return p.replace(/[^/]*\/?$/, "") || "/"; };
    (function probe(p) {
      if (p === "/") return location.replace("/");
      fetch(p, { method: "HEAD", cache: "no-store" }).then(function (r) {
        if (r.ok) location.replace(p); else probe(parent(p));
      }, function () { location.replace("/"); });
    })(parent(location.pathname));
  }

  function swapCss(version) {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("v", version);
      link.href = url.href;
    });
  }

  function overlay(report) {
    var box = document.getElementById("altitude-overlay");
    if (!report) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "altitude-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:24px;" +
        "background:rgba(20,20,24,.94);color:#f4f4f5;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace";
      document.body.appendChild(box);
    }
    box.innerHTML = "";
    var title = document.createElement("p");
    title.textContent = "The last build failed. The page shows the last good build. Fix the problem and save:";
    title.style.cssText = "font:600 15px/1.4 system-ui,sans-serif;margin:0 0 12px;color:#fca5a5";
    var pre = document.createElement("pre");
    pre.textContent = report;
    pre.style.cssText = "white-space:pre-wrap;margin:0";
    box.append(title, pre);
  }

  function connect() {
    var source = new EventSource("/__altitude/events?path=" + encodeURIComponent(location.pathname));
    source.addEventListener("hello", function (e) {
      var state = JSON.parse(e.data);
      // The page is live from here on (tests and styles may ask).
      document.documentElement.setAttribute("data-altitude-live", "");
      // After a restart of the server, a newer build may be waiting.
      if (seen !== null && state.version !== seen) return reload();
      seen = state.version;
      overlay(state.failure);
    });
    // A good build. A page that has loaded the search index keeps it in
    // memory: when the index changed, only a reload searches the new one.
    function built(e, then) {
      var data = JSON.parse(e.data);
      seen = data.version;
      overlay(null);
      if (data.search && window.altitudeSearch) return reload();
      then();
    }
    source.addEventListener("reload", function () { reload(); });
    source.addEventListener("swap", function (e) { built(e, swap); });
    source.addEventListener("gone", function () { gone(); });
    source.addEventListener("css", function (e) { built(e, function () { swapCss(seen); }); });
    source.addEventListener("built", function (e) { built(e, function () {}); });
    source.addEventListener("failed", function (e) { overlay(JSON.parse(e.data).report); });
    // EventSource retries by itself; if the server is gone for good, it
    // keeps trying every few seconds.
  }
  connect();
})();
