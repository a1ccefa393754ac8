#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The KUnit half of workbench/mutants.sh:

    mutants.py KUNIT_DIR TEST_LOG [--fail SUITE.CASE REGEX] [--others-pass]

Judges the kernel log of a KUnit run on a mutant kernel, parsed by
kunit.py's own parser (workbench/kunit_log.py, as proof.py does; KUNIT_DIR
is the tree's tools/testing/kunit), and prints one line, "PASS <why>" or
"FAIL <why>": every suite ran, and
  --fail SUITE.CASE REGEX  the case failed, every parameter of it, and the
                           log of each matches REGEX (re.search);
  --others-pass            every other case passed, every parameter."""
import argparse
import re
import sys

from kunit_log import SUITES, label, parse

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("kunit_dir")
ap.add_argument("test_log")
ap.add_argument("--fail", nargs=2, metavar=("SUITE.CASE", "REGEX"))
ap.add_argument("--others-pass", action="store_true")
args = ap.parse_args()

tree, results = parse(args.kunit_dir, args.test_log)
wrong, said = [], []
suites = {suite.name for suite in tree.subtests}
if suites != SUITES or tree.counts.errors:
    wrong.append(f"suites {sorted(suites)}, want {sorted(SUITES)}; "
                 f"{tree.counts.errors} parse errors")

target = None
if args.fail:
    target = tuple(args.fail[0].split(".", 1))
    runs = results.get(target)
    if not runs:
        wrong.append(f"{args.fail[0]} missing from the results")
    for param, st, log in runs or []:
        if st != "FAILURE":
            wrong.append(label(*target, param) + f"={st}, not FAILURE")
        elif not re.search(args.fail[1], log):
            wrong.append(label(*target, param) + ": no " + args.fail[1])
    said.append(f"{args.fail[0]} fails with /{args.fail[1]}/")

if args.others_pass:
    bad = [label(s, c, p) + "=" + st for (s, c), runs in results.items()
           if (s, c) != target for p, st, _ in runs if st != "PASS"]
    if bad:
        wrong.append("unexpected: " + " ".join(bad[:10]) +
                     (f" and {len(bad) - 10} more" if len(bad) > 10 else ""))
    said.append(f"the other {len(results) - 1} cases pass" if target in results
                else f"all {len(results)} cases pass")

if wrong:
    print("FAIL", "; ".join(wrong))
else:
    print("PASS", ", ".join(said) or "every suite ran")
sys.exit(1 if wrong else 0)
