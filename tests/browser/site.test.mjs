// Headless-browser tests of a built Altitude site, as a reader uses it.
//
//   cd tests/browser && npm install
//   ALTITUDE_SITE=/path/to/built/site node --test
//
// Env: ALTITUDE_SITE (required) the built site folder; CHROMIUM_PATH (default
// /usr/bin/chromium); ALTITUDE_TITLE / ALTITUDE_PRINCIPLES override what the
// bundled playbook is expected to show; ALTITUDE_SHOT_DIR (default /tmp) gets
// shot-home.png, shot-principle.png and shot-dark.png.

import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { builtBasePath, computed, folderUrl, harness, luminance, serveSite } from './lib.mjs';

const SITE_ENV = process.env.ALTITUDE_SITE;
if (!SITE_ENV) {
  throw new Error(
    'ALTITUDE_SITE is not set: point it at a built site folder, e.g.\n' +
      '  altitude build playbook -o /tmp/site && ALTITUDE_SITE=/tmp/site node --test',
  );
}
const SITE = resolve(SITE_ENV);
if (!existsSync(join(SITE, 'index.html')) || !statSync(SITE).isDirectory()) {
  throw new Error(`ALTITUDE_SITE=${SITE_ENV} is not a built site (no index.html in it)`);
}

const TITLE = process.env.ALTITUDE_TITLE ?? 'The Altitude Playbook';
const PRINCIPLES = Number(process.env.ALTITUDE_PRINCIPLES ?? 11);
const SHOT_DIR = process.env.ALTITUDE_SHOT_DIR ?? '/tmp';
const PREFIX = '/handbook/';
const T = { timeout: 15_000 };

// One browser, the site at /handbook/; pages that may reach only this
// machine's loopback.
const h = harness(SITE, PREFIX);
const openPage = (options = {}) => h.open(options);

/** Clicks `link` and waits for the URL its href points to. */
async function follow(page, link) {
  const href = await link.getAttribute('href');
  assert.ok(href, 'link has no href');
  const target = new URL(href, page.url()).href;
  await Promise.all([page.waitForURL(target), link.click()]);
  return target;
}

async function h1Text(page) {
  const h1 = page.locator('h1');
  await h1.first().waitFor({ state: 'visible' });
  assert.equal(await h1.count(), 1, `expected exactly one h1 on ${page.url()}`);
  return (await h1.innerText()).trim();
}

const bodyBackground = (page) => computed(page, 'body', 'background-color');

describe('Altitude site in headless Chromium', () => {
  test('home renders over HTTP at sub-path /handbook/', T, async () => {
    const { page, watch } = await openPage();
    const res = await page.goto(h.server.url);
    assert.equal(res.status(), 200);
    assert.equal(await page.title(), TITLE);
    assert.equal(await h1Text(page), TITLE);

    const cards = page.locator('.principle-cards a');
    assert.equal(await cards.count(), PRINCIPLES, 'principle cards on the home page');
    for (const link of await cards.all()) {
      assert.ok(await link.isVisible(), 'principle card link is visible');
      const href = new URL(await link.getAttribute('href'), page.url()).href;
      assert.match(href, new RegExp(`^${h.server.url}principles/[^/]+/$`));
    }
    await page.waitForLoadState('load');
    watch.assertNoErrors();
    watch.assertNoFailed();
    watch.assertRequestsWithin(h.server.url);
    assert.ok(
      watch.requests.includes(`${h.server.url}assets/altitude.css`),
      'the stylesheet was requested under the sub-path',
    );
  });

  test('navigation: card, sidebar, prev/next, breadcrumb', T, async () => {
    const { page, watch } = await openPage();
    await page.goto(h.server.url);

    // Home → first principle card.
    const card = page.locator('.principle-cards a').first();
    const cardText = (await card.innerText()).trim();
    const first = await follow(page, card);
    assert.match(first, /\/principles\/[^/]+\/$/);
    const firstTitle = await h1Text(page);
    assert.ok(cardText.endsWith(firstTitle), `card "${cardText}" led to h1 "${firstTitle}"`);

    // Sidebar → another principle (the fourth one listed).
    const sideLinks = page.locator('.sidebar .nav-pages a');
    assert.equal(await sideLinks.count(), PRINCIPLES, 'sidebar lists every principle');
    assert.equal(
      await page.locator('.sidebar a[aria-current="page"]').getAttribute('href').then(
        (h) => new URL(h, page.url()).href,
      ),
      first,
      'sidebar marks the current page',
    );
    const other = sideLinks.nth(3);
    await other.scrollIntoViewIfNeeded();
    const otherText = (await other.innerText()).trim();
    const second = await follow(page, other);
    assert.notEqual(second, first);
    assert.equal(await h1Text(page), otherText);
    assert.equal(
      await page.locator('.sidebar .nav-pages a').nth(3).getAttribute('aria-current'),
      'page',
    );

    // Previous / next.
    const prev = page.locator('.prev-next a[rel="prev"]');
    const next = page.locator('.prev-next a[rel="next"]');
    assert.equal(await prev.count(), 1, 'a "previous" link');
    assert.equal(await next.count(), 1, 'a "next" link');
    await next.scrollIntoViewIfNeeded();
    assert.ok(await next.isVisible());
    const nextTitle = (await next.locator('.prev-next-title').innerText()).trim();
    const third = await follow(page, next);
    assert.notEqual(third, second);
    assert.equal(await h1Text(page), nextTitle);

    // Breadcrumb back home.
    const crumb = page.locator('.breadcrumbs a').first();
    assert.ok(await crumb.isVisible(), 'breadcrumb is visible');
    const home = await follow(page, crumb);
    assert.equal(home, h.server.url);
    assert.equal(await h1Text(page), TITLE);

    watch.assertNoErrors();
    watch.assertNoFailed();
    watch.assertRequestsWithin(h.server.url);
  });

  test('dark mode: toggle, persistence, system preference', T, async () => {
    const principle = `${h.server.url}principles/`;
    const { page, watch } = await openPage({ colorScheme: 'light' });
    await page.goto(principle);
    const toggle = page.locator('#theme-toggle');
    await toggle.waitFor({ state: 'visible' });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? null);
    assert.equal(await theme(), null, 'no theme chosen yet');
    const lightBg = await bodyBackground(page);
    assert.ok((await luminance(page, lightBg)) > 0.7, `light background, got ${lightBg}`);

    await toggle.click();
    assert.equal(await theme(), 'dark');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    const darkBg = await bodyBackground(page);
    assert.notEqual(darkBg, lightBg, 'body background changed');
    assert.ok((await luminance(page, darkBg)) < 0.1, `dark background, got ${darkBg}`);

    await page.reload();
    await toggle.waitFor({ state: 'visible' });
    assert.equal(await theme(), 'dark', 'the choice survives a reload');
    assert.equal(await bodyBackground(page), darkBg);
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');

    // And back to light, which persists too.
    await toggle.click();
    assert.equal(await theme(), 'light');
    await page.reload();
    await toggle.waitFor({ state: 'visible' });
    assert.equal(await theme(), 'light');
    assert.equal(await bodyBackground(page), lightBg);
    watch.assertNoErrors();
    watch.assertRequestsWithin(h.server.url);

    // System dark, nothing stored (a fresh context): dark without a click.
    const dark = await openPage({ colorScheme: 'dark' });
    await dark.page.goto(principle);
    const darkToggle = dark.page.locator('#theme-toggle');
    await darkToggle.waitFor({ state: 'visible' });
    assert.equal(
      await dark.page.evaluate(() => document.documentElement.dataset.theme ?? null),
      null,
    );
    const sysBg = await bodyBackground(dark.page);
    assert.ok((await luminance(dark.page, sysBg)) < 0.1, `system-dark background, got ${sysBg}`);
    assert.equal(await darkToggle.getAttribute('aria-pressed'), 'true');
    // One click from system dark gives light.
    await darkToggle.click();
    assert.equal(await dark.page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.ok((await luminance(dark.page, await bodyBackground(dark.page))) > 0.7);
    dark.watch.assertNoErrors();
  });

  test('file:// — styled, links work, nothing outside the folder', T, async () => {
    const folder = folderUrl(SITE);
    const { page, watch } = await openPage();
    await page.goto(`${folder}index.html`);
    assert.equal(await h1Text(page), TITLE);

    // The stylesheet applies: tokens defined, body off the browser defaults.
    const bg = await page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--bg').trim(),
    );
    assert.notEqual(bg, '', 'the --bg custom property is defined');
    assert.equal(await computed(page, 'body', 'margin-top'), '0px', 'body margin reset');
    assert.doesNotMatch(
      await computed(page, 'body', 'font-family'),
      /^"?Times/,
      'body font is not the browser default serif',
    );
    assert.ok(watch.requests.includes(`${folder}assets/altitude.css`), 'stylesheet requested');

    // JS rewrote directory links to index.html.
    const card = page.locator('.principle-cards a').first();
    const href = await card.getAttribute('href');
    assert.match(href, /^\.\/principles\/[^/]+\/index\.html$/, `rewritten href, got ${href}`);
    const cardText = (await card.innerText()).trim();
    const target = await follow(page, card);
    assert.match(target, new RegExp(`^${folder}principles/[^/]+/index\\.html$`));
    const title = await h1Text(page);
    assert.ok(cardText.endsWith(title), `card "${cardText}" led to h1 "${title}"`);
    await page.waitForLoadState('load');

    watch.assertNoErrors();
    watch.assertNoFailed();
    watch.assertRequestsWithin(folder);
  });

  test('every page kind renders with one h1 and no console errors', T, async () => {
    const { page, watch } = await openPage();
    await page.goto(h.server.url);
    // A principle and a concept as the home page links them.
    const hrefOf = async (sel) =>
      new URL(await page.locator(sel).first().getAttribute('href'), page.url()).href;
    const principle = await hrefOf('.principle-cards a');
    const concept = await hrefOf('.concept-list a');
    const kinds = [
      ['home', h.server.url],
      ['principle', principle],
      ['concept', concept],
      ['map', `${h.server.url}map/`],
      ['print', `${h.server.url}print/`],
      ['section', `${h.server.url}principles/`],
    ];
    for (const [kind, url] of kinds) {
      const res = await page.goto(url);
      assert.equal(res.status(), 200, `${kind} page status`);
      await h1Text(page);
      assert.ok(
        await page.locator(`body.kind-${kind}`).count(),
        `${url} is a ${kind} page (body.kind-${kind})`,
      );
      assert.ok(await page.locator('main').isVisible());
      await page.waitForLoadState('load');
    }
    watch.assertNoErrors();
    watch.assertNoFailed();
    watch.assertRequestsWithin(h.server.url);
  });

  test('404: a missing URL gets the not-found page and a link home', T, async () => {
    // The 404 page is served at any depth, so it links from the site's built
    // base path (base_url's path, "/" without one): serve it there.
    const base = builtBasePath(SITE);
    const at = base === h.server.prefix ? h.server : await serveSite(SITE, base);
    try {
      const { page, watch } = await openPage();
      const missing = `${at.url}no/such/page/`;
      const res = await page.goto(missing);
      assert.equal(res.status(), 404);
      assert.equal(await h1Text(page), 'Page not found');
      assert.equal(await computed(page, 'body', 'margin-top'), '0px', '404 page is styled');
      const homeLink = page.locator('main a').filter({ hasText: /home/i }).first();
      assert.ok(await homeLink.isVisible(), 'a visible link home');
      await page.waitForLoadState('load');
      const ignore = [new RegExp(`404.*${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`)];
      watch.assertNoErrors({ ignore });
      watch.assertNoFailed({ ignore });
      watch.assertRequestsWithin(at.url);

      const home = await follow(page, homeLink);
      assert.equal(home, at.url);
      assert.equal(await h1Text(page), TITLE);
    } finally {
      if (at !== h.server) await at.close();
    }
  });

  test('print edition: chrome hidden in print, every principle present', T, async () => {
    const { page, watch } = await openPage();
    await page.goto(`${h.server.url}print/`);
    assert.ok(await page.locator('.site-header').isVisible(), 'header shows on screen');
    await page.emulateMedia({ media: 'print' });
    for (const sel of ['.site-header', '.sidebar', '.site-footer', '#theme-toggle']) {
      assert.equal(await page.locator(sel).isVisible(), false, `${sel} hidden in print`);
    }
    const articles = page.locator('article.print-principle:not(.print-glossary)');
    assert.equal(await articles.count(), PRINCIPLES);
    assert.ok(await articles.first().locator('h2').isVisible());
    assert.equal(await h1Text(page), TITLE);
    await page.waitForLoadState('load');
    watch.assertNoErrors();
    watch.assertNoFailed();
  });

  test('concept page lists where the concept is used', T, async () => {
    const { page, watch } = await openPage();
    await page.goto(h.server.url);
    const concept = page.locator('.concept-list a').first();
    const conceptTitle = (await concept.innerText()).trim();
    await follow(page, concept);
    assert.equal(await h1Text(page), conceptTitle);

    const heading = page.getByRole('heading', { name: 'Where this concept is used' });
    assert.ok(await heading.isVisible(), 'the "where this concept is used" heading shows');
    const uses = page.locator('.backlinks a');
    assert.ok((await uses.count()) >= 1, 'at least one page uses the concept');
    const use = uses.first();
    await use.scrollIntoViewIfNeeded();
    assert.ok(await use.isVisible());
    const useText = (await use.innerText()).trim();
    await follow(page, use);
    assert.equal(await h1Text(page), useText);
    watch.assertNoErrors();
    watch.assertNoFailed();
    watch.assertRequestsWithin(h.server.url);
  });

  // Issue 4: link previews and concept maps, over HTTP and from file://.
  for (const where of ['http', 'file']) {
    const base = () => (where === 'http' ? h.server.url : folderUrl(SITE));

    test(`link preview opens on hover and on focus, closes on Esc (${where})`, T, async () => {
      const { page, watch } = await openPage();
      await page.goto(`${base()}index.html`);
      await follow(page, page.locator('.principle-cards a').first());
      const link = page.locator('.prose a[href*="concepts/"]').first();
      const linkText = (await link.innerText()).trim();
      const popover = page.locator('#altitude-preview');

      await link.hover();
      await popover.waitFor({ state: 'visible' });
      const shown = await popover.innerText();
      assert.match(shown, /concept/i, 'the popover names the kind');
      assert.ok(shown.length > linkText.length + 20, `the popover shows a definition: ${shown}`);
      assert.equal(await link.getAttribute('aria-describedby'), 'altitude-preview');
      await page.keyboard.press('Escape');
      await popover.waitFor({ state: 'hidden' });

      // Keyboard: focus the same link.
      await page.mouse.move(0, 0);
      await link.focus();
      await popover.waitFor({ state: 'visible' });
      await page.keyboard.press('Escape');
      await popover.waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => document.activeElement.tagName), 'A', 'focus stays on the link');

      watch.assertNoErrors();
      watch.assertNoFailed();
      watch.assertRequestsWithin(base());
    });

    test(`concept map nodes navigate (${where})`, T, async () => {
      const { page, watch } = await openPage();
      await page.goto(where === 'http' ? `${base()}map/` : `${base()}map/index.html`);
      const nodes = page.locator('svg.concept-map a');
      assert.ok((await nodes.count()) >= 20, 'principles and concepts are drawn');
      const node = page.locator('svg.concept-map a.node-concept').first();
      const title = (await node.locator('title').textContent()).trim();
      await node.scrollIntoViewIfNeeded();
      await Promise.all([page.waitForURL(/concepts\//), node.click()]);
      assert.equal(await h1Text(page), title);
      // The concept page has its local map, whose nodes are links too.
      const local = page.locator('.local-map svg.concept-map a');
      assert.ok((await local.count()) >= 2, 'local map drawn');
      watch.assertNoErrors();
      watch.assertNoFailed();
      watch.assertRequestsWithin(base());
    });
  }

  test('screenshots: home, principle, principle in dark mode', T, async () => {
    const principle = `${h.server.url}principles/stay-a-builder-at-every-level/`;
    const light = await openPage({ colorScheme: 'light' });
    await light.page.goto(h.server.url);
    await light.page.screenshot({ path: join(SHOT_DIR, 'shot-home.png') });
    await light.page.goto(principle);
    await light.page.screenshot({ path: join(SHOT_DIR, 'shot-principle.png') });

    const dark = await openPage({ colorScheme: 'light' });
    await dark.page.goto(principle);
    await dark.page.locator('#theme-toggle').click();
    assert.equal(await dark.page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await dark.page.screenshot({ path: join(SHOT_DIR, 'shot-dark.png') });
    for (const name of ['shot-home.png', 'shot-principle.png', 'shot-dark.png']) {
      assert.ok(statSync(join(SHOT_DIR, name)).size > 10_000, `${name} written`);
    }
    light.watch.assertNoErrors();
    dark.watch.assertNoErrors();
  });
});
