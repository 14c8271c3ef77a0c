// Independent validators over the built sites (issue 9):
//   - HTML: the Nu HTML Checker (vnu.jar, npm `vnu-jar`, needs Java 11+) finds
//     no error on any page;
//   - accessibility: axe-core finds no violation on any page kind, in the
//     light and in the dark colour scheme;
//   - no request leaves the site, over HTTP and from file://;
//   - from file://, everything a page kind loads (CSS, JS, images, search
//     index scripts) exists: no failed request.
//
//   ALTITUDE_SITE=/path/to/site [ALTITUDE_ACME_SITE=/path/to/acme] node --test validate.test.mjs
//
// Each site is skipped when its variable is unset. A missing Java (`java` on
// the PATH, or $JAVA) or npm package fails the test when
// ALTITUDE_BROWSER_TESTS=required, else skips it.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { builtBasePath, computed, folderUrl, harness, luminance } from './lib.mjs';

const SITES = [
  ['bundled playbook', 'ALTITUDE_SITE'],
  ['examples/acme', 'ALTITUDE_ACME_SITE'],
];
const REQUIRED = process.env.ALTITUDE_BROWSER_TESTS === 'required';
const T = { timeout: 30_000 };
const VNU_TIMEOUT = 180_000;

const require = createRequire(import.meta.url);

/** Path of an installed package file, or null. */
function packageFile(resolveIt) {
  try {
    const path = String(resolveIt());
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const VNU_JAR = packageFile(() => require('vnu-jar'));
const AXE_JS = packageFile(() => require.resolve('axe-core/axe.min.js'));
const JAVA = process.env.JAVA ?? 'java';

/** Why the Nu checker cannot run here, or null (asked once, when needed). */
let vnuChecked;
function vnuProblem() {
  if (vnuChecked !== undefined) return vnuChecked;
  if (!VNU_JAR) {
    vnuChecked = 'npm package vnu-jar is not installed: run `npm ci` in tests/browser';
  } else {
    const r = spawnSync(JAVA, ['-version'], { encoding: 'utf8', timeout: 30_000 });
    vnuChecked = r.error || r.status !== 0
      ? `Java not found (\`${JAVA} -version\` failed): install a JRE 11+, e.g. apt-get install -y default-jre-headless`
      : null;
  }
  return vnuChecked;
}
const AXE_PROBLEM = AXE_JS ? null : 'npm package axe-core is not installed: run `npm ci` in tests/browser';

/** A test option: skip for `problem`, unless the tests are required (then it fails). */
const skipFor = (problem) => (problem && !REQUIRED ? problem : false);

/** Every .html file under `dir`, sorted. */
function htmlFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.html')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Runs vnu.jar once over `files`; resolves to its JSON messages. */
function runVnu(files) {
  const args = ['-jar', VNU_JAR, '--format', 'json', '--errors-only', ...files];
  return new Promise((ok, fail) => {
    execFile(
      JAVA,
      args,
      { maxBuffer: 256 * 1024 * 1024, timeout: VNU_TIMEOUT - 10_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        // vnu exits 1 when it reports errors; the JSON goes to stderr.
        const text = [stderr, stdout].find((s) => s.trim().startsWith('{'));
        if (!text) {
          fail(new Error(`vnu.jar gave no JSON report (${error?.message ?? 'exit 0'}):\n${stderr}${stdout}`));
          return;
        }
        try {
          ok(JSON.parse(text).messages ?? []);
        } catch (e) {
          fail(new Error(`vnu.jar report is not JSON (${e.message}):\n${text.slice(0, 2000)}`));
        }
      },
    );
  });
}

const oneLine = (s, max = 200) => {
  const t = String(s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
};

/**
 * One page of each kind (body.kind-<kind>): the largest file of the kind,
 * i.e. the one with the most content. Returns [[kind, relative path]], in a
 * fixed order (home first, 404 last).
 */
function pageKinds(site) {
  const best = new Map();
  for (const file of htmlFiles(site)) {
    const html = readFileSync(file, 'utf8');
    const kind = /<body\b[^>]*\bclass="(?:[^"]*\s)?kind-([\w-]+)/.exec(html)?.[1];
    if (!kind) continue;
    const size = html.length;
    if (!best.has(kind) || size > best.get(kind).size) best.set(kind, { file, size });
  }
  const order = ['home', 'section', 'principle', 'concept', 'page', 'map', 'search', 'print', '404'];
  const rank = (k) => (order.includes(k) ? order.indexOf(k) : order.length - 1);
  return [...best.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([kind, { file }]) => [kind, relative(site, file).split(sep).join('/')]);
}

/** A word to search for: the longest word of the first concept's title. */
function searchWord(site, kinds) {
  const concept = kinds.find(([k]) => k === 'concept') ?? kinds.find(([k]) => k === 'principle');
  const title = concept
    ? /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(readFileSync(join(site, concept[1]), 'utf8'))?.[1] ?? ''
    : '';
  const words = title.replace(/<[^>]*>|&[^;]+;/g, ' ').match(/\p{L}{3,}/gu) ?? [];
  return words.sort((a, b) => b.length - a.length)[0]?.toLowerCase() ?? 'the';
}

/** The URL of a built page over HTTP (directory form) or from file://. */
function pageUrl(base, rel, where) {
  if (where === 'file') return `${base}${rel}`;
  return `${base}${rel === 'index.html' ? '' : rel.replace(/(^|\/)index\.html$/, '$1')}`;
}

/** Waits until altitude.js has run (it un-hides the dark-mode toggle). */
async function settled(page) {
  await page.waitForLoadState('load');
  await page.locator('#theme-toggle').waitFor({ state: 'visible' });
}

/** Types `word` in the header box and waits for its results. */
async function openSearchBox(page, word) {
  const input = page.locator('#search-input');
  await input.focus();
  await page.waitForFunction(() => typeof window.altitudeSearch === 'object');
  await input.fill(word);
  await page.waitForFunction(
    (q) => document.querySelector('#search-results')?.dataset.query === q,
    word,
  );
  await page.locator('#search-results [role="option"]').first().waitFor({ state: 'visible' });
}

/** Types `word` on the search page and waits for its results. */
async function searchPage(page, word) {
  const input = page.locator('#search-page-input');
  await input.fill(word);
  await page.locator('#search-page-results li').first().waitFor({ state: 'visible' });
}

/** Hovers the first link in the text that has a preview and waits for it. */
async function openPreview(page) {
  const link = page.locator('.prose a[href*="concepts/"]').first();
  await link.scrollIntoViewIfNeeded();
  await link.hover();
  await page.locator('#altitude-preview').waitFor({ state: 'visible' });
}

/**
 * The states to check on a site: [name, kind, how to get there]. A step is
 * async (page, base, where) and leaves the page ready to check.
 */
function states(site) {
  const kinds = pageKinds(site);
  const word = searchWord(site, kinds);
  const go = (rel) => async (page, base, where) => {
    await page.goto(pageUrl(base, rel, where));
    await settled(page);
  };
  const out = [];
  for (const [kind, rel] of kinds) {
    if (kind === '404') {
      // As a server shows it: for a URL that does not exist.
      out.push([`404 (${rel})`, kind, async (page, base) => {
        const res = await page.goto(`${base}no/such/page/`);
        assert.equal(res.status(), 404);
        await settled(page);
      }]);
    } else if (kind === 'search') {
      out.push([`search with results for "${word}" (${rel})`, kind, async (page, base, where) => {
        await go(rel)(page, base, where);
        await searchPage(page, word);
      }]);
    } else {
      out.push([`${kind} (${rel})`, kind, go(rel)]);
    }
    if (kind === 'home') {
      out.push([`home, search box showing results for "${word}"`, kind, async (page, base, where) => {
        await go(rel)(page, base, where);
        await openSearchBox(page, word);
      }]);
    }
    if (kind === 'principle') {
      out.push([`principle, link preview open (${rel})`, kind, async (page, base, where) => {
        await go(rel)(page, base, where);
        await openPreview(page);
      }]);
    }
  }
  return out;
}

/** Runs axe-core in the page; resolves to its violations. */
async function axe(page) {
  await page.addScriptTag({ path: AXE_JS });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | '),
        summary: n.failureSummary,
      })),
    }));
  });
}

function formatViolations(violations) {
  return violations
    .map((v) =>
      [
        `${v.id} (${v.impact}): ${v.help}`,
        ...v.nodes.map((n) => `    ${n.target}\n      ${oneLine(n.summary, 300)}`),
      ].join('\n'),
    )
    .join('\n  ');
}

/**
 * Every resource the page's DOM points to (stylesheets, icons, scripts,
 * images, SVG images) and, from file://, every link into the site folder:
 * those that do not exist as files under `folder`.
 */
async function missingFiles(page, folder) {
  const urls = await page.evaluate(() => {
    const attr = (sel, name) =>
      [...document.querySelectorAll(sel)].map((e) => e.getAttribute(name)).filter(Boolean);
    const abs = (u) => new URL(u, document.baseURI).href;
    return {
      resources: [
        ...attr('link[href]:not([rel~="canonical"]):not([rel~="alternate"])', 'href'),
        ...attr('script[src], img[src], source[src], iframe[src], video[src], audio[src]', 'src'),
        ...attr('svg image[href], svg use[href]', 'href'),
        ...[...document.querySelectorAll('img[srcset], source[srcset]')].flatMap((e) =>
          e.getAttribute('srcset').split(',').map((s) => s.trim().split(/\s+/)[0]).filter(Boolean),
        ),
      ].map(abs),
      // Also SVG links (the concept maps), whose .href is not a string.
      links: [...document.querySelectorAll('a[href]')].map((a) => abs(a.getAttribute('href'))),
    };
  });
  const missing = [];
  const check = (url, isLink) => {
    const u = new URL(url);
    if (u.protocol !== 'file:') return;
    u.search = '';
    u.hash = '';
    if (isLink && !u.href.startsWith(folder)) return; // reported as outside the site below
    let path = fileURLToPath(u);
    if (existsSync(path) && statSync(path).isDirectory()) {
      if (!isLink) {
        missing.push(`a folder, not a file: ${url}`);
        return;
      }
      path = join(path, 'index.html');
    }
    if (!existsSync(path)) missing.push(`missing file: ${url}`);
  };
  for (const url of urls.resources) check(url, false);
  for (const url of urls.links) check(url, true);
  const outside = urls.resources.filter(
    (u) => !u.startsWith(folder) && !/^(data|blob|about):/.test(u),
  );
  return [...new Set([...missing, ...outside.map((u) => `${u} (outside the site)`)])];
}

for (const [name, envVar] of SITES) {
  const SITE_ENV = process.env[envVar];
  describe(`Validators on the ${name}`, { skip: !SITE_ENV && `${envVar} not set` }, () => {
    const SITE = resolve(SITE_ENV ?? '.');
    const BUILT = Boolean(SITE_ENV) && existsSync(join(SITE, 'index.html'));
    const STATES = BUILT ? states(SITE) : [];
    before(() => {
      if (!BUILT) {
        throw new Error(`${envVar}=${SITE_ENV} is not a built site (no index.html in it)`);
      }
    });
    // At the built base path, so that the 404 page's links resolve.
    const h = harness(SITE, () => builtBasePath(SITE));
    const open = (options, allowed) => h.open(options, allowed);

    test('every page kind is found', () => {
      const kinds = new Set(STATES.map(([, kind]) => kind));
      for (const kind of ['home', 'section', 'principle', 'concept', 'map', 'search', 'print', '404']) {
        assert.ok(kinds.has(kind), `a ${kind} page in ${SITE} (found: ${[...kinds].join(', ')})`);
      }
    });

    const VNU_PROBLEM = SITE_ENV ? vnuProblem() : null;
    test('Nu HTML Checker: no error on any page', {
      timeout: VNU_TIMEOUT,
      skip: skipFor(VNU_PROBLEM),
    }, async () => {
      if (VNU_PROBLEM) assert.fail(`ALTITUDE_BROWSER_TESTS=required but ${VNU_PROBLEM}`);
      const files = htmlFiles(SITE);
      assert.ok(files.length > 0, 'HTML files to check');
      const messages = (await runVnu(files)).filter((m) => m.type !== 'info');
      // Grouped by message and markup: the same template error shows on
      // every page; every file and line is still listed.
      const groups = new Map();
      for (const m of messages) {
        const file = m.url ? relative(SITE, fileURLToPath(m.url)) : '?';
        const at = m.lastLine ? `:${m.lastLine}:${m.firstColumn ?? m.lastColumn ?? ''}` : '';
        const kind = m.type === 'error' ? '' : `${m.type}: `;
        const key = `${kind}${m.message}${m.extract ? `\n      ${oneLine(m.extract)}` : ''}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(`${file}${at}`);
      }
      const report = [...groups].map(([key, where]) => `${key}\n      in ${where.join(', ')}`);
      assert.equal(
        messages.length,
        0,
        `${messages.length} HTML error(s) in ${files.length} pages:\n  ${report.join('\n  ')}`,
      );
    });

    for (const scheme of ['light', 'dark']) {
      for (const [label, , reach] of STATES) {
        test(`axe: ${label}, ${scheme}`, { ...T, skip: skipFor(AXE_PROBLEM) }, async () => {
          if (AXE_PROBLEM) assert.fail(`ALTITUDE_BROWSER_TESTS=required but ${AXE_PROBLEM}`);
          const { page } = await open({ colorScheme: scheme }, [h.server.origin]);
          await reach(page, h.server.url, 'http');
          const bg = await luminance(page, await computed(page, 'body', 'background-color'));
          assert.ok(scheme === 'dark' ? bg < 0.1 : bg > 0.7, `${scheme} background (luminance ${bg})`);
          const violations = await axe(page);
          assert.equal(
            violations.length,
            0,
            `axe violations on ${page.url()} (${scheme}):\n  ${formatViolations(violations)}`,
          );
        });
      }
    }

    for (const where of ['http', 'file']) {
      const title = `every page kind loads only the site's own files, none missing (${where})`;
      test(title, { timeout: 120_000 }, async () => {
        const base = where === 'http' ? h.server.url : folderUrl(SITE);
        const folder = folderUrl(SITE);
        // From file:// nothing may leave the folder, not even for this machine.
        const allowed = where === 'http' ? [h.server.origin] : [];
        const problems = [];
        let count = 0;
        for (const [label, kind, reach] of STATES) {
          // The 404 page is for a server (its links start at the built base
          // path): a reader never opens it from file://.
          if (where === 'file' && kind === '404') continue;
          const { context, page, watch } = await open({}, allowed);
          await reach(page, base, where);
          await page.waitForLoadState('load');
          count += watch.requests.length;
          // The 404 page itself comes with status 404.
          const failed = watch.failed.filter(
            (f) => !(kind === '404' && f === `404 ${base}no/such/page/`),
          );
          const out = watch.outside(base);
          const missing = where === 'file' ? await missingFiles(page, folder) : [];
          for (const p of [...failed, ...out.map((u) => `outside the site: ${u}`), ...missing]) {
            problems.push(`${label}: ${p}`);
          }
          await context.close();
        }
        assert.ok(count > 0, 'requests were recorded');
        assert.deepEqual(
          problems,
          [],
          `requests off the site or failing (${where}):\n  ${problems.join('\n  ')}`,
        );
      });
    }
  });
}
