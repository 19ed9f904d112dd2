# Tooling for the vmemmap patch series on Linux 7.3.  See README.md.
#   make           deps, base, apply, KUnit (UML + QEMU x86_64), summary
#   make check     the full test command (what CI runs)
# Variables passed through to the scripts:
#   KERNEL_SRC=/path BASE=rev   use your own kernel git tree instead of the Debian base
#   PATCHES_DIR=dir             alternative patches dir (with a series file)
#   RUNS="uml x86_64"           subset of kunit/runs.conf (or of kunit/arches.conf for kunit-arches)
#   make kunit-arches           the suites on the other architectures the series changes (kunit/arches.conf)
#   make kunit-debug            the x86_64 suites under KASAN, lockdep, DEBUG_PAGEALLOC, PAGE_OWNER
#   make mutants [MUTANTS=...]  plant each bug of tests/mutants/ and check that a KUnit run fails
#   ARCHES="x86_64 arm64 riscv powerpc s390 loongarch"  for per-patch-build
#   KUNIT_ACCEL=kvm|tcg         force the QEMU accelerator
#   make send [AUTHOR=project] [REROLL=1 [SENT=commit]] [TOPIC=N]  mails of the series (or of topic N of patches/series) for b4 (dry run; configs/send.conf)
#   VMEMMAP_CACHE=dir           cache location (default ~/.cache/vmemmap-series)
#   REPS= SPARSE=0              make bench: boots per cell; skip the sparse_init part
#   N= MEM= REPS= NR2M=         make bench-hvo: 1G boot pages, guest memory, boots, 2M folios
#   SIZES= NODE_COUNTS= REPS=   make bench-sparse-init: guest GiB, NUMA node counts, boots

SHELL := /bin/bash
S := scripts
export KERNEL_SRC BASE PATCHES_DIR RUNS ARCHES KUNIT_ACCEL VMEMMAP_CACHE KUNIT_TIMEOUT
export N MEM REPS NR2M SMP NODES KERNELS CONFIGS BENCH_TIMEOUT JOBS SIZES NODE_COUNTS
export MUTANTS
export AUTHOR REROLL SENT SEND_CONF COVER_LETTER TOPIC
export DAX DAX_AT DAX_GIB REF SPARSE SPARSE_REPS SPARSE_SIZES

.PHONY: all check deps deps-all base apply quilt-check checkpatch kunit summary \
	kunit-arches kunit-debug mutants sparse per-patch-build send test-tooling bench bench-hvo bench-sparse-init help

all:
	@$(S)/check.sh all

check:
	@$(S)/check.sh check

deps:
	@$(S)/deps.sh

deps-all:
	@$(S)/deps.sh --all

base:
	@$(S)/fetch-base.sh

apply: base
	@$(S)/apply.sh

quilt-check:
	@$(S)/quilt-check.sh

checkpatch:
	@$(S)/checkpatch.sh

kunit:
	@$(S)/kunit.sh

# the runs of another runs file, then their summary
define kunit_runs_file
	@rc=0; KUNIT_RUNS_FILE=$(CURDIR)/$(1) $(S)/kunit.sh || rc=1; \
	. $(S)/lib.sh; runs=$${RUNS:-$$(sed -e 's/#.*//' $(1) | awk 'NF { print $$1 }')}; \
	set --; for r in $${runs//,/ }; do set -- "$$@" "$$RESULTS_DIR/$$r.json"; done; \
	python3 $(S)/summary.py "$$@" || rc=1; exit $$rc
endef

kunit-arches:
	$(call kunit_runs_file,kunit/arches.conf)

kunit-debug:
	$(call kunit_runs_file,kunit/debug.conf)

summary:
	@. $(S)/lib.sh; runs=$${RUNS:-$$(sed -e 's/#.*//' kunit/runs.conf | awk 'NF { print $$1 }')}; \
	set --; for r in $${runs//,/ }; do set -- "$$@" "$$RESULTS_DIR/$$r.json"; done; \
	python3 $(S)/summary.py "$$@"

mutants:
	@$(S)/mutants.sh

sparse:
	@$(S)/sparse.sh

per-patch-build:
	@$(S)/per-patch-build.sh

send:
	@$(S)/send.sh

test-tooling:
	@tests/run.sh

bench:
	@$(S)/bench.sh

bench-hvo:
	@$(S)/bench-hvo.sh

bench-sparse-init:
	@$(S)/bench-sparse-init.sh

help:
	@sed -n '1,/^$$/p' Makefile
