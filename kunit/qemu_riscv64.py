# kunit.py --qemu_config for the vmemmap suites on riscv64 (QEMU virt, TCG).
#
# Sv48 gives 1 GiB PUD pages; two of them and sixteen 2 MiB pages are
# allocated at boot (hvo_bootmem_test expects the two 1 GiB ones), in 12 GiB
# split in two NUMA nodes of 6 GiB, which leaves room for two runtime 1 GiB
# folios on the second node (hvo_shared_tail_test: with 4 GiB nodes it
# found only one).  OpenSBI comes with QEMU (qemu-system-misc).
# dax_vmemmap_kunit.in_vm=1: this is a virtual machine, where the device-DAX
# suite may map a free physical range (its cases skip without it).
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='riscv',
			   kconfig='''
CONFIG_ARCH_VIRT=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SERIAL_OF_PLATFORM=y
CONFIG_RISCV_SBI_V01=y
CONFIG_SERIAL_EARLYCON_RISCV_SBI=y''',
			   qemu_arch='riscv64',
			   kernel_path='arch/riscv/boot/Image',
			   kernel_command_line='console=ttyS0 hugetlb_free_vmemmap=on hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=16 hugetlb_vmemmap_kunit.boot_pages=2 dax_vmemmap_kunit.in_vm=1',
			   extra_qemu_params=['-machine', 'virt', '-cpu', 'rv64',
					      '-bios', 'default', '-m', '12G', '-smp', '2',
					      '-object', 'memory-backend-ram,id=m0,size=6G',
					      '-object', 'memory-backend-ram,id=m1,size=6G',
					      '-numa', 'node,nodeid=0,cpus=0,memdev=m0',
					      '-numa', 'node,nodeid=1,cpus=1,memdev=m1'])
