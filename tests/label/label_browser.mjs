// Drives the labelling page in Debian's headless chromium (puppeteer-core, no browser download):
// starts the label server (--server: edgeloop_label_test_server, which serves as `edgeloop label`
// does), labels frames by keys, undoes one, SIGKILLs the server mid-way, keeps
// labelling while it is down, restarts it, waits until the page reports every label saved, and
// writes what it labelled to --out, with the frames that were shown after a key press without
// having been requested (preloaded) before it. Used by label_browser_test.cpp; bench/label times
// the page at scale.
// Usage: node label_browser.mjs --server BIN --workspace WS --dataset D --classes C --port P
//        --labels N --kill-at K --restart-at R --undo-at U --out FILE
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const args = {};
for (let index = 2; index < process.argv.length; index += 2) args[process.argv[index].replace(/^--/, "")] = process.argv[index + 1];
const labels = Number(args.labels || 30), killAt = Number(args["kill-at"] ?? -1), restartAt = Number(args["restart-at"] ?? -1);
const undoAt = Number(args["undo-at"] ?? -1);
const keyPauseMs = 100;
const url = `http://127.0.0.1:${args.port}/`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function startServer() {
  const server = spawn(args.server, [args.workspace, args.dataset, args.classes, args.port, "browser-test"],
                       {stdio: ["ignore", "ignore", "inherit"]});
  return server;
}

async function waitForServer() {
  for (let attempt = 0; attempt < 200; ++attempt) {
    try { if ((await fetch(url + "api/state")).ok) return; } catch (error) { /* not up yet */ }
    await sleep(50);
  }
  throw new Error("the label server did not come up on " + url);
}

async function waitFor(page, predicate, what, timeoutMs = 30000) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await page.evaluate(predicate)) return;
    await sleep(50);
  }
  throw new Error("timed out waiting for " + what);
}

const profile = mkdtempSync(join(tmpdir(), "edgeloop-label-chromium-"));
let server = startServer();
let browser = null;
const result = {expected: {}, killed: false, restarted: false, unsaved_while_down: 0, shown_without_preload: []};
const requested = new Set();   // object hashes of the images the page asked for so far
try {
  await waitForServer();
  browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    userDataDir: profile,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage();
  page.on("request", (request) => {
    const image = /\/api\/image\/([0-9a-f]{64})/.exec(request.url());
    if (image) requested.add(image[1]);
  });
  const loadStart = Date.now();
  await page.goto(url, {waitUntil: "load"});
  await page.waitForSelector('body[data-ready="1"]');
  result.page_load_ms = Date.now() - loadStart;
  const keys = await page.evaluate(() => fetch("/api/state").then((response) => response.json()).then((state) => state.keys));
  for (let index = 0; index < labels; ++index) {
    const hash = await page.evaluate(() => window.edgeloopCurrent());
    const classIndex = index % keys.length;
    const requestedBefore = new Set(requested);
    await page.keyboard.press(keys[classIndex]);
    result.expected[hash] = classIndex;
    const next = await page.evaluate(() => window.edgeloopCurrent());
    if (!requestedBefore.has(next)) result.shown_without_preload.push(next);
    if (index === undoAt) {
      await page.keyboard.press("Backspace");
      delete result.expected[hash];
      const back = await page.evaluate(() => window.edgeloopCurrent());
      if (back !== hash) throw new Error("undo did not go back to the frame it undid");
    }
    if (index === killAt) {
      server.kill("SIGKILL");
      await new Promise((resolve) => server.once("exit", resolve));
      result.killed = true;
    }
    if (index === restartAt) {
      result.unsaved_while_down = await page.evaluate(() => window.edgeloopUnsaved);
      result.save_text_while_down = await page.evaluate(() => document.getElementById("save").textContent);
      server = startServer();
      await waitForServer();
      result.restarted = true;
    }
    // A fast labeller's pace (10 keys a second; the latency bench waits 120 ms). Back-to-back
    // presses with no pause outran the preloads on a loaded machine (2 of 30 frames shown before
    // they were asked for, with the test suite and two fuzzers on 2 cores): the page preloads
    // while a frame is on screen, and puppeteer's presses leave it on screen for no time at all.
    await sleep(keyPauseMs);
  }
  await waitFor(page, () => window.edgeloopUnsaved === 0, "every label saved");
  result.page_counts = await page.evaluate(() => window.edgeloopCounts);
  result.timings_ms = await page.evaluate(() => window.edgeloopTimings);
  result.save_text = await page.evaluate(() => document.getElementById("save").textContent);
} finally {
  if (browser) await browser.close();
  server.kill("SIGTERM");
  rmSync(profile, {recursive: true, force: true});
}
writeFileSync(args.out, JSON.stringify(result, null, 2));
