// The examples/acme company layer in headless Chromium: a shared principle
// shows its base text and, below it, Acme's section with its badge; over
// HTTP and from file://.
//
//   ALTITUDE_ACME_SITE=/path/to/built/acme node --test acme.test.mjs

import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { folderUrl, harness } from './lib.mjs';

const SITE_ENV = process.env.ALTITUDE_ACME_SITE;
const PRINCIPLE = 'principles/decide-with-one-owner-not-a-committee/';
const T = { timeout: 15_000 };

describe('Acme layer in headless Chromium', { skip: !SITE_ENV && 'ALTITUDE_ACME_SITE not set' }, () => {
  const SITE = resolve(SITE_ENV ?? '.');
  const h = harness(SITE, '/');

  async function open(url, allowed) {
    const { page, watch } = await h.open({}, allowed);
    await page.goto(url);
    return { page, watch };
  }

  async function checkPrinciple(page) {
    const h1 = page.locator('h1');
    assert.equal((await h1.innerText()).trim(), 'Decide with one owner, not a committee');
    // The shared text comes first, untouched.
    const base = page.locator('.page-main > .prose').first();
    await base.waitFor({ state: 'visible' });
    assert.match(await base.innerText(), /Your job is to create Clarity, not agreement/);
    // Then the company's section, marked as Acme's.
    const section = page.locator('section.extension#acme');
    await section.scrollIntoViewIfNeeded();
    assert.ok(await section.isVisible(), 'the Acme section is visible');
    const badge = section.locator('.layer-badge');
    assert.equal((await badge.textContent()).trim(), 'Acme');
    assert.ok(await badge.isVisible());
    const title = (await section.locator('h2').innerText()).trim();
    assert.match(title, /^How we do this at Acme/);
    const baseBox = await base.boundingBox();
    const sectionBox = await section.boundingBox();
    assert.ok(sectionBox.y > baseBox.y + baseBox.height - 1, 'the section follows the shared text');
    // Acme's accent colour is the page's accent.
    const accent = await page.evaluate(() =>
      getComputedStyle(document.querySelector('.layer-badge')).borderTopColor,
    );
    assert.equal(accent, 'rgb(11, 110, 79)');
    // The table of contents reaches the section.
    const tocLink = page.locator('.toc a[href="#acme"]');
    await tocLink.click();
    assert.ok(page.url().endsWith('#acme'));
  }

  test('principle with the Acme section, over HTTP', T, async () => {
    const { page, watch } = await open(`${h.server.url}${PRINCIPLE}`, ['http://127.0.0.1:']);
    await checkPrinciple(page);
    watch.assertNoErrors();
    watch.assertNoFailed();
  });

  test('principle with the Acme section, from file://', T, async () => {
    const url = `${folderUrl(join(SITE, PRINCIPLE))}index.html`;
    const { page, watch } = await open(url, ['file://']);
    await checkPrinciple(page);
    watch.assertNoErrors();
  });
});
