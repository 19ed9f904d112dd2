# kunit.py --qemu_config for the vmemmap suites on ppc64le (QEMU pseries,
# POWER9, TCG): 64K pages, 16 MiB sections, 4 GiB in two NUMA nodes.  The
# radix MMU has 2 MiB PMD and 1 GiB PUD pages; the hash MMU run of
# kunit/arches.conf boots the same kernel with disable_radix (16 MiB PMD and
# 16 GiB PUD pages).  No HVO on powerpc: no hugepages.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='powerpc',
			   kconfig='''
CONFIG_PPC64=y
CONFIG_CPU_LITTLE_ENDIAN=y
CONFIG_HVC_CONSOLE=y''',
			   qemu_arch='ppc64',
			   kernel_path='vmlinux',
			   kernel_command_line='console=hvc0',
			   extra_qemu_params=['-M', 'pseries', '-cpu', 'power9',
					      '-m', '4G', '-smp', '2',
					      '-object', 'memory-backend-ram,id=m0,size=2G',
					      '-object', 'memory-backend-ram,id=m1,size=2G',
					      '-numa', 'node,nodeid=0,cpus=0,memdev=m0',
					      '-numa', 'node,nodeid=1,cpus=1,memdev=m1'])
