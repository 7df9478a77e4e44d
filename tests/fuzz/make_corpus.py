#!/usr/bin/python3
"""make_corpus.py NN2 OUTDIR: the fuzzers' seed corpora (valid and near-valid inputs):
tests/fuzz/corpus_{idx,model,checkpoint}. Run once; the files are committed. The checkpoint
files without a _v2 suffix were written by version 1 of the format (before the weight scale)
and are kept as seeds of that path."""
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile

nn2, out = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
fix = os.path.join(here, "..", "data", "idx")


def put(kind, name, data):
    d = os.path.join(out, "corpus_" + kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


img = open(os.path.join(fix, "train-images-idx3-ubyte"), "rb").read()
lab = open(os.path.join(fix, "train-labels.idx1-ubyte"), "rb").read()
def idx_case(i, l):
    return struct.pack("<H", len(i)) + i + l
put("idx", "valid_raw", idx_case(img, lab))
put("idx", "valid_gz", idx_case(gzip.compress(img, mtime=0), gzip.compress(lab, mtime=0)))
put("idx", "truncated", idx_case(img[:-7], lab))
put("idx", "bad_magic", idx_case(b"\0\0\x08\x01" + img[4:], lab))
put("idx", "label_range", idx_case(img, lab[:-1] + b"\x0b"))
put("idx", "count_mismatch", idx_case(img, lab[:-1]))
put("idx", "huge_count", idx_case(img[:4] + b"\x7f\xff\xff\xff" + img[8:], lab))
put("idx", "gz_cut", idx_case(gzip.compress(img, mtime=0)[:40], lab))

net2 = {"sizes": [3, 2, 2], "weights": [[[0.1, -0.2, 0.3], [0.5, 0.25, -1.0]], [[1.0, -1.0], [0.5, 0.5]]],
        "biases": [[[0.1], [0.2]], [[-0.3], [0.4]]], "cost": "CrossEntropyCost"}
put("model", "network2", json.dumps(net2).encode())
ext = dict(net2, cost="LogLikelihoodCost", format="nn2", version=1, activations=["relu"], output="softmax", dropout=[0.5])
put("model", "nn2_ext", json.dumps(ext).encode())
put("model", "shape", json.dumps(dict(net2, sizes=[3, 3, 2])).encode())
put("model", "truncated", json.dumps(net2).encode()[:60])
put("model", "nan", json.dumps(net2).replace("0.1", "NaN", 1).encode())
put("model", "version2", json.dumps(dict(ext, version=2)).encode())

with tempfile.TemporaryDirectory() as t:
    ck = os.path.join(t, "ck")
    for extra in ([], ["--momentum", "0.9", "--early-stop", "5", "--dropout", "0.3"]):
        subprocess.run([nn2, "train", "--data", fix, "--sizes", "16,5,10", "--train-size", "5", "--validation-size", "3",
                        "--epochs", "2", "--quiet", "--checkpoint", ck] + extra, check=True)
        data = open(ck, "rb").read()
        tag = ("momentum" if extra else "plain") + "_v2"
        put("checkpoint", "valid_" + tag, data)
        put("checkpoint", "truncated_" + tag, data[: len(data) // 2])
        flipped = bytearray(data)
        flipped[100] ^= 0xFF
        put("checkpoint", "flipped_" + tag, bytes(flipped))
print("corpora written to", out)
