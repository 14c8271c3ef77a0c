// Edit-to-browser latency for `cargo bench --bench serve`: a file is
// written, and the time until the open page shows the new text is taken,
// over N edits.
//
//   node bench-serve.mjs URL FILE MARKER_BEFORE N
// FILE is the markdown source of the page at URL; MARKER_BEFORE is a text
// in it that each edit replaces with a new, unique one.

import { readFileSync, writeFileSync } from 'node:fs';
import { launchBrowser } from './lib.mjs';

const [url, file, marker, count] = process.argv.slice(2);
const original = readFileSync(file, 'utf8');
if (!original.includes(marker)) throw new Error(`${file} does not contain ${marker}`);
const chromium = await launchBrowser();
const context = await chromium.newContext();
const page = await context.newPage();
await page.goto(url);
await page.waitForLoadState('load');
await page.waitForTimeout(500);
const times = [];
for (let i = 0; i < Number(count); i++) {
  const text = `Edit number ${i} ${Date.now()}`;
  const start = performance.now();
  writeFileSync(file, original.replace(marker, text));
  await page.waitForFunction((t) => document.body && document.body.innerText.includes(t), text, {
    polling: 5,
    timeout: 30_000,
  });
  times.push(performance.now() - start);
  await page.waitForTimeout(Number(process.env.EDIT_GAP || 100));
}
writeFileSync(file, original);
await context.close();
await chromium.close();
const sorted = [...times].sort((a, b) => a - b);
console.log(JSON.stringify({
  median: sorted[Math.floor(sorted.length / 2)],
  p95: sorted[Math.floor(sorted.length * 0.95)],
  n: sorted.length,
}));
