// `altitude serve` in headless Chromium: an open page shows a save at once
// and keeps its scroll position, through a reload too; a CSS change is
// swapped in without a reload;
// a broken save shows the problems over the page, and the next good save
// clears them.
//
//   ALTITUDE_SERVE_URL=http://127.0.0.1:PORT/ ALTITUDE_SERVE_DIR=/path/to/playbook node --test serve.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blockExternal, launchBrowser, watchPage } from './lib.mjs';

const URL_ENV = process.env.ALTITUDE_SERVE_URL;
const DIR = process.env.ALTITUDE_SERVE_DIR;
const T = { timeout: 30_000 };

describe('altitude serve in headless Chromium', { skip: !URL_ENV && 'ALTITUDE_SERVE_URL not set' }, () => {
  let chromium;
  before(async () => {
    chromium = await launchBrowser();
  });
  after(async () => {
    await chromium?.close();
  });

  // Waits until the server has started no build for a while: the files a
  // test restores trigger a rebuild that must not reach the next test's page.
  async function quiet() {
    let last = -1;
    let since = Date.now();
    for (;;) {
      const { builds } = await (await fetch(new URL('__altitude/status', URL_ENV))).json();
      if (builds !== last) [last, since] = [builds, Date.now()];
      else if (Date.now() - since > 700) return;
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  async function open(path) {
    await quiet();
    const context = await chromium.newContext({ viewport: { width: 1000, height: 500 } });
    await blockExternal(context, ['http://127.0.0.1:']);
    const page = await context.newPage();
    const watch = watchPage(page);
    await page.goto(new URL(path, URL_ENV).href);
    // The live-reload stream is open once the server has said hello.
    await page.waitForFunction(() => document.documentElement.hasAttribute('data-altitude-live'));
    return { context, page, watch };
  }

  const file = () => join(DIR, 'principles', 'own-the-outcome.md');

  test('a save shows the new text in the open page, at the same scroll position', T, async () => {
    const original = readFileSync(file(), 'utf8');
    // A long page, so there is somewhere to scroll to.
    writeFileSync(file(), original + '\n\n' + Array.from({ length: 60 }, (_, i) => `Paragraph ${i}.`).join('\n\n') + '\n');
    const { context, page, watch } = await open('principles/own-the-outcome/');
    await page.waitForFunction(() => document.body.innerText.includes('Paragraph 59.'), null, { timeout: 10_000 })
      .catch(async () => { await page.reload(); });
    await page.waitForFunction(() => document.body.innerText.includes('Paragraph 59.'), null, { timeout: 10_000 });
    await page.waitForTimeout(300);
    // Instantly: the theme scrolls smoothly, and the position is read at once.
    await page.evaluate(() => window.scrollTo({ top: 700, behavior: 'instant' }));
    const before = await page.evaluate(() => window.scrollY);
    assert.ok(before > 600, `scrolled to ${before}`);
    try {
      writeFileSync(file(), readFileSync(file(), 'utf8').replace('Paragraph 0.', 'Paragraph zero, edited.'));
      await page.waitForFunction(() => document.body.innerText.includes('Paragraph zero, edited.'), null, { timeout: 10_000 });
      await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 5, before, { timeout: 5_000 });
      watch.assertNoErrors();
    } finally {
      writeFileSync(file(), original);
      await context.close();
    }
  });

  test('a changed script reloads the page at the same scroll position', T, async () => {
    const original = readFileSync(file(), 'utf8');
    writeFileSync(file(), original + '\n\n' + Array.from({ length: 60 }, (_, i) => `Line ${i}.`).join('\n\n') + '\n');
    const { context, page, watch } = await open('principles/own-the-outcome/');
    try {
      await page.waitForFunction(() => document.body.innerText.includes('Line 59.'), null, { timeout: 10_000 })
        .catch(async () => { await page.reload(); });
      await page.waitForFunction(() => document.body.innerText.includes('Line 59.'), null, { timeout: 10_000 });
      // Instantly: the theme scrolls smoothly, and the position is read at once.
      await page.evaluate(() => {
        window.scrollTo({ top: 700, behavior: 'instant' });
        window.__beforeReload = true;
      });
      const before = await page.evaluate(() => window.scrollY);
      assert.equal(before, 700);
      mkdirSync(join(DIR, 'static', 'assets'), { recursive: true });
      writeFileSync(join(DIR, 'static', 'assets', 'probe.js'), '// a new script\n');
      await page.waitForFunction(() => !window.__beforeReload, null, { timeout: 10_000 });
      await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 5, before, { timeout: 5_000 });
      watch.assertNoErrors();
    } finally {
      rmSync(join(DIR, 'static'), { recursive: true, force: true });
      writeFileSync(file(), original);
      await context.close();
    }
  });

  test('a CSS change is swapped in without a reload', T, async () => {
    const { context, page, watch } = await open('principles/own-the-outcome/');
    await page.evaluate(() => { window.__notReloaded = true; });
    mkdirSync(join(DIR, 'static', 'assets'), { recursive: true });
    const css = readFileSync(new URL('../../themes/default/static/assets/altitude.css', import.meta.url), 'utf8');
    writeFileSync(join(DIR, 'static', 'assets', 'altitude.css'), css + '\nbody { outline: 3px solid rgb(255, 0, 0); }\n');
    try {
      await page.waitForFunction(() => getComputedStyle(document.body).outlineColor === 'rgb(255, 0, 0)', null, { timeout: 10_000 });
      assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
      watch.assertNoErrors();
    } finally {
      rmSync(join(DIR, 'static'), { recursive: true, force: true });
      await context.close();
    }
  });

  test('a page that has searched reloads when the index changes, and finds the new words', T, async () => {
    const other = join(DIR, 'principles', 'say-no-early.md');
    const original = readFileSync(other, 'utf8');
    const { context, page, watch } = await open('principles/own-the-outcome/');
    try {
      await page.locator('#search-input').focus();
      await page.waitForFunction(() => !!window.altitudeSearch);
      await page.evaluate(() => { window.__beforeSave = true; });
      writeFileSync(other, original + '\nA zebracorn decides.\n');
      await page.waitForFunction(() => !window.__beforeSave, null, { timeout: 10_000 });
      await page.locator('#search-input').fill('zebracorn');
      const results = page.locator('#search-results');
      await page.waitForFunction(() => document.querySelector('#search-results')?.dataset.query === 'zebracorn');
      assert.match(await results.innerText(), /Say no early/i);
      watch.assertNoErrors();
    } finally {
      writeFileSync(other, original);
      await context.close();
    }
  });

  test('a deleted page goes to its nearest surviving parent', T, async () => {
    const temp = join(DIR, 'principles', 'short-lived.md');
    writeFileSync(temp, '+++\ntitle = "Short lived"\naltitude = "team"\nhorizon = "weeks"\n+++\nSoon gone.\n');
    const probe = new URL('principles/short-lived/', URL_ENV).href;
    for (let i = 0; i < 100 && (await fetch(probe)).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
    const { context, page, watch } = await open('principles/short-lived/');
    assert.match(await page.locator('h1').innerText(), /Short lived/);
    rmSync(temp);
    await page.waitForURL(new URL('principles/', URL_ENV).href, { timeout: 10_000 });
    watch.assertNoErrors();
    await context.close();
  });

  test('a broken save shows an overlay; the next good save clears it', T, async () => {
    const original = readFileSync(file(), 'utf8');
    const { context, page, watch } = await open('principles/own-the-outcome/');
    const overlay = page.locator('#altitude-overlay');
    try {
      writeFileSync(file(), original.replace('+++\n', '+++\ntitle = "Unclosed\n'));
      await overlay.waitFor({ state: 'visible', timeout: 10_000 });
      const text = await overlay.innerText();
      assert.match(text, /own-the-outcome\.md:2:/, text);
      // The last good page is still there underneath.
      assert.ok(await page.locator('h1').isVisible());
    } finally {
      writeFileSync(file(), original);
    }
    await overlay.waitFor({ state: 'detached', timeout: 10_000 });
    watch.assertNoErrors();
    await context.close();
  });
});
