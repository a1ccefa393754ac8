#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-figures.py [LETTER [PUBLISHED]]: the cover letter's figures
against the published tables

LETTER is the cover letter ($COVER_LETTER, default cover-letter.txt),
PUBLISHED the directory of published tables (default results/, written by
workbench/publish.sh).  Checked, each against the metric it quotes:

- the rows of the "Cost" table against icount.txt: base and series medians,
  the difference ("+43": series - base) or the ratio ("1.33x": the ratio
  median, rounded as the letter rounds it); the reference loops (the same
  count in both kernels, "(+23)": the difference to the loop without the
  section); the repeat count and the size of struct srcu_data;
- the memory rows of the "Cost" section against memory.txt ("-": not
  quoted);
- the stress figures of the "Testing" section against stress-series.txt,
  the sums over the readers (and the writer's counts) of its report.

A part of the letter is checked against the directory it cites
(results/DATE-COMMIT/); citing none, against the one published directory
of the part's first date (for the stress report: the one published
report).  No published stress report: its figures are not checked, and
the output says so.  Exits 1 naming each row whose figure differs or is
missing.
"""
import decimal
import glob
import os
import re
import sys

# -h, --help: the docstring above says what it does and how to call it
if sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(print(__doc__))

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUM = r"(-|[\d,]+(?:\.\d+)?)"

# Cost table rows: (label, metric, what the last column is)
COST_ROWS = [
    ("nvmem_device_read() 4 B, RAM provider", "read_nvmem_4B_r1_ns", "diff"),
    ("nvmem_device_read() 4 KiB", "read_nvmem_4K_r1_ns", "diff"),
    ("at24 sysfs read of 256 B", "sysfs_read256_ns", "ratio"),
    ("nvmem_register(), per device", "mem_register_ns_per_dev", "ratio"),
    ("nvmem_unregister(), per device", "mem_unregister_ns_per_dev", "ratio"),
    ("unbind, no reader, p99", "unbind_r0_p99_ns", "ratio"),
]
# Reference loops: (label, metric, the metric "(+N)" is the difference to)
REFERENCE_ROWS = [
    ("provider call through a pointer", "read_plain_4B_r1_ns", None),
    ("the same inside an SRCU read section", "read_srcu_4B_r1_ns",
     "read_plain_4B_r1_ns"),
    ("the call in a function shaped like nvmem_device_read()",
     "read_plain_fn_4B_r1_ns", None),
    ("the same with an SRCU section in it", "read_srcu_fn_4B_r1_ns",
     "read_plain_fn_4B_r1_ns"),
]
MEMORY_KERNELS = ("base", "series", "shared")
# Stress figures: (name, pattern in the letter, line kind, counter)
STRESS_FIGURES = [
    ("cycles", r"([\d,]+) bind/unbind cycles", "cycles", None),
    ("reads returned data", r"([\d,]+) reads returned data", "reader", "data"),
    ("of more than one chunk", r"([\d,]+) of more than one chunk",
     "reader", "multi"),
    ("cut at the end", r"([\d,]+) cut at the end of the device",
     "reader", "eof"),
    ("under which an unbind began", r"([\d,]+) under which an unbind began",
     "reader", "overlap"),
    ("short reads", r"([\d,]+) short,", "reader", "short"),
    ("wrong reads", r"short, ([\d,]+) wrong", "reader", "wrong"),
    ("ENODEV", r"([\d,]+) ENODEV and", "reader", "ENODEV"),
    ("EACCES", r"([\d,]+) EACCES, no other errno", "reader", "EACCES"),
    ("other errnos", r"(no) other errno", "reader", "other"),
    ("writes", r"([\d,]+) writes,", "writer", "writes"),
    ("writes verified", r"([\d,]+) of them read back and verified",
     "writer", "verified"),
    ("wrong writes", r"verified, ([\d,]+) wrong", "writer", "wrong"),
]

failures = []
matched = 0


def check(row, letter, table, where):
    global matched
    if table is None:
        failures.append(f"{row}: the letter says {letter}, {where}: missing")
    elif letter != table:
        failures.append(f"{row}: the letter says {letter}, {where} {table}")
    else:
        matched += 1


def num(s):
    """A figure as printed ("1,598", "0.00", "-") as a Decimal, or None"""
    if s in (None, "-"):
        return None
    return decimal.Decimal(s.replace(",", ""))


def sections(text):
    """{title: body} of the letter's underlined sections"""
    parts = re.split(r"^(\S.*)\n-{3,}\n", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def shown(path):
    """PATH relative to the repo if it is in it"""
    rel = os.path.relpath(path, REPO)
    return path if rel.startswith("..") else rel


def flat(text):
    return " ".join(text.split())


def published(part, name, published_dir):
    """The published NAME the letter's PART is about, or None"""
    m = re.search(r"(?<![\w/.-])results/(\d{4}-\d\d-\d\d-[0-9a-f]{12})/", part)
    if m:
        path = os.path.join(published_dir, m.group(1), name)
        if not os.path.exists(path):
            failures.append(f"{name}: the letter cites results/{m.group(1)}/,"
                            f" which has no {name}")
            return None
        return path
    m = re.search(r"\d{4}-\d\d-\d\d", part)
    paths = glob.glob(os.path.join(published_dir,
                                   (m.group(0) if m else "*") + "-*", name))
    if len(paths) == 1:
        return paths[0]
    if paths or name != "stress-series.txt":
        failures.append(f"{name}: {len(paths)} published for"
                        f" {m.group(0) if m else 'the letter'}; cite one"
                        f" (results/DATE-COMMIT/) in the letter")
    return None


def check_icount(part, path):
    """The Cost table, its reference loops and its prose figures"""
    metrics, repeat = {}, None
    for line in lines(path):
        f = line.split()
        if len(f) == 6 and re.match(r"[a-z]\w+$", f[0]):
            metrics[f[0]] = [num(x) for x in f[1:4]]
        if line.startswith("repeat:"):
            repeat = re.search(r"(\d+) of (\d+) kernel/metric pairs", line)
    where = shown(path)
    text = flat(part)

    def value(metric, col):
        return metrics.get(metric, (None, None, None))[col]

    for label, metric, last in COST_ROWS:
        m = re.search(re.escape(label) + rf" {NUM} {NUM} (\+?{NUM})(x?)", text)
        if not m:
            failures.append(f"Cost row '{label}': not found in the letter")
            continue
        base, series = value(metric, 0), value(metric, 1)
        check(f"{label}, base", num(m.group(1)), base, f"{where} {metric}")
        check(f"{label}, series", num(m.group(2)), series, f"{where} {metric}")
        said = num(m.group(4))
        if last == "diff" and None not in (base, series):
            check(f"{label}, series - base", said, series - base,
                  f"{where} {metric}")
        elif last == "ratio":
            ratio = value(metric, 2)
            if ratio is not None:
                ratio = ratio.quantize(said, rounding=decimal.ROUND_HALF_UP)
            check(f"{label}, series vs base", said, ratio,
                  f"{where} {metric} ratio med")

    for label, metric, ref in REFERENCE_ROWS:
        m = re.search(re.escape(label) + r" ([\d,]+)(?: \(\+([\d,]+)\))?",
                      text)
        if not m:
            failures.append(f"reference '{label}': not found in the letter")
            continue
        for col, kernel in enumerate(("base", "series")):
            check(f"reference '{label}', {kernel}", num(m.group(1)),
                  value(metric, col), f"{where} {metric}")
        if ref and None not in (value(metric, 0), value(ref, 0)):
            check(f"reference '{label}', (+N)", num(m.group(2)),
                  value(metric, 0) - value(ref, 0), f"{where} {metric} - {ref}")

    m = re.search(r"\((\d+) of all (\d+) figures within 1 %", text)
    if m and repeat:
        check("figures within 1 % across boots", m.groups(), repeat.groups(),
              f"{where} repeat:")
    m = re.search(r"struct srcu_data \((\d+) bytes\)", text)
    if m:
        check("sizeof struct srcu_data", num(m.group(1)),
              value("sizeof_srcu_data", 0), f"{where} sizeof_srcu_data")


def check_memory(part, path):
    """The memory rows: per possible CPUs, slab and per-CPU per kernel"""
    table = {}
    for line in lines(path):
        f = line.split()
        if len(f) >= 4 and f[0].isdigit() and f[1] in MEMORY_KERNELS:
            table[(f[0], f[1])] = (num(f[2]), num(f[3]))
    where = shown(path)
    rows = re.findall(r"^ *(\d+)(?: \(scaled\))? +" + " +".join([NUM] * 6)
                      + r" *$", part, flags=re.M)
    if not rows:
        failures.append("memory rows: not found in the letter")
    for cpus, *figures in rows:
        for i, kernel in enumerate(MEMORY_KERNELS):
            got = table.get((cpus, kernel), (None, None))
            for j, what in enumerate(("slab", "per-CPU")):
                said = num(figures[2 * i + j])
                if said is not None:
                    check(f"memory, {cpus} CPUs, {kernel} {what}", said,
                          got[j], f"{where} {cpus} {kernel}")


def check_stress(part, path):
    """The stress figures: sums over the readers, the writer's counts"""
    sums = {"reader": {}, "writer": {}, "cycles": {}}
    for line in lines(path):
        f = line.split()
        if line.startswith(("stress: reader ", "stress: writer ")):
            for kv in f[3:]:
                k, _, v = kv.partition("=")
                if v.isdigit():
                    sums[f[1]][k] = sums[f[1]].get(k, 0) + int(v)
        m = re.match(r"stress: cycles done (\d+)$", line)
        if m:
            sums["cycles"][None] = int(m.group(1))
    where = shown(path)
    text = flat(part)
    for name, pattern, kind, counter in STRESS_FIGURES:
        m = re.search(pattern, text)
        if not m:
            failures.append(f"stress '{name}': not found in the letter")
            continue
        said = 0 if m.group(1) == "no" else int(m.group(1).replace(",", ""))
        check(f"stress '{name}'", said, sums[kind].get(counter),
              f"{where} {kind}s' {counter or 'cycles done'}")


def main():
    letter = (sys.argv[1] if len(sys.argv) > 1 else
              os.environ.get("COVER_LETTER",
                             os.path.join(REPO, "cover-letter.txt")))
    published_dir = (sys.argv[2] if len(sys.argv) > 2 else
                     os.path.join(REPO, "results"))
    secs = sections("\n".join(lines(letter)) + "\n")
    for title in ("Cost", "Testing"):
        if title not in secs:
            sys.exit(f"check-figures: {letter}: no section '{title}'")
    cost = secs["Cost"]
    split = cost.find("Memory per nvmem device")
    if split < 0:
        sys.exit(f"check-figures: {letter}: no memory table in 'Cost'")
    icount, memory = cost[:split], cost[split:]

    path = published(icount, "icount.txt", published_dir)
    if path:
        check_icount(cost, path)
    path = published(memory, "memory.txt", published_dir)
    if path:
        check_memory(memory, path)
    stress = re.search(r"^- stress\b.*?(?=^- |\Z)", secs["Testing"],
                       flags=re.M | re.S)
    path = published(stress.group(0) if stress else "", "stress-series.txt",
                     published_dir)
    if path and not stress:
        failures.append("the Testing section has no '- stress' item")
    elif path:
        check_stress(stress.group(0), path)
    else:
        print("check-figures: stress figures not checked: no published"
              " stress-series.txt (make stress, make publish)")

    for f in failures:
        print(f"check-figures: FAIL {f}")
    print(f"check-figures: {shown(letter)}: {matched} figures match"
          f" the published tables, {len(failures)} do not")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
