#!/usr/bin/python3
"""The README's "Where it stands" table is what scripts/bench_record.py --table prints for the
bench sets it names (bench/runs/sNN/, kept in the repository): every row, in order, none missing
and none added, so that the table's figures come from the raw runs and not from a hand's copy.
And the phase table's rows of the kept runs are what bench_record.py --phase prints: "`bench/runs/`
(N runs)" for every set under bench/runs/, "this session's N" for the sets of that directory. And
the rows of the table of the kinds of run are what bench_record.py --kinds prints for those sets, and
the rows of the table of speed at a glance what bench_record.py --glance prints for them. And
the record table's row and the phase table's rows of counts are what bench_record.py --record prints
for bench/runs/earlier.json (the sets whose csv files were not kept) and every kept set. And every
kept set's figures lie inside the ranges of the README's "Always met" bullet.
The section on another machine ("### On an Intel Xeon", from the fifty-eighth session on) comes in
parts, one a session (its "#### " headings); each part names one directory of bench/runs/xeon/
(outside the pooled bench/runs/sNN/), and its table of sets and its rows of speed at a glance are
what --table and --glance print for that directory's sets; the checks above read the README
without that section.

Usage: test_readme_record.py SOURCE_DIR
"""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_bench_summary import check  # noqa: E402


def fail(what, detail=""):
    check(False, what, detail)


def printed(src, mode, sets, what, lines=None):
    """The lines that scripts/bench_record.py MODE prints for the sets (what: their name in a failure),
    failing unless there are that many lines when lines is given"""
    p = subprocess.run([os.path.join(src, "scripts", "bench_record.py"), mode] + sets, capture_output=True, text=True)
    if p.returncode != 0:
        fail("bench_record.py %s (%s) exited %d" % (mode, what, p.returncode), p.stderr)
    got = p.stdout.splitlines()
    if lines is not None and len(got) != lines:
        fail("bench_record.py %s (%s) printed %d lines, not %d" % (mode, what, len(got), lines), "\n".join(got))
    return got


def readme_row(readme, start, want, name):
    """The README has one line starting with start (leading blanks aside), and it is want (name: the
    row's name in a failure)"""
    have = [l.strip() for l in readme.splitlines() if l.strip().startswith(start)]
    if have != [want]:
        fail("README.md's %s" % name, "README:          %s\nbench_record.py: %s" % (
            "\n                 ".join(have) or "(no row)", want))


def labelled_rows(readme, rows, end, name):
    """Each of the rows is the README's one line that starts as it does, up to the first end after
    its opening "| " (name: what such a row is called in a failure, before its label)"""
    for row in rows:
        start = row[:row.index(end, 2) + len(end)]
        readme_row(readme, start, row, "%s \"%s\"" % (name, start.strip("| ,")))


def set_rows(src, readme, start, end, dirs, what):
    """The rows of the table of sets between the header start and the line end of the readme's text
    are bench_record.py --table of the sets of the one directory of dirs (what: where the table
    is, in a failure); returns that directory and its sets"""
    header = readme.find(start)
    stop = readme.find(end, header)
    if header < 0 or stop < 0:
        fail("README.md: no table of sets in %s" % what)
    if len(dirs) != 1:
        fail("README.md: %s names %d directories of bench/runs/, not one" % (what, len(dirs)), str(dirs))
    sets = sorted(glob.glob(os.path.join(src, dirs[0], "set*")))
    if not sets:
        fail("%s: no sets" % dirs[0])
    table = [l for l in readme[header:stop].splitlines() if re.match(r"\| \d", l)]
    got = printed(src, "--table", sets, "the sets of " + dirs[0], len(sets))
    for i in range(max(len(table), len(got))):
        want = got[i] if i < len(got) else "(no row)"
        have = table[i] if i < len(table) else "(no row)"
        if want != have:
            fail("README.md's row %d of the sets in %s" % (i + 1, dirs[0]),
                 "README:          %s\nbench_record.py: %s" % (have, want))
    print("readme_record: %d rows of %s as bench_record.py prints them" % (len(got), dirs[0]))
    return dirs[0], sets


def other_machine(src, readme):
    """Checks the README's section on another machine, and returns the README without it. The
    section comes in parts, its text before its first "#### " heading and each "#### " part (one
    a session); each part names one directory of bench/runs/xeon/, and has a table of sets and
    rows of speed at a glance of that directory's sets"""
    start = readme.find("\n### On an Intel Xeon")
    if start < 0:
        fail("README.md: no section \"### On an Intel Xeon\"")
    stop = readme.find("\n### ", start + 1)
    stop = stop if stop >= 0 else len(readme)
    parts = readme[start:stop].split("\n#### ")
    named = []
    for i, part in enumerate(parts):
        what = "the section on an Intel Xeon" + (", part %d" % (i + 1) if len(parts) > 1 else "")
        dirs = sorted(set(re.findall(r"`(bench/runs/xeon/s\d+)/`", part)))
        where, sets = set_rows(src, part, "\n| set | fast rows per run |", "\n| target |", dirs, what)
        if where in named:
            fail("README.md: %s names %s, as an earlier part does" % (what, where))
        named.append(where)
        if "--glance %s/set*`" % where not in " ".join(part.split()):
            fail("README.md: the speed at a glance in %s is not said to be that of the sets of %s" % (what, where))
        labelled_rows(part, printed(src, "--glance", sets, "the sets of " + where, 4), " | ",
                      "Intel Xeon's speed-at-a-glance row")
        print("readme_record: the speed at a glance of %s as bench_record.py --glance prints it" % where)
    return readme[:start] + readme[stop:]


def main():
    src = sys.argv[1]
    readme = other_machine(src, open(os.path.join(src, "README.md")).read())
    a = readme.find("**Where it stands**")
    if a < 0:
        fail("README.md: no \"**Where it stands**\" paragraph")
    header = readme.find("\n| set | fast rows per run |", a)
    dirs = sorted(set(re.findall(r"`(bench/runs/s\d+)/`", readme[a:header]))) if header >= 0 else []
    where, sets = set_rows(src, readme[a:], "\n| set | fast rows per run |", "\n| target |", dirs,
                           "\"Where it stands\"")
    kept = sorted(glob.glob(os.path.join(src, "bench", "runs", "s*", "set*")))
    kept_rows = printed(src, "--table", kept, "every kept set", len(kept))  # one row a set, in order
    phase_rows(src, readme, kept, "`bench/runs/` (%s runs)", "every set of bench/runs/")
    phase_rows(src, readme, sets, "this session's %s", "the sets of " + where)
    labelled_rows(readme, printed(src, "--kinds", sets, "the sets of " + where, 7),  # 6 kinds, then all runs
                  " | ", "kinds-table row")
    print("readme_record: the kinds of run of %s as bench_record.py --kinds prints them" % where)
    if "--glance %s/set*`" % where not in " ".join(readme.split()):
        fail("README.md: the table of speed at a glance is not said to be that of the sets of %s" % where)
    labelled_rows(readme, printed(src, "--glance", sets, "the sets of " + where, 4),  # B1-B4
                  " | ", "speed-at-a-glance row")
    print("readme_record: the speed at a glance of %s as bench_record.py --glance prints it" % where)
    labelled_rows(readme, printed(src, "--record", [os.path.join(src, "bench", "runs", "earlier.json")] + kept,
                                  "bench/runs/earlier.json and every kept set", 3), ",", "row")
    print("readme_record: the record's row and the phase table's counts as bench_record.py --record prints them")
    always_met(src, readme, kept, kept_rows)


def always_met(src, readme, kept, rows):
    """Every kept set's figures, as bench_record.py --table prints them (rows, one a set of kept), lie
    inside the ranges of the README's "Always met" bullet: the ratios against OpenBLAS, the lowest on B1-B3 "otherwise" (for
    the sets without a row on shared cores, not marked *), the memory, and PyTorch's on B2 and B3
    (those sets too). A range the kept sets have outgrown fails; the sets whose csv files were not
    kept can't be checked."""
    text = " ".join(readme.split())
    num = r"(\d+\.\d+)"
    pair = num + "-" + num
    m = re.search(r"\*\*Always met:\*\* every ratio against the OpenBLAS backend \(" + ", ".join([pair + "x"] * 3) +
                  " and " + pair + r"x on B1-B4; [^)]*?, " + num + "x, " + num + "x and " + num +
                  r"x otherwise\) and the memory \(" + pair + r" MB\)\. \*\*Met but on one core:\*\* [^(]*" +
                  r"PyTorch's ratios on B2 and B3 \(" + pair + "x and " + pair + "x;", text)
    if not m:
        fail("README.md: no \"**Always met:**\" bullet with the OpenBLAS, memory and PyTorch ranges")
    v = iter(float(x) for x in m.groups())
    openblas = [(next(v), next(v)) for _ in range(4)]
    low = [next(v) for _ in range(3)]
    memory = (next(v), next(v))
    torch = [(next(v), next(v)) for _ in range(2)]

    def outside(what, x, bounds, fmt, unit):
        """[what x outside the bounds] unless x lies inside them (fmt: the numbers' format, unit after
        them)"""
        lo, hi = bounds
        form = "%s " + fmt + unit + " outside " + fmt + "-" + fmt + unit
        return [] if lo <= x <= hi else [form % (what, x, lo, hi)]
    for path, row in zip(kept, rows):
        cells = [c.strip() for c in row.strip("|").split("|")]
        shared = cells[0].endswith("*")
        ob = [float(x) for x in cells[4].rstrip("x").split(" / ")]
        pt = [float(x) for x in cells[5].rstrip("x").split(" / ")]
        out = sum((outside("OpenBLAS on B%d" % (i + 1), ob[i], openblas[i], "%.2f", "x") for i in range(4)), [])
        out += ["OpenBLAS on B%d %.2fx below the lowest otherwise, %.2fx" % (i + 1, ob[i], low[i])
                for i in range(3) if not shared and ob[i] < low[i]]
        if not shared:
            out += sum((outside("PyTorch on B%d" % (i + 2), pt[i + 1], torch[i], "%.1f", "x") for i in range(2)), [])
        out += outside("memory", float(cells[6].split()[0]), memory, "%.1f", " MB")
        if out:
            fail("README.md's \"Always met\" ranges miss a kept set's figure",
                 "%s: %s" % (os.path.relpath(path, src), "; ".join(out)))
    print("readme_record: the %d kept sets inside the \"Always met\" ranges" % len(rows))


def phase_rows(src, readme, sets, label, what):
    """The README's two phase-table rows labelled with label % N are bench_record.py --phase of sets
    (N: the number of runs pooled)"""
    for row in printed(src, "--phase", sets, what, 2):
        m = re.match(r"\| (.*), (\d+) runs (\| .*)$", row)
        if not m:
            fail("bench_record.py --phase printed an unexpected line", row)
        want = "| %s, %s %s" % (m.group(1), label % m.group(2), m.group(3))
        readme_row(readme, "| %s, %s" % (m.group(1), label.split("%s")[0]), want,
                   "phase-table row \"%s\" (%s)" % (m.group(1), what))
    print("readme_record: the phase table's rows of %s as bench_record.py --phase prints them" % what)


if __name__ == "__main__":
    main()
