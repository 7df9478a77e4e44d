#!/usr/bin/python3
"""manpage_defaults.py HELP PAGE [HEADER]: the defaults that `nn2 --help` (saved in HELP) gives in
brackets are the ones the manual page PAGE gives, and, with HEADER (the first line of an
`nn2 train` run given none of the flags it reports but --sizes), the ones nn2 trains with.

A default is a bracketed value on a line of an option's entry in HELP ("[30]"; "[10, 0.5]" for
an entry of two options gives each its own); those with spaces ("[only for the default DIR]")
are prose and not compared. In PAGE, the .TP entry whose tag names the option must say
"default V", "default: V" or "V (default)" / "V (the default)", with thousands written either
way (10,000 or 10000). Called by test_manpage.sh; prints each mismatch, exit 1 if any."""
import re
import sys

SYNONYMS = {"stdout": "standard output"}  # help's short word -> the page's
MIN_CHECKED = 25  # of the help's 30 defaults with no space in them (when written)


def plain_number(text):
    """Thousands written without their commas: 10,000 -> 10000 (784,30,10 stays)."""
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)


def help_defaults(text):
    """[(option, value)] for each bracketed default of each entry of `nn2 --help`."""
    out, opts = [], []
    for line in text.splitlines():
        if line.startswith("  --"):  # an entry: its options in the first column
            opts = re.findall(r"--([a-z][a-z0-9-]*)", re.split(r"\s{2,}", line.strip())[0])
        elif not line.startswith("      "):  # a heading or the usage: no entry
            opts = []
            continue
        for value in re.findall(r"\[([^][]*)\]", line):
            values = value.split(", ")
            if len(opts) > 1 and len(values) == len(opts):
                out += zip(opts, values)
            elif " " not in value:
                out += [(o, value) for o in opts]
    return out


def render(line):
    """One line of man(7) source as its text: macro arguments joined, fonts and escapes gone."""
    if line.startswith("."):
        macro, _, rest = line[1:].partition(" ")
        if macro not in ("B", "I", "BR", "BI", "IB", "IR", "RB", "RI"):
            return ""
        args = [a[1:-1] if a.startswith('"') else a for a in re.findall(r'"[^"]*"|\S+', rest)]
        line = (" " if macro in ("B", "I") else "").join(args)
    line = re.sub(r"\\f[BIRP]", "", line)
    return line.replace("\\-", "-").replace("\\&", "").replace("\\%", "")


def page_entries(text):
    """{option: the text of the .TP entries whose tag names it}."""
    entries, cur = [], None
    for line in text.splitlines():
        if re.match(r"\.(TP|SS|SH|PP)\b", line):
            cur = [] if line.startswith(".TP") else None
            if cur is not None:
                entries.append(cur)
        elif cur is not None:
            cur.append(render(line))
    out = {}
    for lines in entries:
        if not lines:
            continue
        body = plain_number(" ".join(lines))
        for opt in re.findall(r"--([a-z][a-z0-9-]*[a-z0-9])", lines[0]):
            out[opt] = out.get(opt, "") + " " + body
    return out


def says_default(text, value):
    v = re.escape(SYNONYMS.get(value, plain_number(value)))
    return bool(re.search(rf"\bdefault:? {v}(?![\w.-])", text)
                or re.search(rf"(?<![\w.-]){v}\)? \((the )?default\b", text))


def header_mismatches(header, defaults):
    """The help's defaults that the run's first line contradicts."""
    m = re.match(r"nn2: sizes \[[0-9,]+\], (\w+), (\w+) init, (\d+) epochs, batch (\d+), "
                 r"eta (\S+), lambda (\S+), seed (\d+), (up to )?\d+ threads", header)
    if not m:
        return [f"the run's first line is not nn2's header: {header!r}"]
    cost, init, epochs, batch, eta, lam, seed, upto = m.groups()
    run = {"cost": {"CrossEntropyCost": "cross-entropy", "QuadraticCost": "quadratic",
                    "LogLikelihoodCost": "log-likelihood"}.get(cost, cost),
           "init": init, "epochs": epochs, "batch-size": batch, "eta": eta, "lambda": lam,
           "seed": seed, "threads": "0" if upto else "a count"}
    bad = []
    for opt, value in defaults:
        if opt in run:
            same = (float(value) == float(run[opt]) if opt in ("eta", "lambda") else value == run[opt])
            if not same:
                bad.append(f"--{opt}: --help says [{value}], the run used {run[opt]}")
    return bad


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    defaults = help_defaults(open(argv[1]).read())
    entries = page_entries(open(argv[2]).read())
    bad = []
    if len(defaults) < MIN_CHECKED:
        bad.append(f"only {len(defaults)} defaults read from {argv[1]} (want {MIN_CHECKED} or more)")
    for opt, value in defaults:
        if opt not in entries:
            bad.append(f"--{opt}: no entry in {argv[2]}")
        elif not says_default(entries[opt], value):
            bad.append(f"--{opt}: --help says [{value}], {argv[2]}'s entry does not")
    if len(argv) == 4:
        bad += header_mismatches(open(argv[3]).readline().strip(), defaults)
    for b in bad:
        print(b)
    print(f"manpage_defaults: {len(defaults)} defaults compared, {len(bad)} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
