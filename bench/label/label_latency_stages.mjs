// Where a key press's time goes on the labelling page: presses class keys as label_latency.mjs
// does, under a Chrome trace of the "input" category only (light: the EventLatency events), and
// prints for each stage Chrome reports between the key press and the frame presented (browser to
// renderer, the keydown on the main thread, the main-thread frame, raster until activation, draw
// and swap; the draw's own parts are listed too) its mean and p95 over all presses (0 for a press
// that took another path) and its mean over the slowest 5%, the ones that set the p95.
// EventLatency ends at presentation, as Element Timing's renderTime does.
// Usage: node label_latency_stages.mjs URL PRESSES PAUSE_MS   (run_label_latency.sh --stages)
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../../tests/label/package.json"));
const puppeteer = require("puppeteer-core");

const [url, presses, pauseMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const kSlowestShare = 0.05;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const p95 = (values) => [...values].sort((left, right) => left - right)[Math.min(values.length - 1, Math.floor(0.95 * values.length))];

// The KEY_PRESSED EventLatency events with their nested stages: async begin/end pairs sharing
// one id per thread, nested in time.
function keyPressLatencies(traceEvents) {
  const byTrack = new Map();
  for (const event of traceEvents) {
    if ((event.ph !== "b" && event.ph !== "e") || !event.id2 || !event.cat.includes("input")) continue;
    const track = `${event.pid}:${event.tid}:${JSON.stringify(event.id2)}`;
    if (!byTrack.has(track)) byTrack.set(track, []);
    byTrack.get(track).push(event);
  }
  const latencies = [];
  for (const events of byTrack.values()) {
    events.sort((left, right) => left.ts - right.ts || (left.ph === "e" ? -1 : 1));
    const open = [];
    let current = null;
    for (const event of events) {
      if (event.ph === "b") {
        if (event.name === "EventLatency") current = {type: event.args.event_latency.event_type, stages: new Map()};
        open.push(event);
        continue;
      }
      const begin = open.pop();
      if (!begin || !current) continue;
      const milliseconds = (event.ts - begin.ts) / 1000;
      if (begin.name !== "EventLatency") current.stages.set(begin.name, (current.stages.get(begin.name) || 0) + milliseconds);
      else {
        current.total = milliseconds;
        if (current.type === "KEY_PRESSED") latencies.push(current);
        current = null;
      }
    }
  }
  return latencies;
}

const profile = mkdtempSync(join(tmpdir(), "edgeloop-label-stages-"));
const tracePath = join(profile, "trace.json");
const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium", headless: true, userDataDir: profile,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  await page.goto(url, {waitUntil: "load"});
  await page.waitForSelector('body[data-ready="1"]');
  const keys = await page.evaluate(() => fetch("/api/state").then((response) => response.json()).then((state) => state.keys));
  await page.tracing.start({path: tracePath, categories: ["input"]});
  for (let index = 0; index < presses; ++index) {
    await page.keyboard.press(keys[index % keys.length]);
    await sleep(pauseMs);
  }
  await page.waitForFunction(() => window.edgeloopUnsaved === 0, {timeout: 60000});
  await page.tracing.stop();
  const trace = JSON.parse(readFileSync(tracePath, "utf8"));
  const latencies = keyPressLatencies(Array.isArray(trace) ? trace : trace.traceEvents);
  const slowest = [...latencies].sort((left, right) => right.total - left.total).slice(0, Math.max(1, Math.round(kSlowestShare * latencies.length)));
  const totals = latencies.map((latency) => latency.total);
  console.log(`key press -> frame presented (EventLatency), ${latencies.length} presses: mean ${mean(totals).toFixed(1)} ms, ` +
              `p95 ${p95(totals).toFixed(1)} ms; slowest ${slowest.length}: mean ${mean(slowest.map((latency) => latency.total)).toFixed(1)} ms`);
  const names = [...new Set(latencies.flatMap((latency) => [...latency.stages.keys()]))];
  const stageTimes = (group, name) => group.map((latency) => latency.stages.get(name) || 0);
  names.sort((left, right) => mean(stageTimes(slowest, right)) - mean(stageTimes(slowest, left)));
  console.log(`  ${"stage".padEnd(52)} ${"mean".padStart(6)} ${"p95".padStart(6)} ${"slowest".padStart(8)}   (ms)`);
  for (const name of names) {
    const all = stageTimes(latencies, name);
    console.log(`  ${name.padEnd(52)} ${mean(all).toFixed(1).padStart(6)} ${p95(all).toFixed(1).padStart(6)} ${mean(stageTimes(slowest, name)).toFixed(1).padStart(8)}`);
  }
} finally {
  await browser.close();
  rmSync(profile, {recursive: true, force: true});
}
