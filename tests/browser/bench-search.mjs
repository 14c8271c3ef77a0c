// Search figures in headless Chromium, for `cargo bench --bench search`.
//
//   node bench-search.mjs SITE_DIR QUERIES.json
//
// QUERIES.json: { first: ["word", …], further: ["word", …],
//                 cases: [{ q, kind: "typo"|"prefix"|"exact", expect: url }] }
// Prints one JSON object: bytes and requests for a first and a further
// query (over HTTP, uncompressed and gzip), query times (warm, ms) and top-5
// recall per kind.

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { launchBrowser, serveSite } from './lib.mjs';

const [site, queriesFile] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(queriesFile, 'utf8'));
const chromium = await launchBrowser();
const server = await serveSite(site, '/');

/** Opens the home page, then records every request made after it. */
async function freshPage() {
  const context = await chromium.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForLoadState('load');
  const log = [];
  page.on('requestfinished', async (req) => {
    // Only the search's own files: the page may still be fetching others.
    if (!new URL(req.url()).pathname.includes('/search/')) return;
    const res = await req.response();
    const body = res ? await res.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    log.push({ url: req.url(), raw: body.length, gzip: gzipSync(body).length });
  });
  return { context, page, log };
}

async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(50);
}

async function query(page, q) {
  return page.evaluate(async (q) => {
    const pages = await window.altitudeSearch.search(q);
    return pages.map((p) => p.page[0]);
  }, q);
}

const sum = (log, field) => log.reduce((n, r) => n + r[field], 0);
const first = [];
const further = [];
for (let i = 0; i < queries.first.length; i++) {
  const { context, page, log } = await freshPage();
  await page.focus('#search-input');
  await page.waitForFunction(() => window.altitudeSearch && window.altitudeSearch.search);
  await settle(page);
  await query(page, queries.first[i]);
  await settle(page);
  first.push({ requests: log.length, raw: sum(log, 'raw'), gzip: sum(log, 'gzip') });
  const before = log.length;
  await query(page, queries.further[i]);
  await settle(page);
  const extra = log.slice(before);
  further.push({ requests: extra.length, raw: sum(extra, 'raw'), gzip: sum(extra, 'gzip') });
  await context.close();
}

// Timing and recall on one page, shards warm after the first run of each.
const { context, page } = await freshPage();
await page.focus('#search-input');
await page.waitForFunction(() => window.altitudeSearch && window.altitudeSearch.search);
const times = [];
const recall = {};
const misses = [];
for (const c of queries.cases) {
  const top = await query(page, c.q);
  const ms = await page.evaluate(async (q) => {
    const t = performance.now();
    await window.altitudeSearch.search(q);
    return performance.now() - t;
  }, c.q);
  times.push(ms);
  const r = (recall[c.kind] ??= { hit: 0, total: 0 });
  r.total += 1;
  if (top.slice(0, 5).includes(c.expect)) r.hit += 1;
  else if (misses.length < 12) misses.push({ ...c, top: top.slice(0, 5) });
}
await context.close();
await chromium.close();
await server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
const pick = (rows, f) => median(rows.map((r) => r[f]));
console.log(
  JSON.stringify({
    first: { requests: pick(first, 'requests'), raw: pick(first, 'raw'), gzip: pick(first, 'gzip') },
    further: { requests: pick(further, 'requests'), raw: pick(further, 'raw'), gzip: pick(further, 'gzip') },
    query_ms: { median: median(times), p95: p95(times) },
    recall,
    misses,
  }),
);
