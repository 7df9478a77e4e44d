#!/usr/bin/python3
"""bench_torch.py refuses bad arguments (exit 2, the argument named) before importing torch, and,
where torch is installed, missing or truncated IDX files (exit 1, the file named).

usage: test_bench_torch.py SOURCE_DIR"""
import importlib.util
import os
import subprocess
import sys
import tempfile

script = os.path.join(sys.argv[1], "scripts", "bench_torch.py")
fails = 0


def expect(code, text, *args):
    global fails
    r = subprocess.run([sys.executable, script, *args], capture_output=True, text=True)
    if r.returncode != code or text not in r.stderr:
        fails += 1
        print("FAIL: bench_torch.py %s -> exit %d (want %d, '%s'): %s" % (" ".join(args), r.returncode, code, text, r.stderr))


expect(2, "expected 3 or 4 arguments, got 0")
expect(2, "expected 3 or 4 arguments, got 5", "d", "B1", "1", "4", "x")
expect(2, "CONFIG must be one of B1, B2, B3, B4, not 'B5'", "d", "B5", "1")
for bad in ("0", "x", "-1", "5000", ""):
    expect(2, "THREADS must be an integer from 1 to 4096, not '%s'" % bad, "d", "B1", bad)
for bad in ("1", "101", "2.5"):
    expect(2, "EPOCHS must be an integer from 2 to 100, not '%s'" % bad, "d", "B1", "1", bad)
if importlib.util.find_spec("torch") and importlib.util.find_spec("numpy"):
    with tempfile.TemporaryDirectory() as d:
        expect(1, os.path.join(d, "train-images-idx3-ubyte") + " not found", d, "B1", "1", "2")
        with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f:  # 3 images, not 50,000
            f.write(bytes([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28]) + bytes(3 * 784))
        expect(1, "train-images-idx3-ubyte: fewer than 50000 items", d, "B1", "1", "2")
        with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f:
            f.write(b"not an idx file at all")
        expect(1, "train-images-idx3-ubyte: not an IDX file", d, "B1", "1", "2")
else:
    print("torch is not installed: the file checks are skipped")
print("bench_torch.py arguments: %s" % ("all checks passed" if fails == 0 else "%d failed" % fails))
sys.exit(1 if fails else 0)
