// The labelling page's latency in Debian's headless chromium, driven by puppeteer-core (from
// tests/label/node_modules; it downloads no browser). Opens the page `edgeloop label` serves, then
// presses class keys at a labeller's pace and reads the page's own timings (label_page.cpp):
//   page load   navigation start → the first frame painted (Element Timing) and the keys live
//   painted     key press (the keydown's timeStamp) → the next frame painted: the renderTime of the
//               browser's Element Timing entry for the frame's new image, i.e. the frame in which
//               the compositor put that image on screen, not just the moment the DOM changed
//   decoded     key press → first animation frame after the image decoded (cross-check, no
//               Element Timing needed: the image is ready to paint and the frame has run)
//   saved       key press → the server's answer that the label is committed in SQLite
// Prints each figure beside its target; exits 1 when the page did not store every label.
// Usage: node label_latency.mjs URL PRESSES PAUSE_MS CAPTURES
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../../tests/label/package.json"));
const puppeteer = require("puppeteer-core");

const [url, presses, pauseMs, captures] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const kPaintTargetMs = 30, kLoadTargetMs = 1000, kLabelStudioSaveMs = 2000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];

function percentile(values, fraction) {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}
const summary = (values) => `p50 ${percentile(values, 0.5).toFixed(1)} ms, p95 ${percentile(values, 0.95).toFixed(1)} ms, ` +
                            `max ${Math.max(...values).toFixed(1)} ms (${values.length} presses)`;

const profile = mkdtempSync(join(tmpdir(), "edgeloop-label-bench-"));
const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium", headless: true, userDataDir: profile,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"],
});
let failed = false;
try {
  const loadBefore = loadAverage();
  const page = await browser.newPage();
  await page.goto(url, {waitUntil: "load"});
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForFunction(() => window.edgeloopFirstPaint !== undefined);
  const load = await page.evaluate(() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    const state = performance.getEntriesByType("resource").find((entry) => entry.name.includes("/api/state"));
    return {ready: window.edgeloopReadyAt, painted: window.edgeloopFirstPaint, html: navigation.responseEnd,
            stateStart: state.startTime, stateEnd: state.responseEnd, stateBytes: state.encodedBodySize};
  });
  const keys = await page.evaluate(() => fetch("/api/state").then((response) => response.json()).then((state) => state.keys));
  const before = await page.metrics();
  for (let index = 0; index < presses; ++index) {
    await page.keyboard.press(keys[index % keys.length]);
    await sleep(pauseMs);
  }
  await page.waitForFunction(() => window.edgeloopUnsaved === 0, {timeout: 60000});
  const after = await page.metrics();
  const timings = await page.evaluate(() => window.edgeloopTimings);
  const stored = await page.evaluate(() => fetch("/api/state").then((response) => response.json()).then((state) => state.counts.labelled));
  const version = await browser.version();
  const perPress = (name) => (1000 * (after[name] - before[name]) / presses).toFixed(2);

  console.log(`label page, ${captures} captures, ${presses} key presses every ${pauseMs} ms, ${version} headless; ` +
              `load average ${loadBefore} before, ${loadAverage()} after, ${cpus().length} cores`);
  console.log(`  page load, navigation -> first frame painted, keys live: ${Math.max(load.ready, load.painted).toFixed(0)} ms` +
              `   (target <= ${kLoadTargetMs} ms)`);
  console.log(`    page received ${load.html.toFixed(0)} ms; state of ${captures} frames (${(load.stateBytes / 1e6).toFixed(2)} MB) ` +
              `asked ${load.stateStart.toFixed(0)} ms, received ${load.stateEnd.toFixed(0)} ms; keys live ${load.ready.toFixed(0)} ms; ` +
              `first frame painted ${load.painted.toFixed(0)} ms`);
  console.log(`  key press -> next frame painted (Element Timing): ${summary(timings.paint)}   (target p95 <= ${kPaintTargetMs} ms)`);
  console.log(`  key press -> next frame decoded + animation frame: ${summary(timings.decode)}   (cross-check)`);
  console.log(`  key press -> label committed (SQLite), answered: ${summary(timings.save)}` +
              `   (Label Studio: ~${kLabelStudioSaveMs} ms per save, label-studio #4986, reported by its users, not run here)`);
  console.log(`  main thread per key press: script ${perPress("ScriptDuration")} ms, style ${perPress("RecalcStyleDuration")} ms, ` +
              `layout ${perPress("LayoutDuration")} ms`);
  console.log(`  labels stored: ${stored} of ${presses} presses`);
  failed = stored !== presses || timings.paint.length < presses * 0.9;
  if (timings.paint.length < presses * 0.9) console.log("  fewer paint timings than presses: Element Timing did not report every frame");
} finally {
  await browser.close();
  rmSync(profile, {recursive: true, force: true});
}
process.exit(failed ? 1 : 0);
