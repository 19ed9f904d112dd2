# Tooling for the vmemmap patch series on Linux 7.3.  See README.md.
# 'make help' prints the targets (the "## " comment after each) and the
# variables (the "#: " lines below), both read from this file.  A variable
# given on the command line that is not listed here is an error.
#
#: KERNEL_SRC=/path BASE=rev   your own kernel git tree and its 7.3 commit instead of the Debian base
#: BASE_VERSION=version        base: this linux-source-7.3 upload instead of the pin (default: the pin; the newest when it is gone)
#: PATCHES_DIR=dir             another patches dir (with a series file)
#: VMEMMAP_CACHE=dir           cache location (default ~/.cache/vmemmap-series)
#: SKIP_DEPS=1                 install nothing (a host without apt, or you manage the packages): list what is missing
#: JOBS=N                      parallel build jobs (default: the CPUs)
#: RUNS="uml x86_64"           kunit, check, summary: runs of kunit/runs.conf (kunit-arches: arches.conf, kunit-debug: debug.conf)
#: KUNIT_ACCEL=kvm|tcg         force the QEMU accelerator (default: scripts/qemu-accel.sh probes KVM)
#: KUNIT_TIMEOUT=s             kunit.py --timeout per run
#: MUTANTS="name ..."          mutants: only these mutants of tests/mutants/
#: ARCHES="x86_64 arm64 ..."   per-patch-build: x86_64 arm64 riscv powerpc s390 loongarch (default x86_64)
#: FROM=N ONLY="8 10"          per-patch-build: start at patch N / build after these patches only
#: PP_CONFIG=allnoconfig       per-patch-build: the base config of the cross arches (default defconfig)
#: LOONGARCH_GCC=path          per-patch-build: a LoongArch compiler of your own
#: SPARSE=path                 sparse: a sparse binary that handles __typeof_unqual__ (default: built from Debian unstable's source)
#: AUTHOR=project              send: keep the project identity (mails to you alone; default: you, git user.name/email)
#: REROLL=1 SENT=commit        send: the next revision, after the last one went out (from commit SENT of this repository)
#: TOPIC=N                     send: topic N of patches/series as its own series
#: SEND_CONF=file COVER_LETTER=file  send: another send.conf / cover letter
#: B4=path                     send: a b4 of your own (0.14 or newer)
#: REPS=N                      bench, bench-hvo, bench-sparse-init: boots per cell
#: SPARSE_INIT=0               bench: skip the sparse_init() part
#: SPARSE_INIT_REPS=N SPARSE_INIT_SIZES="4 16 64"  bench: boots per cell and guest GiB of the sparse_init() part
#: N= MEM= NR2M=               bench-hvo: boot-time 1 GiB pages, guest memory, 2 MiB folios grown and shrunk
#: SMP= NODES= BENCH_TIMEOUT=s bench-hvo, bench-sparse-init: guest CPUs, NUMA nodes, timeout per boot
#: KERNELS= CONFIGS=           bench-hvo: "base series", "deferred nodeferred"; e2e: "series" (add base for 7.3)
#: DAX= DAX_AT= DAX_GIB= REF=  bench-hvo: map device-DAX (1), at GiB, of GiB; boot once without 1 GiB pages (1)
#: SIZES= NODE_COUNTS=         bench-sparse-init: guest GiB, NUMA node counts
#: E2E_MEM=5G E2E_CYCLES=100 E2E_TIMEOUT=s  e2e: guest memory, bind/unbind cycles, timeout per boot

SHELL := /bin/bash
S := scripts
# the variables of the "#: " lines: every NAME= in them
VARS := $(shell sed -n 's/^\#: //p' $(firstword $(MAKEFILE_LIST)) | grep -oE '(^| )[A-Z][A-Z0-9_]*=' | tr -d ' =')
export $(VARS)
unknown := $(filter-out $(VARS),$(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $(v))),$(v))))
ifneq ($(strip $(unknown)),)
$(error unknown variable $(unknown): 'make help' lists the variables)
endif

.PHONY: all check deps deps-all base apply quilt-check checkpatch kunit summary \
	kunit-arches kunit-debug mutants sparse per-patch-build send test-tooling e2e bench bench-hvo bench-sparse-init help

all: ## deps, base, apply, the KUnit runs (UML + QEMU x86_64), summary
	@$(S)/check.sh all

check: ## the test command (CI): deps base apply quilt-check checkpatch kunit test-tooling; last line 'N passed, N failed, N skipped'
	@$(S)/check.sh check

deps: ## install the Debian packages (root)
	@$(S)/deps.sh

deps-all: ## deps plus the cross compilers and QEMU of every arch
	@$(S)/deps.sh --all

base: ## fetch and commit the Linux 7.3 base (or use KERNEL_SRC/BASE)
	@$(S)/fetch-base.sh

apply: base ## apply patches/ with git am to a fresh worktree of the base
	@$(S)/apply.sh

quilt-check: ## the series applies with quilt push -a --fuzz=0
	@$(S)/quilt-check.sh

checkpatch: ## scripts/checkpatch.pl --strict on every patch
	@$(S)/checkpatch.sh

kunit: ## the KUnit runs of kunit/runs.conf (RUNS= a subset)
	@$(S)/kunit.sh

# the runs of another runs file, then their summary
define kunit_runs_file
	@rc=0; KUNIT_RUNS_FILE=$(CURDIR)/$(1) $(S)/kunit.sh || rc=1; \
	. $(S)/lib.sh; run_summary $(1) || rc=1; exit $$rc
endef

kunit-arches: ## the suites on QEMU riscv64, arm64, ppc64le radix (64K and 4K pages) and hash (kunit/arches.conf)
	$(call kunit_runs_file,kunit/arches.conf)

kunit-debug: ## the x86_64 suites under KASAN, lockdep, DEBUG_PAGEALLOC, PAGE_OWNER
	$(call kunit_runs_file,kunit/debug.conf)

summary: ## the counts of the last kunit runs
	@. $(S)/lib.sh; run_summary kunit/runs.conf

mutants: ## plant each bug of tests/mutants/ and check that a KUnit run fails
	@$(S)/mutants.sh

sparse: ## sparse (C=1) on the files the series touches, with a sparse that handles the 7.3 headers
	@$(S)/sparse.sh

per-patch-build: ## build after each patch (ARCHES=, FROM=, ONLY=, PP_CONFIG=)
	@$(S)/per-patch-build.sh

send: ## the mails of the series (or TOPIC=N) for b4, as a dry run
	@$(S)/send.sh

test-tooling: ## the tests of this tooling (tests/run.sh)
	@tests/run.sh

e2e: ## device-DAX through dax_hmem, device_dax and kmem from a guest program (KERNELS="series base": and 7.3; not in CI)
	@$(S)/e2e.sh

bench: ## vmemmap saved and cost, 7.3 against the series (bench-hvo, bench-sparse-init, report)
	@$(S)/bench.sh

bench-hvo: ## boot time and HugeTLB/device-DAX vmemmap, both kernels
	@$(S)/bench-hvo.sh

bench-sparse-init: ## sparse_init() with per-section memmap against sparse_buffer
	@$(S)/bench-sparse-init.sh

help: ## this list
	@echo 'Targets:'
	@sed -nE 's/^([a-z0-9-]+):[^#]*## (.*)/\1|\2/p' $(firstword $(MAKEFILE_LIST)) | awk -F'|' '{ printf "  make %-18s %s\n", $$1, $$2 }'
	@echo 'Variables (make TARGET VAR=value):'
	@sed -n 's/^\#: /  /p' $(firstword $(MAKEFILE_LIST))
