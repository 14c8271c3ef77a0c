// Helpers for the headless-browser tests of a built Altitude site:
//   - launchBrowser(): system Chromium, headless, through playwright-core
//     (no browser download; /usr/bin/chromium or $CHROMIUM_PATH);
//   - serveSite(): a tiny static HTTP server for a site folder, optionally
//     under a sub-path such as /handbook/;
//   - watchPage(): records console errors, page errors, failed responses and
//     every request URL, with assertions on them;
//   - small DOM helpers (colour luminance, base path of a built site).

import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary: $CHROMIUM_PATH, else /usr/bin/chromium. */
export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}; install it or set CHROMIUM_PATH`);
  }
  return path;
}

/**
 * Launches headless Chromium (system binary, CHROMIUM_ARGS). Playwright's
 * launch() runs it on a fresh temporary user-data-dir that it deletes on
 * close, and every context from newContext() has its own empty storage
 * (cookies, localStorage), so tests sharing the browser cannot leak state.
 * Returns { browser, newContext(options), close() }; newContext defaults to a
 * 1280x900 light-scheme viewport with short, bounded timeouts.
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 15_000,
  });
  return {
    browser,
    async newContext(options = {}) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        colorScheme: 'light',
        ...options,
      });
      context.setDefaultTimeout(5_000);
      context.setDefaultNavigationTimeout(10_000);
      return context;
    },
    async close() {
      await browser.close();
    },
  };
}

/**
 * Keeps a context off the network: any http(s)/ws(s) request whose URL does
 * not start with one of `allowed` (e.g. the test server's origin) is aborted
 * before it is sent. watchPage() still records it, so a test can fail on it.
 * file:// and data: loads are not routed and are unaffected.
 */
export async function blockExternal(context, allowed) {
  await context.route(
    (url) => /^(https?|wss?):$/.test(url.protocol),
    (route) => {
      const url = route.request().url();
      if (allowed.some((prefix) => url.startsWith(prefix))) return route.continue();
      return route.abort('blockedbyclient');
    },
  );
}

/**
 * The shared setup of a test suite, as before/after hooks of the suite it is
 * called in: one browser and the site served at `prefix` (a path, or a
 * function giving it when the hooks run). Returns h with h.chromium and
 * h.server once the hooks ran, and h.open(options, allowed): a watched page
 * in a fresh context (empty storage) that may reach only `allowed` origins,
 * by default this machine's loopback. Contexts are closed after the suite.
 */
export function harness(site, prefix = '/') {
  const h = { contexts: [] };
  before(async () => {
    const at = typeof prefix === 'function' ? prefix() : prefix;
    [h.chromium, h.server] = await Promise.all([launchBrowser(), serveSite(site, at)]);
  });
  after(async () => {
    await Promise.allSettled(h.contexts.map((c) => c.close()));
    await Promise.allSettled([h.chromium?.close(), h.server?.close()]);
  });
  h.open = async (options = {}, allowed = ['http://127.0.0.1:']) => {
    const context = await h.chromium.newContext(options);
    h.contexts.push(context);
    await blockExternal(context, allowed);
    const page = await context.newPage();
    return { context, page, watch: watchPage(page) };
  };
  return h;
}

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

/** Normalises a sub-path to "/x/y/" form ("" or "/" → "/"). */
export function normalizePrefix(prefix = '/') {
  let p = prefix.trim();
  if (!p.startsWith('/')) p = `/${p}`;
  if (!p.endsWith('/')) p = `${p}/`;
  return p.replace(/\/{2,}/g, '/');
}

/**
 * Serves `root` at http://127.0.0.1:<random port><prefix>.
 *  - a directory URL serves its index.html; a directory without the trailing
 *    slash is redirected (301) to the slashed URL, as static hosts do;
 *  - anything missing (or outside the prefix) gets the site's 404.html with
 *    status 404 (plain text if the site has none);
 *  - GET and HEAD only; paths escaping the folder are refused.
 * Resolves to { url, origin, prefix, port, requests, close }; `url` is the
 * site's home (origin + prefix) and `requests` logs "METHOD path status".
 */
export async function serveSite(root, prefix = '/') {
  const siteRoot = resolve(root);
  const base = normalizePrefix(prefix);
  const requests = [];

  function sendFile(req, res, file, status) {
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const size = statSync(file).size;
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': size,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  function notFound(req, res) {
    const page = join(siteRoot, '404.html');
    if (existsSync(page)) {
      sendFile(req, res, page, 404);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : 'Not found\n');
    }
  }

  function handle(req, res) {
    const log = (status) => requests.push(`${req.method} ${req.url} ${status}`);
    res.on('finish', () => log(res.statusCode));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Bad request\n');
      return;
    }
    // "/handbook" → "/handbook/"
    if (base !== '/' && `${pathname}/` === base) {
      res.writeHead(301, { Location: base });
      res.end();
      return;
    }
    if (!pathname.startsWith(base) || pathname.includes('\0')) {
      notFound(req, res);
      return;
    }
    const rel = pathname.slice(base.length);
    const target = resolve(siteRoot, `.${sep}${rel}`);
    if (target !== siteRoot && !target.startsWith(siteRoot + sep)) {
      notFound(req, res);
      return;
    }
    let stat;
    try {
      stat = statSync(target);
    } catch {
      notFound(req, res);
      return;
    }
    if (stat.isDirectory()) {
      if (!pathname.endsWith('/')) {
        const u = new URL(req.url, 'http://localhost');
        res.writeHead(301, { Location: `${u.pathname}/${u.search}` });
        res.end();
        return;
      }
      const index = join(target, 'index.html');
      if (existsSync(index)) {
        sendFile(req, res, index, 200);
      } else {
        notFound(req, res);
      }
      return;
    }
    sendFile(req, res, target, 200);
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Server error: ${e.message}\n`);
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    prefix: base,
    url: `${origin}${base}`,
    requests,
    close() {
      return new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      });
    },
  };
}

/** The file:// URL of a folder, with a trailing slash. */
export function folderUrl(dir) {
  const href = pathToFileURL(resolve(dir)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

// Requests that never leave the page: inline data and in-memory objects.
const LOCAL_SCHEMES = ['data:', 'blob:', 'about:'];

/**
 * Starts recording on a page. Returns a watcher with:
 *   consoleErrors  — texts of console messages of type "error"
 *   pageErrors     — uncaught exceptions ("pageerror")
 *   requests       — every request URL, in order
 *   failed         — "status url" of responses >= 400 and failed requests
 *   errors(opts)   — consoleErrors + pageErrors, minus `ignore` matches
 *   assertNoErrors(opts), assertRequestsWithin(prefix), assertNoFailed(opts)
 */
export function watchPage(page) {
  const w = {
    consoleErrors: [],
    pageErrors: [],
    requests: [],
    failed: [],
    errors({ ignore = [] } = {}) {
      const all = [
        ...w.consoleErrors.map((t) => `console.error: ${t}`),
        ...w.pageErrors.map((t) => `pageerror: ${t}`),
      ];
      return all.filter((t) => !ignore.some((re) => re.test(t)));
    },
    assertNoErrors(opts = {}) {
      const errs = w.errors(opts);
      assert.deepEqual(errs, [], `console errors on ${page.url()}:\n  ${errs.join('\n  ')}`);
    },
    assertNoFailed({ ignore = [] } = {}) {
      const bad = w.failed.filter((t) => !ignore.some((re) => re.test(t)));
      assert.deepEqual(bad, [], `failed requests on ${page.url()}:\n  ${bad.join('\n  ')}`);
    },
    outside(prefix) {
      return w.requests.filter(
        (u) => !u.startsWith(prefix) && !LOCAL_SCHEMES.some((s) => u.startsWith(s)),
      );
    },
    assertRequestsWithin(prefix) {
      assert.ok(w.requests.length > 0, 'no request was recorded at all');
      const out = w.outside(prefix);
      assert.deepEqual(out, [], `requests outside ${prefix}:\n  ${out.join('\n  ')}`);
    },
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      w.consoleErrors.push(loc?.url ? `${msg.text()} (${loc.url})` : msg.text());
    }
  });
  page.on('pageerror', (err) => w.pageErrors.push(String(err?.stack || err)));
  page.on('request', (req) => w.requests.push(req.url()));
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText ?? '?';
    // The browser cancels loads still running when the page navigates on
    // (the favicon, typically): that is not the site failing. A missing file
    // still shows as a 404 response below.
    if (why === 'net::ERR_ABORTED') return;
    w.failed.push(`failed ${req.url()} (${why})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) w.failed.push(`${res.status()} ${res.url()}`);
  });
  return w;
}

/**
 * Relative luminance (0 black … 1 white) of a CSS colour, computed in the
 * page through a canvas so that any colour syntax the browser returns
 * (rgb(), color(srgb …), oklch(), …) is handled.
 */
export async function luminance(page, cssColor) {
  return page.evaluate((color) => {
    const c = document.createElement('canvas');
    c.width = c.height = 1;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 1, 1);
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
    const lin = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  }, cssColor);
}

/** Computed style property of the first element matching `selector`. */
export async function computed(page, selector, property) {
  return page.locator(selector).first().evaluate(
    (el, prop) => getComputedStyle(el).getPropertyValue(prop),
    property,
  );
}

/**
 * The URL path the site was built for: the path of its configured base_url,
 * read from sitemap.xml (whose first <loc> is the home page: "/" without a
 * base_url, "https://host/sub/" with one). Defaults to "/".
 */
export function builtBasePath(siteDir) {
  const file = join(siteDir, 'sitemap.xml');
  if (!existsSync(file)) return '/';
  // The shortest <loc> is the home page.
  const locs = [...readFileSync(file, 'utf8').matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1]);
  if (locs.length === 0) return '/';
  const loc = locs
    .sort((a, b) => a.length - b.length)[0]
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  try {
    return normalizePrefix(new URL(loc, 'http://base.invalid/').pathname);
  } catch {
    return '/';
  }
}
