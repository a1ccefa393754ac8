# SPDX-License-Identifier: GPL-2.0
# Workbench for the nvmem series: see README.md and "make help".
#
# TREE is the kernel git tree (branch "series" on tag "base"), OUT the
# build directory of its test kernel.

TREE ?= build/linux
OUT ?= build/out/$(notdir $(TREE))
STAGE := scripts/stage.sh

.PHONY: help deps base apply export check checkpatch build-patches \
	kconfig kernel kunit selftest proof demo test bench stress clean

help:
	@echo 'Workbench for the nvmem series (TREE=$(TREE), OUT=$(OUT))'
	@echo
	@echo '  make demo           the unbind-while-reading demo (scripts/demo.sh)'
	@echo '  make test           every test stage, ends with "N passed, N failed"'
	@echo
	@echo '  make deps           apt-get install what the workbench needs'
	@echo '  make base           $(TREE): git tree of Debian linux-source-6.12, tag base'
	@echo '  make apply          branch series = base + git am patches/ (patches/series order)'
	@echo '  make export         series -> patches/, copies of added files, MAINTAINERS'
	@echo '  make check          fail if the repo differs from what "make export" writes'
	@echo '  make checkpatch     checkpatch.pl --strict on each patch (allow-list: checkpatch.allow)'
	@echo '  make build-patches  build each patch in order, W=1 C=2, no new warnings'
	@echo '  make kconfig        test kernel .config in $(OUT), every option checked'
	@echo '  make kernel         build the test kernel (bzImage, modules) with ccache'
	@echo '  make kunit          KUnit in QEMU with kunit.py, on the test kernel'
	@echo '  make selftest       the nvmem kselftest in QEMU (scripts/selftest.sh)'
	@echo '  make proof          KUnit and kselftest on base + test patches: they must fail'
	@echo '  make bench          base vs series benchmark, BENCH_RUNS=5 paired boots'
	@echo '  make stress         STRESS_CYCLES=10000 bind/unbind cycles under KASAN+kmemleak'
	@echo '  make clean          remove build outputs (keeps $(TREE))'
	@echo
	@echo 'Logs: build/logs/<stage>.log; results: build/results'

deps:
	@$(STAGE) $@ scripts/deps.sh

base:
	@$(STAGE) $@ scripts/base.sh $(TREE)

apply:
	@$(STAGE) $@ scripts/apply.sh $(TREE)

export:
	@$(STAGE) $@ scripts/export.sh $(TREE)

check:
	@$(STAGE) $@ scripts/check.sh $(TREE)

checkpatch:
	@$(STAGE) $@ scripts/checkpatch.sh $(TREE)

build-patches:
	@$(STAGE) $@ scripts/build-patches.sh $(TREE) $(OUT)-patches

kconfig:
	@$(STAGE) $@ scripts/kconfig.sh $(TREE) $(OUT)

kernel: kconfig
	@$(STAGE) $@ scripts/build.sh $(TREE) $(OUT)

kunit: kernel
	@$(STAGE) $@ scripts/kunit.sh $(TREE) $(OUT)

selftest: kernel
	@test -x scripts/selftest.sh || { echo "selftest: scripts/selftest.sh not written yet"; exit 1; }
	@$(STAGE) $@ scripts/selftest.sh $(TREE) $(OUT)

proof: kernel
	@$(STAGE) $@ scripts/proof.sh $(TREE) $(OUT)

bench:
	@scripts/bench.sh

stress:
	@scripts/stress.sh

demo:
	@test -x scripts/demo.sh || { echo "demo: scripts/demo.sh not written yet"; exit 1; }
	@scripts/demo.sh

test:
	@scripts/test.sh $(TREE)

clean:
	rm -rf build/out build/logs build/results
