// The labelling page's latency in Debian's headless chromium (puppeteer-core from tests/label):
// opens URL, times the page load, then presses class keys at a labeller's pace and reads the
// page's own timings (key press to next frame painted; action sent to commit confirmed).
// Usage: node label_latency.mjs URL KEYS PRESSES PAUSE_MS   → JSON on stdout
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../../tests/label/package.json"));
const puppeteer = require("puppeteer-core");
const [url, keys, presses, pauseMs] = [process.argv[2], process.argv[3].split(","), Number(process.argv[4]), Number(process.argv[5])];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const profile = mkdtempSync(join(tmpdir(), "edgeloop-label-bench-"));
const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium", headless: true, userDataDir: profile,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  const start = Date.now();
  await page.goto(url, {waitUntil: "load"});
  await page.waitForSelector('body[data-ready="1"]');
  const pageLoadMs = Date.now() - start;
  for (let index = 0; index < presses; ++index) {
    await page.keyboard.press(keys[index % keys.length]);
    await sleep(pauseMs);
  }
  while (await page.evaluate(() => window.edgeloopUnsaved) > 0) await sleep(20);
  const timings = await page.evaluate(() => window.edgeloopTimings);
  const saves = await page.evaluate(() => window.edgeloopSaveTimings);
  process.stdout.write(JSON.stringify({page_load_ms: pageLoadMs, paint_ms: timings, save_ms: saves}) + "\n");
} finally {
  await browser.close();
  rmSync(profile, {recursive: true, force: true});
}
