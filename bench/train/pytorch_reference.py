#!/usr/bin/python3
"""The PyTorch peer of the training-throughput benchmark: the reference CNN (conv3x3-32, maxpool,
conv3x3-64, maxpool, fc128, fc10; Adam 1e-3; batch 128) trained on Fashion-MNIST held in memory
as one float tensor, with a plain tensor loop (no DataLoader). Prints one JSON line with img/s.
Usage: pytorch_reference.py [--threads 2] [--epochs 1] [--max-seconds S] [--idx-dir /usr/share/datasets/fashion-mnist]"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as stream:
        data = stream.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class ReferenceCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--idx-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--max-seconds", type=float, default=0, help="stop after this much training time (0 = none)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    images = torch.from_numpy(read_idx(os.path.join(args.idx_dir, "train-images-idx3-ubyte.gz")).copy())
    labels = torch.from_numpy(read_idx(os.path.join(args.idx_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    images = images.float().div_(255.0).unsqueeze(1)
    model = ReferenceCnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    seen = 0
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(images.shape[0])
        for begin in range(0, images.shape[0], args.batch):
            index = order[begin:begin + args.batch]
            x, y = images[index], labels[index]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            seen += x.shape[0]
            if args.max_seconds and time.perf_counter() - start > args.max_seconds:
                break
    seconds = time.perf_counter() - start
    print(json.dumps({"peer": "pytorch " + torch.__version__, "threads": args.threads, "images": seen,
                      "seconds": seconds, "images_per_second": seen / seconds, "last_loss": loss.item()}))


if __name__ == "__main__":
    main()
