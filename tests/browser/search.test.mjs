// Full-text search in headless Chromium: the header box (a combobox loaded on
// first focus), the search page, and the words a result marks on the page it
// opens; over HTTP at the sub-path /handbook/ and from file://. The index files
// are also checked against docs/search-index.md.
//
//   ALTITUDE_SITE=/path/to/site [ALTITUDE_ACME_SITE=/path/to/acme] node --test search.test.mjs
//
// The expectations are those of the bundled playbook (ALTITUDE_SITE) and of
// the examples/acme layer (ALTITUDE_ACME_SITE, optional).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { folderUrl, harness } from './lib.mjs';

const SITE_ENV = process.env.ALTITUDE_SITE;
const ACME_ENV = process.env.ALTITUDE_ACME_SITE;
const T = { timeout: 20_000 };

/** The manifest appended to search/search.js, and the text before it. */
function readManifest(site) {
  const text = readFileSync(join(site, 'search', 'search.js'), 'utf8');
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const last = lines[lines.length - 1];
  const m = /^altitudeSearch\.manifest\((.*)\);$/.exec(last);
  assert.ok(m, `search/search.js must end with altitudeSearch.manifest({...}); got ${last.slice(0, 80)}`);
  return { manifest: JSON.parse(m[1]), client: lines.slice(0, -1).join('\n') };
}

/** The packs of a manifest's key tree, each its shard keys in order (see
 * docs/search-index.md): a `|` before an entry, or the first shard of a
 * list, starts a pack; split prefixes are in none. */
function shardPacks(tree) {
  const split = new Set(Object.keys(tree).filter((p) => p));
  const packs = [];
  for (const [p, list] of Object.entries(tree)) {
    const cs = [...list];
    let open = false;
    for (let i = 0; i < cs.length;) {
      const cut = cs[i] === '|';
      if (cut) i++;
      const k = p ? p + cs[i++] : cs[i++] + cs[i++];
      if (split.has(k)) continue;
      if (cut || !open) packs.push([]);
      open = true;
      packs[packs.length - 1].push(k);
    }
  }
  return packs;
}

/** A shard key's file name: bytes outside [a-z0-9_] as ~hh. */
const shardFile = (key) =>
  [...key]
    .map((c) => (/[a-z0-9_]/.test(c) ? c : [...Buffer.from(c)].map((b) => `~${b.toString(16).padStart(2, '0')}`).join('')))
    .join('');

/** Every shard of a built index: [key, shard] ("" for single mode). */
function readShards(site) {
  const { manifest } = readManifest(site);
  if (manifest.mode === 'single') return [['', manifest.data]];
  const out = [];
  for (const pack of shardPacks(manifest.keys)) {
    const text = readFileSync(join(site, 'search', 's', `${shardFile(pack[0])}.js`), 'utf8');
    // The pack's shards, each wrapped, one per key in order, joined by newlines.
    const blocks = text.split('\n);\n').map((b, i, all) => (i < all.length - 1 ? `${b}\n);` : b));
    assert.equal(blocks.length, pack.length, `pack ${pack[0]} holds ${pack.join(' ')}`);
    pack.forEach((key, i) => out.push([key, blocks[i]]));
  }
  return out;
}

/** The file a shard key's pack is in, as the client requests it. */
function packFile(site, key) {
  const pack = shardPacks(readManifest(site).manifest.keys).find((p) => p.includes(key));
  return `${shardFile(pack ? pack[0] : key)}.js`;
}

/** The file a page URL of the index is served from. */
function pageFile(site, url) {
  return join(site, url === '' || url.endsWith('/') ? `${url}index.html` : url);
}

/** The shared setup, with the home page and base URL over HTTP or file://. */
function searchHarness(site, prefix) {
  const h = harness(site, prefix);
  h.home = (where) => (where === 'http' ? h.server.url : `${folderUrl(site)}index.html`);
  h.base = (where) => (where === 'http' ? h.server.url : folderUrl(site));
  return h;
}

/** Types a query in the header box and waits for the popup's results. */
async function query(page, words) {
  const input = page.locator('#search-input');
  await input.fill(words);
  const box = page.locator('#search-results');
  // data-query names the query the popup shows.
  await page.waitForFunction(
    (q) => document.querySelector('#search-results')?.dataset.query === q,
    words,
  );
  await box.waitFor({ state: 'visible' });
  return box;
}

/** Titles of the result pages in the popup, in order. */
const popupTitles = (page) =>
  page.locator('#search-results .search-group-title .search-page-title').allInnerTexts();

function assertClean(watch, base) {
  watch.assertNoErrors();
  watch.assertNoFailed();
  watch.assertRequestsWithin(base);
}

describe('Search in headless Chromium', { skip: !SITE_ENV && 'ALTITUDE_SITE not set' }, () => {
  const SITE = resolve(SITE_ENV ?? '.');
  const h = searchHarness(SITE, '/handbook/');

  test('the index follows the contract; every result target exists', () => checkIndex(SITE));

  for (const where of ['http', 'file']) {
    test(`search.js loads on first focus, not before; "owner" finds its concept (${where})`, T, async () => {
      const { page, watch } = await h.open();
      await page.goto(h.home(where));
      await page.waitForLoadState('load');
      const input = page.locator('#search-input');
      assert.equal(await input.getAttribute('role'), 'combobox');
      assert.equal(await input.getAttribute('aria-expanded'), 'false');
      assert.match(await page.locator('form[role="search"]').getAttribute('action'),
        where === 'http' ? /^\.\/search\/(index\.html)?$/ : /^\.\/search\/index\.html$/);
      await page.waitForTimeout(300);
      const early = watch.requests.filter((u) => u.startsWith(`${h.base(where)}search/`));
      assert.deepEqual(early, [], 'nothing under search/ is requested before the box is focused');
      assert.equal(await page.evaluate(() => typeof window.altitudeSearch), 'undefined');

      const client = page.waitForRequest((r) => r.url() === `${h.base(where)}search/search.js`);
      await input.focus();
      await client;
      await page.waitForFunction(() => typeof window.altitudeSearch === 'object');

      const box = await query(page, 'owner');
      assert.equal(await input.getAttribute('aria-expanded'), 'true');
      const first = box.locator('.search-group').first();
      assert.equal((await first.locator('.search-page-title').innerText()).trim(), 'Single accountable owner');
      assert.equal((await first.locator('.search-kind').innerText()).trim().toLowerCase(), 'concept');
      assert.equal(await first.getAttribute('role'), 'group');
      const options = box.locator('[role="option"]');
      assert.ok((await options.count()) >= 3, 'several options');
      const ids = await options.evaluateAll((els) => els.map((e) => e.id));
      assert.ok(ids.every((id) => id), 'every option has an id');
      assert.equal(new Set(ids).size, ids.length, 'option ids are unique');
      assert.ok((await box.locator('.search-group').count()) <= 8, 'at most 8 pages');
      for (const group of await box.locator('.search-group').all()) {
        assert.ok((await group.locator('[role="option"]').count()) <= 3, 'at most 3 sections a page');
      }
      const marks = await box.locator('.search-snippet mark').allInnerTexts();
      assert.ok(marks.some((m) => /^owner/i.test(m)), `snippets mark "owner": ${marks.join(', ')}`);
      const href = await options.first().getAttribute('href');
      assert.match(href, where === 'http'
        ? /^\.\/concepts\/single-accountable-owner\/(index\.html)?\?h=owner(#|$)/
        : /^\.\/concepts\/single-accountable-owner\/index\.html\?h=owner(#|$)/);
      assertClean(watch, h.base(where));
    });

    test(`typo and prefix queries find the right pages (${where})`, T, async () => {
      const { page, watch } = await h.open();
      await page.goto(h.home(where));
      await page.locator('#search-input').focus();
      await query(page, 'ownrship');
      const typo = (await popupTitles(page)).slice(0, 5);
      for (const title of ['Single accountable owner', 'Decide with one owner, not a committee']) {
        assert.ok(typo.includes(title), `"ownrship" top 5 has "${title}": ${typo.join(' | ')}`);
      }
      await query(page, 'horiz');
      const prefix = (await popupTitles(page)).slice(0, 5);
      assert.equal(prefix[0], 'Time horizon', `"horiz" first: ${prefix.join(' | ')}`);
      assert.ok(prefix.includes('Climb in altitude, stretch your horizon'), `"horiz" top 5: ${prefix.join(' | ')}`);
      const marks = await page.locator('#search-results .search-snippet mark').allInnerTexts();
      assert.ok(marks.length && marks.every((m) => /^horiz/i.test(m)), `marks for "horiz": ${marks.join(', ')}`);
      // Nothing to find: a disabled note, no option to pick.
      await page.locator('#search-input').fill('zzqxv');
      await page.locator('#search-results .search-empty').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#search-results [role="option"]:not([aria-disabled])').count(), 0);
      assertClean(watch, h.base(where));
    });

    test(`ArrowDown + Enter opens page#heading with its words marked (${where})`, T, async () => {
      const { page, watch } = await h.open();
      await page.goto(h.home(where));
      const input = page.locator('#search-input');
      await input.focus();
      const box = await query(page, 'owner');
      const hrefs = await box.locator('[role="option"]').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
      const n = hrefs.findIndex((u) => u.includes('#'));
      assert.ok(n >= 0, `a result with a #heading: ${hrefs.join(' ')}`);
      for (let i = 0; i <= n; i++) await page.keyboard.press('ArrowDown');
      const active = box.locator('[role="option"]').nth(n);
      assert.equal(await active.getAttribute('aria-selected'), 'true');
      assert.equal(await input.getAttribute('aria-activedescendant'), await active.getAttribute('id'));
      assert.equal(await box.locator('[aria-selected="true"]').count(), 1, 'one active option');
      // ArrowUp and back down land on the same option.
      if (n > 0) {
        await page.keyboard.press('ArrowUp');
        assert.equal(await box.locator('[role="option"]').nth(n - 1).getAttribute('aria-selected'), 'true');
        await page.keyboard.press('ArrowDown');
      }
      const target = new URL(hrefs[n], page.url());
      await Promise.all([page.waitForURL(target.href), page.keyboard.press('Enter')]);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('h'), 'owner');
      const anchor = decodeURIComponent(url.hash.slice(1));
      assert.ok(anchor, 'the URL has the #anchor');
      assert.ok(url.href.indexOf('?h=') < url.href.indexOf('#'), '?h= comes before #');
      const heading = page.locator(`[id="${anchor}"]`);
      assert.equal(await heading.count(), 1, `#${anchor} exists on the page`);
      // The page lands on the heading, marks included.
      await page.waitForFunction((id) => {
        const r = document.getElementById(id).getBoundingClientRect();
        return r.top >= -2 && r.top < window.innerHeight / 2;
      }, anchor);
      const hits = page.locator('.prose mark.search-hit');
      await hits.first().waitFor({ state: 'attached' });
      const visible = [];
      for (const m of await hits.all()) if (await m.isVisible()) visible.push((await m.innerText()).trim());
      assert.ok(visible.length >= 1, 'at least one visible mark.search-hit');
      assert.ok(visible.every((w) => /^own/i.test(w)), `marked words: ${visible.join(', ')}`);
      assert.equal(await page.locator('pre mark.search-hit, code mark.search-hit').count(), 0);
      assertClean(watch, h.base(where));
    });

    test(`"/" and Ctrl-K focus the box; Esc closes, then clears (${where})`, T, async () => {
      const { page, watch } = await h.open();
      await page.goto(h.home(where));
      await page.waitForLoadState('load');
      const input = page.locator('#search-input');
      const focused = () => page.evaluate(() => document.activeElement?.id ?? null);
      await page.locator('main').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('/');
      assert.equal(await focused(), 'search-input', '"/" focuses the box');
      assert.equal(await input.inputValue(), '', 'the "/" is not typed into it');
      const box = await query(page, 'horiz');
      await page.keyboard.press('Escape');
      await box.waitFor({ state: 'hidden' });
      assert.equal(await input.getAttribute('aria-expanded'), 'false');
      assert.equal(await focused(), 'search-input', 'the first Esc keeps the focus');
      assert.equal(await input.inputValue(), 'horiz');
      // ArrowDown reopens the same results.
      await page.keyboard.press('ArrowDown');
      await box.waitFor({ state: 'visible' });
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      assert.equal(await input.inputValue(), '', 'the second Esc clears');
      assert.notEqual(await focused(), 'search-input', 'and leaves the box');
      await page.keyboard.press('Control+k');
      assert.equal(await focused(), 'search-input', 'Ctrl-K focuses the box');
      // Typing "/" in the box is just typing.
      await page.keyboard.type('a/b');
      assert.equal(await input.inputValue(), 'a/b');
      assertClean(watch, h.base(where));
    });

    test(`Enter opens the first result; with none, the search page (${where})`, T, async () => {
      const { page, watch } = await h.open();
      await page.goto(h.home(where));
      await page.locator('#search-input').focus();
      const box = await query(page, 'horiz');
      const first = new URL(await box.locator('[role="option"]').first().getAttribute('href'), page.url());
      await Promise.all([page.waitForURL(first.href), page.keyboard.press('Enter')]);
      assert.equal(new URL(page.url()).searchParams.get('h'), 'horiz');

      await page.locator('#search-input').focus();
      await page.locator('#search-input').fill('zzqxv');
      await page.locator('#search-results .search-empty').waitFor({ state: 'visible' });
      await Promise.all([page.waitForURL(/\/search\/(index\.html)?\?q=zzqxv$/), page.keyboard.press('Enter')]);
      await page.locator('#search-page-status').filter({ hasText: /No results/ }).waitFor();
      assert.equal(await page.locator('#search-page-results li').count(), 0);
      assertClean(watch, h.base(where));
    });

    test(`the search page lists the results of ?q= (${where})`, T, async () => {
      const { page, watch } = await h.open();
      const searchPage = where === 'http' ? `${h.server.url}search/` : `${folderUrl(SITE)}search/index.html`;
      const res = await page.goto(`${searchPage}?q=clarity`);
      if (where === 'http') assert.equal(res.status(), 200);
      assert.ok(await page.locator('body.kind-search').count(), 'body.kind-search');
      assert.equal(await page.locator('h1').count(), 1);
      assert.equal((await page.locator('h1').innerText()).trim(), 'Search');
      assert.equal(await page.locator('#search-page-input').inputValue(), 'clarity');
      const groups = page.locator('#search-page-results .search-group');
      await groups.first().waitFor({ state: 'visible' });
      assert.ok((await groups.count()) >= 3, 'several pages');
      assert.equal((await groups.first().locator('.search-page-title').innerText()).trim(), 'Clarity');
      assert.match(await page.locator('#search-page-status').innerText(), /\d+ pages? found/);
      const link = groups.first().locator('a.search-item').first();
      assert.match(await link.getAttribute('href'), /^\.\.\/concepts\/clarity\/(index\.html)?\?h=clarity/);
      // Typing a new query updates the list.
      await page.locator('#search-page-input').fill('horizon');
      await page.waitForFunction(() =>
        document.querySelector('#search-page-results .search-page-title')?.textContent === 'Time horizon');
      await Promise.all([page.waitForURL(/\/concepts\/time-horizon\//), groups.first().locator('a.search-item').first().click()]);
      assert.equal(new URL(page.url()).searchParams.get('h'), 'horizon');
      assert.ok(await page.locator('.prose mark.search-hit').first().isVisible());
      assertClean(watch, h.base(where));
    });
  }

  test('without JavaScript the box submits to the search page', T, async () => {
    const { page, watch } = await h.open({ javaScriptEnabled: false });
    await page.goto(`${h.server.url}principles/`);
    await page.locator('#search-input').fill('owner');
    await Promise.all([page.waitForURL(new RegExp(`^${h.server.url}search/(index\\.html)?\\?q=owner$`)), page.keyboard.press('Enter')]);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Search');
    assert.ok(await page.locator('noscript').count(), 'the page says search needs JavaScript');
    watch.assertNoFailed();
    watch.assertRequestsWithin(h.server.url);
    assert.deepEqual(watch.requests.filter((u) => u.endsWith('search.js')), []);
  });

  test('narrow screen: the box fits, the popup stays on screen', T, async () => {
    const { page, watch } = await h.open({ viewport: { width: 360, height: 740 } });
    await page.goto(h.server.url);
    const input = page.locator('#search-input');
    await input.focus();
    const box = await query(page, 'owner');
    for (const el of [input, box]) {
      const r = await el.boundingBox();
      assert.ok(r.x >= 0 && r.x + r.width <= 360 + 0.5, `inside the viewport: ${JSON.stringify(r)}`);
    }
    assertClean(watch, h.server.url);
  });
});

/**
 * search/search.js = the client + the manifest; every shard parses; every
 * document links to a page of the site and, if it has one, to an id on it;
 * terms are sorted and their postings are strings of the 64-character
 * alphabet.
 */
function checkIndex(site) {
  const { manifest, client } = readManifest(site);
  assert.equal(manifest.v, 1);
  assert.ok(['single', 'sharded'].includes(manifest.mode), `mode ${manifest.mode}`);
  assert.match(client, /var altitudeSearch\b/, 'search/search.js starts with the theme client');
  assert.ok(existsSync(join(site, 'search', 'index.html')), 'search/index.html exists');
  const html = new Map();
  let checked = 0;
  for (const [key, raw] of readShards(site)) {
    const shard = typeof raw === 'string' ? parseShard(key, raw) : raw;
    for (const [page, anchor] of shard.docs) {
      const [url] = shard.pages[page];
      const file = pageFile(site, url);
      assert.ok(existsSync(file), `${key}: page ${url} is not in the site`);
      if (!html.has(file)) html.set(file, readFileSync(file, 'utf8'));
      if (anchor) assert.ok(html.get(file).includes(` id="${anchor}"`), `${key}: ${url} has no #${anchor}`);
      checked++;
    }
    const terms = shard.terms.map(([t]) => t);
    assert.deepEqual(terms, [...terms].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), `${key}: terms sorted`);
    for (const [term, postings] of shard.terms) {
      assert.match(postings, /^[0-9a-zA-Z_-]+$/, `postings of ${term} are a string of the 64-character alphabet`);
    }
    if (key) {
      const stem = key.replace(/_$/, '');
      assert.ok(
        terms.every((t) => (key.endsWith('_') ? t === stem : t.startsWith(stem))),
        `${key}: terms of its key`,
      );
    }
  }
  assert.ok(checked > 10, `documents checked: ${checked}`);
}

/** A shard file's JSON, per the contract's wrapper. */
function parseShard(key, text) {
  const head = `altitudeSearch.shard(${JSON.stringify(key)},\n`;
  assert.ok(text.startsWith(head), `shard ${key} starts with ${JSON.stringify(head)}`);
  return JSON.parse(text.slice(text.indexOf('\n') + 1, text.lastIndexOf('\n)')));
}

describe('Search on the Acme layer', { skip: !ACME_ENV && 'ALTITUDE_ACME_SITE not set' }, () => {
  const SITE = resolve(ACME_ENV ?? '.');
  const h = searchHarness(SITE, '/');

  test('the index follows the contract; every result target exists', () => checkIndex(SITE));

  test('shard files are wrapped exactly as the contract says', () => {
    const { manifest } = readManifest(SITE);
    if (manifest.mode !== 'sharded') return;
    const bad = [];
    for (const [key, text] of readShards(SITE)) {
      // altitudeSearch.shard("<key>", + newline + JSON + newline + );
      const head = `altitudeSearch.shard(${JSON.stringify(key)},\n`;
      const json = text.slice(head.length, text.lastIndexOf('\n'));
      if (!text.startsWith(head) || !text.endsWith('\n);')) bad.push(key);
      else JSON.parse(json);
    }
    assert.deepEqual(bad.slice(0, 5), [], `${bad.length} shard files do not end with "\\n);"`);
  });

  for (const where of ['http', 'file']) {
    test(`"decision owner" (an Acme alias) finds "Single accountable owner" first (${where})`, T, async () => {
      const { page, watch } = await h.open();
      await page.goto(h.home(where));
      await page.locator('#search-input').focus();
      await query(page, 'decision owner');
      const titles = await popupTitles(page);
      assert.equal(titles[0], 'Single accountable owner', `results: ${titles.join(' | ')}`);
      assertClean(watch, h.base(where));
    });

    test(`a typo in the first letters ("pwner") is found through "see" entries (${where})`, T, async () => {
      const { manifest } = readManifest(SITE);
      if (manifest.mode !== 'sharded') return;
      const { page, watch } = await h.open();
      await page.goto(h.home(where));
      await page.locator('#search-input').focus();
      await page.waitForFunction(() => typeof window.altitudeSearch === 'object');
      const shardsLoaded = () => watch.requests.filter((u) => u.includes('/search/s/')).map((u) => u.split('/').pop());
      assert.deepEqual(shardsLoaded(), [], 'no shard before a query');
      await query(page, 'pwner');
      const titles = (await popupTitles(page)).slice(0, 3);
      assert.ok(titles.includes('Single accountable owner'), `"pwner" top 3: ${titles.join(' | ')}`);
      // keys(pwner) = pw, wn, pn; "owner" is listed by name in "wn" and lives in "ow".
      const loaded = shardsLoaded();
      const [ow, ...typos] = ['ow', 'pw', 'wn', 'pn'].map((k) => packFile(SITE, k));
      assert.ok(loaded.includes(ow), `shards: ${loaded.join(' ')}`);
      assert.deepEqual(loaded.filter((f) => ![ow, ...typos].includes(f)), [], `shards: ${loaded.join(' ')}`);
      assert.equal(new Set(loaded).size, loaded.length, 'each shard loaded once');
      await query(page, 'owner');
      assert.equal(shardsLoaded().length, loaded.length, 'cached shards are not loaded again');
      assertClean(watch, h.base(where));
    });
  }
});

const SHARDED_ENV = process.env.ALTITUDE_SHARDED_SITE;
const SHARDED_TITLES = process.env.ALTITUDE_SHARDED_TITLES;

describe('Search on a generated, sharded playbook', { skip: !SHARDED_ENV && 'ALTITUDE_SHARDED_SITE not set' }, () => {
  const SITE = resolve(SHARDED_ENV ?? '.');
  const h = searchHarness(SITE, '/');
  const cases = SHARDED_TITLES ? JSON.parse(readFileSync(SHARDED_TITLES, 'utf8')) : [];

  test('the index is sharded and follows the contract', () => {
    assert.equal(readManifest(SITE).manifest.mode, 'sharded');
    checkIndex(SITE);
  });

  test('shard files are wrapped exactly as the contract says', () => {
    for (const [key, text] of readShards(SITE)) {
      const head = `altitudeSearch.shard(${JSON.stringify(key)},\n`;
      assert.ok(text.startsWith(head) && text.endsWith('\n);'), `shard ${key}`);
      JSON.parse(text.slice(head.length, text.lastIndexOf('\n')));
    }
  });

  /** Top result URLs for a query, relative to the site root. */
  async function top(page, words) {
    return page.evaluate(async (q) => (await window.altitudeSearch.search(q)).map((p) => p.page[0]), words);
  }

  /** One edit in the first two letters: the case the shard keys exist for. */
  const typo = (w) => (w[0] === 'q' ? 'z' : 'q') + w.slice(1);

  for (const where of ['http', 'file']) {
    test(`titles, prefixes and early typos find their page (${where})`, { timeout: 60_000 }, async () => {
      const { page, watch } = await h.open();
      await page.goto(h.home(where));
      await page.locator('#search-input').focus();
      await page.waitForFunction(() => window.altitudeSearch && window.altitudeSearch.search);
      assert.ok(cases.length >= 5, 'title cases given');
      for (const { title, url } of cases) {
        const [a, b] = title.toLowerCase().split(' ');
        const exact = await top(page, title);
        assert.equal(exact[0], url, `"${title}": ${exact.slice(0, 3).join(' ')}`);
        const prefix = await top(page, `${a} ${b.slice(0, 4)}`);
        assert.ok(prefix.slice(0, 5).includes(url), `"${a} ${b.slice(0, 4)}": ${prefix.slice(0, 5).join(' ')}`);
        const typoed = await top(page, `${a} ${typo(b)}`);
        assert.ok(typoed.slice(0, 5).includes(url), `"${a} ${typo(b)}": ${typoed.slice(0, 5).join(' ')}`);
      }
      // The popup shows them too, and the chosen result opens its page.
      const { title, url } = cases[0];
      await query(page, title);
      await page.keyboard.press('ArrowDown');
      await Promise.all([page.waitForURL(/\?h=/), page.keyboard.press('Enter')]);
      assert.ok(decodeURIComponent(page.url()).includes(url.replace(/\/$/, '')), page.url());
      assert.ok((await page.locator('mark.search-hit').count()) > 0, 'matched words are marked');
      assertClean(watch, h.base(where));
    });
  }
});
