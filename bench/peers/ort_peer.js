#!/usr/bin/env node
// ONNX Runtime peer (npm onnxruntime-node 1.30, CPU): batch-1 latency of an ONNX file with the
// same thread count as the engine it is compared with. Benchmark only, never a runtime dependency.
// Usage: node ort_peer.js MODEL.onnx [--threads 1] [--iterations 200] [--warmup 20] [--batch 1]
// Prints one JSON line: {"peer":"onnxruntime","version":..,"threads":..,"load_ms":..,"p50_ms":..,"p90_ms":..,
//                        "p99_ms":..,"images_per_second":..}
const ort = require('onnxruntime-node');

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

async function main() {
  const file = process.argv[2];
  const threads = option('--threads', 1);
  const iterations = option('--iterations', 200);
  const warmup = option('--warmup', 20);
  const batch = option('--batch', 1);
  const loadStart = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  const inputName = session.inputNames[0];
  const meta = session.inputMetadata ? session.inputMetadata[0] : null;
  let dims = meta && meta.shape ? meta.shape.map((d) => (typeof d === 'number' ? d : batch)) : null;
  if (!dims) dims = JSON.parse(process.env.EDGELOOP_INPUT_SHAPE || '[1,1,28,28]');
  dims[0] = batch;
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  let seed = 12345;
  for (let i = 0; i < count; ++i) { seed = (seed * 1103515245 + 12345) % 2147483648; data[i] = seed / 2147483648; }
  const feeds = { [inputName]: new ort.Tensor('float32', data, dims) };
  for (let i = 0; i < warmup; ++i) await session.run(feeds);
  const times = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const totalSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({
    peer: 'onnxruntime', version: require('onnxruntime-node/package.json').version, threads, batch,
    load_ms: loadMs, p50_ms: percentile(times, 0.5), p90_ms: percentile(times, 0.9), p99_ms: percentile(times, 0.99),
    images_per_second: (iterations * batch) / totalSeconds,
  }));
}

main().catch((error) => { console.error('ort_peer: ' + error.message); process.exit(1); });
