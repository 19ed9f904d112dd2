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
 *   e2e.cycles=N             bind/unbind cycles of case 5 (default 100)
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
static char dev[64];
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

/* the device that devattr(), drv() and map_dev() act on */
static void use_dev(const char *name)
{
	snprintf(dev, sizeof(dev), "%s", name);
	snprintf(devdir, sizeof(devdir), "/sys/bus/dax/devices/%s", dev);
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
 * The pfns behind @p + @offs[0..@n), a mapping of the device whose range is
 * at the region's start + @phys_off, must be the region's at that offset.
 * /proc/self/pagemap reports PTE and PMD leaves only (a PUD leaf reads as
 * not present), so 1 GiB mappings are checked by placed() instead.
 */
static void check_pfns(const uint8_t *p, const uint64_t *offs, uint64_t n, uint64_t phys_off)
{
	uint64_t i, bad = 0;
	int pm = open("/proc/self/pagemap", O_RDONLY);

	if (pm < 0) {
		fail("open /proc/self/pagemap: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		uint64_t want = (region_start + phys_off + offs[i]) / PAGE;
		uint64_t got = pagemap_pfn(pm, p + offs[i]);

		if (got != want && !bad++)
			fail("offset %#llx: pfn %#llx, want %#llx", (unsigned long long)offs[i],
			     (unsigned long long)got, (unsigned long long)want);
	}
	if (bad)
		fail("%llu of %llu pfns behind the mapping are not the region's",
		     (unsigned long long)bad, (unsigned long long)n);
	close(pm);
}

/* /dev/dax0.0 mapped whole (@size bytes, @align aligned), or NULL (failed) */
static uint8_t *map_dev(uint64_t size, uint64_t align)
{
	char path[80];
	uint8_t *p;
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", dev);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fail("open %s: %s", path, strerror(errno));
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fail("mmap %s, %llu bytes: %s", path, (unsigned long long)size, strerror(errno));
		return NULL;
	}
	if ((uintptr_t)p % align)
		fail("mapping at %p is not %llu aligned", p, (unsigned long long)align);
	return p;
}

/* the words written to the first and last word of compound page @i */
static uint64_t first_word(uint64_t seed, uint64_t i)
{
	return seed + i;
}

static uint64_t last_word(uint64_t seed, uint64_t i)
{
	return ~(seed + i);
}

/*
 * Map the whole device (one range of @size bytes at the region's start +
 * @phys_off, bound with @align), write @seed's words to the first and last
 * word of every compound page, read them back, and check the pfns behind
 * each compound page's first, middle and last base page where pagemap can
 * see them.
 */
static void map_and_check(uint64_t size, uint64_t align, uint64_t phys_off, uint64_t seed)
{
	uint64_t i, n = size / align, bad = 0;
	uint64_t *offs;
	uint8_t *p;

	p = map_dev(size, align);
	if (!p)
		return;
	for (i = 0; i < n; i++) {
		*(uint64_t *)(p + i * align) = first_word(seed, i);
		*((uint64_t *)(p + (i + 1) * align) - 1) = last_word(seed, i);
	}
	for (i = 0; i < n; i++)
		if (*(uint64_t *)(p + i * align) != first_word(seed, i) ||
		    *((uint64_t *)(p + (i + 1) * align) - 1) != last_word(seed, i))
			bad++;
	if (bad)
		fail("%llu of %llu compound pages read back wrong", (unsigned long long)bad,
		     (unsigned long long)n);
	offs = calloc(3 * n, sizeof(*offs));
	if (!offs)
		fail("out of memory");
	else if (align <= SZ_2M) {
		for (i = 0; i < n; i++) {
			offs[3 * i] = i * align;
			offs[3 * i + 1] = i * align + align / 2;
			offs[3 * i + 2] = (i + 1) * align - PAGE;
		}
		check_pfns(p, offs, 3 * n, phys_off);
	}
	free(offs);
	munmap(p, size);
}

/*
 * Read (@write 0) or write (@write 1) the words at region offsets
 * @offs[0..@n) through dax0.0 bound with align 2 MiB over the whole region,
 * its pfns there checked by pagemap: what a mapping that pagemap cannot
 * check wrote where, or what it must not overwrite.  dax0.0 is left unbound
 * and empty.
 */
static int region_words(const uint64_t *offs, uint64_t *vals, uint64_t n, int write)
{
	uint64_t i;
	uint8_t *p;
	int rc = -1;

	if (devattr_u("align", SZ_2M) || devattr_u("size", region_size) || drv("device_dax", "bind"))
		goto out;
	p = map_dev(region_size, SZ_2M);
	if (!p)
		goto out;
	for (i = 0; i < n; i++) {
		if (write)
			*(uint64_t *)(p + offs[i]) = vals[i];
		else
			vals[i] = *(uint64_t *)(p + offs[i]);
	}
	/* after the accesses: pagemap shows only what is faulted in */
	check_pfns(p, offs, n, 0);
	munmap(p, region_size);
	rc = 0;
out:
	if (bound_to("device_dax"))
		drv("device_dax", "unbind");
	devattr_u("size", 0);
	return rc;
}

/*
 * map_and_check() of @n compound pages of @align bytes at the region's
 * start + @phys_off wrote @seed's words: they must be there in the region.
 */
static void placed(uint64_t n, uint64_t align, uint64_t phys_off, uint64_t seed)
{
	uint64_t offs[8], vals[8], i, bad = 0;

	if (n > 4)
		n = 4;
	for (i = 0; i < n; i++) {
		offs[2 * i] = phys_off + i * align;
		offs[2 * i + 1] = phys_off + (i + 1) * align - 8;
	}
	if (region_words(offs, vals, 2 * n, 0))
		return;
	for (i = 0; i < n; i++)
		if (vals[2 * i] != first_word(seed, i) || vals[2 * i + 1] != last_word(seed, i))
			bad++;
	if (bad)
		fail("%llu of %llu compound pages are not at their place in the region",
		     (unsigned long long)bad, (unsigned long long)n);
}

static int any_failed;

static void result(int nr, const char *name)
{
	out("    %sok %d %s", failed_case ? "not " : "", nr, name);
	any_failed |= failed_case;
}

/*
 * Cases 2 and 3: align ALIGN, the whole region, device_dax: one compound page per
 * ALIGN bytes, per_page vmemmap pages each (at most one more: the zone's
 * shared tail page, allocated on first use and kept), mapped, touched and
 * at the region's pfns (1 GiB: the words written are where they belong in
 * the region, seen through a 2 MiB mapping); back to the count of before
 * (but that shared tail) once unbound and shrunk.
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
	map_and_check(region_size, align, 0, 0x5eed0000ULL + align);
	drv("device_dax", "unbind");
	devattr_u("size", 0);
	after = vmstat("nr_memmap_pages");
	if (after != before + (extra > 0 ? extra : 0))
		fail("nr_memmap_pages after unbind %lld, want %lld", after,
		     before + (extra > 0 ? extra : 0));
	if (align > SZ_2M)
		placed(n, align, 0, 0x5eed0000ULL + align);
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
 * Case 4: device-DAX (optimized, mapped), then the same range as System RAM
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
	map_and_check(region_size, SZ_2M, 0, 0x6b6d656dULL);
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
	map_and_check(region_size, SZ_2M, 0, 0x6b6d656dULL);
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
 * Case 6: a range 2 MiB past the region's (1 GiB aligned) start,
 * 1 GiB long, with align 1 GiB.  The dax bus must refuse it (the align or
 * the bind): its 1 GiB compound pages are not naturally aligned, and a
 * 1 GiB fault maps the naturally aligned 1 GiB around the faulting offset
 * (a PUD entry has no room for the low bits), 2 MiB of it outside the
 * device.  If it binds, a word written at the device's offset 0 must land
 * at region offset 2 MiB and not at 0; either way dax0.0 must bind again
 * with a range it can take (a failed probe must leave nothing behind).
 */
static void case_misaligned(int nr)
{
	uint64_t offs[2] = { 0, SZ_2M }, vals[2], seen[2];
	const uint64_t mark = 0x6d697361ULL;
	long long nr0;
	int rc, bound = 0;
	uint8_t *p;
	char r[64];

	failed_case = 0;
	if (region_start % SZ_1G || region_size < 2 * SZ_1G) {
		fail("needs a 1 GiB aligned region of 2 GiB or more");
		goto out;
	}
	vals[0] = mark + 1;
	vals[1] = mark + 2;
	if (region_words(offs, vals, 2, 1))
		goto out;
	nr0 = vmstat("nr_memmap_pages");
	if (devattr_u("align", SZ_2M))
		goto out;
	snprintf(r, sizeof(r), "%llx-%llx", (unsigned long long)(region_start + SZ_2M),
		 (unsigned long long)(region_start + SZ_2M + SZ_1G - 1));
	if (devattr("mapping", r))
		goto out;
	rc = write_str("/sys/bus/dax/devices/dax0.0/align", "1073741824");
	if (rc)
		diag("align 1 GiB refused for a range at +2 MiB: %s", strerror(-rc));
	else
		rc = write_str("/sys/bus/dax/drivers/device_dax/bind", dev);
	if (rc) {
		diag("range at +2 MiB with align 1 GiB refused: %s", strerror(-rc));
	} else {
		bound = 1;
		diag("range at +2 MiB with align 1 GiB bound, nr_memmap_pages +%lld",
		     vmstat("nr_memmap_pages") - nr0);
		p = map_dev(SZ_1G, SZ_1G);
		if (p) {
			*(uint64_t *)p = mark;
			munmap(p, SZ_1G);
		}
		drv("device_dax", "unbind");
	}
	devattr_u("size", 0);
	/* dax0.0 again, as align 2 MiB over the whole region */
	if (region_words(offs, seen, 2, 0)) {
		fail("dax0.0 cannot be bound any more after the range at +2 MiB");
		goto out;
	}
	if (seen[0] == mark)
		fail("the device at +2 MiB wrote its offset 0 to region offset 0, outside its range");
	else if (seen[0] != vals[0])
		fail("region offset 0 holds %#llx, want %#llx", (unsigned long long)seen[0],
		     (unsigned long long)vals[0]);
	if (seen[1] != (bound ? mark : vals[1]))
		fail("region offset 2 MiB holds %#llx, want %#llx", (unsigned long long)seen[1],
		     (unsigned long long)(bound ? mark : vals[1]));
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

/*
 * Case 7: a resize that fills the gap after another device's range.
 * dax0.0 takes the region's first 2 MiB, a second device dax0.1 with
 * align 1 GiB is then sized 1 GiB: the dax bus allocates it at the region's
 * start + 2 MiB, off its align.  device_dax must refuse to bind it (or,
 * bound, map its own range, not the 2 MiB of dax0.0 below it); refused,
 * dax0.1 must bind again once it has a range it can take.
 */
static void case_resize_gap(int nr)
{
	uint64_t offs[1] = { 0 }, vals[1] = { 0x72657331ULL }, seen[1];
	const uint64_t mark = 0x67617030ULL;
	char s[64], p[320], second[64] = "";
	int rc, bound = 0;
	uint8_t *m;

	failed_case = 0;
	if (region_words(offs, vals, 1, 1))
		goto out;
	if (devattr_u("align", SZ_2M) || devattr_u("size", SZ_2M))
		goto out;
	snprintf(p, sizeof(p), "%s/../dax_region/create", devdir);
	if (must(p, "1") || read_str(p, s, sizeof(s))) {
		fail("no second device from %s", p);
		goto out;
	}
	s[strcspn(s, "\n")] = 0;
	snprintf(second, sizeof(second), "%s", s);
	use_dev(second);
	if (devattr_u("align", SZ_1G) || devattr_u("size", SZ_1G))
		goto out;
	snprintf(p, sizeof(p), "%s/mapping0/start", devdir);
	if (!read_str(p, s, sizeof(s)))
		diag("%s sized 1 GiB with align 1 GiB: its range starts at %s", dev,
		     strtok(s, "\n") ? s : "?");
	rc = write_str("/sys/bus/dax/drivers/device_dax/bind", dev);
	if (rc) {
		diag("%s refused: %s", dev, strerror(-rc));
	} else {
		bound = 1;
		diag("%s bound", dev);
		m = map_dev(SZ_1G, SZ_1G);
		if (m) {
			*(uint64_t *)m = mark;
			munmap(m, SZ_1G);
		}
		drv("device_dax", "unbind");
	}
	/* the same device, with a range it can take */
	if (devattr_u("size", 0) || devattr_u("align", SZ_2M) || devattr_u("size", SZ_2M))
		goto out;
	if (write_str("/sys/bus/dax/drivers/device_dax/bind", dev))
		fail("%s cannot be bound any more after the %s bind", dev,
		     bound ? "misaligned" : "refused");
	else
		drv("device_dax", "unbind");
	devattr_u("size", 0);
	use_dev("dax0.0");
	devattr_u("size", 0);
	if (region_words(offs, seen, 1, 0))
		goto out;
	if (seen[0] == mark)
		fail("%s wrote its offset 0 to region offset 0, in dax0.0", second);
	else if (seen[0] != vals[0])
		fail("region offset 0 holds %#llx, want %#llx", (unsigned long long)seen[0],
		     (unsigned long long)vals[0]);
out:
	if (second[0]) {
		use_dev(second);
		if (bound_to("device_dax"))
			write_str("/sys/bus/dax/drivers/device_dax/unbind", dev);
		devattr_u("size", 0);
		use_dev("dax0.0");
		snprintf(p, sizeof(p), "%s/../dax_region/delete", devdir);
		must(p, second);
	}
	use_dev("dax0.0");
	if (bound_to("device_dax"))
		write_str("/sys/bus/dax/drivers/device_dax/unbind", dev);
	write_str("/sys/bus/dax/devices/dax0.0/size", "0");
	result(nr, "dax_resize_into_gap");
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
	use_dev("dax0.0");

	out("KTAP version 1");
	out("1..1");
	out("    KTAP version 1");
	out("    # Subtest: dax_e2e");
	out("    1..7");
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
		for (int i = 2; i <= 7; i++)
			out("    ok %d dax_e2e_case # SKIP no region", i);
	} else {
		case_map(2, SZ_2M, "dax_map_2m");
		case_map(3, SZ_1G, "dax_map_1g");
		case_kmem(4);
		case_cycles(5);
		case_misaligned(6);
		case_resize_gap(7);
	}
	out("%sok 1 dax_e2e", any_failed ? "not " : "");
	out("E2E done=1 ok=%d", ok && !any_failed);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
