/* Altitude default theme — progressive enhancements only.
 * Every page is complete without this file. It adds:
 *   1. the dark-mode toggle (#theme-toggle), persisted in localStorage;
 *   2. index.html rewriting for directory links when opened from file://;
 *   3. a collapsible sidebar on narrow screens;
 *   4. small fixes: a print button on the print edition, names for task-list
 *      checkboxes;
 *   5. search: loads search/search.js when the header box is first focused,
 *      the "/" and Ctrl-K / Cmd-K shortcuts, and marks the words of a result
 *      link's ?h= on the page it opens.
 * Each feature checks for the elements it needs and does nothing without them.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "altitude-theme";
  var root = document.documentElement;

  /* ---- storage (may throw in privacy modes or sandboxed file:// pages) ---- */

  function readStoredTheme() {
    try {
      var value = window.localStorage.getItem(STORAGE_KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function storeTheme(value) {
    try {
      window.localStorage.setItem(STORAGE_KEY, value);
    } catch (e) {
      /* Not persisted; the choice still applies to this page. */
    }
  }

  /* ---- 1. theme toggle ---- */

  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function effectiveTheme() {
    var explicit = root.dataset.theme;
    if (explicit === "light" || explicit === "dark") {
      return explicit;
    }
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  function setupThemeToggle() {
    var button = document.getElementById("theme-toggle");
    if (!button) {
      return;
    }

    // The accessible name stays "Dark mode" and aria-pressed says whether it
    // is on: changing both the name and the state would contradict itself.
    // The title tells sighted mouse users what a click will do.
    function sync() {
      var dark = effectiveTheme() === "dark";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
      button.title = dark ? "Switch to light mode" : "Switch to dark mode";
    }

    button.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      storeTheme(next);
      sync();
    });

    // Follow system changes while the reader has not chosen explicitly.
    if (darkQuery) {
      var onSystemChange = function () {
        if (!readStoredTheme()) {
          sync();
        }
      };
      if (darkQuery.addEventListener) {
        darkQuery.addEventListener("change", onSystemChange);
      } else if (darkQuery.addListener) {
        darkQuery.addListener(onSystemChange);
      }
    }

    sync();
    button.hidden = false;
  }

  /* ---- 2. file:// navigation ---- */

  // "../guide/" → "../guide/index.html", "./#x" → "./index.html#x",
  // "." → "./index.html". Absolute URLs, scheme URLs, root-relative paths and
  // pure fragments/queries are left alone. Returns null when nothing changes.
  function withIndexFile(href) {
    if (!href || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(href)) {
      return null;
    }
    var first = href.charAt(0);
    if (first === "/" || first === "#" || first === "?") {
      return null;
    }
    var cut = href.search(/[?#]/);
    var path = cut === -1 ? href : href.slice(0, cut);
    var rest = cut === -1 ? "" : href.slice(cut);
    if (path === "." || path === "..") {
      return path + "/index.html" + rest;
    }
    if (path.charAt(path.length - 1) === "/") {
      return path + "index.html" + rest;
    }
    return null;
  }

  function fixLink(link) {
    var fixed = withIndexFile(link.getAttribute("href"));
    if (fixed !== null) {
      link.setAttribute("href", fixed);
    }
  }

  function setupFileLinks() {
    if (window.location.protocol !== "file:") {
      return;
    }
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      fixLink(links[i]);
    }
    // The search form's "search/" action, likewise.
    var forms = document.querySelectorAll("form[action]");
    for (var j = 0; j < forms.length; j++) {
      var action = withIndexFile(forms[j].getAttribute("action"));
      if (action !== null) {
        forms[j].setAttribute("action", action);
      }
    }
    // Links added later (none today) are fixed as they are followed.
    document.addEventListener("click", function (event) {
      var target = event.target;
      var link = target && target.closest ? target.closest("a[href]") : null;
      if (link) {
        fixLink(link);
      }
    });
  }

  /* ---- 3. collapsible sidebar ---- */

  function setupSidebar() {
    var nav = document.querySelector(".sidebar");
    var button = nav ? nav.querySelector(".sidebar-toggle") : null;
    if (!nav || !button) {
      return;
    }
    // CSS collapses .is-collapsible navs under 900px unless .is-open; on wide
    // screens it hides the button, so the list always shows there.
    nav.classList.add("is-collapsible");
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    button.hidden = false;
  }

  /* ---- 4. small fixes ---- */

  function setupPrintButton() {
    var buttons = document.querySelectorAll("[data-altitude-print]");
    if (!window.print) {
      return;
    }
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        window.print();
      });
      buttons[i].hidden = false;
    }
  }

  // Markdown task lists render as bare disabled checkboxes; give them a name.
  function labelTaskCheckboxes() {
    var boxes = document.querySelectorAll("li > input[type='checkbox']");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby") && !box.id) {
        box.setAttribute("aria-label", box.checked ? "Done" : "Not done");
      }
    }
  }

  // Link previews: hovering or focusing a link to another page of the site
  // shows its title and definition or summary. The data is embedded in the
  // page (no fetch), so this works from file:// too; without JS links stay links.
  function setupPreviews() {
    var data = document.getElementById("altitude-previews");
    var previews;
    try {
      previews = JSON.parse(data ? data.textContent : "{}");
    } catch (e) {
      return;
    }
    // `altitude serve` swaps a saved page's content in place: read the
    // previews of the new content.
    document.addEventListener("altitude:swapped", function () {
      var fresh = document.getElementById("altitude-previews");
      try {
        previews = JSON.parse(fresh ? fresh.textContent : "{}");
      } catch (e) {
        previews = {};
      }
    });
    var popover = document.createElement("div");
    popover.id = "altitude-preview";
    popover.className = "preview-popover";
    popover.setAttribute("role", "tooltip");
    popover.hidden = true;
    // Inside <main>, so that all content sits in a landmark. Live reload swaps
    // <main> for a new one, dropping the popover: show() puts it back.
    var host = function () { return document.querySelector("main") || document.body; };
    host().appendChild(popover);
    var current = null;

    function lookup(link) {
      var href = (link.getAttribute("href") || "").split("#")[0];
      return previews[href] || previews[href.replace(/index\.html$/, "")];
    }
    function show(link) {
      var p = lookup(link);
      if (!p) return;
      if (!popover.isConnected) host().appendChild(popover);
      popover.textContent = "";
      [["preview-kind", p.k], ["preview-title", p.t], ["preview-text", p.d]].forEach(function (part) {
        if (!part[1]) return;
        var el = document.createElement("p");
        el.className = part[0];
        el.textContent = part[1];
        popover.appendChild(el);
      });
      var box = link.getBoundingClientRect();
      popover.hidden = false;
      var left = Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - popover.offsetWidth - 8);
      popover.style.left = Math.max(8, left) + "px";
      popover.style.top = box.bottom + window.scrollY + 6 + "px";
      link.setAttribute("aria-describedby", popover.id);
      current = link;
    }
    function hide() {
      if (current) current.removeAttribute("aria-describedby");
      popover.hidden = true;
      current = null;
    }
    function linkOf(event) {
      var el = event.target;
      return el && el.closest ? el.closest("main a[href]") : null;
    }
    document.addEventListener("mouseover", function (e) {
      var link = linkOf(e);
      if (link && link !== current) show(link);
    });
    document.addEventListener("mouseout", function (e) {
      var link = linkOf(e);
      if (link && link === current && !link.contains(e.relatedTarget)) hide();
    });
    document.addEventListener("focusin", function (e) {
      var link = linkOf(e);
      if (link) show(link); else hide();
    });
    document.addEventListener("focusout", function (e) {
      if (linkOf(e) === current) hide();
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !popover.hidden) hide();
    });
  }

  /* ---- 5. search ---- */

  // The index and its client weigh nothing until the reader asks for them.
  function setupSearch() {
    var form = document.querySelector("form[data-root]");
    var input = form ? form.querySelector("input[name='q']") : null;
    if (!input) {
      return;
    }
    input.addEventListener("focus", function () {
      if (window.altitudeSearch || document.querySelector("script[data-search]")) {
        return; // loaded, loading, or loaded eagerly by the search page
      }
      var script = document.createElement("script");
      script.src = form.getAttribute("data-root") + "search/search.js";
      script.setAttribute("data-search", "");
      document.head.appendChild(script);
    });
    document.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.altKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) {
        return;
      }
      var mod = event.ctrlKey || event.metaKey;
      if ((event.key === "/" && !mod) || (mod && (event.key === "k" || event.key === "K"))) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
  }

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f'’]/g, "")
      .replace(/[øłß]/g, function (c) { return { "ø": "o", "ł": "l", "ß": "s" }[c]; });
  }

  // ?h=word+word (from a search result): mark the words in the page's title and prose
  // that start with a query word, or that a query word starts with (a stem).
  function markSearchHits() {
    var query = new URLSearchParams(window.location.search).get("h");
    var wanted = query ? fold(query).split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 1; }) : [];
    if (!wanted.length) {
      return;
    }
    function hit(word) {
      var f = fold(word);
      return wanted.some(function (w) {
        return f.startsWith(w) || (f.length >= 3 && w.length - f.length <= 4 && w.startsWith(f));
      });
    }
    var texts = [];
    var proses = document.querySelectorAll(".page-header h1, .prose");
    for (var i = 0; i < proses.length; i++) {
      var walker = document.createTreeWalker(proses[i], NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        if (!walker.currentNode.parentElement.closest("code, pre, script, style, mark, svg")) {
          texts.push(walker.currentNode);
        }
      }
    }
    var marked = 0;
    texts.forEach(function (node) {
      var parts = node.nodeValue.split(/([\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*)/u);
      if (!parts.some(function (part, j) { return j % 2 && hit(part); })) {
        return;
      }
      var frag = document.createDocumentFragment();
      parts.forEach(function (part, j) {
        if (j % 2 && hit(part)) {
          var mark = document.createElement("mark");
          mark.className = "search-hit";
          mark.textContent = part;
          frag.appendChild(mark);
          marked++;
        } else if (part) {
          frag.appendChild(document.createTextNode(part));
        }
      });
      node.parentNode.replaceChild(frag, node);
    });
    // The marks may shift the text a little: land on the #anchor again.
    var target = null;
    try {
      target = marked && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    } catch (e) {
      /* a malformed #fragment: nothing to land on */
    }
    if (target) {
      target.scrollIntoView();
    }
  }

  function init() {
    setupThemeToggle();
    setupSearch();
    markSearchHits();
    setupPreviews();
    setupSidebar();
    setupFileLinks();
    setupPrintButton();
    labelTaskCheckboxes();
    // New content swapped in by `altitude serve` gets the same touches.
    document.addEventListener("altitude:swapped", function () {
      setupPrintButton();
      labelTaskCheckboxes();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
