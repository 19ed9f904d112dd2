// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the initramfs of scripts/bench-hvo.sh: a static PID 1 that
 * prints its measurements on the console as "BENCH key=value" lines (one
 * per line) and powers the machine off.  Build:
 *   gcc -static -O2 -Wall -Wextra -o init init.c
 *
 * Keys, in order:
 *   uptime               /proc/uptime (seconds) when init starts
 *   boottime_ns          CLOCK_BOOTTIME when init starts
 *   nr_memmap_boot_pages, nr_memmap_pages   /proc/vmstat
 *   memtotal_kb          MemTotal of /proc/meminfo
 *   hugepages_1g         nr_hugepages of the 1 GiB hstate (boot pages)
 *   then for HVO on (1) and off (0), with M = bench.nr2m= of the kernel
 *   command line (default 512) 2 MiB folios:
 *   hvoX_set             1 if writing X to vm.hugetlb_optimize_vmemmap worked
 *   hvoX_nr2m_req, hvoX_nr2m_got   folios asked for / obtained
 *   hvoX_grow_ns, hvoX_grow_ns_per_folio      writing M to nr_hugepages
 *   hvoX_memmap_pages_after_grow              nr_memmap_pages then
 *   hvoX_shrink_ns, hvoX_shrink_ns_per_folio  writing 0 back
 *   hvoX_nr2m_left       folios left after that (0)
 *   then, if the kernel command line has bench.dax=START,SIZE and the
 *   initramfs holds /bench_dax_memmap.ko (bench/dax-memmap/), for S = 0, 9
 *   and 18 (base pages, 2 MiB and 1 GiB compound pages on x86-64): the
 *   module is loaded with start=START size=SIZE shift=S and removed again,
 *   and around that
 *   daxS_loaded          1 if the module loaded, daxS_load_ns its time
 *   daxS_memmap_before, daxS_memmap_loaded, daxS_memmap_after
 *                        nr_memmap_pages before, while and after
 *   daxS_memfree_before_kb, daxS_memfree_loaded_kb, daxS_memfree_after_kb
 *                        MemFree at the same three points
 *   done=1               last line before the power-off
 * A failed read prints "BENCH error=..." and the value -1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HP2M "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define HP1G "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
#define HVO_SYSCTL "/proc/sys/vm/hugetlb_optimize_vmemmap"

static void say(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Where the BENCH lines go: /dev/kmsg, so that each is one printk record
 * and reaches the console whole (kernel messages, a module's for instance,
 * split lines written to the console directly); stdout until it is open.
 * The kernel command line needs printk.devkmsg=on, or the kernel drops
 * most of them (ratelimit).
 */
static int out_fd = 1;

static void say(const char *key, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "BENCH %s=", key);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* one write per line: one record */
	if (write(out_fd, buf, n) != n)
		errno = EIO; /* nowhere else to report it */
}

static void error(const char *what, const char *path)
{
	say("error", "%s %s: %s", what, path, strerror(errno));
}

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Read a whole (small) file into buf, NUL-terminated; -1 on error. */
static int slurp(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error("open", path);
		return -1;
	}
	while (len < size - 1 && (r = read(fd, buf + len, size - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = '\0';
	return 0;
}

static int write_str(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		error("open", path);
		return -1;
	}
	if (write(fd, val, len) != (ssize_t)len) {
		error("write", path);
		ret = -1;
	}
	close(fd);
	return ret;
}

static int write_long(const char *path, long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld\n", v);
	return write_str(path, s);
}

static long read_long(const char *path)
{
	char buf[64];

	if (slurp(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* Value of "KEY<sep>value" at the start of a line of a /proc file. */
static long long proc_field(const char *path, const char *key)
{
	static char buf[16384];
	size_t klen = strlen(key);
	char *p;

	if (slurp(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; *p; p++) {
		if (!strncmp(p, key, klen) && (p[klen] == ' ' || p[klen] == ':'))
			return strtoll(p + klen + 1, NULL, 10);
		p = strchr(p, '\n');
		if (!p)
			break;
	}
	errno = ENOENT;
	error("no field", key);
	return -1;
}

/* Value of "name=" on /proc/cmdline (up to the next blank), or NULL. */
static const char *cmdline_param(const char *name)
{
	static char buf[4096];
	static char val[256];
	size_t nlen = strlen(name);
	char *p;

	if (slurp("/proc/cmdline", buf, sizeof(buf)))
		return NULL;
	for (p = buf; (p = strstr(p, name)); p++) {
		if ((p == buf || p[-1] == ' ') && p[nlen] == '=') {
			p += nlen + 1;
			snprintf(val, sizeof(val), "%.*s", (int)strcspn(p, " \n"), p);
			return val;
		}
	}
	return NULL;
}

/* bench.nr2m=N of /proc/cmdline, else def. */
static long cmdline_nr2m(long def)
{
	const char *v = cmdline_param("bench.nr2m");

	return v ? strtol(v, NULL, 10) : def;
}

#define DAX_KO "/bench_dax_memmap.ko"
#define DAX_MOD "bench_dax_memmap"

static void dax_point(int shift, const char *when)
{
	char k[64];

	snprintf(k, sizeof(k), "dax%d_memmap_%s", shift, when);
	say(k, "%lld", proc_field("/proc/vmstat", "nr_memmap_pages"));
	snprintf(k, sizeof(k), "dax%d_memfree_%s_kb", shift, when);
	say(k, "%lld", proc_field("/proc/meminfo", "MemFree"));
}

/*
 * Map START..START+SIZE as device memory with order-@shift compound pages
 * (the module of bench/dax-memmap/), read the counters, unmap it.
 */
static void dax_test(int shift, unsigned long long start,
		     unsigned long long size)
{
	char params[128], k[64];
	long long t0, t1;
	int fd, ok;

	snprintf(params, sizeof(params), "start=%llu size=%llu shift=%d",
		 start, size, shift);
	dax_point(shift, "before");
	fd = open(DAX_KO, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error("open", DAX_KO);
		return;
	}
	t0 = now_ns(CLOCK_MONOTONIC);
	ok = !syscall(SYS_finit_module, fd, params, 0);
	t1 = now_ns(CLOCK_MONOTONIC);
	if (!ok)
		error("finit_module", params);
	close(fd);
	snprintf(k, sizeof(k), "dax%d_loaded", shift);
	say(k, "%d", ok);
	if (!ok)
		return;
	snprintf(k, sizeof(k), "dax%d_load_ns", shift);
	say(k, "%lld", t1 - t0);
	dax_point(shift, "loaded");
	if (syscall(SYS_delete_module, DAX_MOD, O_NONBLOCK))
		error("delete_module", DAX_MOD);
	dax_point(shift, "after");
}

static void dax_tests(void)
{
	static const int shifts[] = { 0, 9, 18 };
	unsigned long long start, size;
	const char *v = cmdline_param("bench.dax");
	unsigned int i;
	char *end;

	if (!v || access(DAX_KO, R_OK))
		return;
	start = strtoull(v, &end, 0);
	if (*end != ',') {
		errno = EINVAL;
		error("parse bench.dax=", v);
		return;
	}
	size = strtoull(end + 1, NULL, 0);
	for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++)
		dax_test(shifts[i], start, size);
}

static void runtime_test(int opt, long m)
{
	char k[64];
	long long t0, t1, t2, t3;
	long got;
	int ok;

	ok = !write_long(HVO_SYSCTL, opt);
#define KEY(s) (snprintf(k, sizeof(k), "hvo%d_%s", opt, s), k)
	say(KEY("set"), "%d", ok);
	say(KEY("nr2m_req"), "%ld", m);

	/* HVO moves pages between the two counters: report both */
	say(KEY("memmap_pages_before_grow"), "%lld",
	    proc_field("/proc/vmstat", "nr_memmap_pages"));
	say(KEY("memmap_boot_pages_before_grow"), "%lld",
	    proc_field("/proc/vmstat", "nr_memmap_boot_pages"));
	t0 = now_ns(CLOCK_MONOTONIC);
	write_long(HP2M, m);
	t1 = now_ns(CLOCK_MONOTONIC);
	got = read_long(HP2M);
	say(KEY("nr2m_got"), "%ld", got);
	say(KEY("grow_ns"), "%lld", t1 - t0);
	say(KEY("grow_ns_per_folio"), "%lld", got > 0 ? (t1 - t0) / got : -1);
	say(KEY("memmap_pages_after_grow"), "%lld",
	    proc_field("/proc/vmstat", "nr_memmap_pages"));
	say(KEY("memmap_boot_pages_after_grow"), "%lld",
	    proc_field("/proc/vmstat", "nr_memmap_boot_pages"));

	t2 = now_ns(CLOCK_MONOTONIC);
	write_long(HP2M, 0);
	t3 = now_ns(CLOCK_MONOTONIC);
	say(KEY("nr2m_left"), "%ld", read_long(HP2M));
	say(KEY("shrink_ns"), "%lld", t3 - t2);
	say(KEY("shrink_ns_per_folio"), "%lld", got > 0 ? (t3 - t2) / got : -1);
#undef KEY
}

int main(void)
{
	long long boot_ns = now_ns(CLOCK_BOOTTIME);
	char up[128];
	long m;

	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	if (mount("proc", "/proc", "proc", 0, NULL) && errno != EBUSY)
		error("mount", "/proc");
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) && errno != EBUSY)
		error("mount", "/sys");
	mkdir("/dev", 0755);
	if (mknod("/dev/kmsg", S_IFCHR | 0600, makedev(1, 11)) && errno != EEXIST)
		error("mknod", "/dev/kmsg");
	out_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (out_fd < 0) {
		out_fd = 1;
		error("open", "/dev/kmsg");
	}

	if (!slurp("/proc/uptime", up, sizeof(up)))
		up[strcspn(up, " \n")] = '\0';
	else
		strcpy(up, "-1");
	say("uptime", "%s", up);
	say("boottime_ns", "%lld", boot_ns);
	say("nr_memmap_boot_pages", "%lld",
	    proc_field("/proc/vmstat", "nr_memmap_boot_pages"));
	say("nr_memmap_pages", "%lld",
	    proc_field("/proc/vmstat", "nr_memmap_pages"));
	say("memtotal_kb", "%lld", proc_field("/proc/meminfo", "MemTotal"));
	say("hugepages_1g", "%ld", read_long(HP1G));

	m = cmdline_nr2m(512);
	runtime_test(1, m);
	runtime_test(0, m);
	dax_tests();
	say("done", "1");

	reboot(RB_POWER_OFF);
	/* no power-off method: reboot (QEMU -no-reboot exits) */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
