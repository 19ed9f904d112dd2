# kunit.py --qemu_config for the vmemmap suites on arm64 (QEMU virt,
# Cortex-A57, TCG): 4K pages, 128 MiB sections, 4 GiB in two NUMA nodes.
# No HVO on arm64: no hugepages.
# dax_vmemmap_kunit.in_vm=1: this is a virtual machine, where the device-DAX
# suite may map a free physical range (its cases skip without it).
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='arm64',
			   kconfig='''
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y''',
			   qemu_arch='aarch64',
			   kernel_path='arch/arm64/boot/Image.gz',
			   kernel_command_line='console=ttyAMA0 dax_vmemmap_kunit.in_vm=1',
			   extra_qemu_params=['-machine', 'virt', '-cpu', 'cortex-a57',
					      '-m', '4G', '-smp', '2',
					      '-object', 'memory-backend-ram,id=m0,size=2G',
					      '-object', 'memory-backend-ram,id=m1,size=2G',
					      '-numa', 'node,nodeid=0,cpus=0,memdev=m0',
					      '-numa', 'node,nodeid=1,cpus=1,memdev=m1'])
