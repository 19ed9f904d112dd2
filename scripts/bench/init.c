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
#include <time.h>
#include <unistd.h>

#define HP2M "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define HP1G "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
#define HVO_SYSCTL "/proc/sys/vm/hugetlb_optimize_vmemmap"

static void say(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

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
	/* one write per line: kernel messages do not split it */
	if (write(1, buf, n) != n)
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

/* bench.nr2m=N of /proc/cmdline, else def. */
static long cmdline_nr2m(long def)
{
	char buf[4096], *p;

	if (slurp("/proc/cmdline", buf, sizeof(buf)))
		return def;
	for (p = buf; (p = strstr(p, "bench.nr2m=")); p++) {
		if (p == buf || p[-1] == ' ')
			return strtol(p + strlen("bench.nr2m="), NULL, 10);
	}
	return def;
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

	t0 = now_ns(CLOCK_MONOTONIC);
	write_long(HP2M, m);
	t1 = now_ns(CLOCK_MONOTONIC);
	got = read_long(HP2M);
	say(KEY("nr2m_got"), "%ld", got);
	say(KEY("grow_ns"), "%lld", t1 - t0);
	say(KEY("grow_ns_per_folio"), "%lld", got > 0 ? (t1 - t0) / got : -1);
	say(KEY("memmap_pages_after_grow"), "%lld",
	    proc_field("/proc/vmstat", "nr_memmap_pages"));

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
	say("done", "1");

	reboot(RB_POWER_OFF);
	/* no power-off method: reboot (QEMU -no-reboot exits) */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
