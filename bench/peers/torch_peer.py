#!/usr/bin/python3
"""PyTorch eager peer (Debian python3-torch): batch-1 latency of an fp32 ONNX file's graph run op by
op through torch.nn.functional on the file's own initializers (make_test_models.evaluate, weights
converted to tensors once), so the peer computes with exactly the weights the engines load.
Benchmark only, never a runtime dependency.

Usage: torch_peer.py MODEL.onnx [--threads 1] [--iterations 200] [--warmup 20]
Prints one JSON line like ort_peer.js: {"peer": "pytorch-eager", "p50_ms": ..., ...}
"""
import argparse
import json
import os
import sys
import time

import onnx
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime"))
from make_test_models import evaluate, initializer_tensors  # noqa: E402


def input_shape(graph):
    """[1, C, H, W] of the graph's input (the batch dimension may be symbolic)."""
    initializers = {init.name for init in graph.initializer}
    value = next(value for value in graph.input if value.name not in initializers)
    dims = [dim.dim_value if dim.HasField("dim_value") else 1 for dim in value.type.tensor_type.shape.dim]
    return value.name, [1] + dims[1:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    graph = onnx.load(args.model).graph
    name, shape = input_shape(graph)
    constants = initializer_tensors(graph)
    load_ms = (time.perf_counter() - start) * 1000
    image = torch.rand(*shape, generator=torch.Generator().manual_seed(1))
    times = []
    with torch.no_grad():
        for _ in range(args.warmup):
            evaluate(graph, {name: image}, constants)
        for _ in range(args.iterations):
            begin = time.perf_counter()
            evaluate(graph, {name: image}, constants)
            times.append((time.perf_counter() - begin) * 1000)
    times.sort()
    rank = lambda fraction: times[min(len(times) - 1, int(fraction * len(times)))]
    print(json.dumps({"peer": "pytorch-eager", "version": torch.__version__, "threads": args.threads, "batch": 1,
                      "load_ms": load_ms, "p50_ms": rank(0.5), "p90_ms": rank(0.9), "p99_ms": rank(0.99),
                      "images_per_second": 1000.0 * len(times) / sum(times)}))


if __name__ == "__main__":
    main()
