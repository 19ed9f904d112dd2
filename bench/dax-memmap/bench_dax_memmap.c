// SPDX-License-Identifier: GPL-2.0
/*
 * bench_dax_memmap: map a range of physical memory as device memory with
 * compound pages of a given order, the way device-DAX does, and keep it
 * mapped until the module is removed.
 *
 * It is the measuring code of 'make bench' for the device-DAX rows: the
 * same source is built out of tree against Linux 7.3 and against 7.3 +
 * the series, and the benchmark's /init reads nr_memmap_pages and MemFree
 * before loading it, after loading it and after removing it.  The module
 * itself measures nothing; the kernel's own counters do.
 *
 * Parameters (all required):
 *   start  physical address, aligned to the compound page size
 *   size   bytes, a multiple of the compound page size and of the memory
 *          section size
 *   shift  order of the compound pages (pgmap->vmemmap_shift), 0 for
 *          base pages
 *
 * The range must not be System RAM or anything else's: the benchmark puts
 * it above the end of the guest's RAM, where nothing is behind it.  Only
 * its struct pages are written; nothing reads or writes the memory itself.
 */
#include <linux/err.h>
#include <linux/memremap.h>
#include <linux/module.h>
#include <linux/numa.h>

static unsigned long long start;
module_param(start, ullong, 0444);
MODULE_PARM_DESC(start, "physical start address of the range");

static unsigned long long size;
module_param(size, ullong, 0444);
MODULE_PARM_DESC(size, "size of the range in bytes");

static unsigned int shift;
module_param(shift, uint, 0444);
MODULE_PARM_DESC(shift, "compound page order (pgmap->vmemmap_shift)");

static struct dev_pagemap bench_pgmap;

static int __init bench_dax_memmap_init(void)
{
	unsigned long long align = PAGE_SIZE << shift;
	void *addr;

	if (!size || shift > MAX_FOLIO_ORDER || !IS_ALIGNED(start, align) ||
	    !IS_ALIGNED(size, align) || !IS_ALIGNED(start | size, PAGE_SIZE))
		return -EINVAL;

	bench_pgmap.type = MEMORY_DEVICE_GENERIC;
	bench_pgmap.range.start = start;
	bench_pgmap.range.end = start + size - 1;
	bench_pgmap.nr_range = 1;
	bench_pgmap.vmemmap_shift = shift;

	addr = memremap_pages(&bench_pgmap, first_online_node);
	if (IS_ERR(addr))
		return PTR_ERR(addr);

	pr_info("bench_dax_memmap: [%#llx-%#llx] mapped with order-%u compound pages\n",
		start, start + size - 1, shift);
	return 0;
}
module_init(bench_dax_memmap_init);

static void __exit bench_dax_memmap_exit(void)
{
	memunmap_pages(&bench_pgmap);
}
module_exit(bench_dax_memmap_exit);

MODULE_DESCRIPTION("Map device memory with compound pages for the vmemmap benchmark");
MODULE_LICENSE("GPL");
