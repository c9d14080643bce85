#!/usr/bin/env python3
"""Summarise contrib/bench/run.sh results.csv: one row per workload/mode/clients, the median
over repeats of tps, average latency and proxy CPU per transaction for each target, and
myrmex/PgBouncer ratios.

usage: table.py results.csv [--markdown] [--ratio A/B ...] [--min-ratio X]

--ratio A/B adds the tps and CPU-per-transaction ratios of target A to target B (full target
names, e.g. myrmex-w2-on/myrmex-w2-off); with --min-ratio X a tps ratio below X is marked and
the exit status is 3.
"""
import csv
import statistics
import sys

SHORT = {"postgres": "pg", "pgbouncer": "pgb"}


def short(target):
    if target in SHORT:
        return SHORT[target]
    if target.startswith("myrmex-"):
        return target[len("myrmex-"):]
    return target


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits):
    return "-" if v is None else f"{v:.{digits}f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def parse_args(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(__doc__)
    markdown, pairs, min_ratio = False, [], None
    args = iter(argv[2:])
    for a in args:
        if a == "--markdown":
            markdown = True
        elif a in ("--ratio", "--min-ratio"):
            v = next(args, None)
            if v is None:
                sys.exit(f"{a} needs a value\n{__doc__}")
            if a == "--ratio":
                if v.count("/") != 1 or not all(v.split("/")):
                    sys.exit(f"--ratio takes A/B (two target names), not {v!r}")
                pairs.append(tuple(v.split("/")))
            else:
                min_ratio = num(v)
                if min_ratio is None:
                    sys.exit(f"--min-ratio takes a number, not {v!r}")
        else:
            sys.exit(f"unknown argument {a!r}\n{__doc__}")
    return argv[1], markdown, pairs, min_ratio


def main(argv):
    path, markdown, pairs, min_ratio = parse_args(argv)
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit("no results in " + path)

    keys, targets, groups = [], [], {}
    for r in rows:
        k = (r["workload"], r["mode"], int(r["clients"]))
        if k not in groups:
            keys.append(k)
            groups[k] = {}
        if r["target"] not in targets:
            targets.append(r["target"])
        groups[k].setdefault(r["target"], []).append(r)

    header = ["workload", "mode", "clients"]
    for t in targets:
        s = short(t)
        header += [f"{s} tps", f"{s} ms"]
        if t != "postgres":
            header.append(f"{s} cpu/tx")
    # myrmex-sqlite does the database's work in its own process: no proxy-to-proxy ratio.
    ratio_targets = (
        [t for t in targets if t.startswith("myrmex-w")] if "pgbouncer" in targets else []
    )
    for t in ratio_targets:
        header.append(f"{short(t)}/pgb tps")
    for t in ratio_targets:
        header.append(f"{short(t)}/pgb cpu")
    # The embedded backend against the database it stands in for.
    sqlite_targets = (
        [t for t in targets if t.startswith("myrmex-sqlite")] if "postgres" in targets else []
    )
    for t in sqlite_targets:
        header.append(f"{short(t)}/pg tps")
    pairs = [(a, b) for a, b in pairs if a in targets and b in targets]
    for a, b in pairs:
        header += [f"{short(a)}/{short(b)} tps", f"{short(a)}/{short(b)} cpu"]
    below = []

    table = []
    any_failed = False
    for k in keys:
        line = [k[0], k[1], str(k[2])]
        med = {}
        for t in targets:
            runs = groups[k].get(t, [])
            failed = any(r["ok"] != "1" for r in runs)
            # Medians over the successful runs; a failed run's partial numbers only count
            # when no run of the cell succeeded.
            good = [r for r in runs if r["ok"] == "1"] or runs
            tps = median(num(r["tps"]) for r in good)
            lat = median(num(r["latency_ms"]) for r in good)
            cpu = median(num(r["proxy_cpu_us_per_tx"]) for r in good)
            any_failed |= failed
            med[t] = (tps, cpu)
            line += [fmt(tps, 0) + ("!" if failed else ""), fmt(lat, 2)]
            if t != "postgres":
                line.append(fmt(cpu, 1))
        for t in ratio_targets:
            line.append(fmt(ratio(med[t][0], med["pgbouncer"][0]), 2))
        for t in ratio_targets:
            line.append(fmt(ratio(med[t][1], med["pgbouncer"][1]), 2))
        for t in sqlite_targets:
            line.append(fmt(ratio(med.get(t, (None,))[0], med.get("postgres", (None,))[0]), 2))
        for a, b in pairs:
            r_tps = ratio(med.get(a, (None,))[0], med.get(b, (None,))[0])
            mark = ""
            if min_ratio is not None and (r_tps is None or r_tps < min_ratio):
                mark = "<"
                below.append(f"{k[0]} {k[1]} c={k[2]}: {short(a)}/{short(b)} tps {fmt(r_tps, 3)}")
            line += [fmt(r_tps, 3) + mark,
                     fmt(ratio(med.get(a, (None, None))[1], med.get(b, (None, None))[1]), 2)]
        table.append(line)

    reps = max(len(v) for g in groups.values() for v in g.values())
    legend = [
        f"median of {reps} run(s) each; tps = transactions/s (pgbench, without connection time); "
        "ms = average latency;",
        "cpu/tx = proxy process CPU (utime+stime) per transaction in microseconds; "
        "pg = PostgreSQL direct, pgb = PgBouncer, wN = myrmex workers=N;",
        "wN/pgb tps = throughput ratio (>1: myrmex faster); wN/pgb cpu = CPU per transaction ratio "
        "(<1: myrmex cheaper).",
    ]
    if sqlite_targets or any(t.startswith("myrmex-sqlite") for t in targets):
        legend.append(
            "sqlite = myrmex serving an SQLite database itself (pgbench -i through the proxy) in "
            "session pooling (each client's socket lent to its session thread), sqlite-tx the "
            "same in transaction pooling; their cpu/tx includes the database's work; "
            "sqlite/pg tps = throughput ratio to PostgreSQL direct (>1: SQLite faster)."
        )
    loads = [num(r.get("loadavg1")) for r in rows]
    loads = [v for v in loads if v is not None]
    if loads:
        legend.append(f"1-minute load average after each run: median {statistics.median(loads):.1f}, "
                      f"max {max(loads):.1f} (this machine has the cores it has; other load skews results)")
    for a, b in pairs:
        legend.append(f"{short(a)}/{short(b)} tps = throughput ratio of {a} to {b}; "
                      f"{short(a)}/{short(b)} cpu = proxy CPU per transaction ratio (>1: {a} "
                      "costs more)" + (f"; < = tps ratio below {min_ratio}" if min_ratio is not None else ""))
    if below:
        legend.append(f"BELOW TARGET ({min_ratio}): " + "; ".join(below))
    elif pairs and min_ratio is not None:
        legend.append(f"every tps ratio meets the target ({min_ratio})")
    if any_failed:
        legend.append("! = at least one run of that cell failed (failed transactions, pgbench error "
                      "or proxy died); see failures.txt")

    # myrmex keeps named statements in transaction pooling; a PgBouncer without them runs
    # the same workload with unnamed statements (-M extended): that is the comparison.
    cross = []
    for (wl, mode, c) in keys:
        if mode != "prepared":
            continue
        pgb = groups.get((wl, "extended", c), {}).get("pgbouncer")
        if not pgb or groups[(wl, mode, c)].get("pgbouncer"):
            continue
        pgb_tps = median(num(r["tps"]) for r in pgb if r["ok"] == "1")
        pg_tps = median(num(r["tps"]) for r in groups[(wl, mode, c)].get("postgres", [])
                        if r["ok"] == "1")
        for t in ratio_targets:
            tps = median(num(r["tps"]) for r in groups[(wl, mode, c)].get(t, []) if r["ok"] == "1")
            cross.append(f"{wl} c={c}: {short(t)} -M prepared {fmt(tps, 0)} tps / pgb -M extended "
                         f"{fmt(pgb_tps, 0)} tps = {fmt(ratio(tps, pgb_tps), 2)}; "
                         f"/ pg -M prepared {fmt(pg_tps, 0)} tps = {fmt(ratio(tps, pg_tps), 2)}")
    if cross:
        legend.append("prepared statements in transaction pooling against PgBouncer's unnamed ones:")
        legend += ["  " + x for x in cross]

    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|")
        for line in table:
            print("| " + " | ".join(line) + " |")
        print()
        for l in legend:
            print(l)
        return 3 if below else 0

    widths = [max(len(h), *(len(line[i]) for line in table)) for i, h in enumerate(header)]

    def out(cells):
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip())

    out(header)
    out(["-" * w for w in widths])
    prev = None
    for line in table:
        if prev is not None and (line[0], line[1]) != prev:
            print()
        prev = (line[0], line[1])
        out(line)
    print()
    for l in legend:
        print(l)
    return 3 if below else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
