# SPDX-License-Identifier: GPL-2.0
# Entry points of the workbench for the nvmem series: see README.md and
# "make help".  Each target runs one script of workbench/ (its -h says
# more).  The kernel tree is build/linux (branch series on tag base); every
# kernel is built by workbench/kernel.sh in build/k/NAME/{src,out}.
# Everything a target writes is under build/, except make export (the
# repo's copies of the series) and make publish (results/, the tables the
# cover letter cites).

WB := workbench
STAGE := $(WB)/stage.sh
# Stages share the tally and the kernels: one at a time.
.NOTPARALLEL:

.PHONY: help tree deps base apply export check-export check-figures checkpatch build-patches \
	kernel kunit selftest proof mutants demo test bench bench-wallclock bench-smoke stress kcsan \
	publish clean

help:
	@echo 'Workbench for the nvmem series'
	@echo
	@echo '  make demo           unbind an EEPROM while it is read, base vs series'
	@echo '  make test           every test stage, ends with "N passed, N failed"'
	@echo
	@echo '  make deps           apt-get install what the workbench needs'
	@echo '  make base           build/linux: git tree of Debian linux-source-6.12, tag base'
	@echo '  make apply          branch series = base + patches/ (refuses to drop unexported commits)'
	@echo '  make export         branch series -> patches/, cover-letter.txt, copies, MAINTAINERS'
	@echo '  make check-export   fail if the repo differs from what "make export" would write'
	@echo '  make check-figures  fail if a figure of the cover letter differs from the published table'
	@echo '  make checkpatch     checkpatch.pl --strict on each patch (allow-list: workbench/checkpatch.allow)'
	@echo '  make build-patches  build each patch in order, W=1 C=2, no new warnings'
	@echo '  make kernel         the test kernel of branch series (build/k/series)'
	@echo '  make kunit          KUnit on it, through kunit.py'
	@echo '  make selftest       the nvmem kselftest on it, in QEMU'
	@echo '  make proof          KUnit and kselftest on base + test patches: they must fail'
	@echo '  make mutants        KUnit on 3 mutant kernels (workbench/mutants/), each as it must;'
	@echo '                      not in make test, tally build/mutants/results (workbench/mutants.sh -h)'
	@echo '  make bench          bench.sh icount, then memory: instructions per call (QEMU -icount,'
	@echo '                      2 boots per kernel) and memory per device (build/bench*/results)'
	@echo '  make bench-wallclock  bench.sh wallclock: TCG wall-clock on 2 vCPUs (contention), 5 paired boots'
	@echo '  make bench-smoke    bench.sh --smoke wallclock: one short boot of each benchmark kernel'
	@echo '  make stress         stress.sh: 10000 bind/unbind cycles under KASAN+kmemleak (build/stress)'
	@echo '  make publish        copy the icount and memory tables and the stress reports of build/'
	@echo '                      to results/DATE-COMMIT/, what the cover letter cites (workbench/publish.sh -h)'
	@echo '  make kcsan          KUnit and the stress smoke under KCSAN; fails on a race in nvmem'
	@echo '  make clean          remove build outputs (keeps build/linux and results/)'
	@echo
	@echo 'Logs: build/logs/<stage>.log; tally of make test: build/results'

deps base apply export check-export checkpatch build-patches proof:
	@$(STAGE) $@ $(WB)/$@.sh

# The targets that build or read the kernel tree make it first (packages,
# build/linux, the series applied), so that each works from a clean clone;
# demo, test and bench do that themselves.
tree:
	@$(WB)/tree.sh

kernel proof stress kcsan mutants export check-export checkpatch build-patches: tree
base: deps
apply: base

check-figures:
	@$(STAGE) $@ $(WB)/$@.py

kernel:
	@$(STAGE) $@ $(WB)/kernel.sh series

kunit selftest: kernel
	@$(STAGE) $@ $(WB)/$@.sh series

demo test stress kcsan publish mutants:
	@$(WB)/$@.sh

bench:
	@$(WB)/bench.sh icount
	@$(WB)/bench.sh memory

bench-wallclock:
	@$(WB)/bench.sh wallclock

bench-smoke:
	@$(WB)/bench.sh --smoke wallclock

clean:
	rm -rf build/k build/logs build/results build/bench* build/stress* build/demo-results build/mutants
