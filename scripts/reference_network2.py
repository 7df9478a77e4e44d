#!/usr/bin/python3
"""Independent float64 NumPy reference of network2.py's semantics, written for nn2's tests.

Commands:
  golden --out FILE        write the golden fixture: a tiny network, a tiny uint8 dataset, and
                           the exact float64 results of SGD steps with L2 for both costs
  check FILE               regenerate and compare with FILE (tolerance 1e-12)
  randnet SIZES SEED FILE  write a network2-format model of N(0,1/n_in) weights in float64
  eval MODEL DATA_DIR SET  load a network2-format JSON model (as network2.load does) and print
                           "correct count" on MNIST's validation or test set, in float64
  predict MODEL IMAGES CSV compare `nn2 predict`'s CSV for the IDX file IMAGES with the model's
                           float64 outputs: every output within 1e-5, every answer the same
                           unless the float64 outputs' top two are within 1e-5 (a near-tie);
                           exit 1 otherwise

Layout is network2's: weights[l] has shape (n_out, n_in), biases[l] (n_out, 1); inputs are
pixel/255. The update is w <- (1 - eta*lambda/n) w - (eta/m) sum dw, b <- b - (eta/m) sum db.
Beyond network2 (chapter 3's other techniques), for nn2's golden tests: tanh/ReLU hidden layers,
softmax output with the log-likelihood or quadratic cost, L1 regularization, momentum and
Nesterov momentum (regularization term inside the gradient, weights only).
"""
import json
import sys

import numpy as np

import idx_file  # scripts/: this file's directory


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def activate(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    e = np.exp(z - z.max(axis=0, keepdims=True))  # softmax over the units of each column
    return e / e.sum(axis=0, keepdims=True)


def derivative(name, a):
    """f'(z) through the output a = f(z)."""
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    return (a > 0).astype(np.float64)


class Net:
    def __init__(self, sizes, weights, biases, cost, acts=None):
        self.sizes = list(sizes)
        self.w = [np.array(w, dtype=np.float64) for w in weights]
        self.b = [np.array(b, dtype=np.float64).reshape(-1, 1) for b in biases]
        self.cost = cost
        self.acts = acts or ["sigmoid"] * len(self.w)  # per weight layer, output last
        self.vw = [np.zeros_like(w) for w in self.w]
        self.vb = [np.zeros_like(b) for b in self.b]

    def forward(self, x):
        """x: (n_in, batch). Returns the list of activations, input first."""
        acts = [x]
        for w, b, f in zip(self.w, self.b, self.acts):
            acts.append(activate(f, w @ acts[-1] + b))
        return acts

    def grads(self, x, y):
        """Summed gradients over the columns of x (batch); y: one-hot (n_out, batch)."""
        acts = self.forward(x)
        a = acts[-1]
        delta = a - y
        if self.cost == "QuadraticCost" and self.acts[-1] == "sigmoid":
            delta = delta * a * (1 - a)
        elif self.cost == "QuadraticCost":  # softmax Jacobian applied to a - y
            delta = a * (delta - (delta * a).sum(axis=0, keepdims=True))
        gw = [None] * len(self.w)
        gb = [None] * len(self.b)
        for l in range(len(self.w) - 1, -1, -1):
            gw[l] = delta @ acts[l].T
            gb[l] = delta.sum(axis=1, keepdims=True)
            if l > 0:
                delta = (self.w[l].T @ delta) * derivative(self.acts[l - 1], acts[l])
        return gw, gb

    def sgd_step(self, x, y, eta, lmbda, n, reg="l2", mu=0.0, nesterov=False):
        m = x.shape[1]
        gw, gb = self.grads(x, y)
        if mu == 0.0:
            if reg == "l2":
                self.w = [(1 - eta * (lmbda / n)) * w - (eta / m) * g for w, g in zip(self.w, gw)]
            else:
                self.w = [w - eta * (lmbda / n) * np.sign(w) - (eta / m) * g for w, g in zip(self.w, gw)]
            self.b = [b - (eta / m) * g for b, g in zip(self.b, gb)]
            return
        for l in range(len(self.w)):
            G = gw[l] / m + (lmbda / n) * (self.w[l] if reg == "l2" else np.sign(self.w[l]))
            Gb = gb[l] / m
            self.vw[l] = mu * self.vw[l] - eta * G
            self.vb[l] = mu * self.vb[l] - eta * Gb
            if nesterov:
                self.w[l] = self.w[l] + mu * self.vw[l] - eta * G
                self.b[l] = self.b[l] + mu * self.vb[l] - eta * Gb
            else:
                self.w[l] = self.w[l] + self.vw[l]
                self.b[l] = self.b[l] + self.vb[l]

    def cost_value(self, x, labels):
        """Mean per-sample cost (network2's cost.fn averaged), 0*ln 0 = 0."""
        a = self.forward(x)[-1]
        y = onehot(labels, a.shape[0])
        if self.cost == "QuadraticCost":
            c = 0.5 * ((a - y) ** 2).sum(axis=0)
        elif self.cost == "LogLikelihoodCost":
            c = -np.log(a[labels, np.arange(len(labels))])
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
        d = {"sizes": self.sizes, "weights": [w.tolist() for w in self.w],
             "biases": [b.tolist() for b in self.b], "cost": self.cost}
        if self.acts != ["sigmoid"] * len(self.w) or self.cost == "LogLikelihoodCost":
            d.update({"format": "nn2", "version": 1, "activations": self.acts[:-1],
                      "output": self.acts[-1], "dropout": [0.0] * (len(self.w) - 1)})
        return d


def onehot(labels, n):
    y = np.zeros((n, len(labels)))
    y[labels, np.arange(len(labels))] = 1.0
    return y


def load(path):
    with open(path) as f:
        d = json.load(f)
    acts = d["activations"] + [d["output"]] if "activations" in d else None  # nn2's format
    return Net(d["sizes"], d["weights"], d["biases"], d["cost"], acts)


# (cost, sizes, activations per weight layer, reg, momentum, nesterov): network2's four
# cases first, then the rest of chapter 3
CONFIGS = [(cost, sizes, None, "l2", 0.0, False)
           for cost in ("CrossEntropyCost", "QuadraticCost") for sizes in ([6, 5, 3], [6, 5, 4, 3])] + [
    ("CrossEntropyCost", [6, 5, 3], None, "l1", 0.0, False),
    ("CrossEntropyCost", [6, 5, 4, 3], None, "l2", 0.9, False),
    ("QuadraticCost", [6, 5, 3], None, "l1", 0.5, True),
    ("LogLikelihoodCost", [6, 5, 4, 3], ["relu", "tanh", "softmax"], "l2", 0.9, False),
    ("CrossEntropyCost", [6, 5, 3], ["tanh", "sigmoid"], "l2", 0.0, False),
    ("QuadraticCost", [6, 5, 3], ["relu", "softmax"], "l1", 0.0, False),
    ("LogLikelihoodCost", [6, 7, 3], ["relu", "softmax"], "l2", 0.7, True),
]


def golden():
    rng = np.random.default_rng(20261128)
    cases = []
    for cost, sizes, acts, reg, mu, nesterov in CONFIGS:
        if True:
            n = 12
            pixels = rng.integers(0, 256, size=(n, sizes[0]), dtype=np.int64)
            labels = rng.integers(0, sizes[-1], size=n, dtype=np.int64)
            # float32-representable starting weights, so both sides start from the same numbers
            weights = [(rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32).astype(np.float64)
                       for i, o in zip(sizes[:-1], sizes[1:])]
            biases = [rng.standard_normal((o, 1)).astype(np.float32).astype(np.float64)
                      for o in sizes[1:]]
            net = Net(sizes, weights, biases, cost, acts)
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
                    net.sgd_step(x_all[:, batch], onehot(labels[batch], sizes[-1]), eta, lmbda, n,
                                 reg, mu, nesterov)
                    steps.append({"batch": batch, "net": net.to_json(),
                                  "total_cost": net.total_cost(x_all, labels, lmbda),
                                  "accuracy": net.accuracy(x_all, labels)})
            cases.append({"cost": cost, "sizes": sizes, "eta": eta, "lambda": lmbda, "n": n, "m": m,
                          "activations": acts or ["sigmoid"] * (len(sizes) - 1), "reg": reg,
                          "momentum": mu, "nesterov": nesterov,
                          "pixels": pixels.tolist(), "labels": labels.tolist(), "init": init,
                          "steps": steps})
    return {"generator": "scripts/reference_network2.py golden", "cases": cases}


def load_idx(data_dir, stem, kind):
    try:
        return idx_file.read(idx_file.find(data_dir, stem, kind), 3 if kind == "idx3" else 1)
    except idx_file.IdxError as e:
        raise SystemExit("reference_network2.py: %s" % e)


def eval_cmd(model, data_dir, which):
    net = load(model)
    stem = "t10k" if which == "test" else "train"
    x = load_idx(data_dir, stem + "-images", "idx3")
    y = load_idx(data_dir, stem + "-labels", "idx1")
    if which == "validation":
        x, y = x[-10000:], y[-10000:]
    print(net.accuracy(x.T / 255.0, y.astype(np.int64)), len(y))


def predict_cmd(model, images, csv_path):
    net = load(model)
    try:
        x = idx_file.read(images, 3)
    except idx_file.IdxError as e:
        raise SystemExit("reference_network2.py: %s" % e)
    a = net.forward(x.reshape(len(x), -1).T / 255.0)[-1].T  # (count, n_out)
    rows = np.loadtxt(csv_path, delimiter=",", skiprows=1, ndmin=2)
    with open(csv_path) as f:
        header = f.readline().strip().split(",")
    want = ["index", "prediction"] + ["output_%d" % j for j in range(a.shape[1])]
    if header != want or rows.shape != (a.shape[0], a.shape[1] + 2):
        raise SystemExit("reference_network2.py: %s: header %s and shape %s, want %s and %s"
                         % (csv_path, header[:4], rows.shape, want[:4], (a.shape[0], a.shape[1] + 2)))
    if not (rows[:, 0] == np.arange(len(a))).all():
        raise SystemExit("reference_network2.py: %s: the indices are not 0..%d in order" % (csv_path, len(a) - 1))
    diff = np.abs(rows[:, 2:] - a).max()
    top2 = np.sort(a, axis=1)[:, -2:]
    tie = top2[:, 1] - top2[:, 0] < 1e-5
    differ = rows[:, 1].astype(np.int64) != a.argmax(axis=1)
    print("%d answers: %d differ from float64 (%d of them near-ties); outputs within %.3g"
          % (len(a), differ.sum(), (differ & tie).sum(), diff))
    if not diff <= 1e-5 or (differ & ~tie).any():  # "not <=": a NaN output fails too
        sys.exit(1)


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
    elif len(sys.argv) == 5 and sys.argv[1] == "predict":
        predict_cmd(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:  # a file missing, unreadable or unwritable
        sys.exit("reference_network2: %s: %s" % (e.filename, e.strerror))
    except json.JSONDecodeError as e:
        sys.exit("reference_network2: not JSON: %s" % e)
