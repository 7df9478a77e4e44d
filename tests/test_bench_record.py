#!/usr/bin/python3
"""scripts/bench_record.py on made-up bench sets: each set judged on the medians of its runs, the
count of sets that met each target, the single runs that met every target or missed one, the rows
pooled by phase over every set, percentages met on shared cores not counted, the README's table row
of a set (--table), phase-table rows of many (--phase), the table of the kinds of run (--kinds), the
table of speed at a glance (--glance) and the record's row with earlier sets' counts added
(--record), and bad sets and records refused with the directory or file named.
scripts/bench.sh refuses a BENCH_KEEP directory that exists already, before building anything.

Usage: test_bench_record.py SOURCE_DIR
"""
import json
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_bench_summary import check, good_rows, write_run  # noqa: E402

TWO = {(c, "avx512", t): (200.0 * t, 200.0 * t, 200.0 * t) for c in ("B1", "B2", "B3", "B4") for t in (1, 2)}
USAGE = "usage: bench_record.py [--table | --phase | --kinds | --glance | --record EARLIER] SET_DIR..."
TORCH = "B1 1 1.2\nB1 2 1.0\nB2 1 1.5\nB2 2 1.6\nB3 1 0.4\nB3 2 0.5\nB4 1 1.7\nB4 2 1.8\n"


def make_set(d, runs, rss_kb=65000):
    """runs: [(rows, hands)] of write_run, with 2-core peaks"""
    os.makedirs(d)
    for i, (rows, hands) in enumerate(runs, 1):
        write_run(d, i, 40, rows, TWO, hands)
    with open(os.path.join(d, "torch.txt"), "w") as f:
        f.write(TORCH)
    with open(os.path.join(d, "rss.txt"), "w") as f:
        f.write("\tCommand being timed: \"nn2 train --quiet\"\n\tMaximum resident set size (kbytes): %d\n" % rss_kb)


def hands(ns):
    return {(c, "avx512", 2): ns for c in ("B1", "B2", "B3", "B4")}


def record(src, *dirs):
    p = subprocess.run([sys.executable, os.path.join(src, "scripts", "bench_record.py")] + list(dirs),
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def refused(src, d, message, what):
    """bench_record.py on the one set d exits 1 with the message"""
    rc, out = record(src, d)
    check(rc == 1 and message in out, what, out)


def line(out, start):
    got = [l for l in out.splitlines() if l.strip().startswith(start)]
    return got[0] if got else ""


def main():
    src = sys.argv[1]
    with tempfile.TemporaryDirectory() as t:
        a, b, c = (os.path.join(t, n) for n in ("a", "b", "c"))
        # set a: every run meets every target (fast rows in run 1)
        make_set(a, [(good_rows(), hands(40)), (good_rows(), hands(230)), (good_rows(), hands(240))])
        # set b: B2-B4 at 1.9x, 1.7x, 1.8x from 1 to 2 threads (median 1.80x: missed; B1 1.60x,
        # 1.43x, 1.52x), so run 1 alone meets every target and run 3 misses those three; run 2
        # misses B1's 55% as well
        make_set(b, [(good_rows(), hands(250)), (good_rows(1.9 / 1.7, {"B1": 50.0}), hands(250)),
                     (good_rows(1.9 / 1.8), hands(250))])
        # set c: every target met but B1's 55% (54.9%) and memory (120 MB)
        make_set(c, [(good_rows(1.0, {"B1": 54.9}), hands(260))], rss_kb=120 * 1024)
        rc, out = record(src, a, b, c)
        check(rc == 0, "exit 0", out)
        check(line(out, a + ":").endswith("all met") and "fast rows 4/0/0" in line(out, a + ":"),
              "set a: all met, its fast rows counted per run", out)
        check(line(out, b + ":").endswith("missed: B2 1->2, B3 1->2, B4 1->2"), "set b: the medians' misses", out)
        check("1 -> 2 1.516 / 1.800 / 1.800 / 1.800x" in line(out, b + ":"), "set b: median ratios", out)
        check(line(out, c + ":").endswith("missed: B1 %, memory"), "set c: B1 and memory", out)
        check(line(out, "sets that met each target, of 3"), "record header", out)
        for what, n in (("B1 55% of peak", 2), ("B2 70% of peak", 3), ("B2 1.85x from 1 to 2 threads", 2),
                        ("B4 1.85x from 1 to 2 threads", 2), ("B1 no slow-down on 2 threads", 3),
                        ("B1 30x PyTorch", 3), ("memory under 100 MB", 2), ("all at once", 1)):
            check(line(out, what).split()[-1] == str(n), "record: %s met by %d sets" % (what, n), out)
        check("single runs that met every target: %s run 1; %s run 2; %s run 3; %s run 1\n" % (a, a, a, b) in out,
              "single runs meeting every target", out)
        check("single runs that missed one target only: none" in out, "no run with one miss", out)
        # pooled: 4 fast rows (a run 1), 2 + 3 + 1 slow runs; B1 at 50.0% in b run 2 and 54.9% in c
        fast, slow = line(out, "fast:"), line(out, "slow:")
        check("B1 57.0% 1.60x (1 rows; 1 met 55%)" in fast and "B2 72.0% 1.90x (1 rows; 1 met 70%, 1 met 1.85x)" in fast,
              "fast phase pooled", out)
        check("B1 57.0% 1.60x (6 rows; 4 met 55%)" in slow and "B2 72.0% 1.90x (6 rows; 6 met 70%, 4 met 1.85x)" in slow,
              "slow phase pooled over the sets", out)
        # its output piped into a reader that has gone (as `| head` does): no traceback, ended by
        # SIGPIPE like other filters (it was Python's BrokenPipeError until the fifty-third session)
        p = subprocess.Popen([sys.executable, os.path.join(src, "scripts", "bench_record.py"), a, b, c],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.close()
        err = p.stderr.read().decode()
        check(p.wait() == -signal.SIGPIPE and err == "", "a closed pipe: SIGPIPE, nothing on stderr",
              "exit %s, stderr: %s" % (p.returncode, err))
        # --record: the counts of a, b and c (a met all; b missed B2-B4's 1.85x; c B1's 55%) added
        # to those of an earlier record's 10 sets; then their 7 runs' rows by phase (a's run 1 fast,
        # the 6 others slow: B1 at 57, 57, 57, 50, 57 and 54.9%; B2-B4 at 1.9, 1.9, 1.9, 1.7, 1.8
        # and 1.9x) added to the earlier record's 20 runs' rows
        earlier = os.path.join(t, "earlier.json")
        met = {"B1 %": 1, "B2 %": 2, "B3 %": 3, "B4 %": 10, "B2 1->2": 4, "B3 1->2": 5, "B4 1->2": 6, "all at once": 0}
        rows = {"fast": {"B1": [2, 1, 2], "B2": [2, 0, 1], "B3": [2, 2, 0], "B4": [2, 2, 2]},
                "slow": {"B1": [18, 0, 18], "B2": [18, 5, 3], "B3": [18, 9, 6], "B4": [18, 18, 15]}}
        good = {"about": "made up", "sets": 10, "met": met, "runs": 20, "rows": rows}
        with open(earlier, "w") as fh:
            json.dump(good, fh)
        rc, out = record(src, "--record", earlier, a, b, c)
        check(rc == 0 and out.splitlines() == [
            "| sets that met it, of 13 | 3 | 5 | 6 | 13 | 6 | 7 | 8 | 1 |",
            "| rows meeting the % target, fast / slow (27 runs) | 2 of 3 / 4 of 24 | 1 of 3 / 11 of 24 | "
            "3 of 3 / 15 of 24 | 3 of 3 / 24 of 24 |",
            "| rows meeting the 1 -> 2 target, fast / slow (27 runs) | 3 of 3 / 24 of 24 (no slow-down) | "
            "2 of 3 / 7 of 24 | 1 of 3 / 10 of 24 | 3 of 3 / 19 of 24 |"], "--record: the README's record row "
              "and the phase table's counts", out)
        rc, out = record(src, "--record", earlier)
        check(rc == 2 and USAGE in out, "--record without a set", out)
        rc, out = record(src, "--record", os.path.join(t, "nothing.json"), a)
        check(rc == 1 and os.path.join(t, "nothing.json") + ": not a record of earlier sets" in out,
              "--record: no earlier record", out)
        bad_rows = {"fast": rows["fast"], "slow": dict(rows["slow"], B3=[18, 19, 6])}
        for bad, what, message in (
                ("{\"sets\": 10,", "not JSON", "not a record of earlier sets"),
                (dict(good, met=dict(met, extra=1)), "with a target more", "not a record of earlier sets"),
                (dict(good, runs="20"), "with runs not a number", "not a record of earlier sets"),
                (dict(good, met=dict(met, **{"B4 %": 11})), "with more sets than the record",
                 "\"B4 %\" is 11, not a count of 0 to 10 sets"),
                (dict(good, rows=bad_rows), "with more rows met than rows",
                 "slow rows of B3 are [18, 19, 6], not [rows, rows that met")):
            with open(earlier, "w") as fh:
                fh.write(bad if isinstance(bad, str) else json.dumps(bad))
            rc, out = record(src, "--record", earlier, a)
            check(rc == 1 and earlier + ": " + message in out and "| " not in out, "--record: an earlier record " + what,
                  out)
        # a run that misses one target only is listed with the message
        e = os.path.join(t, "e")
        rows = good_rows()
        rows[("B2", "avx512", 2)] = (rows[("B2", "avx512", 1)][0] / 1.84, 72.0)
        make_set(e, [(rows, hands(250))])
        rc, out = record(src, e)
        check("single runs that missed one target only: %s run 1 (B2 1 -> 2 threads 1.840x < 1.85x)" % e in out,
              "a run with one miss", out)
        # rows on shared cores (run 1's 2-thread peaks 1.0x the 1-thread ones, 33 ns): set f's B1
        # median meets 55% only with run 1's 58% (the others 54% and 58%, median 56%: still met);
        # with run 3 at 54% too, not counted as met, nor is run 1 alone, whose B2-B4 are not
        # counted either; B2-B4 are met without run 1 (72% and more); the shared rows are left out
        # of the fast rows
        f = os.path.join(t, "f")
        one_core = {(c, "avx512", t2): (200.0, 200.0, 200.0) for c in ("B1", "B2", "B3", "B4") for t2 in (1, 2)}
        make_set(f, [(good_rows(1.0, {"B1": 58.0}), hands(33)), (good_rows(1.0, {"B1": 54.0}), hands(250)),
                     (good_rows(1.0, {"B1": 58.0}), hands(250))])
        write_run(f, 1, 33, good_rows(1.0, {"B1": 58.0}), one_core, hands(33))
        rc, out = record(src, f)
        check(line(out, f + ":").endswith("all met; rows on shared cores: run 1 B1 1.00x, "
                                          "run 1 B2 1.00x, run 1 B3 1.00x, run 1 B4 1.00x"), "shared rows, met without them", out)
        write_run(f, 3, 40, good_rows(1.0, {"B1": 54.0}), TWO, hands(250))
        rc, out = record(src, f)
        check(line(out, f + ":").endswith("missed: B1 %; rows on shared cores: run 1 B1 1.00x, "
                                          "run 1 B2 1.00x, run 1 B3 1.00x, run 1 B4 1.00x")
              and "fast rows 0/0/0" in line(out, f + ":"), "shared rows: B1's 55% not counted", out)
        check(line(out, "B1 55% of peak").split()[-1] == "0" and line(out, "all at once").split()[-1] == "0",
              "shared rows: the record", out)
        check("single runs that met every target: none" in out, "shared run 1 not counted", out)
        check("single runs that missed one target only: %s run 2 (B1 54.00%% of peak < 55%%); "
              "%s run 3 (B1 54.00%% of peak < 55%%)\n" % (f, f) in out, "one-miss runs with shared rows", out)
        check("fast: no rows" in out, "shared rows left out of the phases", out)
        # --table: the README's row of a set, numbered by the digits ending its name; a set with
        # rows on shared cores marked *
        g = os.path.join(t, "set07")
        make_set(g, [(good_rows(), hands(40)), (good_rows(), hands(230)), (good_rows(), hands(240))])
        p = subprocess.run([os.path.join(src, "scripts", "bench_record.py"), "--table", g, f],
                           capture_output=True, text=True)
        rows = p.stdout.splitlines()
        check(p.returncode == 0 and len(rows) == 2, "--table: one row per set", p.stdout + p.stderr)
        check(rows[0] == "| 7 | 4, 0, 0 | 57.0 / 72.0 / 79.0 / 90.0% | 1.60 / 1.90 / 1.90 / 1.90x | "
              "3.00 / 3.00 / 3.00 / 3.00x | 50.0 / 31.7 / 8.9 / 5.3x | 63.5 MB |", "--table: a set's row", rows[0])
        check(rows[1].startswith("| f* | 0, 0, 0 | 54.0 / 72.0 / "), "--table: a set with shared rows", rows[1])
        rc, out = record(src, "--table")
        check(rc == 2 and USAGE in out, "--table without a set", out)
        rc, out = record(src, "--table", g, os.path.join(t, "none"))
        check(rc == 1 and os.path.join(t, "none") + ": no nn2.run1.csv" in out, "--table: a missing set", out)
        # --phase: the phase table's two rows of the runs pooled: set07's run 1 fast (40 ns), its
        # runs 2 and 3 and f's runs 2 and 3 slow (B1 57.0, 57.0, 54.0, 54.0%: median 55.5%), f's
        # run 1 (shared cores) left out but counted among the runs
        p = subprocess.run([os.path.join(src, "scripts", "bench_record.py"), "--phase", g, f],
                           capture_output=True, text=True)
        check(p.returncode == 0 and p.stdout.splitlines() == [
            "| under 120 ns, 6 runs | 57.0%, 1.60x (1 rows) | 72.0%, 1.90x (1) | 79.0%, 1.90x (1) | 90.0%, 1.90x (1) |",
            "| 120 ns and over, 6 runs | 55.5%, 1.60x (4 rows) | 72.0%, 1.90x (4) | 79.0%, 1.90x (4) | 90.0%, 1.90x (4) |"],
            "--phase: the rows of two sets pooled", p.stdout + p.stderr)
        p = subprocess.run([os.path.join(src, "scripts", "bench_record.py"), "--phase", f],
                           capture_output=True, text=True)
        check(p.returncode == 0 and p.stdout.splitlines()[0] ==
              "| under 120 ns, 3 runs | no rows | no rows | no rows | no rows |", "--phase: a phase without rows",
              p.stdout + p.stderr)
        rc, out = record(src, "--phase")
        check(rc == 2 and USAGE in out, "--phase without a set", out)
        rc, out = record(src, "--phase", g, os.path.join(t, "none"))
        check(rc == 1 and os.path.join(t, "none") + ": no nn2.run1.csv" in out, "--phase: a missing set", out)
        # --kinds: one run of each kind, sorted by its B1 rows (1 thread at 67% of the peak, 2 threads
        # at 57%, 1.60x, unless said): run 1 fast (40 ns); run 2 slow (250 ns) with B4 at 2.10x from 1
        # to 2 threads; run 3 on the slower machine (B1's 1-thread row at 55%); run 4 with the host's
        # load (every 2-thread row 1.6 / 1.3 as slow: B1 1.30x); run 5 on shared cores (33 ns); run 6
        # as if on one vCPU (every 2-thread row as slow as 1-thread, B1 1.6 / 1.9 as slow: 0.84x)
        k = os.path.join(t, "k")
        b4_fast, slower = good_rows(), good_rows()
        b4_fast[("B4", "avx512", 2)] = (0.61 / 2.1, 90.0)
        slower[("B1", "avx512", 1)] = (0.032, 55.0)
        make_set(k, [(good_rows(), hands(40)), (b4_fast, hands(250)), (slower, hands(250)),
                     (good_rows(1.6 / 1.3), hands(250)), (good_rows(), hands(33)),
                     (good_rows(1.9), hands(250))])
        write_run(k, 5, 33, good_rows(), one_core, hands(33))
        rc, out = record(src, "--kinds", k)
        same = "57.0-57.0% (57.0%) | 1.60-1.60x (1.60x)"
        check(rc == 0 and out.splitlines() == [
            "| shared cores | 1 | 67.0-67.0%% | %s | 33-33 ns | 100.0-100.0%% (100.0%%) | 0 |" % same,
            "| one vCPU (every row under 1.2x from 1 to 2) | 1 | 67.0-67.0% | 57.0-57.0% (57.0%) | "
            "0.84-0.84x (0.84x) | 250-250 ns | 100.0-100.0% (100.0%) | 0 |",
            "| slower machine (B1 1 thread under 58%%) | 1 | 55.0-55.0%% | %s | 250-250 ns | "
            "100.0-100.0%% (100.0%%) | 0 |" % same,
            "| host load (B1 1 -> 2 under 1.45x) | 1 | 67.0-67.0% | 57.0-57.0% (57.0%) | 1.30-1.30x (1.30x) | "
            "250-250 ns | 100.0-100.0% (100.0%) | 0 |",
            "| slow phase (120 ns and over) | 1 | 67.0-67.0%% | %s | 250-250 ns | 100.0-100.0%% (100.0%%) | 1 |" % same,
            "| fast phase (under 120 ns) | 1 | 67.0-67.0%% | %s | 40-40 ns | 100.0-100.0%% (100.0%%) | 0 |" % same,
            "| all runs | 6 | 55.0-67.0% | 57.0-57.0% (57.0%) | 0.84-1.60x (1.60x) | 33-250 ns | "
            "100.0-100.0% (100.0%) | 1 |"], "--kinds: one run of each kind", out)
        rc, out = record(src, "--kinds", g)
        none = " | 0 | - | - | - | - | - | - |"
        check(rc == 0 and out.splitlines()[:3] == ["| shared cores" + none,
                                                   "| one vCPU (every row under 1.2x from 1 to 2)" + none,
                                                   "| slower machine (B1 1 thread under 58%)" + none]
              and out.splitlines()[-1].startswith("| all runs | 3 | "), "--kinds: kinds without a run", out)
        rc, out = record(src, "--kinds")
        check(rc == 2 and USAGE in out, "--kinds without a set", out)
        rc, out = record(src, "--kinds", g, os.path.join(t, "none"))
        check(rc == 1 and os.path.join(t, "none") + ": no nn2.run1.csv" in out, "--kinds: a missing set", out)
        # --glance: medians over the runs of two sets; m's run 2 on shared cores with its 2-thread
        # rows twice as fast (left out of nn2's 2-thread columns, not of OpenBLAS's), n's two runs
        # twice as slow on both thread counts: B1 on 2 threads 0.02, 0.04 and 0.04 s (median 0.04;
        # 0.03 with the shared row), B4 0.61 / 1.9 and twice that twice; OpenBLAS 3x those and m's
        # shared row; GFLOP/s the % of peak times the 400 GFLOP/s probed beside the row
        m, n = os.path.join(t, "m"), os.path.join(t, "n")
        make_set(m, [(good_rows(), hands(250)), (good_rows(0.5), hands(33))])
        write_run(m, 2, 33, good_rows(0.5), one_core, hands(33))
        make_set(n, [(good_rows(slow=2.0), hands(250)), (good_rows(slow=2.0), hands(250))])
        rc, out = record(src, "--glance", m, n)
        got = out.splitlines()
        check(rc == 0 and len(got) == 4 and got[0] ==
              "| B1: [784,30,10] sigmoid + cross-entropy, mini-batch 10 | 0.0480 s | 0.0400 s (0.0200-0.0400) | "
              "1.25 M | 228 | 57.0% | 0.0900 s | 1.000 s |" and got[3] ==
              "| B4: [784,800,10] ReLU + softmax + log-likelihood, mini-batch 128 | 0.9150 s | 0.6421 s "
              "(0.3211-0.6421) | 0.08 M | 360 | 90.0% | 1.4447 s | 1.700 s |", "--glance: the medians of the runs", out)
        rc, out = record(src, "--glance")
        check(rc == 2 and USAGE in out, "--glance without a set", out)
        rc, out = record(src, "--glance", g, os.path.join(t, "none"))
        check(rc == 1 and os.path.join(t, "none") + ": no nn2.run1.csv" in out, "--glance: a missing set", out)
        # bad sets: each refused with exit 1, the directory or file named
        rc, out = record(src, a, os.path.join(t, "none"))
        check(rc == 1 and os.path.join(t, "none") + ": no nn2.run1.csv" in out, "missing set", out)
        os.remove(os.path.join(c, "rss.txt"))
        refused(src, c, c + ": no rss.txt", "set without rss.txt")
        with open(os.path.join(c, "rss.txt"), "w") as f:
            f.write("nothing here\n")
        refused(src, c, c + "/rss.txt: no 'Maximum resident set size' line", "rss.txt without RSS")
        os.rename(os.path.join(b, "nn2.run2.csv"), os.path.join(b, "nn2.run5.csv"))
        refused(src, b, b + ": no nn2.run1.csv ... nn2.run<N>.csv", "runs not numbered 1..N")
        with open(os.path.join(a, "nn2.run2.csv"), "w") as f:
            f.write("not,a,bench\n1,2,3\n")
        refused(src, a, a + ": not a bench set", "foreign csv")
        with open(os.path.join(e, "torch.txt"), "w") as fh:
            fh.write(TORCH.replace("B3 1 0.4\nB3 2 0.5\n", ""))
        refused(src, e, e + "/torch.txt: no line for B3", "torch.txt without a configuration")
        rc, out = record(src)
        check(rc == 2 and USAGE in out, "no argument", out)
        # run as the README shows it, `scripts/bench_record.py DIR...` (a mode of 644 made that
        # "Permission denied"; the `executable` test checks every script's mode)
        p = subprocess.run([os.path.join(src, "scripts", "bench_record.py")], capture_output=True,
                           text=True)
        check(p.returncode == 2 and USAGE in p.stderr,
              "scripts/bench_record.py run by its path", p.stdout + p.stderr)
        # bench.sh: BENCH_KEEP naming an existing directory is refused before any build
        p = subprocess.run(["bash", os.path.join(src, "scripts", "bench.sh"), "1", "1"], capture_output=True,
                           text=True, env=dict(os.environ, BENCH_KEEP=a))
        check(p.returncode == 2 and "bench: BENCH_KEEP: '%s' exists already" % a in p.stderr,
              "bench.sh refuses an existing BENCH_KEEP", p.stdout + p.stderr)
    print("bench_record: ok")


if __name__ == "__main__":
    main()
