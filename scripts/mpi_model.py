#!/usr/bin/python3
"""mpi_model.py [bench-results/mpi.csv]: how B2-B4 would scale across nodes, from the measured
one-rank step time and a latency-bandwidth model of the links (printed as Markdown).

nn2's scheme (neuron ownership): per step each rank computes its units of the hidden layer (cut
at multiples of 16 as nn2_split16 does; the largest share counts) plus the redundant output
layer, then
one allgather of the (batch x hidden) activation block; ring allgather time
(R-1) alpha + bytes (R-1)/R / beta. Compared with textbook data parallelism: each rank computes
1/R of the samples, then a ring allreduce of every parameter, 2 (R-1) alpha + 2 P 4 (R-1)/R / beta
(which, summed in the library's order, would not even be bit-reproducible).
Links: 10 Gb/s Ethernet with TCP (alpha 25 us), 100 Gb/s InfiniBand/RoCE (alpha 2 us): typical
figures, not measured here. Step times come from the 1 rank x 1 thread runs of bench_mpi.sh."""
import csv
import math
import sys

CONFIGS = {  # name: (hidden units, batch, parameters, steps per epoch of 50,000 images)
    "B2": (100, 10, 784 * 100 + 100 + 100 * 10 + 10, 5000),
    "B3": (100, 100, 784 * 100 + 100 + 100 * 10 + 10, 500),
    "B4": (800, 128, 784 * 800 + 800 + 800 * 10 + 10, math.ceil(50000 / 128)),
}
LINKS = {"10 Gb/s": (25e-6, 10e9 / 8), "100 Gb/s": (2e-6, 100e9 / 8)}
RANKS = (2, 4, 8, 16)


def cut16(n, parts, t):
    """nn2_cut16 (src/parallel.h): the multiple of 16 nearest t*n/parts, at most n."""
    if t >= parts:
        return n
    return min((n * t + 8 * parts) // (16 * parts) * 16, n)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "bench-results/mpi.csv"
    t1 = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["mode"] == "1x1" and row["config"] in CONFIGS:
                t1[row["config"]] = float(row["median_s_per_epoch"]) / CONFIGS[row["config"]][3]
    print("| config | step (1 rank) | link | bytes/step/rank at R=2 | "
          + " | ".join(f"R={r}: nn2 / allreduce" for r in RANKS) + " |")
    print("|---|---|---|---|" + "---|" * len(RANKS))
    for name, (h, mb, params, _) in CONFIGS.items():
        if name not in t1:
            continue
        t = t1[name]
        out_share = (10 * h) / (784 * h + 10 * h)  # output layer: redundant on every rank
        for link, (alpha, beta) in LINKS.items():
            cells = []
            for r in RANKS:
                share = max(cut16(h, r, t + 1) - cut16(h, r, t) for t in range(r)) / h
                ours = t * (1 - out_share) * share + t * out_share + (r - 1) * alpha + mb * h * 4 * (r - 1) / r / beta
                theirs = t / r + 2 * (r - 1) * alpha + 2 * params * 4 * (r - 1) / r / beta
                cells.append(f"{t / ours:.2f}x / {t / theirs:.2f}x")
            print(f"| {name} | {t * 1e6:.0f} us | {link} | {mb * h * 4 // 2} B vs {params * 4} B | "
                  + " | ".join(cells) + " |")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # (the reader went away: | head)
        sys.exit(1)
    except OSError as e:  # the csv missing or unreadable
        sys.exit("mpi_model: %s: %s" % (e.filename, e.strerror))
    except (KeyError, ValueError) as e:  # not bench_mpi.sh's csv
        sys.exit("mpi_model: %s: not scripts/bench_mpi.sh's csv (%s: %s)"
                 % (sys.argv[1] if len(sys.argv) > 1 else "bench-results/mpi.csv", type(e).__name__, e))
