#!/usr/bin/env python3
"""Projected data-parallel throughput at 4, 8 and 16 machines on 1 and 10 Gbit/s, on paper.

Per step each machine computes 128 images (t_compute, measured here at 1 thread) and the ring
allreduce sums S bytes of gradients: T_comm = 2(N-1)/N * S / bandwidth + 2(N-1) * alpha, where
alpha, the cost of one hop, is the larger of 50 us (a LAN round) and half the measured 2-rank
loopback time of the smallest sum (Gloo's own per-message cost). Throughput without overlap is
N * 128 / (t_compute + T_comm), with full overlap of backward N * 128 / max(t_compute, T_comm);
communication dominates where T_comm > t_compute.
"""
import argparse
import json

IMAGES_PER_STEP = 128
LAN_HOP_SECONDS = 50e-6
MACHINES = (4, 8, 16)
NETWORKS = ((1e9, "1 Gbit/s"), (10e9, "10 Gbit/s"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--allreduce", required=True, help="allreduce bench output (JSON lines)")
    parser.add_argument("--model", nargs=3, action="append", metavar=("ARCH", "PARAMETERS", "IMAGES_PER_SECOND"),
                        required=True)
    arguments = parser.parse_args()
    sizes = [json.loads(line) for line in open(arguments.allreduce) if '"median_ms"' in line]
    smallest = min(sizes, key=lambda row: row["bytes"])
    alpha = max(LAN_HOP_SECONDS, smallest["median_ms"] / 1e3 / 2)
    print(f"projection (on paper): hop cost alpha = {alpha * 1e6:.0f} us "
          f"(measured 2-rank loopback sum of {smallest['bytes']} B: {smallest['median_ms']:.3f} ms)")
    print("| model | gradients | step compute (1 thread, 128 img) | network | machines | allreduce | "
          "img/s no overlap | img/s full overlap | efficiency (no overlap) | dominated by |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for arch, parameters, rate in arguments.model:
        if not rate:
            continue
        gradient_bytes = int(parameters) * 4
        compute = IMAGES_PER_STEP / float(rate)
        for bandwidth, network in NETWORKS:
            for machines in MACHINES:
                communication = (2 * (machines - 1) / machines * gradient_bytes * 8 / bandwidth
                                 + 2 * (machines - 1) * alpha)
                serial = machines * IMAGES_PER_STEP / (compute + communication)
                overlapped = machines * IMAGES_PER_STEP / max(compute, communication)
                dominated = "communication" if communication > compute else "compute"
                print(f"| {arch} | {gradient_bytes / 1e6:.2f} MB | {compute * 1e3:.1f} ms | {network} | {machines} | "
                      f"{communication * 1e3:.2f} ms | {serial:.0f} | {overlapped:.0f} | "
                      f"{100 * compute / (compute + communication):.0f}% | {dominated} |")


if __name__ == "__main__":
    main()
