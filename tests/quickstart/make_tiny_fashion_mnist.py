#!/usr/bin/env python3
"""Writes a tiny Fashion-MNIST (the first N train and M t10k images of Debian's copy) as gzipped IDX
files with the same names, so the quickstart test runs the real importer in seconds.

Usage: make_tiny_fashion_mnist.py SOURCE_DIR OUT_DIR TRAIN_COUNT TEST_COUNT
"""
import gzip
import struct
import sys


def subset(source, target, count, header_size):
    with gzip.open(source, "rb") as handle:
        header = bytearray(handle.read(header_size))
        item_size = 28 * 28 if header_size == 16 else 1
        body = handle.read(count * item_size)
    struct.pack_into(">I", header, 4, count)  # the item count follows the magic number
    with gzip.open(target, "wb") as handle:
        handle.write(bytes(header) + body)


def main():
    source, out, train_count, test_count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for prefix, count in (("train", train_count), ("t10k", test_count)):
        subset(f"{source}/{prefix}-images-idx3-ubyte.gz", f"{out}/{prefix}-images-idx3-ubyte.gz", count, 16)
        subset(f"{source}/{prefix}-labels-idx1-ubyte.gz", f"{out}/{prefix}-labels-idx1-ubyte.gz", count, 8)


if __name__ == "__main__":
    main()
