#!/usr/bin/python3
"""The PyTorch peer of the data-parallel benchmark: torch.nn.parallel.DistributedDataParallel on the
gloo backend (Debian python3-torch), the reference CNN of bench/train/pytorch_reference.py (the
same layers as edgeloop's cnn-ref; Adam 1e-3), Fashion-MNIST held in memory, a seeded permutation
split into disjoint per-rank parts of every global batch, `--batch` images per rank and step.
Launched like edgeloop's ranks, with MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE set; rank 0
prints one JSON line: images per second over all ranks, steps, and DDP's bucket size.
Usage: RANK=r WORLD_SIZE=n MASTER_ADDR=127.0.0.1 MASTER_PORT=p ddp_peer.py [--threads 1] [--batch 128] [--max-seconds 20]"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pytorch_reference import ReferenceCnn, read_idx  # noqa: E402

DDP_DEFAULT_BUCKET_MB = 25


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128, help="images per rank and step")
    parser.add_argument("--max-seconds", type=float, default=20)
    parser.add_argument("--bucket-mb", type=float, default=DDP_DEFAULT_BUCKET_MB)
    parser.add_argument("--idx-dir", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    images = torch.from_numpy(read_idx(os.path.join(args.idx_dir, "train-images-idx3-ubyte.gz")).copy())
    labels = torch.from_numpy(read_idx(os.path.join(args.idx_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    images = images.float().div_(255.0).unsqueeze(1)
    model = DistributedDataParallel(ReferenceCnn(), bucket_cap_mb=args.bucket_mb)   # broadcasts rank 0's weights
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    global_batch = args.batch * world
    order = torch.randperm(images.shape[0])
    seen = steps = 0
    dist.barrier()
    start = time.perf_counter()
    stop = torch.zeros(1)
    for begin in range(0, images.shape[0] - global_batch + 1, global_batch):
        index = order[begin + rank * args.batch: begin + (rank + 1) * args.batch]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images[index]), labels[index])
        loss.backward()   # DDP's allreduce of the gradient buckets, overlapping backward
        optimizer.step()
        seen += index.shape[0]
        steps += 1
        stop.fill_(1.0 if time.perf_counter() - start > args.max_seconds else 0.0)
        dist.all_reduce(stop)   # every rank stops at the same step
        if stop.item() > 0:
            break
    seconds = time.perf_counter() - start
    total = torch.tensor([float(seen)])
    dist.all_reduce(total)
    if rank == 0:
        print(json.dumps({"peer": "pytorch " + torch.__version__ + " DDP gloo", "world_size": world,
                          "threads": args.threads, "batch_per_rank": args.batch, "steps": steps,
                          "seconds": seconds, "images_per_second": total.item() / seconds,
                          "bucket_mb": args.bucket_mb, "last_loss": loss.item()}))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
