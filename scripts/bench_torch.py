#!/usr/bin/python3
"""PyTorch baseline for nn2's benchmark (issue 4), with nn2's maths: sigmoid layers and binary
cross-entropy summed over the outputs (B1-B3), or ReLU + softmax + log-likelihood (B4); SGD with
L2 on the weights only (weight decay lambda/n), loss summed over the mini-batch and divided by
its size; data preloaded as one float tensor, shuffled once per epoch, batches by slicing.

usage: bench_torch.py DATA_DIR CONFIG THREADS [EPOCHS]
Prints one line: CONFIG threads median_seconds_per_epoch (training only, after a warm-up epoch).
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set before torch is imported: Debian's torch runs
its matrix products on OpenBLAS, whose threads torch.set_num_threads does not control.
"""
import os
import sys
import time

CONFIG_NAMES = ("B1", "B2", "B3", "B4")


def usage_error(msg):
    sys.stderr.write("bench_torch.py: %s\nusage: bench_torch.py DATA_DIR CONFIG THREADS [EPOCHS]\n" % msg)
    sys.exit(2)


if len(sys.argv) not in (4, 5):
    usage_error("expected 3 or 4 arguments, got %d" % (len(sys.argv) - 1))
if sys.argv[2] not in CONFIG_NAMES:
    usage_error("CONFIG must be one of %s, not '%s'" % (", ".join(CONFIG_NAMES), sys.argv[2]))
epochs_arg = sys.argv[4] if len(sys.argv) > 4 else "4"
for what, arg, lo, hi in (("THREADS", sys.argv[3], 1, 4096), ("EPOCHS", epochs_arg, 2, 100)):
    if not arg.isdigit() or not lo <= int(arg) <= hi:
        usage_error("%s must be an integer from %d to %d, not '%s'" % (what, lo, hi, arg))
threads = str(int(sys.argv[3]))
os.environ["OMP_NUM_THREADS"] = threads
os.environ["OPENBLAS_NUM_THREADS"] = threads
import numpy as np  # noqa: E402
import torch  # noqa: E402

import idx_file  # noqa: E402  (scripts/: this file's directory)

CONFIGS = {
    "B1": ([784, 30, 10], "sigmoid", 10, 0.5),
    "B2": ([784, 100, 10], "sigmoid", 10, 0.5),
    "B3": ([784, 100, 10], "sigmoid", 100, 0.5),
    "B4": ([784, 800, 10], "relu", 128, 0.1),
}


def main():
    data_dir, name = sys.argv[1], sys.argv[2]
    epochs = int(epochs_arg)
    torch.set_num_threads(int(threads))
    sizes, act, m, eta = CONFIGS[name]
    try:
        images = idx_file.find(data_dir, "train-images", "idx3")
        x = torch.tensor(idx_file.read(images, 3, 50000, 784).astype(np.float32) / 255.0)
        labels_path = idx_file.find(data_dir, "train-labels", "idx1")
        lab = idx_file.read(labels_path, 1, 50000)
    except idx_file.IdxError as e:
        raise SystemExit("bench_torch.py: %s" % e)
    if lab.max() > 9:
        raise SystemExit("bench_torch.py: %s: a label above 9" % labels_path)
    labels = torch.tensor(lab.astype(np.int64))
    y = torch.nn.functional.one_hot(labels, 10).float()
    torch.manual_seed(1)
    l1, l2 = torch.nn.Linear(sizes[0], sizes[1]), torch.nn.Linear(sizes[1], sizes[2])
    lam, n = 5.0, 50000
    opt = torch.optim.SGD([{"params": [l1.weight, l2.weight], "weight_decay": lam / n},
                           {"params": [l1.bias, l2.bias], "weight_decay": 0.0}], lr=eta)
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")
    ce = torch.nn.CrossEntropyLoss(reduction="sum")
    times = []
    for _ in range(epochs):
        perm = torch.randperm(n)
        xs, ys, ls = x[perm], y[perm], labels[perm]
        t0 = time.perf_counter()
        for i in range(0, n, m):
            xb = xs[i:i + m]
            h = torch.sigmoid(l1(xb)) if act == "sigmoid" else torch.relu(l1(xb))
            z = l2(h)
            loss = (bce(z, ys[i:i + m]) if act == "sigmoid" else ce(z, ls[i:i + m])) / xb.shape[0]
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    t = sorted(times[1:])
    print(name, threads, "%.4f" % t[len(t) // 2])


if __name__ == "__main__":
    main()
