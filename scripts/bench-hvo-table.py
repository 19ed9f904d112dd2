#!/usr/bin/env python3
"""Markdown table of the boot logs of scripts/bench-hvo.sh.

bench-hvo-table.py [--title TEXT] [--note TEXT]... LOGDIR

LOGDIR holds one console log per boot, named KERNEL-CONFIG-REP.log with
KERNEL base|series and CONFIG deferred|nodeferred.  A boot counts when its
log has "BENCH done=1" (the last line /init prints); its metrics are the
printk timestamp of "Run /init as init process" and the "BENCH key=value"
lines of scripts/bench/init.c.  Each cell is the median over the boots
that counted.  Stdlib only.
"""
import argparse
import os
import re
import statistics
import sys

KERNELS = (("base", "7.3"), ("series", "series"))
CONFIGS = (("deferred", "y"), ("nodeferred", "n"))

RUN_INIT = re.compile(r"\[\s*(\d+\.\d+)\]\s+Run /init as init process")
BENCH = re.compile(r"BENCH ([A-Za-z0-9_]+)=(\S+)")
LOGNAME = re.compile(r"^(base|series)-(deferred|nodeferred)-(\d+)\.log$")


def us(key):
    return lambda v: v[key] / 1000.0 if key in v and v[key] >= 0 else None


def raw(key):
    return lambda v: v.get(key)


# (label, value of one boot or None, format)
METRICS = [
    ("boot to init, s (printk time of 'Run /init')", raw("run_init"), "{:.3f}"),
    ("uptime at start of /init, s", raw("uptime"), "{:.2f}"),
    ("nr_memmap_boot_pages", raw("nr_memmap_boot_pages"), "{:.0f}"),
    ("MemTotal, kB", raw("memtotal_kb"), "{:.0f}"),
    ("1 GiB pages at boot", raw("hugepages_1g"), "{:.0f}"),
    ("2 MiB folios obtained", raw("hvo1_nr2m_got"), "{:.0f}"),
    ("2M grow, µs/folio, HVO on", us("hvo1_grow_ns_per_folio"), "{:.1f}"),
    ("2M shrink, µs/folio, HVO on", us("hvo1_shrink_ns_per_folio"), "{:.1f}"),
    ("nr_memmap_pages after grow, HVO on", raw("hvo1_memmap_pages_after_grow"), "{:.0f}"),
    ("2M grow, µs/folio, HVO off", us("hvo0_grow_ns_per_folio"), "{:.1f}"),
    ("2M shrink, µs/folio, HVO off", us("hvo0_shrink_ns_per_folio"), "{:.1f}"),
    ("nr_memmap_pages after grow, HVO off", raw("hvo0_memmap_pages_after_grow"), "{:.0f}"),
]


def parse(path):
    """Metrics of one boot log (dict of floats), or None if it did not finish."""
    vals = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = RUN_INIT.search(line)
            if m and "run_init" not in vals:
                vals["run_init"] = float(m.group(1))
            for k, v in BENCH.findall(line):
                try:
                    vals.setdefault(k, float(v))
                except ValueError:
                    pass
    return vals if vals.get("done") == 1 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--title", default="")
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("logdir")
    a = ap.parse_args()

    runs = {}  # (kernel, config) -> [metrics or None]
    for name in sorted(os.listdir(a.logdir)):
        m = LOGNAME.match(name)
        if m:
            runs.setdefault((m.group(1), m.group(2)), []).append(
                parse(os.path.join(a.logdir, name)))
    if not runs:
        print("bench-hvo-table: no boot logs in %s" % a.logdir, file=sys.stderr)
        return 1

    def cell(kernel, config, fn):
        xs = [fn(v) for v in runs.get((kernel, config), []) if v]
        xs = [x for x in xs if x is not None]
        return statistics.median(xs) if xs else None

    out = []
    if a.title:
        out += [a.title, ""]
    head = ["DEFERRED_STRUCT_PAGE_INIT", "metric"] + [k[1] for k in KERNELS] + ["series/7.3"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(["---", "---"] + ["---:"] * (len(head) - 2)) + "|")
    for config, yn in CONFIGS:
        if not any(k == config for _, k in runs):
            continue
        row = [yn, "boots completed"]
        for kernel, _ in KERNELS:
            got = runs.get((kernel, config))
            row.append("%d/%d" % (sum(1 for v in got if v), len(got)) if got else "-")
        out.append("| " + " | ".join(row + [""]) + " |")
        for label, fn, fmt in METRICS:
            cells = [cell(kernel, config, fn) for kernel, _ in KERNELS]
            row = [yn, label] + [fmt.format(c) if c is not None else "-" for c in cells]
            b, s = cells
            row.append("{:.3f}".format(s / b) if b and s is not None else "-")
            out.append("| " + " | ".join(row) + " |")
    for n in a.note:
        out += ["", n]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
