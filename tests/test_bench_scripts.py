#!/usr/bin/python3
"""The benchmark's Python helpers on bad input. bench_torch.py refuses bad arguments (exit 2, the
argument named) before importing torch, and, where torch is installed, missing, truncated,
wrongly shaped or non-IDX image files (exit 1, the file named). plot_scaling.py refuses a missing csv, one without nn2-bench's
columns or with a non-numeric row, and an output it cannot write, leaving no file behind; from
a good csv it writes a PNG. mpi_model.py refuses a missing csv or one that is not bench_mpi.sh's,
and models a good one. input_union.py refuses bad arguments (exit 2) and missing, foreign,
short or truncated image files (exit 1, the file named), and gives known unions;
reference_network2.py, through the same IDX reader, refuses missing, truncated and corrupt
gzip files, naming them.

usage: test_bench_scripts.py SOURCE_DIR"""
import importlib.util
import os
import subprocess
import sys
import tempfile

script = os.path.join(sys.argv[1], "scripts", "bench_torch.py")
plot = os.path.join(sys.argv[1], "scripts", "plot_scaling.py")
fails = 0


def expect(code, text, *args, prog=script):
    global fails
    r = subprocess.run([sys.executable, prog, *args], capture_output=True, text=True)
    if r.returncode != code or text not in r.stderr:
        fails += 1
        print("FAIL: %s %s -> exit %d (want %d, '%s'): %s" % (os.path.basename(prog), " ".join(args), r.returncode,
                                                              code, text, r.stderr))


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
        expect(1, "train-images-idx3-ubyte: 3 items, fewer than 50000", d, "B1", "1", "2")
        with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f:  # 50,000 images of 27 x 29
            f.write(bytes([0, 0, 8, 3, 0, 0, 0xC3, 0x50, 0, 0, 0, 27, 0, 0, 0, 29]) + bytes(50000 * 27 * 29))
        expect(1, "train-images-idx3-ubyte: items of 27 x 29, not 784 bytes", d, "B1", "1", "2")
        with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f:
            f.write(b"not an idx file at all")
        expect(1, "train-images-idx3-ubyte: not an IDX file", d, "B1", "1", "2")
else:
    print("torch is not installed: bench_torch.py's file checks are skipped")

HEADER = "config,kernels,threads,sec_epoch_median,speedup,efficiency\n"
with tempfile.TemporaryDirectory() as d:
    csv, png = os.path.join(d, "s.csv"), os.path.join(d, "s.png")
    expect(1, "usage: plot_scaling.py CSV PNG", prog=plot)
    expect(1, os.path.join(d, "none.csv") + ": No such file", os.path.join(d, "none.csv"), png, prog=plot)
    with open(csv, "w") as f:
        f.write("a,b\n1,2\n")
    expect(1, "no column config, kernels, threads, speedup, efficiency", csv, png, prog=plot)
    with open(csv, "w") as f:
        f.write(HEADER + "B2,avx512,1,0.09,1.0,1.0\nB2,avx512,two,0.05,1.8,0.9\n")
    expect(1, "non-numeric threads, speedup or efficiency", csv, png, prog=plot)
    with open(csv, "w") as f:
        f.write(HEADER + "B2,openblas,1,0.3,1.0,1.0\n")
    expect(1, "no rows of nn2's own kernels", csv, png, prog=plot)
    with open(csv, "w") as f:
        f.write(HEADER + "B2,avx512,1,0.09,1.0,1.0\nB2,avx512,2,0.05,1.8,0.9\nB2,openblas,2,0.2,1.0,0.5\n")
    expect(1, os.path.join(d, "no", "s.png"), csv, os.path.join(d, "no", "s.png"), prog=plot)
    expect(0, "", csv, png, prog=plot)
    with open(png, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            fails += 1
            print("FAIL: plot_scaling.py did not write a PNG")
    left = sorted(set(os.listdir(d)) - {"s.csv", "s.png"})
    if left:
        fails += 1
        print("FAIL: plot_scaling.py left %s" % left)
# mpi_model.py: a missing csv and one that is not bench_mpi.sh's refused; a good one gives the table
mpi = os.path.join(sys.argv[1], "scripts", "mpi_model.py")
with tempfile.TemporaryDirectory() as d:
    csv = os.path.join(d, "mpi.csv")
    expect(1, os.path.join(d, "none.csv") + ": No such file", os.path.join(d, "none.csv"), prog=mpi)
    with open(csv, "w") as f:
        f.write("a,b\n1,2\n")
    expect(1, "not scripts/bench_mpi.sh's csv", csv, prog=mpi)
    with open(csv, "w") as f:
        f.write("mode,config,median_s_per_epoch\n1x1,B2,x\n")
    expect(1, "not scripts/bench_mpi.sh's csv", csv, prog=mpi)
    with open(csv, "w") as f:
        f.write("mode,config,median_s_per_epoch\n1x1,B2,0.09\n")
    r = subprocess.run([sys.executable, mpi, csv], capture_output=True, text=True)
    if r.returncode != 0 or "| B2 | 18 us | 10 Gb/s |" not in r.stdout:
        fails += 1
        print("FAIL: mpi_model.py on a good csv: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
# input_union.py: bad arguments (2) and bad files (1) refused naming them; known unions
uni = os.path.join(sys.argv[1], "scripts", "input_union.py")
if importlib.util.find_spec("numpy"):
    with tempfile.TemporaryDirectory() as d:
        expect(2, "BATCH must be a comma-separated list of integers from 1 to 60000, not '0'", d, "10,0", prog=uni)
        expect(2, "N must be a positive integer, not 'x'", d, "10", "x", prog=uni)
        expect(2, "expected at most 3 arguments, got 4", d, "10", "4", "5", prog=uni)
        expect(1, os.path.join(d, "train-images-idx3-ubyte") + " not found", d, prog=uni)
        img = os.path.join(d, "train-images-idx3-ubyte")

        def idx(count, pixels, magic=2051):
            with open(img, "wb") as f:
                f.write(magic.to_bytes(4, "big") + count.to_bytes(4, "big") + (1).to_bytes(4, "big") +
                        (len(pixels) // count).to_bytes(4, "big") + bytes(pixels))
        idx(4, [7, 0, 0, 5, 0] * 4, magic=2049)
        expect(1, img + ": not an IDX file of 3 dimension(s) (it starts 00000801)", d, "2", "4", prog=uni)
        idx(4, [7, 0, 0, 5, 0] * 4)
        expect(1, img + ": 4 items, fewer than 5", d, "2", "5", prog=uni)
        with open(img, "ab") as f:
            f.write(b"x")
        expect(1, img + ": 37 bytes, but its header promises 4 items of 5 bytes", d, "2", "4", prog=uni)

        def union_row(pixels, batch, want, width=5):
            global fails
            idx(len(pixels) // width, pixels)
            r = subprocess.run([sys.executable, uni, d, str(batch), str(len(pixels) // width)], capture_output=True,
                               text=True)
            if r.returncode != 0 or want.split() not in [line.split() for line in r.stdout.splitlines()]:
                fails += 1
                print("FAIL: input_union.py %s batch %d: want '%s', got exit %d\n%s%s" %
                      (pixels, batch, want, r.returncode, r.stdout, r.stderr))
        # the same two non-zero pixels in every image: a union of 2 of 5 whatever the shuffle;
        # one 16-input block of 1
        union_row([7, 0, 0, 5, 0] * 4, 2, "2 2.0 40.0% 100.0%")
        # four images, one pixel each, one mini-batch of all four: pixels 0, 1, 3 (twice)
        union_row([1, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4, 0], 4,
                  "4 3.0 60.0% 100.0%")
        # 20 inputs, two 16-input blocks: pixel 0 in one image, pixel 17 in the other
        one, two = [5] + [0] * 19, [0] * 17 + [6, 0, 0]
        union_row(one + two, 2, "2 2.0 10.0% 100.0%", width=20)
        union_row(one + two, 1, "1 1.0 5.0% 50.0%", width=20)
    # reference_network2.py eval, through the same reader (scripts/idx_file.py): a missing, a
    # truncated, a gzip file that is not gzip and one with a corrupt stream refused, the file named
    ref = os.path.join(sys.argv[1], "scripts", "reference_network2.py")
    with tempfile.TemporaryDirectory() as d:
        model = os.path.join(d, "m.json")
        subprocess.run([sys.executable, ref, "randnet", "4,3,2", "1", model], check=True)
        expect(1, os.path.join(d, "t10k-images-idx3-ubyte") + " not found", "eval", model, d, "test", prog=ref)
        img = os.path.join(d, "t10k-images-idx3-ubyte")
        with open(img, "wb") as f:  # 3 images of 2 x 2 promised, 2 there
            f.write(bytes([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2]) + bytes(8))
        expect(1, img + ": 24 bytes, but its header promises 3 items of 4 bytes", "eval", model, d, "test", prog=ref)
        os.remove(img)
        with open(img + ".gz", "wb") as f:
            f.write(b"not gzip")
        expect(1, img + ".gz: ", "eval", model, d, "test", prog=ref)
        with open(img + ".gz", "wb") as f:  # a gzip header, then a deflate block of the reserved type
            f.write(bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x07]) + bytes(8))
        expect(1, img + ".gz: Error -3 while decompressing data", "eval", model, d, "test", prog=ref)
else:
    print("numpy is not installed: input_union.py's and reference_network2.py's checks are skipped")
print("benchmark helpers on bad input: %s" % ("all checks passed" if fails == 0 else "%d failed" % fails))
sys.exit(1 if fails else 0)
