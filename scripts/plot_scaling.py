#!/usr/bin/python3
"""plot_scaling.py CSV PNG: speedup against ideal and parallel efficiency against threads, for
B2, B3 and B4 of nn2-bench's scaling CSV (scripts/scaling.sh), nn2's own kernels."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["kernels"] != "openblas"]
fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 5))
colors = {"B1": "#999999", "B2": "#2A6EA6", "B3": "#FFA933", "B4": "#55AA55"}
tmax = 1
for cfg in ("B2", "B3", "B4"):
    pts = sorted((int(r["threads"]), float(r["speedup"]), float(r["efficiency"])) for r in rows if r["config"] == cfg)
    if not pts:
        continue
    t = [p[0] for p in pts]
    tmax = max(tmax, max(t))
    a1.plot(t, [p[1] for p in pts], "o-", color=colors[cfg], label=cfg)
    a2.plot(t, [100 * p[2] for p in pts], "o-", color=colors[cfg], label=cfg)
a1.plot([1, tmax], [1, tmax], "k--", label="ideal")
a1.set_xlabel("threads"); a1.set_ylabel("speedup over 1 thread"); a1.set_title("Speedup"); a1.grid(True); a1.legend()
a2.axhline(100, color="k", linestyle="--")
a2.set_xlabel("threads"); a2.set_ylabel("parallel efficiency (%)"); a2.set_title("Parallel efficiency")
a2.set_ylim(0, 110); a2.grid(True); a2.legend()
fig.suptitle(sys.argv[3] if len(sys.argv) > 3 else "nn2 thread scaling (seconds per epoch, medians)")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=100)
print("wrote", sys.argv[2])
