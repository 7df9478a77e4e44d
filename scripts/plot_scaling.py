#!/usr/bin/python3
"""plot_scaling.py CSV PNG [TITLE]: speedup against ideal and parallel efficiency against threads,
for each configuration (B1-B4) in nn2-bench's scaling CSV (scripts/scaling.sh), nn2's own
kernels."""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if len(sys.argv) not in (3, 4):
    sys.exit("usage: plot_scaling.py CSV PNG [TITLE]")
NEEDED = ("config", "kernels", "threads", "speedup", "efficiency")
try:
    with open(sys.argv[1], newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in NEEDED if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit("plot_scaling.py: %s: no column %s (not nn2-bench's csv?)" % (sys.argv[1], ", ".join(missing)))
        rows = [r for r in reader if r["kernels"] != "openblas"]
    for r in rows:
        int(r["threads"]), float(r["speedup"]), float(r["efficiency"])
except OSError as e:
    sys.exit("plot_scaling.py: %s: %s" % (sys.argv[1], e.strerror))
except (ValueError, TypeError):
    sys.exit("plot_scaling.py: %s: a row with a missing or non-numeric threads, speedup or efficiency" % sys.argv[1])
if not rows:
    sys.exit("plot_scaling.py: %s: no rows of nn2's own kernels" % sys.argv[1])
fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 5))
colors = {"B1": "#999999", "B2": "#2A6EA6", "B3": "#FFA933", "B4": "#55AA55"}
tmax = 1
for cfg in ("B1", "B2", "B3", "B4"):
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
tmp = sys.argv[2] + ".tmp.png"  # written whole, then renamed: never half a PNG
try:
    fig.savefig(tmp, dpi=100)
    os.replace(tmp, sys.argv[2])
except OSError as e:
    if os.path.exists(tmp):
        os.remove(tmp)
    sys.exit("plot_scaling.py: %s: %s" % (sys.argv[2], e.strerror))
print("wrote", sys.argv[2])
