# kunit.py --qemu_config for the vmemmap suites on ppc64le (QEMU pseries,
# POWER9, TCG): 16 MiB sections, 4 GiB in two NUMA nodes of 1 and 3 GiB,
# so that with 64K pages the node boundary falls inside the 2 GiB of memory
# whose memmap one radix vmemmap PMD maps (the memmap pages of node 1's
# first GiB are on node 0, which sparse_init_memmap_test must allow).  The
# radix MMU has 2 MiB PMD and 1 GiB PUD pages with either page size; the
# hash MMU run of kunit/arches.conf boots the 64K kernel with disable_radix
# (16 MiB PMD and 16 GiB PUD pages).  No HVO on powerpc: no hugepages.
# The pseries hypervisor refuses hash MMU entries for addresses that are not
# guest memory: a memory hotplug window up to 64 GiB (maxmem=, nothing
# plugged, so nothing allocated) holds the device-DAX suite's ranges, which
# dax_vmemmap_kunit.phys_limit= keeps below it with either MMU.
# dax_vmemmap_kunit.in_vm=1: this is a virtual machine, where the device-DAX
# suite may map a free physical range (its cases skip without it).
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='powerpc',
			   kconfig='''
CONFIG_PPC64=y
CONFIG_CPU_LITTLE_ENDIAN=y
CONFIG_HVC_CONSOLE=y''',
			   qemu_arch='ppc64',
			   kernel_path='vmlinux',
			   kernel_command_line='console=hvc0 dax_vmemmap_kunit.phys_limit=0x1000000000 dax_vmemmap_kunit.in_vm=1',
			   extra_qemu_params=['-M', 'pseries', '-cpu', 'power9',
					      '-m', '4G,slots=1,maxmem=64G', '-smp', '2',
					      '-object', 'memory-backend-ram,id=m0,size=1G',
					      '-object', 'memory-backend-ram,id=m1,size=3G',
					      '-numa', 'node,nodeid=0,cpus=0,memdev=m0',
					      '-numa', 'node,nodeid=1,cpus=1,memdev=m1'])
