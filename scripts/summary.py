#!/usr/bin/env python3
"""Summarise kunit.py --json results.

usage: summary.py [--expected-skips FILE] RESULT.json...

Each argument is a kunit.py JSON file; NAME.meta beside it (written by
scripts/kunit.sh: exit code, stage, accelerator, log path) is read when
present.  A missing/empty/unparsable JSON file, a run without any test
case, or a kunit.py error counts as a failed run (one failure), never as
zero passes.

With --expected-skips (default: kunit/expected-skips of this repository),
every skipped case must match a line "RUN CASE REASON" of that file (RUN
and CASE are shell patterns; CASE is suite.case or suite.case.parameter);
any other skip is printed as UNEXPECTED SKIP and the run counts as failed
(one failure).  The kernel console of a run (console= in NAME.meta) is
searched for splats: a warning, BUG, oops, panic, lockdep, KASAN or UBSAN
report prints SPLAT and fails the run (one failure), whatever the cases say.  Prints a table per run, "unexpected skips: N" and, as the
last line, "N passed, N failed, N skipped".  Exit status 1 if anything
failed.
"""

import fnmatch
import json
import os
import re
import sys

DEFAULT_EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'kunit', 'expected-skips')


def read_expected(path):
    """[(run pattern, case pattern, reason)] from an expected-skips file."""
    rules = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise ValueError('%s:%d: want "RUN CASE REASON": %s' % (path, n, line))
            rules.append(tuple(parts))
    return rules


def is_expected(rules, run, case):
    return any(fnmatch.fnmatchcase(run, r) and fnmatch.fnmatchcase(case, c)
               for r, c, _ in rules)


def read_meta(json_path):
    meta = {}
    base = json_path[:-5] if json_path.endswith('.json') else json_path
    try:
        with open(base + '.meta', encoding='utf-8') as f:
            for line in f:
                k, sep, v = line.rstrip('\n').partition('=')
                if sep:
                    meta[k] = v
    except OSError:
        pass
    meta.setdefault('name', os.path.basename(base))
    return meta


# Report headers of the kernel's own checks (lockdep, KASAN and KFENCE
# reports start with "WARNING:" or "BUG:"); a KUnit failure is not a splat.
SPLAT = re.compile(r'(WARNING:|BUG:|Oops|kernel BUG at|Kernel panic|'
                   r'general protection fault|UBSAN:|INFO: task .* blocked|'
                   r'rcu: INFO: rcu_\w+ (self-)?detected stall)')


def splats(path):
    """Lines of the console log at path that start a kernel splat."""
    found = []
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                if SPLAT.search(line):
                    found.append(line.strip())
    except OSError:
        pass
    return found


def walk_cases(group, prefix):
    """Yield (full_name, status) for every leaf test case under group."""
    for case in group.get('test_cases', []):
        yield prefix + case.get('name', '?'), case.get('status', 'FAIL')
    for sub in group.get('sub_groups', []):
        yield from walk_cases(sub, prefix + sub.get('name', '?') + '.')


def skipped_cases(group, prefix):
    return [n for n, st in walk_cases(group, prefix) if st == 'SKIP']


def count_group(group):
    """(passed, failed, skipped, errors, failing case names) for a group.

    Counts come from the leaf cases; the group's own misc counters (what
    kunit.py itself prints) are used when they report more failures, e.g.
    a suite whose init failed or whose subtests crashed/were missing.
    """
    passed = failed = skipped = 0
    failing = []
    for name, status in walk_cases(group, ''):
        if status == 'PASS':
            passed += 1
        elif status == 'SKIP':
            skipped += 1
        else:
            failed += 1
            failing.append(name + (' (' + status + ')' if status != 'FAIL' else ''))
    misc = group.get('misc') or {}
    m_failed = int(misc.get('failed', 0)) + int(misc.get('crashed', 0))
    errors = int(misc.get('errors', 0))
    if m_failed > failed:
        failing.append('%d suite-level failure(s)' % (m_failed - failed))
        failed = m_failed
    return passed, failed, skipped, errors, failing


def summarise(path, rules):
    """Return (passed, failed, skipped, unexpected skips, lines) for one run."""
    meta = read_meta(path)
    name = meta['name']
    lines = []
    head = 'run %s' % name
    extra = []
    if meta.get('arch'):
        extra.append('arch ' + meta['arch'])
    if meta.get('accel') and meta['accel'] != '-':
        extra.append('accel ' + meta['accel'])
    if extra:
        head += ' (' + ', '.join(extra) + ')'
    lines.append(head)
    problems = []
    data = None
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except FileNotFoundError:
        problems.append('no results file %s' % path)
    except (OSError, ValueError) as e:
        problems.append('unreadable results file %s: %s' % (path, e))
    if meta.get('note'):
        problems.append(meta['note'])
    if meta.get('stage') in ('config', 'build'):
        problems.append('stopped at the %s stage' % meta['stage'])

    tp = tf = ts = 0
    unexpected = []
    if isinstance(data, dict):
        suites = data.get('sub_groups', [])
        rows = []
        for s in suites:
            p, fl, sk, err, failing = count_group(s)
            unexpected += [c for c in skipped_cases(s, s.get('name', '?') + '.')
                           if not is_expected(rules, name, c)]
            rows.append((s.get('name', '?'), p, fl, sk, failing))
            tp += p
            tf += fl
            ts += sk
            if err:
                problems.append('suite %s: %d parse error(s)' % (s.get('name', '?'), err))
        # a suite without subtests (e.g. skipped as a whole, or failed in
        # its init) appears as a leaf case directly under the root
        for case in data.get('test_cases', []):
            p, fl, sk, _, failing = count_group({'test_cases': [case]})
            unexpected += [c for c in skipped_cases({'test_cases': [case]}, '')
                           if not is_expected(rules, name, c)]
            rows.append((case.get('name', '?'), p, fl, sk, failing))
            tp += p
            tf += fl
            ts += sk
        root_err = int((data.get('misc') or {}).get('errors', 0))
        if root_err and not any('parse error' in x for x in problems):
            problems.append('%d KTAP parse error(s) (kernel crashed or did not boot?)' % root_err)
        if tp + tf + ts == 0:
            problems.append('no test cases ran (kernel did not boot or no suite was built in)')
        if rows:
            w = max(10, max(len(r[0]) for r in rows))
            lines.append('  %-*s %7s %7s %7s' % (w, 'suite', 'passed', 'failed', 'skipped'))
            for sname, p, fl, sk, failing in rows:
                lines.append('  %-*s %7d %7d %7d' % (w, sname, p, fl, sk))
                for c in failing:
                    lines.append('      FAILED: %s' % c)
            lines.append('  %-*s %7d %7d %7d' % (w, 'total', tp, tf, ts))
    elif data is not None:
        problems.append('results file %s is not a kunit.py JSON object' % path)

    for c in unexpected:
        lines.append('  UNEXPECTED SKIP: %s (not in the expected skips)' % c)
    if unexpected:
        problems.append('%d unexpected skip(s)' % len(unexpected))

    if meta.get('console'):
        found = splats(meta['console'])
        for line in found[:5]:
            lines.append('  SPLAT: %s' % line)
        if found:
            problems.append('%d kernel splat line(s) in the console (%s)'
                            % (len(found), meta['console']))

    rc = meta.get('exit')
    if meta.get('stage') in ('config', 'build'):
        # the cause is already stated; no results are expected
        problems = [p for p in problems if not p.startswith('no results file')]
    elif rc not in (None, '', '0') and tf == 0:
        problems.append('kunit.py exited with status %s' % rc)
    run_failed = bool(problems)
    for pr in problems:
        lines.append('  RUN FAILED: %s' % pr)
    if run_failed:
        tf += 1  # the run itself counts as one failure
    lines.append('  log: %s' % meta.get('log', '(none)'))
    return tp, tf, ts, len(unexpected), lines


def main(argv):
    expected = DEFAULT_EXPECTED
    if argv[:1] == ['--expected-skips']:
        if len(argv) < 2:
            print('summary.py: --expected-skips needs a file', file=sys.stderr)
            return 2
        expected, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        rules = read_expected(expected)
    except (OSError, ValueError) as e:
        print('summary.py: expected skips: %s' % e, file=sys.stderr)
        return 2
    tp = tf = ts = tu = 0
    for path in argv:
        p, f, s, u, lines = summarise(path, rules)
        print('\n'.join(lines))
        tp += p
        tf += f
        ts += s
        tu += u
    print('unexpected skips: %d' % tu)
    print('%d passed, %d failed, %d skipped' % (tp, tf, ts))
    return 1 if tf else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
