#!/usr/bin/python3
"""How much of the first layer a mini-batch needs: for each mini-batch size, the mean over an
epoch's shuffled mini-batches of the number of inputs (pixels) that are non-zero in at least one
image of the mini-batch, as a count and a fraction of all inputs, and the same fraction at the
granularity of 16-input blocks (a vector of 16 floats). An input that is zero in every image of a
mini-batch adds nothing to the first layer's sums or its weight gradient (README, "The sparse
first layer").

usage: input_union.py [DATA_DIR] [BATCH,BATCH,...] [N]
       DATA_DIR: holds train-images-idx3-ubyte (or train-images.idx3-ubyte, either one .gz)
       [data/mnist]; BATCH: mini-batch sizes [10,100,128]; N: the first N images, the book's
       training set [50000]."""
import sys

import numpy as np

import idx_file  # scripts/: this file's directory


def fail(code, msg):
    print("input_union.py: " + msg, file=sys.stderr)
    sys.exit(code)


def parse_args(argv):
    if len(argv) > 3:
        fail(2, "expected at most 3 arguments, got %d (see the usage in the file)" % len(argv))
    data = argv[0] if len(argv) > 0 else "data/mnist"
    batches = []
    for b in (argv[1] if len(argv) > 1 else "10,100,128").split(","):
        if not b.isdigit() or not 1 <= int(b) <= 60000:
            fail(2, "BATCH must be a comma-separated list of integers from 1 to 60000, not '%s'" % b)
        batches.append(int(b))
    n = argv[2] if len(argv) > 2 else "50000"
    if not n.isdigit() or int(n) < 1:
        fail(2, "N must be a positive integer, not '%s'" % n)
    return data, batches, int(n)


def load_images(data, n):
    try:
        return idx_file.read(idx_file.find(data, "train-images", "idx3"), 3, n)
    except idx_file.IdxError as e:
        fail(1, str(e))


def union_stats(nz, batch, rng):
    """Mean union size (inputs) and mean fraction of 16-input blocks touched, over the full
    mini-batches of one shuffled epoch (a smaller last one is left out, as network2 keeps it)."""
    n, k = nz.shape
    order = rng.permutation(n)
    kb = (k + 15) // 16
    pad = np.zeros((n, kb * 16 - k), bool)
    blocks = np.concatenate([nz, pad], axis=1).reshape(n, kb, 16).any(axis=2)
    steps = max(n // batch, 1)
    sizes, bsizes = [], []
    for s in range(steps):
        rows = order[s * batch:(s + 1) * batch]
        sizes.append(nz[rows].any(axis=0).sum())
        bsizes.append(blocks[rows].any(axis=0).sum())
    return float(np.mean(sizes)), float(np.mean(bsizes)) / kb


def main():
    data, batches, n = parse_args(sys.argv[1:])
    nz = load_images(data, n) > 0
    k = nz.shape[1]
    rng = np.random.default_rng(1)
    print("%d images of %d inputs, %.1f non-zero each on average" % (nz.shape[0], k, nz.sum(axis=1).mean()))
    print("batch  union (inputs)  fraction  in 16-input blocks")
    for b in batches:
        u, frac16 = union_stats(nz, b, rng)
        print("%5d  %14.1f  %7.1f%%  %17.1f%%" % (b, u, 100.0 * u / k, 100.0 * frac16))


if __name__ == "__main__":
    main()
