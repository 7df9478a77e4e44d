#!/usr/bin/python3
"""The record of many bench sets: which of issue 4's targets each set met, how many sets met each,
the single runs that met every target, and the rows of all the runs pooled by phase.

Usage: bench_record.py SET_DIR...
       bench_record.py --table SET_DIR...
       bench_record.py --phase SET_DIR...
       bench_record.py --record EARLIER SET_DIR...
       bench_record.py --kinds SET_DIR...
       bench_record.py --glance SET_DIR...

With --table it prints instead one row of the README's "Where it stands" table per set (the set's
number, its fast rows per run, its medians on 2 threads: % of peak, 1 -> 2 threads, against the
OpenBLAS backend and against PyTorch; its peak RSS), a `*` after the number of a set with rows on
shared cores. The README's table is this output for the sets it names (test readme_record).
With --phase it prints the two rows of the README's phase table for the sets' runs pooled (fast,
then slow: the median % of peak and 1 -> 2 ratio of each configuration's 2-thread rows, and how
many rows), each labelled with the phase and the number of runs pooled.
With --record it prints the row of the README's record table (how many sets met each % of peak
target, each 1 -> 2 target and all at once), then the phase table's two rows of counts (how many
2-thread rows of each phase met each configuration's % and 1 -> 2 targets), the sets named added to
those counted in EARLIER: a JSON file (bench/runs/earlier.json) of the sets whose csv files were not
kept, {"sets": N, "met": {"B1 %": n, ..., "B2 1->2": n, ..., "all at once": n}, "runs": their runs,
"rows": {"fast": {"B1": [rows, met %, met 1->2], ...}, "slow": {...}}}.
With --kinds it prints the rows of the README's table of the kinds of run: each run of the sets
sorted by its B1 rows (KINDS, first match: the 2-thread row on shared cores; a run as if on one
vCPU, every 2-thread row under bench_summary's ONE_VCPU x its 1-thread speed while the probes saw
two cores; the 1-thread row under SLOWER_PCT % of the peak, the host's slower machine; under
HOST_LOAD x from 1 to 2 threads, the host's load on the second vCPU; else the slow or the fast
phase by the hand-over beside the 2-thread row, or the run's own without one, slow without
either), and per kind how many runs, B1's 1-thread % of peak, its 2-thread % and 1 -> 2 ratio
(ranges and medians), the hand-overs, B4's 1-thread % of peak, and how many runs went more than
B4_OVER x from 1 to 2 threads on B4 (a 1-thread pass slowed by the host); then a row of all the
runs.
With --glance it prints the rows of the README's table of speed at a glance: per configuration
(GLANCE), the medians over the sets' runs of nn2's seconds per epoch on 1 thread and on 2 (with the
range on 2), then on 2 threads the images a second (IMAGES an epoch, at the median seconds), the
GFLOP/s (the % of peak times the peak probed beside the row) and the % of peak, the OpenBLAS
backend's seconds on 2 threads, and the median over the sets of PyTorch's best seconds (torch.txt).
The 2-thread rows run on shared cores are left out of nn2's 2-thread columns (their % is of one
core's peak).

A set is one `scripts/bench.sh REPS RUNS` (kept by BENCH_KEEP=DIR, or bench-results/): its
nn2.run<i>.csv (i = 1..), torch.txt and rss.txt. bench/runs/sNN/ holds the sets of the sessions
since the forty-eighth on the AMD EPYC, bench/runs/xeon/sNN/ those of another machine. A set's
figures are those of scripts/bench_summary.py (the medians over its runs of each run's own
figures); a single run is judged with its set's PyTorch and memory figures. A %
of peak target met with rows that ran on shared cores among the figures (bench_summary.py's
shared_rows: the host put both vCPUs on one core, so the peak was one core's) is not counted as
met when the median of the other runs misses it. The phase pooling is bench_summary.py's: the
2-thread nn2 rows with a hand-over under FAST_NS beside them are the fast phase; rows run on shared
cores are left out of it, and of a set's count of fast rows.
"""
import glob
import json
import os
import re
import signal
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_summary as bs  # noqa: E402

NCORES = 2  # issue 4's targets are for the 2-core machine


def target_names():
    """Every target, in the order the record lists them"""
    names = ["%s %%" % c for c in bs.TARGETS] + ["%s 1->2" % c for c, t in bs.TARGETS.items() if t[1]]
    names += ["B1 slow-down"] + ["%s OpenBLAS" % c for c in bs.TARGETS]
    names += ["%s PyTorch" % c for c, t in bs.TARGETS.items() if t[3]] + ["memory"]
    return names


def label(name):
    """A target's name as the record prints it"""
    c, _, what = name.partition(" ")
    t = bs.TARGETS.get(c)
    if what == "%":
        return "%s %d%% of peak" % (c, t[0])
    if what == "1->2":
        return "%s %.2fx from 1 to 2 threads" % (c, t[1])
    if what == "OpenBLAS":
        return "%s %.1fx OpenBLAS" % (c, t[2])
    if what == "PyTorch":
        return "%s %dx PyTorch" % (c, t[3])
    return {"B1 slow-down": "B1 no slow-down on 2 threads", "memory": "memory under 100 MB"}[name]


def load_set(d):
    """(runs, torch, rss MB) of the set in directory d"""
    n = len(glob.glob(os.path.join(d, "nn2.run*.csv")))
    if n == 0 or not all(os.path.exists(os.path.join(d, "nn2.run%d.csv" % i)) for i in range(1, n + 1)):
        raise ValueError("%s: no nn2.run1.csv ... nn2.run<N>.csv" % d)
    for f in ("torch.txt", "rss.txt"):
        if not os.path.exists(os.path.join(d, f)):
            raise ValueError("%s: no %s" % (d, f))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(os.path.join(d, "rss.txt")).read())
    if not m:
        raise ValueError("%s/rss.txt: no 'Maximum resident set size' line" % d)
    try:
        loaded, torch = [bs.load_run(d, i) for i in range(1, n + 1)], bs.load_torch(d)
    except (KeyError, ValueError, IndexError) as e:
        raise ValueError("%s: not a bench set (%s)" % (d, e))
    lacking = sorted({k[0] for run in loaded for k in run.rows} - set(torch))
    if lacking:
        raise ValueError("%s/torch.txt: no line for %s" % (d, lacking[0]))
    return loaded, torch, int(m.group(1)) / 1024


def not_counted(loaded, figs, shared, best):
    """The % of peak targets that the figures of the runs loaded meet only with their rows on
    shared cores (shared: bench_summary.shared_rows; their peak was one core's): met by the median
    of all the runs, missed by the median of the others (or no other run). [(target, message)] as
    bench_summary.missed_targets gives"""
    out = []
    for c in sorted({c for _, c, _ in shared}):
        if c not in figs or figs[c].pkn < bs.TARGETS[c][0]:
            continue
        skip = {i for i, cc, _ in shared if cc == c}
        rest = [run.rows[(c, best, NCORES)][1] for i, run in enumerate(loaded, 1) if i not in skip]
        if not rest or statistics.median(rest) < bs.TARGETS[c][0]:
            out.append((c + " %", "%s %.2f%% of peak with rows on shared cores" % (c, figs[c].pkn)))
    return out


SLOWER_PCT = 58.0  # B1's 1-thread row under this % of the peak: the slower of the host's machines
HOST_LOAD = 1.45  # B1 under this from 1 to 2 threads on the faster machine: load on the second vCPU
B4_OVER = 2.0  # B4 more than this from 1 to 2 threads: the 1-thread pass ran slow
KINDS = [("shared cores", "shared cores"),  # (name, its label in the table)
         ("one vCPU", "one vCPU (every row under %.1fx from 1 to 2)" % bs.ONE_VCPU),
         ("slower machine", "slower machine (B1 1 thread under %.0f%%)" % SLOWER_PCT),
         ("host load", "host load (B1 1 -> 2 under %.2fx)" % HOST_LOAD),
         ("slow", "slow phase (%d ns and over)" % bs.FAST_NS), ("fast", "fast phase (under %d ns)" % bs.FAST_NS)]
IMAGES = 50000  # each of B1-B4 trains on the first 50,000 MNIST images an epoch
GLANCE = {"B1": "[784,30,10] sigmoid + cross-entropy, mini-batch 10",  # issue 4's configurations
          "B2": "[784,100,10] sigmoid + cross-entropy, mini-batch 10",
          "B3": "[784,100,10] sigmoid + cross-entropy, mini-batch 100",
          "B4": "[784,800,10] ReLU + softmax + log-likelihood, mini-batch 128"}
RECORD = ["%s %%" % c for c in bs.TARGETS] + ["%s 1->2" % c for c, t in bs.TARGETS.items() if t[1]] + ["all at once"]


def judge(loaded, torch, mb):
    """(kernels, rows on shared cores, 2-thread rows by phase, figures, [(target, message)] missed)
    of a set's runs (set_rows), judged on their medians"""
    best, shared, rows = set_rows(loaded)
    figs = bs.set_figures(loaded, torch, best, NCORES)
    return best, shared, rows, figs, bs.missed_targets(figs, mb) + not_counted(loaded, figs, shared, best)


def load_earlier(path):
    """The record of the earlier sets, read from the JSON file at path: {"sets": N, "met": {target of
    RECORD: sets that met it}, "runs": their runs, "rows": {"fast" or "slow": {config: [2-thread rows,
    rows that met the % target, rows that met the 1 -> 2 one]}}}; ValueError naming the file when it
    is not such a record"""
    try:
        with open(path) as f:
            got = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError("%s: not a record of earlier sets (%s)" % (path, e))

    def count(v, most=None):
        """v is a count (an int, not a bool), at least 0 and at most most when most is given"""
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0 and (most is None or v <= most)
    want = {"sets", "met", "runs", "rows"}
    if not isinstance(got, dict) or not want <= set(got) or not count(got["sets"]) \
            or not count(got["runs"]) or not isinstance(got["met"], dict) \
            or sorted(got["met"]) != sorted(RECORD) or not isinstance(got["rows"], dict) \
            or sorted(got["rows"]) != ["fast", "slow"] \
            or any(not isinstance(v, dict) or sorted(v) != sorted(bs.TARGETS) for v in got["rows"].values()):
        raise ValueError("%s: not a record of earlier sets (wanted \"sets\", \"runs\", \"met\" with %s, "
                         "and \"rows\" with \"fast\" and \"slow\", each with %s)" %
                         (path, ", ".join(RECORD), ", ".join(bs.TARGETS)))
    for k in RECORD:
        if not count(got["met"][k], got["sets"]):
            raise ValueError("%s: \"%s\" is %r, not a count of 0 to %d sets" % (path, k, got["met"][k], got["sets"]))
    for ph, by in sorted(got["rows"].items()):
        for c, v in by.items():
            if not isinstance(v, list) or len(v) != 3 or not count(v[0]) \
                    or not all(count(x, v[0]) for x in v[1:]):
                raise ValueError("%s: %s rows of %s are %r, not [rows, rows that met the %% target, rows that "
                                 "met the 1 -> 2 one]" % (path, ph, c, v))
    return got


def record_row(earlier, dirs):
    """The README's record row (the sets in dirs judged, added to the earlier ones), then the phase
    table's two rows of counts (the sets' 2-thread rows pooled by phase, added to the earlier ones)"""
    try:
        got = load_earlier(earlier)
    except ValueError as e:
        sys.stderr.write("bench_record: %s\n" % e)
        return 1
    sets = load_all(dirs)
    if sets is None:
        return 1
    met, pooled, runs = dict(got["met"]), [], got["runs"]
    for _, (loaded, torch, mb) in sets:
        _, _, rows, _, missed = judge(loaded, torch, mb)
        missed = {k for k, _ in missed}
        for k in RECORD:
            met[k] += (not missed) if k == "all at once" else k not in missed
        pooled += rows
        runs += len(loaded)
    print("| sets that met it, of %d | %s |" % (got["sets"] + len(sets), " | ".join(str(met[k]) for k in RECORD)))
    rows = {ph: {c: list(v) for c, v in got["rows"][ph].items()} for ph in ("fast", "slow")}
    for ph in rows:
        for c, _, _, n, met_p, met_x in phase_cells(pooled, ph == "fast"):
            rows[ph][c] = [a + b for a, b in zip(rows[ph][c], (n, met_p, met_x))]
    for i, what in ((1, "the % target"), (2, "the 1 -> 2 target")):
        cells = ["%d of %d / %d of %d%s" % (rows["fast"][c][i], rows["fast"][c][0], rows["slow"][c][i],
                                            rows["slow"][c][0], "" if t[1] or i == 1 else " (no slow-down)")
                 for c, t in bs.TARGETS.items()]
        print("| rows meeting %s, fast / slow (%d runs) | %s |" % (what, runs, " | ".join(cells)))
    return 0


def set_rows(loaded):
    """(kernels, rows on shared cores, 2-thread rows by phase) of a set's runs: the kernels of its
    nn2 rows (bench_summary.kernels_of), bench_summary.shared_rows and bench_summary.phase_rows"""
    best = bs.kernels_of(loaded)
    shared = bs.shared_rows(loaded, best, NCORES)
    return best, shared, bs.phase_rows(loaded, best, NCORES, shared)


def fast_per_run(loaded, rows):
    """How many of each run's 2-thread rows (bench_summary.phase_rows) ran in the fast phase"""
    return [sum(1 for i, _, h, _, _ in rows if i == r and h < bs.FAST_NS) for r in range(1, len(loaded) + 1)]


def table_row(d, loaded, torch, mb):
    """The README's row of the set in directory d (its number: the digits that end d's name)"""
    best, shared, rows = set_rows(loaded)
    f = bs.set_figures(loaded, torch, best, NCORES)
    fast = fast_per_run(loaded, rows)
    m = re.search(r"(\d+)$", os.path.basename(os.path.normpath(d)))
    name = str(int(m.group(1))) if m else os.path.basename(os.path.normpath(d))

    def cells(key, fmt):
        return " / ".join(fmt % getattr(f[c], key) for c in bs.TARGETS if c in f)
    return "| %s%s | %s | %s%% | %sx | %sx | %sx | %.1f MB |" % (
        name, "*" if shared else "", ", ".join(map(str, fast)), cells("pkn", "%.1f"), cells("speed", "%.2f"),
        cells("vs_ob", "%.2f"), cells("vs_pt", "%.1f"), mb)


def phase_cells(pooled, fast):
    """[(config, median % of peak, median 1 -> 2, rows, rows that met the %, rows that met the 1 -> 2
    target, for B1 no slow-down)] of the pooled rows (bench_summary.phase_rows of many runs) of one
    phase"""
    out = []
    for c, (pct, sp, _, _) in bs.TARGETS.items():
        got = [(p, x) for _, cc, h, p, x in pooled if cc == c and (h < bs.FAST_NS) == fast]
        if got:
            out.append((c, statistics.median(p for p, _ in got), statistics.median(x for _, x in got), len(got),
                        sum(p >= pct for p, _ in got), sum(x >= (sp or 1.0) for _, x in got)))
    return out


def phase(dirs):
    """The README's phase-table rows of the sets' runs pooled"""
    sets = load_all(dirs)
    if sets is None:
        return 1
    pooled, runs = [], 0
    for _, (loaded, _, _) in sets:
        pooled += set_rows(loaded)[2]
        runs += len(loaded)
    for fast in (True, False):
        got = {c: (p, x, n) for c, p, x, n, _, _ in phase_cells(pooled, fast)}
        cells = ["%.1f%%, %.2fx (%d%s)" % (got[c] + (" rows" if i == 0 else "",)) if c in got else "no rows"
                 for i, c in enumerate(bs.TARGETS)]
        name = ("under %d ns" if fast else "%d ns and over") % bs.FAST_NS
        print("| %s, %d runs | %s |" % (name, runs, " | ".join(cells)))
    return 0


def run_kind(one, two, h, shared, lost):
    """The kind (KINDS) of a run by B1's 1- and 2-thread rows (seconds, % of peak), h the hand-over
    beside the 2-thread row (None: not probed), shared, whether that row ran on shared cores, and
    lost, whether the run ran as if on one vCPU (bench_summary.one_vcpu_runs)"""
    if shared:
        return "shared cores"
    if lost:
        return "one vCPU"
    if one[1] < SLOWER_PCT:
        return "slower machine"
    if one[0] / two[0] < HOST_LOAD:
        return "host load"
    return "fast" if h is not None and h < bs.FAST_NS else "slow"


def kinds(dirs):
    """The README's rows of the kinds of run of the sets' runs"""
    sets = load_all(dirs)
    if sets is None:
        return 1
    got = {k: [] for k, _ in KINDS}
    for _, (loaded, _, _) in sets:
        best, shared, _ = set_rows(loaded)
        shared_b1 = {i for i, c, _ in shared if c == "B1"}
        lost = {i for i, _ in bs.one_vcpu_runs(loaded, best, NCORES, shared)}
        for i, run in enumerate(loaded, 1):
            b1, b4 = [(run.rows[(c, best, 1)], run.rows[(c, best, NCORES)]) for c in ("B1", "B4")]
            h = run.hands.get(("B1", best, NCORES), run.handover)
            got[run_kind(*b1, h, i in shared_b1, i in lost)].append(
                (b1[0][1], b1[1][1], b1[0][0] / b1[1][0], h, b4[0][1], b4[0][0] / b4[1][0]))

    def span(xs, fmt, unit, median=False):
        """min-max of xs (None left out) in the format fmt, then the unit, and the median after"""
        xs = [x for x in xs if x is not None]
        if not xs:
            return "-"
        out = fmt % min(xs) + "-" + fmt % max(xs) + unit
        return out + " (" + fmt % statistics.median(xs) + unit + ")" if median else out
    for name, runs in [(label, got[k]) for k, label in KINDS] + [("all runs", sum(got.values(), []))]:
        if not runs:
            print("| %s | 0 | - | - | - | - | - | - |" % name)
            continue
        col = list(zip(*runs))
        print("| %s | %d | %s | %s | %s | %s | %s | %d |" % (
            name, len(runs), span(col[0], "%.1f", "%"), span(col[1], "%.1f", "%", True),
            span(col[2], "%.2f", "x", True), span(col[3], "%.0f", " ns"), span(col[4], "%.1f", "%", True),
            sum(x > B4_OVER for x in col[5])))
    return 0


def glance(dirs):
    """The README's rows of speed at a glance of the sets' runs"""
    sets = load_all(dirs)
    if sets is None:
        return 1
    got = {c: ([], [], [], [], []) for c in GLANCE}  # nn2's s on 1 and on 2, GFLOP/s and % on 2; OpenBLAS's s
    torch = {c: [] for c in GLANCE}
    for _, (loaded, tt, _) in sets:
        best, shared, _ = set_rows(loaded)
        skip = {(i, c) for i, c, _ in shared}
        for i, run in enumerate(loaded, 1):
            for c, (one, two, gf, pct, ob) in got.items():
                if (c, best, 1) not in run.rows or (c, best, NCORES) not in run.rows:
                    continue
                one.append(run.rows[(c, best, 1)][0])
                if (c, "openblas", NCORES) in run.rows:
                    ob.append(run.rows[(c, "openblas", NCORES)][0])
                if (i, c) in skip:
                    continue
                s, p = run.rows[(c, best, NCORES)]
                two.append(s)
                pct.append(p)
                if (c, best, NCORES) in run.peaks:
                    gf.append(p * run.peaks[(c, best, NCORES)] / 100)
        for c in GLANCE:
            if c in tt:
                torch[c].append(min(tt[c])[0])

    def cell(xs, fmt):
        return fmt % statistics.median(xs) if xs else "-"
    for c, (one, two, gf, pct, ob) in got.items():
        mid = statistics.median(two) if two else None
        print("| %s: %s | %s | %s | %s | %s | %s | %s | %s |" % (
            c, GLANCE[c], cell(one, "%.4f s"),
            "%.4f s (%.4f-%.4f)" % (mid, min(two), max(two)) if two else "-",
            "%.2f M" % (IMAGES / mid / 1e6) if two else "-", cell(gf, "%.0f"),
            cell(pct, "%.1f%%"), cell(ob, "%.4f s"), cell(torch[c], "%.3f s")))
    return 0


def load_all(dirs):
    """[(d, load_set(d))] of the directories, or None after saying on stderr why one of them is not a
    bench set"""
    try:
        return [(d, load_set(d)) for d in dirs]
    except (OSError, ValueError) as e:
        sys.stderr.write("bench_record: %s\n" % e)
        return None


def table(dirs):
    sets = load_all(dirs)
    if sets is None:
        return 1
    for d, got in sets:
        print(table_row(d, *got))
    return 0


def main():
    args = sys.argv[1:]
    if not args or args in (["--table"], ["--phase"], ["--kinds"], ["--glance"]) \
            or args[0] == "--record" and len(args) < 3:
        sys.stderr.write("usage: bench_record.py [--table | --phase | --kinds | --glance | --record EARLIER] "
                         "SET_DIR...\n")
        return 2
    if args[0] == "--record":
        return record_row(args[1], args[2:])
    if args[0] == "--table":
        return table(args[1:])
    if args[0] == "--phase":
        return phase(args[1:])
    if args[0] == "--kinds":
        return kinds(args[1:])
    if args[0] == "--glance":
        return glance(args[1:])
    names = target_names()
    met = {n: 0 for n in names}
    all_met, runs_all, one_off, pooled = 0, [], [], []
    sets = load_all(args)
    if sets is None:
        return 1
    for d, (loaded, torch, mb) in sets:
        best, shared, rows, figs, missed = judge(loaded, torch, mb)
        missed_keys = {k for k, _ in missed}
        for n in names:
            met[n] += n not in missed_keys
        all_met += not missed
        pooled += rows
        fast = fast_per_run(loaded, rows)
        print("%s: %d runs, fast rows %s; 2 threads %s%% of peak; 1 -> 2 %sx; %s%s" % (
            d, len(loaded), "/".join(map(str, fast)), " / ".join("%.1f" % f.pkn for f in figs.values()),
            " / ".join("%.3f" % f.speed for f in figs.values()),
            "all met" if not missed else "missed: " + ", ".join(k for k, _ in missed),
            "; rows on shared cores: %s" % ", ".join("run %d %s %.2fx" % x for x in shared)
            if shared else ""))
        for i, run in enumerate(loaded, 1):
            one = bs.set_figures([run], torch, best, NCORES)
            rm = bs.missed_targets(one, mb) + not_counted([run], one, [(1, c, x) for r, c, x in shared if r == i], best)
            if not rm:
                runs_all.append("%s run %d" % (d, i))
            elif len(rm) == 1:
                one_off.append("%s run %d (%s)" % (d, i, rm[0][1]))
    print("\nsets that met each target, of %d:" % len(args))
    for n in names:
        print("  %-32s %d" % (label(n), met[n]))
    print("  %-32s %d" % ("all at once", all_met))
    print("single runs that met every target: %s" % ("; ".join(runs_all) or "none"))
    print("single runs that missed one target only: %s" % ("; ".join(one_off) or "none"))
    print("\n%d-thread nn2 rows by phase (hand-over under %d ns: fast), pooled over the sets' runs, "
          "rows on shared cores left out:" % (NCORES, bs.FAST_NS))
    for fast in (True, False):
        cells = []
        for c, p, x, n, met_p, met_x in phase_cells(pooled, fast):
            pct, sp = bs.TARGETS[c][:2]
            cell = "%s %.1f%% %.2fx (%d rows; %d met %d%%" % (c, p, x, n, met_p, pct)
            cells.append(cell + (", %d met %.2fx)" % (met_x, sp) if sp else ")"))
        print("  %s: %s" % ("fast" if fast else "slow", "; ".join(cells) or "no rows"))
    return 0


if __name__ == "__main__":
    # piped into head, end quietly as other filters do when the reader goes away
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
