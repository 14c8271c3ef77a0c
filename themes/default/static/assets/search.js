/* Altitude search client for the index of docs/search-index.md. The build
 * appends `altitudeSearch.manifest({...});` to its copy, search/search.js,
 * which altitude.js loads on first focus of the search box (the search page
 * loads it eagerly). No dependency; works over HTTP and from file://. */
var altitudeSearch = (() => {
"use strict";
// Never indexed: in a query they could only match by prefix or typo.
const STOP = " a an and are as at be but by for from if in into is it its of on or so that the their then there these this to was were will with ";
const FILE = location.protocol === "file:";
const form = document.querySelector("form[data-root]");
const root = form ? form.dataset.root : "";
// Shard keys; per key the first key of its pack (the file holding it);
// per key its shard's promise; per pack file its loading; per key its shard
// once a pack brought it.
const keys = new Set(), packOf = {}, cache = {}, files = {}, got = {};
let index;

/* ---- words and matching ---- */

const fold = (s) => s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f'’]/g, "")
  .replace(/[øłß]/g, (c) => ({ ø: "o", ł: "l", ß: "s" })[c]);
// A string's shard key: two characters, longer where the build split a
// prefix (every proper prefix of a key is one), `_` once the string ends.
const split = new Set();
function key(t) {
  const cs = [...t];
  let k = cs.length > 1 ? cs[0] + cs[1] : t + "_";
  while (split.has(k)) k += cs[[...k].length] ?? "_";
  return k;
}
// Shard file names: bytes outside [a-z0-9_] as ~hh.
const fileName = (k) => [...k].map((c) => /[a-z0-9_]/.test(c) ? c
  : [...new TextEncoder().encode(c)].map((b) => "~" + b.toString(16).padStart(2, "0")).join("")).join("");

// Folded words, once each; stop words go unless last (it may be growing).
function queryWords(q) {
  const ws = fold(q).match(/[\p{L}\p{N}]+/gu) || [];
  return ws.filter((w, i) => ws.indexOf(w) === i && (i === ws.length - 1 || !STOP.includes(` ${w} `)));
}

// Damerau–Levenshtein (optimal string alignment) distance of a, b <= max.
function near(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return false;
  let before = [], prev = [...Array(b.length + 1).keys()];
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], before[j - 2] + 1);
    }
    if (Math.min(...cur) > max) return false;
    [before, prev] = [prev, cur];
  }
  return prev[b.length] <= max;
}

// Score factor of index term t for query word w: exact, stem, prefix, typo.
function factor(w, t) {
  // English stems turn a final y into i: "clarity" is indexed as "clariti".
  const wi = w.endsWith("y") ? w.slice(0, -1) + "i" : w;
  if (t === w || t === wi || (t.length >= 3 && w.length - t.length <= 4 && w.startsWith(t))) return 1;
  if (w.length >= 2 && t.startsWith(w)) return 0.8;
  return near(w, t, w.length >= 8 ? 2 : 1) ? 0.5 : 0;
}

/* ---- shards ---- */

// A postings string: per document, its index gap as a varint (five bits at a
// time, lowest first, 32 + bits while more follow) and a score character.
const ABC = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
function decode(s) {
  const out = [];
  for (let i = 0, doc = 0; i < s.length;) {
    let c, gap = 0, shift = 0;
    while ((c = ABC.indexOf(s[i++])) >= 32) { gap += (c - 32) << shift; shift += 5; }
    doc += gap + (c << shift);
    out.push(doc, ABC.indexOf(s[i++]));
  }
  return out;
}

// Loads a pack file once: `altitudeSearch.shard("<key>",\n<JSON>\n);` for
// each of its shards, one after another.
function load(file) {
  return files[file] || (files[file] = new Promise((done) => {
    const url = `${root}search/s/${fileName(file)}.js`;
    if (FILE) {
      // No fetch() from file://: the script calls altitudeSearch.shard().
      const script = document.createElement("script");
      script.src = url;
      script.onload = script.onerror = () => { script.remove(); done(); };
      document.head.append(script);
    } else {
      const head = "altitudeSearch.shard(";
      fetch(url).then((r) => r.text()).then((t) => {
        for (let at = t.indexOf(head); at >= 0; at = t.indexOf(head, at)) {
          const comma = t.indexOf(",\n", at), end = t.indexOf("\n);", comma);
          got[JSON.parse(t.slice(at + head.length, comma))] = JSON.parse(t.slice(comma + 2, end));
          at = end;
        }
      }).then(done, done);
    }
  }));
}

function shard(k) {
  if (index.mode !== "sharded") return Promise.resolve(index.data);
  if (!keys.has(k)) return Promise.resolve(null);
  return cache[k] || (cache[k] = load(packOf[k]).then(() => got[k] || null));
}

// Terms matching w in the shards of ks: [term, factor, shard, [doc, score…]].
// A `see` entry names a term of another shard: that shard is loaded too.
async function scan(w, ks) {
  const found = [], seen = new Set(), more = [];
  const take = (t) => { const f = !seen.has(t) && factor(w, t); if (f) seen.add(t); return f; };
  for (const sh of await Promise.all(ks.map(shard))) {
    if (!sh) continue;
    for (const [t, p] of sh.terms) { const f = take(t); if (f) found.push([t, f, sh, decode(p)]); }
    // [word, key] or [word, key, term]: `word` of the text is found under
    // `term` (its stem) in shard `key`.
    for (const [t, k, term] of sh.see || []) {
      const f = take(t);
      if (f) more.push(shard(k).then((o) => {
        const p = o && (o.map = o.map || new Map(o.terms)).get(term || t);
        if (p) found.push([t, f, o, decode(p)]);
      }));
    }
  }
  await Promise.all(more);
  return found;
}

// The word's own shard first; the other keys(w) only if it has no match.
async function hits(w) {
  if (index.mode !== "sharded") return scan(w, [null]);
  // A word shorter than the keys under it: every shard it begins (a few).
  if (split.has(w)) return scan(w, [...keys].filter((k) => k.startsWith(w)).slice(0, 8));
  const own = key(w), found = await scan(w, [own]);
  if (found.length || w.length < 2) return found;
  // A typo among the key's letters: the keys of w without one of them.
  const cs = [...w], depth = [...own.replace(/_$/, "")].length, ks = new Set();
  for (let i = 0; i < Math.min(depth, cs.length); i++) ks.add(key(cs.filter((_, j) => j !== i).join("")));
  ks.delete(own);
  return scan(w, [...ks]);
}

/* ---- ranking ---- */

// At most 8 pages, best first: { page, items: up to 3 sections }. A section
// is { s: score, p: page, d: doc, h: words for ?h=, m: words to mark }.
async function search(q) {
  const ws = queryWords(q), docs = new Map(), all = await Promise.all(ws.map(hits));
  for (const [i, found] of all.entries()) {
    const best = new Map();
    for (const [t, f, sh, post] of found) {
      for (let j = 0; j < post.length; j += 2) {
        const d = sh.docs[post[j]], p = sh.pages[d[0]], id = p[0] + "#" + d[1] + "#" + d[3], s = post[j + 1] * f;
        // Per section, the word's best match; an exact one beats any typo.
        const o = best.get(id), typo = f < 0.8;
        if (!o || (o.typo && !typo) || (o.typo === typo && o.s < s)) best.set(id, { s, t, f, p, d, typo });
      }
    }
    best.forEach((b, id) => {
      const r = docs.get(id) || { s: 0, n: 0, typos: 0, p: b.p, d: b.d, h: ws.slice(), m: ws.slice(), w: new Set() };
      r.s += b.s;
      r.n += 1;
      r.w.add(i);
      r.typos += b.typo ? 1 : 0;
      r.m.push(b.t);
      if (b.f < 0.8 && !r.h.includes(b.t)) r.h.push(b.t); // a typo: mark the real word too
      docs.set(id, r);
    });
  }
  // A word the section's postings did not list (a prefix too short to load
  // every shard under it, or a term past the best 16) still counts when the
  // title, heading or snippet shown for the section has a word starting so.
  docs.forEach((r) => ws.forEach((w, i) => {
    if (r.w.has(i) || w.length < 2) return;
    const shown = fold(`${r.p[1]} ${r.d[2]} ${r.d[3]}`).match(/[\p{L}\p{N}]+/gu) || [];
    if (shown.some((x) => x.startsWith(w))) { r.n += 1; r.s += 1; r.w.add(i); }
  }));
  // Sections with more of the query's words first, then fewer typos, then
  // the higher score.
  const order = (a, b) => b.n - a.n || a.typos - b.typos || b.s - a.s;
  const pages = new Map();
  for (const r of [...docs.values()].sort(order)) {
    if (!pages.has(r.p[0]) && pages.size < 8) pages.set(r.p[0], { page: r.p, items: [] });
    const g = pages.get(r.p[0]);
    if (g && g.items.length < 3) g.items.push(r);
  }
  return [...pages.values()];
}

/* ---- rendering ---- */

function href(r) {
  let u = r.p[0];
  if (FILE && (u === "" || u.endsWith("/"))) u += "index.html";
  return `${root}${u}?h=${r.h.map(encodeURIComponent).join("+")}${r.d[1] ? "#" + r.d[1] : ""}`;
}

function el(tag, cls, text, attrs = {}) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  for (const a in attrs) e.setAttribute(a, attrs[a]);
  return e;
}

// The snippet, words starting with a query word or matched term in <mark>.
function snippet(text, prefixes) {
  const out = el("span", "search-snippet");
  text.split(/([\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*)/u).forEach((part, i) => {
    const hit = i % 2 && prefixes.some((p) => fold(part).startsWith(p));
    out.append(hit ? el("mark", "", part) : part);
  });
  return out;
}

// The popup (listbox: groups of options) or the search page's list.
function draw(box, pages, listbox) {
  let n = 0;
  box.textContent = "";
  pages.forEach((g, gi) => {
    const kind = g.page[2] || "page";
    const group = el(listbox ? "div" : "li", "search-group", "", listbox ? { role: "group", "aria-labelledby": "search-group-" + gi } : {});
    const title = el(listbox ? "div" : "h2", "search-group-title", "", { id: "search-group-" + gi });
    const name = el(listbox ? "span" : "a", "search-page-title", g.page[1]);
    if (!listbox) name.href = href(g.items[0]);
    title.append(name, " ", el("span", "search-kind search-kind-" + kind, kind[0].toUpperCase() + kind.slice(1)));
    group.append(title);
    for (const r of g.items) {
      const a = el("a", "search-item", "", listbox ? { id: "search-option-" + n++, role: "option", "aria-selected": "false", tabindex: "-1" } : {});
      a.href = href(r);
      if (r.d[2]) a.append(el("span", "search-heading", r.d[2]));
      a.append(snippet(r.d[3], r.m));
      // A page's top with no text of its own: named after the page.
      if (!r.d[2] && !r.d[3]) a.setAttribute("aria-label", g.page[1]);
      group.append(a);
    }
    box.append(group);
  });
}

const summary = (pages, q) => pages.length
  ? `${pages.length} page${pages.length > 1 ? "s" : ""} found` : `No results for “${q.trim()}”`;

// Calls show(query, pages or null under 2 characters) as the reader types,
// 60 ms after the last key, for the latest query only. Returns the runner.
function live(input, show) {
  let timer, run = 0;
  const go = async () => {
    const q = input.value, mine = ++run, pages = q.trim().length < 2 ? null : await search(q);
    if (mine === run) show(q, pages);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(go, 60);
  });
  return go;
}

/* ---- the header box: a combobox ---- */

function setupBox() {
  const input = form && form.querySelector("input[name=q]");
  const box = document.getElementById("search-results");
  if (!input || !box) return;
  const status = el("p", "visually-hidden", "", { role: "status" });
  form.append(status);
  let active = -1, shown = null;

  const options = () => box.querySelectorAll("[role=option]:not([aria-disabled])");
  function select(i) {
    const opts = options();
    active = i;
    opts.forEach((o, j) => o.setAttribute("aria-selected", String(j === i)));
    if (opts[i]) {
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function open(yes) {
    box.hidden = !yes;
    input.setAttribute("aria-expanded", String(yes));
    if (!yes) select(-1);
  }
  const update = live(input, (q, pages) => {
    shown = pages && (box.dataset.query = q);
    status.textContent = pages ? summary(pages, q) : "";
    draw(box, pages || [], true);
    if (pages && !pages.length) box.append(el("div", "search-empty", summary(pages, q), { role: "option", "aria-disabled": "true" }));
    select(-1);
    open(!!pages && document.activeElement === input);
  });
  input.addEventListener("focus", () => shown !== null && open(true));
  form.addEventListener("focusout", (e) => form.contains(e.relatedTarget) || open(false));
  box.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus for the click
  input.addEventListener("keydown", (e) => {
    const n = options().length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (shown !== null) open(true);
      if (n) select(e.key === "ArrowDown" ? (active + 1) % n : (active < 1 ? n : active) - 1);
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (!box.hidden) return open(false);
      input.value = "";
      update();
      input.blur();
    }
  });
  // Enter opens the active result or the first; without fresh results the
  // form goes on to the search page.
  form.addEventListener("submit", (e) => {
    const opts = options(), o = opts[active] || opts[0];
    if (o && shown === input.value) {
      e.preventDefault();
      location.href = o.href;
    }
  });
  if (document.activeElement === input) update();
}

/* ---- the search page: search/?q=words ---- */

function setupPage() {
  const list = document.getElementById("search-page-results");
  const input = document.getElementById("search-page-input");
  if (!list || !input) return;
  const status = document.getElementById("search-page-status");
  const go = live(input, (q, pages) => {
    try {
      history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname);
    } catch (e) { /* some file:// setups */ }
    draw(list, pages || [], false);
    status.textContent = pages ? summary(pages, q) : "";
  });
  input.value = new URLSearchParams(location.search).get("q") || "";
  input.form.addEventListener("submit", (e) => { e.preventDefault(); go(); });
  go();
}

return {
  manifest(m) {
    index = m;
    // The key tree: "" → two-character keys and split prefixes; each split
    // prefix → the characters extending it (see docs/search-index.md).
    // Entries are two characters under "", one elsewhere; a `|` before one
    // starts a new pack, and so does the first shard of each list.
    const tree = m.keys || {};
    Object.keys(tree).forEach((p) => p && split.add(p));
    for (const [p, list] of Object.entries(tree)) {
      const cs = [...list];
      let pack = null;
      for (let i = 0; i < cs.length;) {
        const cut = cs[i] === "|";
        if (cut) i++;
        const k = p ? p + cs[i++] : cs[i++] + cs[i++];
        if (split.has(k)) continue;
        keys.add(k);
        if (cut || !pack) pack = k;
        packOf[k] = pack;
      }
    }
    setupBox();
    setupPage();
  },
  shard(k, data) {
    got[k] = data;
  },
  search,
};
})();
