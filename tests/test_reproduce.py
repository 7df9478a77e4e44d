#!/usr/bin/python3
"""test_reproduce.py MODE NN2 SRC [DATA]: the figure scripts.
  plots: scripts/reproduce's plotting functions on small synthetic metrics produce non-empty
         800x600 PNGs (no nn2 run, no data).
  smoke: scripts/reproduce all with 2 epochs on 300 images and 2 seeds runs end to end and
         writes the book's JSON layout (skipped, 77, without MNIST).
"""
import importlib.machinery
import importlib.util
import json
import os
import struct
import subprocess
import sys
import tempfile


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path + ": not a PNG"
    return struct.unpack(">II", head[16:24])


def load_reproduce(src):
    path = os.path.join(src, "scripts", "reproduce")
    loader = importlib.machinery.SourceFileLoader("reproduce", path)
    spec = importlib.util.spec_from_loader("reproduce", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def check_pngs(out, names):
    bad = 0
    for n in names:
        p = os.path.join(out, n)
        if not os.path.exists(p) or os.path.getsize(p) < 5000 or png_size(p) != (800, 600):
            print("FAIL:", p, "missing, empty or not 800x600")
            bad += 1
    return bad


def plots(src):
    r = load_reproduce(src)
    out = tempfile.mkdtemp()
    lists = lambda n, base: [[2.0 - 0.01 * e for e in range(n)], [base + 20 * e for e in range(n)],
                             [1.5 - 0.01 * e for e in range(n)], [800 + e for e in range(n)]]
    r.plot_weight_init({"default": [lists(30, 9300), lists(30, 9250)], "large": [lists(30, 8800), lists(30, 8700)]},
                       10000, 30, os.path.join(out, "wi.png"))
    r.plot_four(lists(12, 8000), 1000, 10000, os.path.join(out, "of"), 200, 200, "")
    bad = check_pngs(out, ["wi.png"] + ["of_%s.png" % n for n in
                                        ("training_cost", "test_accuracy", "test_cost", "training_accuracy")])
    print("%d passed, %d failed" % (5 - bad, bad))
    return bad


def smoke(nn2, src, data):
    if not os.path.exists(os.path.join(data, "train-images-idx3-ubyte")):
        print("no MNIST in", data, "- skipped")
        return 77
    out = tempfile.mkdtemp()
    res = subprocess.run([sys.executable, os.path.join(src, "scripts", "reproduce"), "all", "--epochs", "2",
                          "--train-size", "300", "--seeds", "2", "--out", out, "--nn2", nn2, "--data", data],
                         capture_output=True, text=True)
    print(res.stdout)
    if res.returncode != 0:
        print("FAIL: reproduce exited", res.returncode, res.stderr)
        return 1
    bad = 0
    def four(l, n):
        return isinstance(l, list) and len(l) == 4 and all(isinstance(x, list) for x in l) and \
            all(len(x) in (0, n) for x in l)
    for h in (30, 100):
        d = json.load(open(os.path.join(out, "weight_initialization_%d.json" % h)))
        ok = four(d["default_weight_initialization"], 2) and four(d["large_weight_initialization"], 2) \
            and len(d["all_seeds"]["default"]) == 2 and d["seeds"] == [1, 2]
        bad += not ok
    ok = four(json.load(open(os.path.join(out, "overfitting.json"))), 2)
    d = json.load(open(os.path.join(out, "learning_rate.json")))
    ok = ok and sorted(d) == ["0.025", "0.25", "2.5"] and all(four(v, 2) and len(v[2]) == 2 for v in d.values())
    d = json.load(open(os.path.join(out, "regularization_full.json")))
    ok = ok and sorted(d) == ["0.0", "5.0"] and all(four(v, 2) for v in d.values())
    bad += not ok
    names = ["weight_initialization_30.png", "weight_initialization_100.png", "learning_rate.png",
             "regularization_full.png"] + ["%s_%s.png" % (p, n) for p in ("overfitting", "regularization")
                                           for n in ("training_cost", "test_accuracy", "test_cost", "training_accuracy")]
    bad += check_pngs(out, names)
    print("%d passed, %d failed" % (3 + len(names) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    mode, nn2, src = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.exit(plots(src) and 1 if mode == "plots" else smoke(nn2, src, sys.argv[4]))
