#include "edgeloop/label/label_page.h"

namespace edgeloop {

namespace {

// The page. Keys: the class keys shown on the buttons (1-9, 0, then letters) label the frame;
// Enter accepts the device's suggestion; X discards the frame; Backspace or Ctrl+Z undoes the last
// label; arrows move without labelling. After a label the next frame is shown at once (frames are
// preloaded and decoded ahead). Every action is first put in a queue kept in localStorage (so a
// closed tab loses nothing), then sent to the server in order, retried until it goes through; the
// indicator shows "unsaved" with the count once an action has waited a second for the server or a
// request failed, and "saved" again once the server committed every one.
// Each action carries an operation id, so a retried save is stored once.
constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edgeloop label</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f6;color:#222}
header{display:flex;gap:1.5em;align-items:center;padding:.5em 1em;background:#223;color:#fff}
header b{font-weight:600}
/* Texts that change with each key sit in fixed-size boxes with contain:strict, so a new text moves
   nothing around it and repaints inside its box; the frame has its own compositor layer, so a new
   image is rastered apart from the page. */
#position{display:inline-block;width:14em;height:1.2em;contain:strict}
#save{padding:.15em .6em;border-radius:.8em;background:#2a7;color:#fff}
#save.unsaved{background:#c33}
main{display:flex;gap:1em;padding:1em}
#view{flex:1;text-align:center}
#frame{will-change:transform;image-rendering:pixelated;width:336px;height:336px;object-fit:contain;background:#000;border:1px solid #999}
#suggestion{margin:.5em 0;font-size:1.1em;height:1.4em}
#origin{color:#666;font-size:.85em;height:1.3em}
#suggestion,#origin{contain:strict;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#buttons{display:flex;flex-wrap:wrap;gap:.4em;justify-content:center;margin-top:.6em}
#buttons button{min-width:7em;padding:.4em;border:1px solid #889;background:#fff;border-radius:.3em;cursor:pointer}
#buttons button.current{background:#2a7;color:#fff}
#buttons button.suggested{outline:2px dashed #27a}
kbd{font-family:monospace;background:#eee;color:#222;border:1px solid #bbb;border-radius:.2em;padding:0 .3em;margin-right:.3em}
aside{width:18em}
aside table{border-collapse:collapse;width:100%}
aside td{padding:.1em .3em;border-bottom:1px solid #ddd}
aside td.n{text-align:right}
#progressbar{height:.5em;background:#ddd;margin:.3em 0}
#progressfill{height:100%;background:#2a7;transform-origin:left;transform:scaleX(0)}
#progress{height:1.2em;contain:strict}
.count{display:inline-block;width:5em;height:1.2em;line-height:1.2em;vertical-align:top;contain:strict;text-align:right}
.help{color:#555;font-size:.85em;margin-top:1em}
</style></head>
<body>
<header><b>edgeloop label</b><span id="dataset"></span><span id="position"></span><span id="save">saved</span></header>
<main>
<section id="view">
<img id="frame" alt="frame to label" elementtiming="frame">
<div id="suggestion"></div><div id="origin"></div>
<div id="buttons"></div>
<div class="help"><kbd>Enter</kbd>accept suggestion <kbd>X</kbd>discard <kbd>Backspace</kbd>/<kbd>Ctrl+Z</kbd>undo <kbd>&larr;</kbd><kbd>&rarr;</kbd>move</div>
</section>
<aside>
<div id="progress"></div><div id="progressbar"><div id="progressfill"></div></div>
<table id="classcounts"></table>
<h4>Accept suggestions</h4>
<label>score &ge; <input id="above" type="number" min="0" max="1" step="0.05" value="0.9" style="width:5em"></label>
<button id="batch">accept <span id="batchcount">?</span></button>
<h4>Finish</h4>
<button id="finish">make the labelled version</button>
<div id="finished"></div>
</aside>
</main>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token");
const headers = token ? {"Authorization": "Bearer " + token, "Content-Type": "application/json"} : {"Content-Type": "application/json"};
const PRELOAD = 8, DISCARDED = -2, UNLABELLED = -1;
let state = null, items = [], position = 0, history = [], pending = [], flushing = false, retryDelay = 250;
let counts = null, countCells = [];   // {labelled, discarded, perClass}, kept as labels change; the table's count cells
const preloaded = new Map();
// Timings the benchmark reads (bench/label), all ms from the key press (the keydown's timeStamp):
// paintTimings: to the next frame painted, from the browser's Element Timing entry for the frame's
// image (its renderTime: when the frame that shows it was painted); decodeTimings: to the next
// animation frame after the image decoded (a cross-check that needs no Element Timing);
// saveTimings: to the server's answer that the action is committed.
const paintTimings = [], decodeTimings = [], saveTimings = [];
// Frames shown but not painted yet: image URL → {keyTime (undefined: not timed), after: work to run once painted}.
const awaitingPaint = new Map();
const paintedUrls = new Set();     // images the browser reported painted: Element Timing reports an image's first paint only
const pressedAt = new Map();       // operation → key press time
window.edgeloopTimings = {paint: paintTimings, decode: decodeTimings, save: saveTimings};
const elementTiming = Boolean(window.PerformanceObserver && PerformanceObserver.supportedEntryTypes.includes("element"));
if (elementTiming) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.url) continue;   // the alt text, painted before the first image
      if (window.edgeloopFirstPaint === undefined) window.edgeloopFirstPaint = entry.renderTime;
      paintedUrls.add(entry.url);
      const waiting = awaitingPaint.get(entry.url);
      if (waiting === undefined) continue;
      awaitingPaint.delete(entry.url);
      if (waiting.keyTime !== undefined) paintTimings.push(entry.renderTime - waiting.keyTime);
      waiting.after.forEach((run) => run());
    }
  }).observe({type: "element", buffered: true});
}
window.edgeloopCurrent = () => (items[position] ? items[position].hash : null);   // for tests and the benchmark
const $ = (id) => document.getElementById(id);
const imageUrl = (hash) => "/api/image/" + hash + (token ? "?token=" + encodeURIComponent(token) : "");
const storageKey = () => "edgeloop-label-pending:" + state.version_id;
const newOperation = () => { const a = new Uint8Array(16); crypto.getRandomValues(a); return Array.from(a, b => b.toString(16).padStart(2, "0")).join(""); };

async function api(method, path, body) {
  const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const answer = await response.json();
  if (!response.ok) { const error = new Error(answer.error || response.statusText); error.refused = response.status < 500; throw error; }
  return answer;
}

// Fetches and decodes the PRELOAD frames from `from` on, and lets go of those further away, so that
// a long session holds a few images, not every one it showed.
function preload(from) {
  for (const [hash, kept] of preloaded) if (kept.index < from - PRELOAD || kept.index >= from + PRELOAD) preloaded.delete(hash);
  for (let index = from; index < Math.min(items.length, from + PRELOAD); ++index) {
    const hash = items[index].hash;
    if (preloaded.has(hash)) continue;
    const image = new Image(), kept = {image, index};
    image.src = imageUrl(hash);
    image.decode().catch(() => { if (preloaded.get(hash) === kept) preloaded.delete(hash); });   // the server was away: ask again
    preloaded.set(hash, kept);
  }
}

// Runs `work` once the frame showing the change is on screen, so that a save's request or the next
// preloads (the request, the server's commit, the decode) do not compete with that frame for the
// CPU. A new image: when the browser reports it painted (Element Timing, after the frame was
// presented; an animation frame comes before the frame is rastered and drawn). Otherwise: the next
// animation frame, then a task. A hidden tab paints nothing, hence the fallback.
function afterPaint(work) {
  let done = false;
  const run = () => { if (!done) { done = true; work(); } };
  const waiting = awaitingPaint.get($("frame").src);
  if (waiting) waiting.after.push(run); else requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 100);
}

// Changes an element's text in place (its text node's data) when it has one: assigning textContent
// replaces the node, which restyles and lays out more.
function setText(element, text) {
  const node = element.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && node.nextSibling === null) { if (node.data !== text) node.data = text; }
  else element.textContent = text;
}

function show(keyTime) {
  const item = items[position];
  if (!item) return;
  const frame = $("frame"), url = new URL(imageUrl(item.hash), location.href).href;
  if (frame.src !== url) {
    awaitingPaint.delete(frame.src);   // replaced before it was painted: its work runs on the fallback
    frame.src = url;
    if (elementTiming && !paintedUrls.has(url)) awaitingPaint.set(url, {keyTime, after: []});   // shown before (undo, arrows): not reported again
    if (keyTime !== undefined) {
      frame.decode().then(() => requestAnimationFrame(() => setTimeout(() => decodeTimings.push(performance.now() - keyTime), 0)),
                          () => {});   // replaced by the next frame before it decoded
    }
  }
  const suggested = item.suggested >= 0 ? state.classes[item.suggested] + " (" + (item.score * 100).toFixed(1) + "%)" : "no suggestion";
  setText($("suggestion"), "device: " + suggested);
  setText($("origin"), item.origin);
  document.querySelectorAll("#buttons button").forEach((button) => {
    const index = Number(button.dataset.index);
    button.classList.toggle("current", index === item.label);
    button.classList.toggle("suggested", index === item.suggested);
  });
  setText($("position"), (position + 1) + " / " + items.length + (item.label === DISCARDED ? " (discarded)" : ""));
  renderCounts();
  const next = position + 1;
  afterPaint(() => preload(next));
}

// The counts change with each label (setLabel), so a key press costs the same with 10 or 100,000
// frames; recount() walks them all, after the page loads or a batch accept.
function countItem(item, sign) {
  if (item.label >= 0) { counts.perClass[item.label] += sign; counts.labelled += sign; } else if (item.label === DISCARDED) counts.discarded += sign;
}
function setLabel(item, label, provenance) { countItem(item, -1); item.label = label; item.provenance = provenance; countItem(item, 1); }
function recount() {
  counts = {labelled: 0, discarded: 0, perClass: new Array(state.classes.length).fill(0)};
  for (const item of items) countItem(item, 1);
}

function renderCounts() {
  const {labelled, discarded, perClass} = counts;
  setText($("progress"), labelled + " labelled, " + discarded + " discarded, " + (items.length - labelled - discarded) + " to go");
  $("progressfill").style.transform = "scaleX(" + ((labelled + discarded) / Math.max(1, items.length)) + ")";
  perClass.forEach((count, index) => setText(countCells[index], String(count)));
  window.edgeloopCounts = {labelled, discarded, perClass: [...perClass]};
}

function escapeHtml(text) { return text.replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c])); }

// A save is answered within tens of milliseconds: saying "unsaved" for each one would change the
// header with every key. So the indicator says "unsaved" once the oldest pending action has waited
// UNSAVED_GRACE_MS (it is in localStorage meanwhile) or a request failed (the server is away), and
// keeps saying it, with the count, until none is pending.
const UNSAVED_GRACE_MS = 1000;
let failing = false, graceTimer = 0, saveText = "saved";
function renderSave() {
  const unsaved = pending.length;
  window.edgeloopUnsaved = unsaved;
  if (unsaved === 0) failing = false;
  const waitedMs = unsaved === 0 ? 0 : Date.now() - (pending[0].queued || 0);
  const warn = unsaved > 0 && (failing || waitedMs >= UNSAVED_GRACE_MS || saveText !== "saved");
  const text = warn ? "unsaved: " + unsaved + (flushing ? " (saving)" : " (retrying)") : "saved";
  if (text !== saveText) {
    saveText = text;
    setText($("save"), text);
    $("save").classList.toggle("unsaved", warn);
  }
  if (unsaved > 0 && !warn && graceTimer === 0) graceTimer = setTimeout(() => { graceTimer = 0; renderSave(); }, UNSAVED_GRACE_MS - waitedMs);
}

function remember() { localStorage.setItem(storageKey(), JSON.stringify(pending)); renderSave(); }

async function flush() {
  if (flushing) return;
  flushing = true;
  renderSave();
  while (pending.length > 0) {
    const action = pending[0];
    try {
      if (action.kind === "label") await api("POST", "/api/label", {operation: action.operation, hash: action.hash, label: action.label, provenance: action.provenance});
      else await api("POST", "/api/undo", {operation: action.operation});
      retryDelay = 250;
      if (pressedAt.has(action.operation)) saveTimings.push(performance.now() - pressedAt.get(action.operation));
      pressedAt.delete(action.operation);
    } catch (error) {
      if (!error.refused) {                     // the server is away: keep it and retry
        flushing = false;
        failing = true;
        renderSave();
        setTimeout(flush, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 2000);
        return;
      }
      console.error("label refused: " + error.message);   // a bad action would never go through
    }
    pending.shift();
    remember();
  }
  flushing = false;
  renderSave();
}

function nextUnlabelled(from) {
  for (let index = from; index < items.length; ++index) if (items[index].label === UNLABELLED) return index;
  return Math.min(from, items.length - 1);
}

function label(classIndex, provenance, keyTime) {
  const item = items[position];
  if (!item) return;
  const action = {kind: "label", operation: newOperation(), queued: Date.now(), hash: item.hash, label: classIndex, provenance, previous: item.label, previousProvenance: item.provenance};
  pending.push(action);
  remember();                                   // durable in the browser before the page moves on
  if (keyTime !== undefined) pressedAt.set(action.operation, keyTime);
  history.push(action);
  setLabel(item, classIndex === null ? DISCARDED : classIndex, provenance);
  position = nextUnlabelled(position + 1);
  show(keyTime);
  afterPaint(flush);
}

function undo(keyTime) {
  const last = history.pop();
  if (!last) return;
  pending.push({kind: "undo", operation: last.operation, queued: Date.now()});
  remember();
  const index = items.findIndex((item) => item.hash === last.hash);
  setLabel(items[index], last.previous, last.previousProvenance);
  position = index;
  show(keyTime);
  afterPaint(flush);
}

function move(step, keyTime) { position = Math.max(0, Math.min(items.length - 1, position + step)); show(keyTime); }

document.addEventListener("keydown", (event) => {
  if (!state || event.target.tagName === "INPUT") return;
  const keyTime = event.timeStamp;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") { event.preventDefault(); undo(keyTime); return; }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (key === "backspace") { event.preventDefault(); undo(keyTime); return; }
  if (key === "enter") { const item = items[position]; if (item && item.suggested >= 0) label(item.suggested, "suggestion", keyTime); return; }
  if (key === "x") { label(null, "human", keyTime); return; }
  if (key === "arrowright" || key === "arrowdown") { event.preventDefault(); move(1, keyTime); return; }
  if (key === "arrowleft" || key === "arrowup") { event.preventDefault(); move(-1, keyTime); return; }
  const classIndex = state.keys.indexOf(key);
  if (classIndex >= 0 && key !== "") label(classIndex, "human", keyTime);
});

async function refreshBatchCount() {
  try {
    const answer = await api("GET", "/api/batch?above=" + encodeURIComponent($("above").value));
    $("batchcount").textContent = answer.count + " suggestion" + (answer.count === 1 ? "" : "s");
  } catch (error) { $("batchcount").textContent = "?"; }
}

async function load() {
  state = await api("GET", "/api/state");
  items = state.items.map(([hash, origin, suggested, score, label, provenance]) => ({hash, origin, suggested, score, label, provenance}));
  $("dataset").textContent = state.dataset + " — " + state.labeller;
  $("buttons").innerHTML = "";
  state.classes.forEach((name, index) => {
    const button = document.createElement("button");
    button.dataset.index = index;
    button.innerHTML = (state.keys[index] ? "<kbd>" + state.keys[index] + "</kbd>" : "") + escapeHtml(name);
    button.addEventListener("click", () => label(index, "human", performance.now()));
    $("buttons").appendChild(button);
  });
  const discard = document.createElement("button");
  discard.innerHTML = "<kbd>x</kbd>discard";
  discard.addEventListener("click", () => label(null, "human", performance.now()));
  $("buttons").appendChild(discard);
  $("classcounts").innerHTML = state.classes.map((name, index) =>
    "<tr><td>" + (state.keys[index] ? "<kbd>" + state.keys[index] + "</kbd>" : "") + escapeHtml(name) + "</td><td class=n><span class=count>0</span></td></tr>").join("");
  countCells = Array.from(document.querySelectorAll("#classcounts .count"));
  pending = JSON.parse(localStorage.getItem(storageKey()) || "[]");
  for (const action of pending) {               // actions a closed tab had not saved yet
    const item = items.find((candidate) => candidate.hash === action.hash);
    if (action.kind === "label" && item) item.label = action.label === null ? DISCARDED : action.label;
  }
  recount();
  position = nextUnlabelled(0);
  show();
  renderSave();
  flush();
  refreshBatchCount();
  window.edgeloopReadyAt = performance.now();   // ms from the navigation's start
  document.body.dataset.ready = "1";
}

$("above").addEventListener("input", refreshBatchCount);
$("batch").addEventListener("click", async () => {
  await flush();
  const answer = await api("POST", "/api/batch", {above: Number($("above").value)});
  $("batchcount").textContent = "accepted " + answer.accepted;
  const reloaded = await api("GET", "/api/state");
  reloaded.items.forEach(([hash, , , , label], index) => { items[index].label = label; });
  recount();
  show();
});
$("finish").addEventListener("click", async () => {
  await flush();
  const answer = await api("POST", "/api/finish", {});
  $("finished").textContent = "made " + answer.version;
});
load().catch((error) => { $("suggestion").textContent = "cannot load: " + error.message; });
</script>
</body></html>
)html";

}  // namespace

std::string_view label_page_html() { return kPage; }

}  // namespace edgeloop
