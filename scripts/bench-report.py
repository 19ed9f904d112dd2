#!/usr/bin/env python3
"""The report of 'make bench': vmemmap per GiB, boot and runtime cost.

bench-report.py --hvo-logs DIR [--hvo-table MD] [--sparse-table MD]
                [--title TEXT] [--note TEXT]... --out DIR

Reads the console logs of scripts/bench-hvo.sh (KERNEL-CONFIG-REP.log and
the reference boots KERNEL-CONFIG-ref.log, whose "BENCH key=value" lines
come from scripts/bench/init.c, the same /init on both kernels) and works
out, per kernel, the vmemmap that one GiB of memory costs in each case:

  unoptimised        nr_memmap_pages taken by mapping the device range with
                     base pages (bench/dax-memmap, shift=0)
  device-DAX 2M, 1G  the same with order-9 and order-18 compound pages
  HugeTLB 2M         unoptimised, less what growing the 2 MiB pool with HVO
                     on gave back (nr_memmap_pages + nr_memmap_boot_pages),
                     per GiB of folios
  HugeTLB 1G (boot)  unoptimised, less the nr_memmap_boot_pages that the
                     1 GiB boot-time pages saved against the reference boot
                     without them, per GiB of pages
  limit              one 4 KiB page per folio (not measured: the floor)

Each figure is the median over the boots that finished.  Writes DIR/bench.md
(this table, then the boot/runtime table of bench-hvo.sh and the sparse_init
table, if given, as they are), DIR/vmemmap-per-gib.dat and .gp, and runs
gnuplot for DIR/vmemmap-per-gib.svg.  Prints bench.md.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
bench_hvo_table = __import__("bench-hvo-table")

KERNELS = (("base", "7.3"), ("series", "series"))
LOGNAME = re.compile(r"^(base|series)-(deferred|nodeferred)-(\d+|ref)\.log$")
DAXARG = re.compile(r"bench\.dax=(\d+),(\d+)")
PAGE_KIB = 4
GIB_KIB = 1 << 20


def load(logdir):
    """{kernel: {"main": [vals], "ref": {config: [vals]}}}, DAX GiB."""
    runs = {k: {"main": {}, "ref": {}} for k, _ in KERNELS}
    dax_gib = None
    for name in sorted(os.listdir(logdir)):
        m = LOGNAME.match(name)
        if not m:
            continue
        path = os.path.join(logdir, name)
        vals = bench_hvo_table.parse(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            d = DAXARG.search(f.readline())
        if d:
            dax_gib = int(d.group(2)) / (1 << 30)
        kind = "ref" if m.group(3) == "ref" else "main"
        runs[m.group(1)][kind].setdefault(m.group(2), []).append(vals)
    return runs, dax_gib


def med(xs):
    xs = [x for x in xs if x is not None]
    return (statistics.median(xs), len(xs)) if xs else (None, 0)


def diff(v, a, b):
    if v is None or a not in v or b not in v or v[a] < 0 or v[b] < 0:
        return None
    return v[a] - v[b]


def figures(runs, dax_gib):
    """{case: {kernel: (KiB per GiB or None, boots)}} and checks."""
    out = {}
    notes = []
    for kernel, label in KERNELS:
        main = [v for vs in runs[kernel]["main"].values() for v in vs if v]
        fig = {}

        def moved(shift, a, b):
            """dax<shift>_memmap_<a> - _<b> of each boot that loaded the module."""
            if not dax_gib:
                return [None]
            return [diff(v, "dax%d_memmap_%s" % (shift, a), "dax%d_memmap_%s" % (shift, b))
                    for v in main if v.get("dax%d_loaded" % shift) == 1]

        def per_gib(pages):
            x, n = med(pages)
            return (x * PAGE_KIB / dax_gib if x is not None else None, n)

        # what mapping the device took, and what removing it gave back (its
        # own vmemmap, without the pages that stay with the zone)
        for case, shift in (("unoptimised", 0), ("device-DAX 2 MiB", 9),
                            ("device-DAX 1 GiB", 18)):
            fig[case] = per_gib(moved(shift, "loaded", "before"))
            fig[case + " (freed)"] = per_gib(moved(shift, "loaded", "after"))
            left = [x for x in moved(shift, "after", "before") if x]
            if left and shift:
                why = (" With the series, one page is expected: the ZONE_DEVICE shared "
                       "tail page of that order, which lives as long as the zone."
                       if kernel == "series" else "")
                notes.append("%s, %s: nr_memmap_pages stayed above its starting value "
                             "after removing the module (%s pages) in %d of %d boot(s).%s" %
                             (label, case, ", ".join(sorted(set("%+.0f" % x for x in left))),
                              len(left), len(main), why))

        # HugeTLB 2 MiB, runtime: what the grow with HVO on gave back.  HVO
        # frees vmemmap that was counted at boot (nr_memmap_boot_pages) and
        # may allocate a page counted at runtime (nr_memmap_pages): the sum
        # of the two counters is what the folios' vmemmap costs.
        per = []
        moved = []
        for v in main:
            got = v.get("hvo1_nr2m_got", 0)
            d_rt = diff(v, "hvo1_memmap_pages_before_grow", "hvo1_memmap_pages_after_grow")
            d_boot = diff(v, "hvo1_memmap_boot_pages_before_grow",
                          "hvo1_memmap_boot_pages_after_grow")
            if d_rt is not None and d_boot is not None and got > 0:
                per.append((d_rt + d_boot) * PAGE_KIB * 512 / got)
            off = [diff(v, "hvo0_memmap_pages_after_grow", "hvo0_memmap_pages_before_grow"),
                   diff(v, "hvo0_memmap_boot_pages_after_grow",
                        "hvo0_memmap_boot_pages_before_grow")]
            if any(x for x in off if x is not None):
                moved.append(", ".join("%+d" % x for x in off if x is not None))
        if moved:
            notes.append("%s: growing the 2 MiB pool with HVO off moved the memmap counters "
                         "(runtime, boot: %s) in %d boot(s); the HugeTLB 2 MiB row assumes "
                         "it does not." % (label, "; ".join(moved[:3]), len(moved)))
        f2, n2 = med(per)
        fig["HugeTLB 2 MiB"] = (fig["unoptimised"][0] - f2
                                if f2 is not None and fig["unoptimised"][0] else None, n2)

        # HugeTLB 1 GiB, boot: against the reference boot of the same config
        per = []
        for config, refs in runs[kernel]["ref"].items():
            r, _ = med([v.get("nr_memmap_boot_pages") for v in refs if v])
            for v in runs[kernel]["main"].get(config, []):
                if not v or r is None or v.get("hugepages_1g", 0) <= 0:
                    continue
                per.append((r - v["nr_memmap_boot_pages"]) * PAGE_KIB / v["hugepages_1g"])
        f1, n1 = med(per)
        fig["HugeTLB 1 GiB (boot)"] = (fig["unoptimised"][0] - f1
                                       if f1 is not None and fig["unoptimised"][0] else None, n1)
        for case, val in fig.items():
            out.setdefault(case, {})[kernel] = val
    return out, notes


ROWS = (
    # case, folio size in KiB (None: no limit)
    ("unoptimised", None),
    ("device-DAX 2 MiB", 2048),
    ("device-DAX 1 GiB", GIB_KIB),
    ("HugeTLB 2 MiB", 2048),
    ("HugeTLB 1 GiB (boot)", GIB_KIB),
)


# plot labels
SHORT = {"device-DAX 2 MiB": "DAX 2 MiB", "device-DAX 1 GiB": "DAX 1 GiB",
         "HugeTLB 2 MiB": "HugeTLB 2 MiB", "HugeTLB 1 GiB (boot)": "HugeTLB 1 GiB boot"}


def fmt_kib(x):
    if x is None:
        return "-"
    if abs(x) >= 1024 and abs(x) % 1024 < 0.05:
        return "%.0f MiB" % (x / 1024)
    return "%.1f KiB" % x if x != int(x) else "%d KiB" % x


def memory_table(figs):
    head = ["case", "7.3", "series", "series/7.3", "7.3, freed on removal",
            "series, freed on removal", "series/7.3 (freed)",
            "limit (one 4 KiB page per folio)", "boots"]
    out = ["| " + " | ".join(head) + " |",
           "|---|" + "|".join(["---:"] * (len(head) - 1)) + "|"]

    def ratio(x, y):
        return "%.3f" % (y / x) if x and y is not None else "-"

    for case, folio in ROWS:
        b, nb = figs[case]["base"]
        s, ns = figs[case]["series"]
        limit = GIB_KIB // folio * PAGE_KIB if folio else None
        fb = figs.get(case + " (freed)", {}).get("base", (None,))[0]
        fs = figs.get(case + " (freed)", {}).get("series", (None,))[0]
        row = [case, fmt_kib(b), fmt_kib(s), ratio(b, s),
               fmt_kib(fb), fmt_kib(fs), ratio(fb, fs),
               fmt_kib(limit) if limit else "-",
               "%d+%d" % (nb, ns)]
        out.append("| " + " | ".join(row) + " |")
    return out


def plot(figs, outdir):
    dat = os.path.join(outdir, "vmemmap-per-gib.dat")
    gp = os.path.join(outdir, "vmemmap-per-gib.gp")
    svg = os.path.join(outdir, "vmemmap-per-gib.svg")
    with open(dat, "w", encoding="utf-8") as f:
        f.write("# case\t7.3 KiB/GiB\tseries KiB/GiB\tlimit KiB/GiB\n")
        for case, folio in ROWS:
            b = figs[case]["base"][0]
            s = figs[case]["series"][0]
            limit = GIB_KIB // folio * PAGE_KIB if folio else "NaN"
            f.write('"%s"\t%s\t%s\t%s\n' % (SHORT.get(case, case), b if b is not None else "NaN",
                                           s if s is not None else "NaN", limit))
    with open(gp, "w", encoding="utf-8") as f:
        f.write("""set terminal svg size 1000,500 dynamic enhanced font 'sans,12'
set output '%s'
set title 'vmemmap per GiB of memory (kernel counters; log scale)'
set ylabel 'KiB of vmemmap per GiB'
set logscale y 2
set yrange [1:131072]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top right
set grid ytics
set xtics noenhanced
plot '%s' using 2:xtic(1) title '7.3', '' using 3 title 'series', '' using 4 title 'limit: one 4 KiB page per folio'
""" % (os.path.basename(svg), os.path.basename(dat)))
    if not shutil.which("gnuplot"):
        print("bench-report: gnuplot not found (apt-get install gnuplot-nox): no plot",
              file=sys.stderr)
        return None
    r = subprocess.run(["gnuplot", os.path.basename(gp)], cwd=outdir,
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        print("bench-report: gnuplot failed:\n" + r.stderr, file=sys.stderr)
        return None
    return svg


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hvo-logs", required=True)
    ap.add_argument("--hvo-table")
    ap.add_argument("--sparse-table")
    ap.add_argument("--title", default="")
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    runs, dax_gib = load(a.hvo_logs)
    if not any(runs[k]["main"] for k, _ in KERNELS):
        print("bench-report: no boot logs in %s" % a.hvo_logs, file=sys.stderr)
        return 1
    if not dax_gib:
        print("bench-report: the boots had no bench.dax= (DAX=0): no device-DAX "
              "figures and no unoptimised reference", file=sys.stderr)
    figs, checks = figures(runs, dax_gib)
    os.makedirs(a.out, exist_ok=True)
    svg = plot(figs, a.out)

    out = []
    if a.title:
        out += [a.title, ""]
    out += ["### vmemmap per GiB of memory", ""]
    out += memory_table(figs)
    out += ["", "nr_memmap_pages / nr_memmap_boot_pages (/proc/vmstat) turned into KiB "
            "per GiB. Device-DAX: %s GiB mapped by bench/dax-memmap (MEMORY_DEVICE_GENERIC, "
            "as device-DAX maps it) with base pages (the unoptimised row), 2 MiB and 1 GiB "
            "compound pages. HugeTLB 2 MiB: the unoptimised figure less what growing the "
            "pool with HVO on gave back (both counters). HugeTLB 1 GiB: the unoptimised "
            "figure less what the boot-time pages saved in nr_memmap_boot_pages against a boot without "
            "them. Freed on removal: what nr_memmap_pages gave back when the module unmapped "
            "the device, per GiB; it leaves out the pages that stay with the zone (with "
            "the series, the ZONE_DEVICE shared tail page of each order in use, one 4 KiB "
            "page whatever the size of the device). HugeTLB rows: 7.3 does not count its "
            "shared tail pages in either counter (vmemmap_get_tail() and the boot-time "
            "allocator take them unaccounted); the series counts each once, which is the "
            "difference there. boots: 7.3+series." %
            ("%g" % dax_gib if dax_gib else "no")]
    out += [""] + checks if checks else []
    if svg:
        out += ["", "Plot: %s, next to this file." % os.path.basename(svg)]
    for path in (a.hvo_table, a.sparse_table):
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                text = f.read().rstrip("\n")
            out += [""] + ["#" + line if line.startswith("## ") else line
                           for line in text.split("\n")]
    for n in a.note:
        out += ["", n]
    text = "\n".join(out) + "\n"
    with open(os.path.join(a.out, "bench.md"), "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
