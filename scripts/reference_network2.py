#!/usr/bin/python3
"""Independent float64 NumPy reference of network2.py's semantics, written for nn2's tests.

Commands:
  golden --out FILE        write the golden fixture: a tiny network, a tiny uint8 dataset, and
                           the exact float64 results of SGD steps with L2 for both costs
  check FILE               regenerate and compare with FILE (tolerance 1e-12)
  randnet SIZES SEED FILE  write a network2-format model of N(0,1/n_in) weights in float64
  eval MODEL DATA_DIR SET  load a network2-format JSON model (as network2.load does) and print
                           "correct count" on MNIST's validation or test set, in float64

Layout is network2's: weights[l] has shape (n_out, n_in), biases[l] (n_out, 1); inputs are
pixel/255. The update is w <- (1 - eta*lambda/n) w - (eta/m) sum dw, b <- b - (eta/m) sum db.
"""
import gzip
import json
import os
import sys

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Net:
    def __init__(self, sizes, weights, biases, cost):
        self.sizes = list(sizes)
        self.w = [np.array(w, dtype=np.float64) for w in weights]
        self.b = [np.array(b, dtype=np.float64).reshape(-1, 1) for b in biases]
        self.cost = cost

    def forward(self, x):
        """x: (n_in, batch). Returns the list of activations, input first."""
        acts = [x]
        for w, b in zip(self.w, self.b):
            acts.append(sigmoid(w @ acts[-1] + b))
        return acts

    def grads(self, x, y):
        """Summed gradients over the columns of x (batch); y: one-hot (n_out, batch)."""
        acts = self.forward(x)
        a = acts[-1]
        delta = a - y
        if self.cost == "QuadraticCost":
            delta = delta * a * (1 - a)
        gw = [None] * len(self.w)
        gb = [None] * len(self.b)
        for l in range(len(self.w) - 1, -1, -1):
            gw[l] = delta @ acts[l].T
            gb[l] = delta.sum(axis=1, keepdims=True)
            if l > 0:
                delta = (self.w[l].T @ delta) * acts[l] * (1 - acts[l])
        return gw, gb

    def sgd_step(self, x, y, eta, lmbda, n):
        m = x.shape[1]
        gw, gb = self.grads(x, y)
        self.w = [(1 - eta * (lmbda / n)) * w - (eta / m) * g for w, g in zip(self.w, gw)]
        self.b = [b - (eta / m) * g for b, g in zip(self.b, gb)]

    def cost_value(self, x, labels):
        """Mean per-sample cost (network2's cost.fn averaged), 0*ln 0 = 0."""
        a = self.forward(x)[-1]
        y = onehot(labels, a.shape[0])
        if self.cost == "QuadraticCost":
            c = 0.5 * ((a - y) ** 2).sum(axis=0)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                c = -np.where(y == 1, np.log(a), np.log(1 - a)).sum(axis=0)
        return float(c.mean())

    def total_cost(self, x, labels, lmbda):
        n = x.shape[1]
        return self.cost_value(x, labels) + 0.5 * (lmbda / n) * sum(float((w**2).sum()) for w in self.w)

    def accuracy(self, x, labels):
        return int((self.forward(x)[-1].argmax(axis=0) == labels).sum())

    def to_json(self):
        return {"sizes": self.sizes, "weights": [w.tolist() for w in self.w],
                "biases": [b.tolist() for b in self.b], "cost": self.cost}


def onehot(labels, n):
    y = np.zeros((n, len(labels)))
    y[labels, np.arange(len(labels))] = 1.0
    return y


def load(path):
    with open(path) as f:
        d = json.load(f)
    return Net(d["sizes"], d["weights"], d["biases"], d["cost"])


def golden():
    rng = np.random.default_rng(20261128)
    cases = []
    for cost in ("CrossEntropyCost", "QuadraticCost"):
        for sizes in ([6, 5, 3], [6, 5, 4, 3]):
            n = 12
            pixels = rng.integers(0, 256, size=(n, sizes[0]), dtype=np.int64)
            labels = rng.integers(0, sizes[-1], size=n, dtype=np.int64)
            # float32-representable starting weights, so both sides start from the same numbers
            weights = [(rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32).astype(np.float64)
                       for i, o in zip(sizes[:-1], sizes[1:])]
            biases = [rng.standard_normal((o, 1)).astype(np.float32).astype(np.float64)
                      for o in sizes[1:]]
            net = Net(sizes, weights, biases, cost)
            init = net.to_json()
            x_all = pixels.T / 255.0
            eta, lmbda, m = 0.5, 5.0, 5
            # 3 epochs, each a fixed permutation cut into mini-batches of m = 5: 5, 5 and a
            # smaller last one of 2, divided by its own size as in network2.py
            order = []
            for _ in range(3):
                order.append(rng.permutation(n).tolist())
            steps = []
            for perm in order:
                for s in range(0, n, m):
                    batch = perm[s:s + m]
                    net.sgd_step(x_all[:, batch], onehot(labels[batch], sizes[-1]), eta, lmbda, n)
                    steps.append({"batch": batch, "net": net.to_json(),
                                  "total_cost": net.total_cost(x_all, labels, lmbda),
                                  "accuracy": net.accuracy(x_all, labels)})
            cases.append({"cost": cost, "sizes": sizes, "eta": eta, "lambda": lmbda, "n": n, "m": m,
                          "pixels": pixels.tolist(), "labels": labels.tolist(), "init": init,
                          "steps": steps})
    return {"generator": "scripts/reference_network2.py golden", "cases": cases}


def load_idx(path, ndim):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims[0], -1) if ndim == 3 else arr


def find(dir_, stem, kind):
    for sep in ("-", "."):
        for ext in ("", ".gz"):
            p = os.path.join(dir_, f"{stem}{sep}{kind}-ubyte{ext}")
            if os.path.exists(p):
                return p
    raise SystemExit(f"{dir_}: {stem} not found")


def eval_cmd(model, data_dir, which):
    net = load(model)
    stem = "t10k" if which == "test" else "train"
    x = load_idx(find(data_dir, stem + "-images", "idx3"), 3)
    y = load_idx(find(data_dir, stem + "-labels", "idx1"), 1)
    if which == "validation":
        x, y = x[-10000:], y[-10000:]
    print(net.accuracy(x.T / 255.0, y.astype(np.int64)), len(y))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "golden" and sys.argv[2] == "--out":
        with open(sys.argv[3], "w") as f:
            json.dump(golden(), f)
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        with open(sys.argv[2]) as f:
            old = json.load(f)
        new = json.loads(json.dumps(golden()))
        def cmp(a, b, path):
            if isinstance(a, dict):
                assert a.keys() == b.keys(), path
                for k in a:
                    cmp(a[k], b[k], path + "." + k)
            elif isinstance(a, list):
                assert len(a) == len(b), path
                for i, (u, v) in enumerate(zip(a, b)):
                    cmp(u, v, f"{path}[{i}]")
            elif isinstance(a, float):
                assert abs(a - b) <= 1e-12 * max(1.0, abs(a)), f"{path}: {a} != {b}"
            else:
                assert a == b, f"{path}: {a} != {b}"
        cmp(old, new, "fixture")
        print("reference_network2: fixture", sys.argv[2], "matches a fresh run")
    elif len(sys.argv) == 5 and sys.argv[1] == "randnet":
        sizes = [int(v) for v in sys.argv[2].split(",")]
        rng = np.random.default_rng(int(sys.argv[3]))
        net = Net(sizes, [rng.standard_normal((o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])],
                  [rng.standard_normal((o, 1)) for o in sizes[1:]], "CrossEntropyCost")
        with open(sys.argv[4], "w") as f:
            json.dump(net.to_json(), f)
    elif len(sys.argv) == 5 and sys.argv[1] == "eval":
        eval_cmd(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
