#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which declared KUnit cases have no result: kunit-cases.py JSON SOURCE...

Each SOURCE is a C file of the suites: every KUNIT_CASE*() in it names a
case that must have run. JSON is kunit.py's (exec --json). Prints the cases that
are missing from the results, one a line, and exits 1 if there are any;
a parameterised case counts as run when it has results of its own."""
import json
import re
import sys

# -h, --help: the docstring above says what it does and how to call it
if sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(print(__doc__))

declared = [case for source in sys.argv[2:] for case in
            re.findall(r"KUNIT_CASE(?:_PARAM|_SLOW)?\(\s*(\w+)", open(source).read())]
if not declared:
    sys.exit(f"{' '.join(sys.argv[2:])}: no KUNIT_CASE")

ran = set()


def walk(group):
    for case in group.get("test_cases", []):
        ran.add(case["name"])
    for sub in group.get("sub_groups", []):
        if sub.get("test_cases"):
            ran.add(sub["name"])
        walk(sub)


walk(json.load(open(sys.argv[1])))
missing = [c for c in declared if c not in ran]
print("\n".join(missing))
sys.exit(1 if missing else 0)
