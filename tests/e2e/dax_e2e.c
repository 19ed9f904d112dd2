// SPDX-License-Identifier: GPL-2.0
/*
 * dax_e2e.c: the static /init of 'make e2e' (scripts/e2e.sh).  It drives
 * device-DAX through the real drivers, as daxctl would: the dax_hmem region
 * of soft-reserved memory (memmap=SIZE%START+0xefffffff,
 * dax_hmem.region_idle=1, so that the region starts empty), its seed device
 * dax0.0 resized and aligned through sysfs, bound to device_dax and mapped
 * from /dev/dax0.0, or bound to kmem and onlined as System RAM.  It checks
 * what users see: nr_memmap_pages in /proc/vmstat, the pfns behind the
 * mapping in /proc/self/pagemap, MemTotal, and that every sysfs step
 * succeeds.  Results go to /dev/kmsg as KTAP (one printk record per line),
 * which kunit.py parse reads back from the console log.
 *
 * Kernel command line (set by scripts/e2e.sh):
 *   e2e.region=START,SIZE    the soft-reserved range (bytes)
 *   e2e.per_page=N           vmemmap pages per optimized compound page this
 *                            kernel should allocate (the series 1, 7.3 2)
 *   e2e.cycles=N             bind/unbind cycles of case 4 (default 100)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SZ_2M	(2ULL << 20)
#define SZ_1G	(1ULL << 30)
#define PAGE	4096ULL
/* struct page is 64 bytes in these kernels (x86-64, see e2e.config) */
#define STRUCT_PAGE	64ULL

static int kmsg = -1;
static uint64_t region_start, region_size;
static unsigned long per_page = 1, cycles = 100;
static const char *dev = "dax0.0";
static char devdir[256];
static int failed_case;

static void out(const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (kmsg < 0 || write(kmsg, buf, n) != n) {
		if (write(1, buf, n) != n)
			return;
	}
}

/* a diagnostic of the running case, failing it */
#define fail(...) do { out("    # " __VA_ARGS__); failed_case = 1; } while (0)
#define diag(...) out("    # " __VA_ARGS__)

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

static int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* sysfs write that must succeed */
static int must(const char *path, const char *s)
{
	int rc = write_str(path, s);

	if (rc)
		fail("echo %s > %s: %s", s, path, strerror(-rc));
	return rc;
}

static int devattr(const char *attr, const char *s)
{
	char p[320];

	snprintf(p, sizeof(p), "%s/%s", devdir, attr);
	return must(p, s);
}

static int devattr_u(const char *attr, unsigned long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", v);
	return devattr(attr, s);
}

/* the number after KEY and SEP on a line of FILE (/proc/vmstat, /proc/meminfo) */
static long long proc_value(const char *file, const char *key, char sep)
{
	char line[256];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == sep) {
			v = atoll(line + kl + 1);
			break;
		}
	fclose(f);
	return v;
}

static long long vmstat(const char *key)
{
	return proc_value("/proc/vmstat", key, ' ');
}

static long long meminfo_kb(const char *key)
{
	return proc_value("/proc/meminfo", key, ':');
}

static int drv(const char *driver, const char *op)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/bus/dax/drivers/%s/%s", driver, op);
	return must(p, dev);
}

static int bound_to(const char *driver)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "/sys/bus/dax/drivers/%s/%s", driver, dev);
	return lstat(p, &st) == 0;
}

/* the pfn behind a virtual address, from /proc/self/pagemap (root) */
static uint64_t pagemap_pfn(int pm, const void *addr)
{
	uint64_t e;
	off_t off = ((uintptr_t)addr / PAGE) * sizeof(e);

	if (pread(pm, &e, sizeof(e), off) != sizeof(e))
		return 0;
	if (!(e >> 63 & 1))
		return 0;
	return e & ((1ULL << 55) - 1);
}

/*
 * Map the whole device, write and read back every compound page (first and
 * last word), and check that the pfn behind each compound page's first,
 * middle and last base page is the one of the region at that offset (the
 * device is one range at the region's start + @phys_off).
 */
static void map_and_check(uint64_t size, uint64_t align, uint64_t phys_off)
{
	char path[64];
	int fd, pm;
	uint8_t *p;
	uint64_t i, n = size / align, bad = 0, badpfn = 0;

	snprintf(path, sizeof(path), "/dev/%s", dev);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fail("open %s: %s", path, strerror(errno));
		return;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail("mmap %s, %llu bytes: %s", path, (unsigned long long)size, strerror(errno));
		close(fd);
		return;
	}
	if ((uintptr_t)p % align)
		fail("mapping at %p is not %llu aligned", p, (unsigned long long)align);
	for (i = 0; i < n; i++) {
		uint64_t *a = (uint64_t *)(p + i * align);
		uint64_t *z = (uint64_t *)(p + (i + 1) * align) - 1;

		*a = 0x5eed0000ULL + i;
		*z = ~(0x5eed0000ULL + i);
	}
	for (i = 0; i < n; i++) {
		uint64_t *a = (uint64_t *)(p + i * align);
		uint64_t *z = (uint64_t *)(p + (i + 1) * align) - 1;

		if (*a != 0x5eed0000ULL + i || *z != ~(0x5eed0000ULL + i))
			bad++;
	}
	if (bad)
		fail("%llu of %llu compound pages read back wrong", (unsigned long long)bad,
		     (unsigned long long)n);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0) {
		fail("open /proc/self/pagemap: %s", strerror(errno));
	} else {
		for (i = 0; i < n; i++) {
			uint64_t offs[3] = { 0, align / 2, align - PAGE }, k;

			for (k = 0; k < 3; k++) {
				uint64_t want = (region_start + phys_off + i * align + offs[k]) / PAGE;
				uint64_t got = pagemap_pfn(pm, p + i * align + offs[k]);

				if (got != want) {
					if (!badpfn)
						fail("compound page %llu + %llu: pfn %#llx, want %#llx",
						     (unsigned long long)i, (unsigned long long)offs[k],
						     (unsigned long long)got, (unsigned long long)want);
					badpfn++;
				}
			}
		}
		if (badpfn)
			fail("%llu pfns behind the mapping are not the region's", (unsigned long long)badpfn);
		close(pm);
	}
	munmap(p, size);
	close(fd);
}

static int any_failed;

static void result(int nr, const char *name)
{
	out("    %sok %d %s", failed_case ? "not " : "", nr, name);
	any_failed |= failed_case;
}

/*
 * Case 1: align ALIGN, the whole region, device_dax: one compound page per
 * ALIGN bytes, per_page vmemmap pages each (at most one more: the zone's
 * shared tail page, allocated on first use and kept), mapped, touched and
 * at the region's pfns; back to the count of before (but that shared tail)
 * once unbound and shrunk.
 */
static void case_map(int nr, uint64_t align, const char *name)
{
	uint64_t n = region_size / align;
	long long before, bound, after, extra;

	failed_case = 0;
	before = vmstat("nr_memmap_pages");
	if (devattr_u("align", align) || devattr_u("size", region_size) || drv("device_dax", "bind"))
		goto out;
	bound = vmstat("nr_memmap_pages");
	extra = bound - before - (long long)(n * per_page);
	diag("align %llu: %llu compound pages, nr_memmap_pages +%lld (%llu KiB of vmemmap per GiB)",
	     (unsigned long long)align, (unsigned long long)n, bound - before,
	     (unsigned long long)((bound - before) * PAGE / 1024 / (region_size / SZ_1G)));
	if (extra < 0 || extra > 1)
		fail("nr_memmap_pages +%lld, want %llu x %lu (+1 for a new shared tail page)",
		     bound - before, (unsigned long long)n, per_page);
	map_and_check(region_size, align, 0);
	drv("device_dax", "unbind");
	devattr_u("size", 0);
	after = vmstat("nr_memmap_pages");
	if (after != before + (extra > 0 ? extra : 0))
		fail("nr_memmap_pages after unbind %lld, want %lld", after,
		     before + (extra > 0 ? extra : 0));
out:
	if (bound_to("device_dax"))
		write_str("/sys/bus/dax/drivers/device_dax/unbind", dev);
	write_str("/sys/bus/dax/devices/dax0.0/size", "0");
	result(nr, name);
}

/* online or offline every memory block of the region */
static int blocks(const char *state)
{
	char s[64], p[128];
	unsigned long long bs, a;
	int rc = 0;

	if (read_str("/sys/devices/system/memory/block_size_bytes", s, sizeof(s))) {
		fail("no /sys/devices/system/memory/block_size_bytes");
		return -1;
	}
	bs = strtoull(s, NULL, 16);
	for (a = region_start; a < region_start + region_size; a += bs) {
		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%llu/state", a / bs);
		rc |= must(p, state);
	}
	return rc;
}

/*
 * Case 2: device-DAX (optimized, mapped), then the same range as System RAM
 * through kmem (onlined movable, used by this program, offlined, removed),
 * then device-DAX again: the hot-added memmap is written through whatever
 * device-DAX left in the vmemmap, so a read-only shared tail left mapped
 * would oops here.  MemTotal and nr_memmap_pages come back.
 */
static void case_kmem(int nr)
{
	long long mem0, mem1, nr0, nr1, want;
	uint64_t len, i, in_region = 0;
	uint8_t *p;
	int pm;

	failed_case = 0;
	nr0 = vmstat("nr_memmap_pages");
	mem0 = meminfo_kb("MemTotal");
	if (devattr_u("align", SZ_2M) || devattr_u("size", region_size) || drv("device_dax", "bind"))
		goto out;
	map_and_check(region_size, SZ_2M, 0);
	if (drv("device_dax", "unbind") || drv("kmem", "new_id"))
		goto out;
	if (!bound_to("kmem") && drv("kmem", "bind"))
		goto out;
	if (blocks("online_movable"))
		goto out;
	mem1 = meminfo_kb("MemTotal");
	nr1 = vmstat("nr_memmap_pages");
	want = region_size / PAGE * STRUCT_PAGE / PAGE;
	diag("kmem: MemTotal +%lld KiB, nr_memmap_pages %+lld", mem1 - mem0, nr1 - nr0);
	if (mem1 - mem0 != (long long)(region_size / 1024))
		fail("MemTotal +%lld KiB, want +%llu", mem1 - mem0, (unsigned long long)(region_size / 1024));
	if (nr1 - nr0 != want)
		fail("nr_memmap_pages %+lld as System RAM, want +%lld (a plain memmap)", nr1 - nr0, want);
	/* use it: anonymous memory is movable and ZONE_MOVABLE comes first */
	len = 256ULL << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		fail("mmap %llu bytes of anonymous memory: %s", (unsigned long long)len, strerror(errno));
	} else {
		pm = open("/proc/self/pagemap", O_RDONLY);
		for (i = 0; i < len; i += PAGE) {
			uint64_t pfn;

			p[i] = (uint8_t)i;
			pfn = pm < 0 ? 0 : pagemap_pfn(pm, p + i);
			if (pfn * PAGE >= region_start && pfn * PAGE < region_start + region_size)
				in_region++;
		}
		if (pm >= 0)
			close(pm);
		diag("kmem: %llu of %llu touched pages in the region", (unsigned long long)in_region,
		     (unsigned long long)(len / PAGE));
		if (!in_region)
			fail("no page of the anonymous mapping came from the kmem range");
		munmap(p, len);
	}
	if (blocks("offline"))
		goto out;
	if (drv("kmem", "unbind"))
		goto out;
	write_str("/sys/bus/dax/drivers/kmem/remove_id", dev);
	if (meminfo_kb("MemTotal") != mem0)
		fail("MemTotal %lld KiB after kmem, want %lld", meminfo_kb("MemTotal"), mem0);
	/* device-DAX again on the same range */
	if (drv("device_dax", "bind"))
		goto out;
	map_and_check(region_size, SZ_2M, 0);
	drv("device_dax", "unbind");
	devattr_u("size", 0);
	nr1 = vmstat("nr_memmap_pages");
	if (nr1 < nr0 || nr1 > nr0 + 1)
		fail("nr_memmap_pages %+lld after the round trip, want +0 (+1: a new shared tail)", nr1 - nr0);
out:
	if (bound_to("device_dax"))
		write_str("/sys/bus/dax/drivers/device_dax/unbind", dev);
	write_str("/sys/bus/dax/drivers/kmem/remove_id", dev);
	write_str("/sys/bus/dax/devices/dax0.0/size", "0");
	result(nr, "dax_kmem_round_trip");
}

/*
 * Case 6, last (a failure here may leave dax0.0 unusable): a range 2 MiB
 * past the region's (1 GiB aligned) start, 1 GiB long, with align 1 GiB
 * (the mapping file takes it: the dax bus checks the length, not the
 * start).  Refused, or mapped with a memmap that is not
 * optimized (the compound pages are not naturally aligned), and then the
 * mapping must show the range's own pfns; refused, dax0.0 must still bind
 * a range it can take.
 */
static void case_misaligned(int nr)
{
	char r[64];
	long long nr0, nr1;
	int rc;

	failed_case = 0;
	if (region_start % SZ_1G || region_size < 2 * SZ_1G) {
		fail("needs a 1 GiB aligned region of 2 GiB or more");
		goto out;
	}
	nr0 = vmstat("nr_memmap_pages");
	if (devattr_u("align", SZ_2M))
		goto out;
	snprintf(r, sizeof(r), "%llx-%llx", (unsigned long long)(region_start + SZ_2M),
		 (unsigned long long)(region_start + SZ_2M + SZ_1G - 1));
	if (devattr("mapping", r))
		goto out;
	rc = write_str("/sys/bus/dax/devices/dax0.0/align", "1073741824");
	if (rc) {
		diag("align 1 GiB refused for a range at +2 MiB: %s", strerror(-rc));
		goto out;
	}
	rc = write_str("/sys/bus/dax/drivers/device_dax/bind", dev);
	if (rc) {
		diag("device_dax refused the range at +2 MiB with align 1 GiB: %s", strerror(-rc));
		/* refused, the device must still work with a range it can take */
		devattr_u("size", 0);
		if (devattr_u("align", SZ_2M) || devattr_u("size", region_size))
			goto out;
		if (write_str("/sys/bus/dax/drivers/device_dax/bind", dev))
			fail("dax0.0 cannot be bound any more after the refused bind");
		else
			map_and_check(region_size, SZ_2M, 0);
		goto out;
	}
	nr1 = vmstat("nr_memmap_pages");
	diag("range at +2 MiB, align 1 GiB: bound, nr_memmap_pages +%lld", nr1 - nr0);
	if (nr1 - nr0 != (long long)(SZ_1G / PAGE * STRUCT_PAGE / PAGE))
		fail("nr_memmap_pages +%lld, want +%llu (a plain memmap)", nr1 - nr0,
		     (unsigned long long)(SZ_1G / PAGE * STRUCT_PAGE / PAGE));
	map_and_check(SZ_1G, SZ_1G, SZ_2M);
out:
	if (bound_to("device_dax"))
		write_str("/sys/bus/dax/drivers/device_dax/unbind", dev);
	write_str("/sys/bus/dax/devices/dax0.0/size", "0");
	result(nr, "dax_misaligned_range");
}

/* Case 5: bind/unbind cycles conserve nr_memmap_pages and MemFree */
static void case_cycles(int nr)
{
	long long nr0, free0, nr1, free1;
	unsigned long c;

	failed_case = 0;
	if (devattr_u("align", SZ_2M) || devattr_u("size", region_size))
		goto out;
	/* one cycle first: a shared tail page allocated on first use stays */
	if (drv("device_dax", "bind") || drv("device_dax", "unbind"))
		goto out;
	nr0 = vmstat("nr_memmap_pages");
	free0 = meminfo_kb("MemFree");
	for (c = 0; c < cycles && !failed_case; c++)
		if (drv("device_dax", "bind") || drv("device_dax", "unbind"))
			break;
	nr1 = vmstat("nr_memmap_pages");
	free1 = meminfo_kb("MemFree");
	diag("%lu cycles: nr_memmap_pages %+lld, MemFree %+lld KiB", c, nr1 - nr0, free1 - free0);
	if (nr1 != nr0)
		fail("nr_memmap_pages %+lld after %lu cycles", nr1 - nr0, c);
	/* page tables and slab may move a little; a leaked memmap would not */
	if (free0 - free1 > 4096)
		fail("MemFree %+lld KiB after %lu cycles", free1 - free0, c);
out:
	if (bound_to("device_dax"))
		write_str("/sys/bus/dax/drivers/device_dax/unbind", dev);
	write_str("/sys/bus/dax/devices/dax0.0/size", "0");
	result(nr, "dax_bind_cycles");
}

static void parse_cmdline(void)
{
	char buf[2048], *tok, *save;

	if (read_str("/proc/cmdline", buf, sizeof(buf)))
		return;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(tok, "e2e.region=", 11)) {
			char *c;

			region_start = strtoull(tok + 11, &c, 0);
			if (*c == ',')
				region_size = strtoull(c + 1, NULL, 0);
		} else if (!strncmp(tok, "e2e.per_page=", 13)) {
			per_page = strtoul(tok + 13, NULL, 0);
		} else if (!strncmp(tok, "e2e.cycles=", 11)) {
			cycles = strtoul(tok + 11, NULL, 0);
		}
	}
}

int main(void)
{
	char s[64];
	int ok = 1;

	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	kmsg = open("/dev/kmsg", O_WRONLY);
	parse_cmdline();
	snprintf(devdir, sizeof(devdir), "/sys/bus/dax/devices/%s", dev);

	out("KTAP version 1");
	out("1..1");
	out("    KTAP version 1");
	out("    # Subtest: dax_e2e");
	out("    1..6");
	diag("region %#llx + %llu MiB, %lu vmemmap page(s) per optimized compound page expected",
	     (unsigned long long)region_start, (unsigned long long)(region_size >> 20), per_page);
	failed_case = 0;
	if (!region_size || region_start % SZ_2M || region_size % SZ_1G)
		fail("e2e.region=START,SIZE missing or not 2 MiB / 1 GiB aligned");
	else if (read_str("/sys/bus/dax/devices/dax0.0/size", s, sizeof(s)))
		fail("no dax0.0 (dax_hmem found no soft-reserved range?)");
	else if (strtoull(s, NULL, 0) != 0)
		fail("dax0.0 has size %s, want 0 (dax_hmem.region_idle=1)", s);
	result(1, "dax_region_found");
	if (failed_case) {
		ok = 0;
		for (int i = 2; i <= 6; i++)
			out("    ok %d dax_e2e_case # SKIP no region", i);
	} else {
		case_map(2, SZ_2M, "dax_map_2m");
		case_map(3, SZ_1G, "dax_map_1g");
		case_kmem(4);
		case_cycles(5);
		case_misaligned(6);
	}
	out("%sok 1 dax_e2e", any_failed ? "not " : "");
	out("E2E done=1 ok=%d", ok && !any_failed);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
