#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The KUnit half of workbench/proof.sh: proof.py KUNIT_DIR TEST_LOG

Judges the kernel log of a KUnit run on the base with only the test
patches, parsed by kunit.py's own parser (KUNIT_DIR is the tree's
tools/testing/kunit), and prints one "PASS|FAIL proof:<name> <why>" line
per thing the unfixed kernel must show."""
import re
import sys

from kunit_log import SUITES, label, parse

# -h, --help: the docstring above says what it does and how to call it
if sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(print(__doc__))

# kunit.py's own parser, for the log of each case (workbench/kunit_log.py)
tree, results = parse(sys.argv[1], sys.argv[2])


def all_of(*patterns):
    """A pattern that matches a log holding each of @patterns, anywhere."""
    return r"(?s)" + "".join(r"(?=.*" + p + r")" for p in patterns)


# The cases that must fail on the base, each with what its log must show:
# the reason it fails there, an assertion on the value the fix changes or a
# KASAN report made by the case, and the parameters (if any) that are
# controls and must pass there too. Every other parameter is judged alone.
# Every case not listed must pass on the base, parameter by parameter: the
# tests work there and can pass. KUnit prints errnos as numbers: -1 EPERM,
# -19 ENODEV, -95 EOPNOTSUPP, -517 EPROBE_DEFER.
UAF = r"BUG: KASAN: slab-use-after-free in "
PROVIDER_UAF = UAF + r"nvmem_kunit_(reg_read|reg_write|enter|access_ok)"
MUST_FAIL = {
    ("nvmem_core", "nvmem_cell_bits_write_test"):
        (r"bit \d+ of the cell is \d, want \d|a byte around the cell changed",
         {"bit_offset 0, nbits 8"}),
    ("nvmem_core_bad_input", "nvmem_no_reg_write_test"):
        (r"Expected nvmem_device_write\(nvmem, 0, 4, buf\) == -95, but", set()),
    ("nvmem_core_bad_input", "nvmem_read_only_test"):
        (r"Expected nvmem_cell_write\(cell, buf, 4\) == -1, but", set()),
    ("nvmem_core_bad_input", "nvmem_no_reg_read_test"):
        (r"Expected nvmem_device_read\(nvmem, 0, 4, buf\) == -95, but", set()),
    ("nvmem_core_bad_input", "nvmem_read_only_device_write_test"):
        (r"Expected nvmem_device_write\(nvmem, 4, sizeof\(buf\), buf\) == -1, but",
         set()),
    ("nvmem_core_bad_input", "nvmem_force_ro_device_write_test"):
        (r"Expected nvmem_device_write\(nvmem, 4, sizeof\(buf\), buf\) == -1, but",
         set()),
    # the write goes ahead, and says nothing, whatever the GPIO did
    ("nvmem_core_bad_input", "nvmem_wp_gpio_error_test"):
        (r"Expected ret == want, but", {"no failure"}),
    ("nvmem_core_bad_input", "nvmem_register_error_handle_test"):
        (UAF + r"__nvmem_device_put", set()),
    ("nvmem_core_unbind", "nvmem_unbind_device_handle_test"): (PROVIDER_UAF, set()),
    ("nvmem_core_unbind", "nvmem_unbind_cell_handle_test"): (PROVIDER_UAF, set()),
    ("nvmem_core_unbind", "nvmem_unbind_cell_helpers_test"):
        (r"Expected nvmem_cell_read_\w+\(consumer, .*\) == -517, but", set()),
    ("nvmem_core_unbind", "nvmem_unbind_rebind_test"):
        (r"Expected PTR_ERR_OR_ZERO\(nvmem\) == -517, but", set()),
    # the lookup fails with -EINVAL (and an error) instead of deferring
    ("nvmem_core_unbind", "nvmem_unbind_module_going_test"):
        (r"Expected PTR_ERR_OR_ZERO\(nvmem\) == -517, but", set()),
    ("nvmem_core_unbind", "nvmem_unbind_notifier_test"):
        (r"Expected atomic_read\(&ev->remove\) == 1, but", set()),
    ("nvmem_core_unbind", "nvmem_unbind_cell_sysfs_test"):
        (UAF + r"sysfs_kf_bin_read", set()),
    # the nvmem file reaches the freed provider, and force_ro still works:
    # the files did not go with the device
    ("nvmem_core_unbind", "nvmem_unbind_sysfs_files_test"):
        (all_of(PROVIDER_UAF,
                r"Expected kernel_write\(force_ro, \"1\", 1, &pos\) == -19, but"),
         set()),
    ("nvmem_core_unbind", "nvmem_unbind_keepout_test"):
        (r"Expected nvmem_device_read\(nvmem, 10, 4, buf\) == -19, but", set()),
    ("nvmem_core_unbind", "nvmem_unbind_readers_in_flight_test"):
        (PROVIDER_UAF, set()),
    ("nvmem_core_unbind", "nvmem_unbind_calls_in_flight_test"):
        (r"the unbind returned with 4 calls in the provider", set()),
    # NVMEM_REMOVE waits for the last handle, and then reads a freed provider
    ("nvmem_core_unbind", "nvmem_unbind_notifier_read_test"):
        (r"Expected atomic_read\(&ev->remove\) == 1, but", set()),
    # the other device's unbind returns on the base as well (it waits for
    # nothing at all), but its handle then reaches its freed provider
    ("nvmem_core_unbind", "nvmem_unbind_other_device_test"):
        (all_of(PROVIDER_UAF,
                r"Expected nvmem_device_read\(other, 0, sizeof\(buf\), buf\) == -19, but"),
         set()),
    ("nvmem_core_unbind", "nvmem_unbind_during_notifier_test"):
        (r"the unbind returned with 4 calls in the provider", set()),
    # the compat file stays with the device and writes to the freed provider
    ("nvmem_core_unbind", "nvmem_unbind_compat_file_test"):
        (all_of(PROVIDER_UAF,
                r"Expected kernel_write\(file, buf, sizeof\(buf\), &pos\) == -19, but"),
         set()),
    ("nvmem_core_dt", "nvmem_dt_cell_get_test"): (PROVIDER_UAF, set()),
    ("nvmem_core_dt", "nvmem_dt_device_get_test"): (PROVIDER_UAF, set()),
    ("nvmem_core_dt", "nvmem_dt_u_boot_env_test"): (PROVIDER_UAF, set()),
    # the lookup reads the driver of the layout that device_add() freed
    ("nvmem_core_dt", "nvmem_dt_layout_add_fails_test"):
        (r"(?s)" + UAF + r"(of_nvmem_cell_get|nvmem_layout_module_get_optional)"
         r".*Freed by.*nvmem_populate_layout", set()),
    ("nvmem_core_dt", "nvmem_layout_lookup_cell_put_test"):
        (r"Expected module_refcount\(&nvmem_kunit_layout_module\) == refs, but",
         set()),
    ("nvmem_core_dt", "nvmem_layout_pins_module_test"):
        (r"Expected module_refcount\(&nvmem_kunit_layout_module\) == refs \+ 1, but",
         set()),
    # the device does not pin the layout module (patch 8); the lookup by
    # phandle then defers, the earlier case's put having left the stand-in
    # module with no reference to take
    ("nvmem_core_dt", "nvmem_dt_layout_module_cell_test"):
        (r"Expected module_refcount\(&nvmem_kunit_layout_module\) == refs \+ 1, but",
         set()),
    # a second driver for the layout's node binds and adds unpinned cells
    ("nvmem_core_dt", "nvmem_layout_second_driver_test"):
        (r"the second layout driver is bound", set()),
    ("nvmem_core_dt", "nvmem_layout_register_unbound_test"):
        (r"Expected nvmem_layout_register\(layout\) == -22, but", set()),
    # the layout's failed registration frees the cells under the handle
    ("nvmem_core_dt", "nvmem_layout_sysfs_fails_test"):
        (UAF + r"nvmem_cell_read\+(?s:.*?)\nFreed by task \d+:\n"
         r"(?: .*\n)*? nvmem_layout_register\+", set()),
}

suites = {suite.name for suite in tree.subtests}
if suites != SUITES or tree.counts.errors:
    print("FAIL", "proof:kunit-run",
          f"suites {sorted(suites)}, want {sorted(SUITES)}; {tree.counts.errors} parse errors")
else:
    print("PASS", "proof:kunit-run", f"all {len(SUITES)} suites ran, no parse error")

bad = [label(s, c, p) + "=" + st for (s, c), runs in results.items()
       if (s, c) not in MUST_FAIL for p, st, _ in runs if st != "PASS"]
print("PASS" if results and not bad else "FAIL", "proof:kunit-pass",
      "every other case passes" if not bad else "unexpected: " + " ".join(bad))

for (suite, case), (why, controls) in MUST_FAIL.items():
    runs = results.get((suite, case))
    if not runs:
        print("FAIL", f"proof:{case}", "missing from the results")
        continue
    wrong = []
    for param, st, log in runs:
        if param in controls:
            if st != "PASS":
                wrong.append(label(suite, case, param) + f"={st} (a control)")
        elif st != "FAILURE":
            wrong.append(label(suite, case, param) + f"={st}, not FAILURE")
        elif not re.search(why, log):
            wrong.append(label(suite, case, param) + ": no " + why)
    seen = {param for param, _, _ in runs}
    wrong += [label(suite, case, c) + " missing (a control)" for c in controls - seen]
    if len(runs) == len(controls & seen):
        wrong.append(label(suite, case, None) + ": nothing left to judge")
    judged = len(runs) - len(controls)
    print("FAIL" if wrong else "PASS", f"proof:{case}",
          "unexpected: " + "; ".join(wrong[:5]) if wrong else
          "fails for its reason" +
          (f" in all {judged} parameters, its {len(controls)} control(s) pass"
           if runs[0][0] else ""))
