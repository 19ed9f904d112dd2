# kunit.py --qemu_config for the vmemmap suites on x86_64.
#
# -cpu max gives the guest 1 GiB pages (pdpe1gb).  Two 1 GiB and sixteen
# 2 MiB HugeTLB pages are allocated at boot, and hvo_bootmem_test is told to
# expect the two 1 GiB ones (hugetlb_vmemmap_kunit.boot_pages=2); 12 GiB of
# memory, in two NUMA nodes of 6 GiB (sparse_init suite), leave room to
# allocate two more 1 GiB folios at runtime.  One CPU per node and per
# socket: two CPUs of one socket share a last-level cache, and the kernel
# warns when LLC siblings are on different nodes (a splat fails the run).
# kunit.py passes its own "-m 1024" first: QEMU takes the last -m.
# dax_vmemmap_kunit.in_vm=1: this is a virtual machine, where the device-DAX
# suite may map a free physical range (its cases skip without it).
# memmap=256M!4G: 256 MiB of RAM at 4 GiB (the first above the PCI hole) as
# legacy pmem, which no driver claims here: dax_vmemmap_altmap_map_test
# maps it with its memmap on itself (an altmap).
# A cold-plugged 1 GiB DIMM on node 1, which ACPI hot-adds at boot with its
# memmap on itself (memory_hotplug.memmap_on_memory=1) and leaves offline
# (memhp_default_state=offline): a present section that is neither early
# nor online, whose struct pages are poisoned, for the suites that walk
# every present section.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 hugetlb_free_vmemmap=on hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=16 hugetlb_vmemmap_kunit.boot_pages=2 dax_vmemmap_kunit.in_vm=1 memmap=256M!4G memhp_default_state=offline memory_hotplug.memmap_on_memory=1',
			   extra_qemu_params=['-cpu', 'max', '-m', '12G,slots=1,maxmem=13G',
					      '-smp', '2,sockets=2',
					      '-object', 'memory-backend-ram,id=m0,size=6G',
					      '-object', 'memory-backend-ram,id=m1,size=6G',
					      '-numa', 'node,nodeid=0,cpus=0,memdev=m0',
					      '-numa', 'node,nodeid=1,cpus=1,memdev=m1',
					      '-object', 'memory-backend-ram,id=d0,size=1G',
					      '-device', 'pc-dimm,id=dimm0,memdev=d0,node=1',
					      '-bios', 'qboot.rom'])
