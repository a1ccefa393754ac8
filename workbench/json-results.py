#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn kunit.py's JSON (run --json, parse --json) into tally lines:
json-results.py PREFIX FILE prints "PASS|FAIL|SKIP PREFIX:suite.case" for
every test case, spaces in names made underscores."""
import json
import sys

# -h, --help: the docstring above says what it does and how to call it
if sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(print(__doc__))


def walk(group, names):
    for case in group.get("test_cases", []):
        name = ".".join(names + [case["name"]]).replace(" ", "_")
        status = case["status"] if case["status"] in ("PASS", "SKIP") else "FAIL"
        print(f"{status} {sys.argv[1]}:{name}")
    for sub in group.get("sub_groups", []):
        walk(sub, names + [sub["name"]])


walk(json.load(open(sys.argv[2])), [])
