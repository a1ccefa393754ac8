# SPDX-License-Identifier: GPL-2.0
"""The KUnit results of a kernel log, by kunit.py's own parser: the one
reading of a case's log, for proof.py and mutants.py.

    tree, results = kunit_log.parse(KUNIT_DIR, TEST_LOG)

KUNIT_DIR is the tree's tools/testing/kunit.  results maps (suite, case)
to [(parameter or None, "PASS"/"FAILURE"/..., log)]: each case's log is
the lines the kernel printed while it ran (assertions, KASAN reports).
The parser gives a parameterised case's own log the lines before its
first result, which are the first parameter's."""
import io
import sys

# The suites of drivers/nvmem/nvmem_kunit*.c: a run must have all of them.
SUITES = {"nvmem_core", "nvmem_core_bad_input", "nvmem_core_unbind",
          "nvmem_core_dt"}


def parse(kunit_dir, test_log):
    # kunit.py's parser prints as it parses; keep that out of our output.
    sys.path.insert(0, kunit_dir)
    real_stdout, sys.stdout = sys.stdout, io.StringIO()
    try:
        import kunit_parser
        tree = kunit_parser.parse_run_tests(open(test_log, errors="replace"))
    finally:
        sys.stdout = real_stdout

    def status(test):
        return ("PASS" if test.status == kunit_parser.TestStatus.SUCCESS
                else test.status.name)

    results = {}
    for suite in tree.subtests:
        for case in suite.subtests:
            runs = [(p.name, status(p), "\n".join((case.log if i == 0 else []) + p.log))
                    for i, p in enumerate(case.subtests)]
            results[(suite.name, case.name)] = runs or [
                (None, status(case), "\n".join(case.log))]
    return tree, results


def label(suite, case, param):
    return f"{suite}.{case}" + (f"[{param}]" if param else "")
