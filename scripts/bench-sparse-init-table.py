#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Markdown table of the boot logs of scripts/bench-sparse-init.sh.

Each log is LOGDIR/KERNEL-<GiB>g-<nodes>n-<rep>.log (KERNEL: series or
buffer) and holds one line printed by the measuring patch
(bench/sparse-buffer/0001):

  BENCH sparse_init_cycles=N memblock_allocs=N memblock_frees=N
        reserved_regions=N reserved_regions_after=N

and the kernel's "tsc: Detected F MHz processor", which turns the cycles
into time.  The table has one row per (size, nodes): the median of each
figure per kernel and the ratio series/buffer of the median times.
"""
import argparse
import os
import re
import statistics
import sys

LOG_RE = re.compile(r'^(series|buffer)-(\d+)g-(\d+)n-(\d+)\.log$')
BENCH_RE = re.compile(r'BENCH (sparse_init_cycles=\d+.*)$')
TSC_RE = re.compile(r'tsc: Detected ([0-9.]+) MHz')
KEYS = ('sparse_init_cycles', 'memblock_allocs', 'memblock_frees',
        'reserved_regions', 'reserved_regions_after')


def parse(path):
    r, mhz = None, None
    with open(path, errors='replace') as f:
        for line in f:
            t = TSC_RE.search(line)
            if t and mhz is None:
                mhz = float(t.group(1))
            m = BENCH_RE.search(line.strip())
            if not m or r is not None:
                continue
            vals = dict(kv.split('=', 1) for kv in m.group(1).split())
            try:
                r = {k: int(vals[k]) for k in KEYS}
            except (KeyError, ValueError):
                return None
    if r is None or not mhz:
        return None
    r['sparse_init_ns'] = r['sparse_init_cycles'] * 1000.0 / mhz
    return r


def med(xs):
    return statistics.median(xs) if xs else None


def fmt_ms(ns):
    return '-' if ns is None else f'{ns / 1e6:.2f}'


def fmt_n(x):
    if x is None:
        return '-'
    return f'{x:g}' if x != int(x) else str(int(x))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('logdir')
    ap.add_argument('--title', default='')
    ap.add_argument('--note', action='append', default=[])
    a = ap.parse_args()

    runs = {}  # (gib, nodes, kernel) -> [dict]
    for name in sorted(os.listdir(a.logdir)):
        m = LOG_RE.match(name)
        if not m:
            continue
        r = parse(os.path.join(a.logdir, name))
        if r is None:
            continue
        key = (int(m.group(2)), int(m.group(3)), m.group(1))
        runs.setdefault(key, []).append(r)
    if not runs:
        print(f'no BENCH lines in {a.logdir}', file=sys.stderr)
        return 1

    cells = sorted({(g, n) for g, n, _ in runs})
    out = []
    if a.title:
        out += [a.title, '']
    out.append('| memory | nodes | sparse_init ms, series | ms, buffer | '
               'series/buffer | allocs series | allocs buffer | '
               'frees series | frees buffer | regions series | '
               'regions buffer | boots |')
    out.append('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for g, n in cells:
        s = runs.get((g, n, 'series'), [])
        b = runs.get((g, n, 'buffer'), [])

        def m_of(rs, k):
            return med([r[k] for r in rs])

        ts, tb = m_of(s, 'sparse_init_ns'), m_of(b, 'sparse_init_ns')
        ratio = f'{ts / tb:.2f}' if ts is not None and tb else '-'

        def regions(rs):
            if not rs:
                return '-'
            return (f"{fmt_n(m_of(rs, 'reserved_regions_after'))} "
                    f"({fmt_n(m_of(rs, 'reserved_regions'))})")

        out.append(f'| {g} GiB | {n} | {fmt_ms(ts)} | {fmt_ms(tb)} | '
                   f'{ratio} | {fmt_n(m_of(s, "memblock_allocs"))} | '
                   f'{fmt_n(m_of(b, "memblock_allocs"))} | '
                   f'{fmt_n(m_of(s, "memblock_frees"))} | '
                   f'{fmt_n(m_of(b, "memblock_frees"))} | '
                   f'{regions(s)} | {regions(b)} | {len(s)}+{len(b)} |')
    if a.note:
        out.append('')
        out += a.note
    print('\n'.join(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
