#!/usr/bin/python3
"""PyTorch eager peer (Debian python3-torch): batch-1 latency of a model written by
bench/runtime/make_test_models.py, from the same weights (<family>.pt) the ONNX file holds.
Benchmark only, never a runtime dependency.

Usage: torch_peer.py FAMILY WEIGHTS.pt [--channels 1] [--size 28] [--classes 10] [--threads 1]
                     [--iterations 200] [--warmup 20]
Prints one JSON line like ort_peer.js: {"peer": "pytorch-eager", "p50_ms": ..., ...}
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime"))
import make_test_models  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("family")
    parser.add_argument("weights")
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model = make_test_models.build(args.family, args.channels, args.size, args.classes)
    model.load_state_dict(torch.load(args.weights))
    model.eval()
    load_ms = (time.perf_counter() - start) * 1000
    image = torch.rand(1, args.channels, args.size, args.size, generator=torch.Generator().manual_seed(1))
    times = []
    with torch.no_grad():
        for _ in range(args.warmup):
            model(image)
        for _ in range(args.iterations):
            begin = time.perf_counter()
            model(image)
            times.append((time.perf_counter() - begin) * 1000)
    times.sort()
    rank = lambda fraction: times[min(len(times) - 1, int(fraction * len(times)))]
    print(json.dumps({"peer": "pytorch-eager", "version": torch.__version__, "threads": args.threads, "batch": 1,
                      "load_ms": load_ms, "p50_ms": rank(0.5), "p90_ms": rank(0.9), "p99_ms": rank(0.99),
                      "images_per_second": 1000.0 * len(times) / sum(times)}))


if __name__ == "__main__":
    main()
