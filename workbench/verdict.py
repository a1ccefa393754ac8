#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two kselftest runs: verdict.py BASE_DIR SERIES_DIR

Each DIR is one left by workbench/selftest.sh (console.log, output.txt,
status, tap.txt).  Prints side by side what each kernel did: test cases,
how the reads around the unbind ended, console splats, unbind time; then
the first splat with its top frames and which kernel survived.  Exits 0 if
the series survived and the base did not."""
import os
import re
import sys
from collections import Counter

# -h, --help: the docstring above says what it does and how to call it
if sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(print(__doc__))

COUNTS = re.compile(r"^# .*: (\d+) good, (\d+) ENODEV, (\d+) EACCES, (\d+) wrong, "
                    r"(\d+) late, (\d+) errors.*, (\d+) in flight when the unbind began")
# Frames of the reporting machinery, not of the bug
MACHINERY = re.compile(r"(dump_stack|print_report|print_address_description|kasan_|"
                       r"__asan_|_printk|show_stack|__warn|report_bug|handle_bug|exc_|asm_exc)")


def read(d, name):
    path = os.path.join(d, name)
    return open(path, errors="replace").read().splitlines() if os.path.exists(path) else []


def summarize(d):
    tap = read(d, "tap.txt")
    # the console without timestamps and without the test's own "# " lines
    console = [re.sub(r"^\[ *[0-9.]*\] ", "", line) for line in read(d, "console.log")]
    splats = read(d, "splats.txt")
    n = [sum(int(m.group(i)) for m in map(COUNTS.match, tap) if m) for i in range(1, 8)]
    good, enodev, eacces, wrong, late, errors, spanning = n
    last = Counter(line.split(", last: ")[1].split(",")[0] for line in tap if ", last: " in line)
    unbinds = [float(m.group(1)) for m in (re.match(r"^# unbind took ([\d.]+) ms", t) for t in tap) if m]
    finished = os.path.exists(os.path.join(d, "status"))
    verdicts = [line for line in read(d, "output.txt")
                if re.match(r"(not )?ok \d+ selftests: nvmem", line)]
    passed = bool(verdicts) and all(line.startswith("ok ") and "# SKIP" not in line
                                    for line in verdicts)
    plan = ", ".join(t for t in tap if t.startswith("1..")) or "no plan"
    outcome = ("WRONG DATA" if wrong else "reads still 'worked' after unbind" if late
               else f"other errors ({last.most_common(1)[0][0] if last else '?'})" if errors
               else "ENODEV" if enodev else "no unbind result")
    return {
        "test cases": f"{sum(t.startswith('ok ') for t in tap)} ok, "
                      f"{sum(t.startswith('not ok ') for t in tap)} not ok ({plan})",
        "reads around the unbind": f"{good} good, {enodev} ENODEV, {eacces} EACCES",
        "": f"{wrong} wrong, {late} good after unbind, {errors} other errors",
        " ": f"{spanning} in flight when the unbind began",
        "reads ended in": outcome,
        "console": f"{len(splats)} splat lines" if splats else "clean",
        "unbind time under load": f"{unbinds[0]} ms (max {max(unbinds)} ms, {len(unbinds)} unbinds)"
                                  if unbinds else "n/a",
        "test finished": "yes" if finished else "no (hung or crashed)",
        "SURVIVED": "yes" if finished and passed and not splats else "no",
    }, console, splats


def first_frames(console, splats):
    """The first splat, its next line, and its top frames."""
    start = next(i for i, line in enumerate(console) if line.endswith(splats[0]))
    print("    " + splats[0])
    trace = False
    frames = 0
    for line in console[start + 1:]:
        if "Call Trace:" in line:
            trace = True
        elif not trace and frames == 0 and line.strip() and \
                not re.match(r"(CPU|Tainted|Hardware name):", line):
            print("    " + line)
            frames = -1
        elif trace and re.search(r"</TASK>|^---\[|^$", line):
            break
        elif trace and re.match(r"^ *[A-Za-z0-9_.]+\+0x", line):
            frame = line.split()[0]
            if not MACHINERY.match(frame):
                print("      " + frame)
                frames = max(frames, 0) + 1
                if frames == 8:
                    break
    others = list(dict.fromkeys(s for s in splats[1:] if not re.match(r"^-+\[", s)))[:5]
    if others:
        print("  then:\n" + "\n".join("    " + s for s in others))


for d in sys.argv[1:3]:
    if not os.path.exists(os.path.join(d, "console.log")):
        sys.exit(f"verdict.py: {d} has no console.log: that kernel did not run")
runs = {k: summarize(d) for k, d in zip(("base", "series"), sys.argv[1:3])}
print("\n=== Unbinding an at24 EEPROM while it is read ===")
print(f"{'':24} {'base':42} series")
for label in runs["base"][0]:
    print(f"{label.strip():24} {runs['base'][0][label]:42} {runs['series'][0][label]}")
for k, (_, console, splats) in runs.items():
    print()
    if splats:
        print(f"{k}: first splat on the console:")
        first_frames(console, splats)
    else:
        print(f"{k}: console clean (no BUG, KASAN, WARNING, Oops, lockdep, RCU or hung-task report)")

base, series = (runs[k][0]["SURVIVED"] == "yes" for k in ("base", "series"))
print()
print("VERDICT: " + {
    (False, True): "the series kernel survived unbinding the EEPROM while it was read; "
                   "the base kernel did not.",
    (True, True): "both kernels survived; the test did not catch the bug on base.",
    (False, False): "neither kernel survived.",
    (True, False): "only the base kernel survived; the series regressed.",
}[(base, series)])
sys.exit(0 if (base, series) == (False, True) else 1)
