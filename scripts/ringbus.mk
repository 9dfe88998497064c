# SPDX-License-Identifier: GPL-2.0-only
#
# ringbus.mk - for an out-of-tree module that uses the in-kernel API of
# ringbus.ko.  The ringbus-dkms package keeps this file, the API headers and
# the core's Module.symvers for every kernel DKMS built the suite for, in
# /var/lib/dkms/ringbus/<version>/<kernel>/<arch>/.  In the module's Kbuild:
#
#   include /var/lib/dkms/ringbus/<version>/$(KERNELRELEASE)/x86_64/ringbus.mk
#   obj-m := mymodule.o
#
# and in the module: #include <linux/ringbus.h>, RINGBUS_IMPORT_NS().  The
# kernel feature probes' results for that kernel (include/ringbus_config.h)
# come with the headers.
ringbus_dir := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
ccflags-y += -I$(ringbus_dir)/include
KBUILD_EXTRA_SYMBOLS += $(ringbus_dir)/Module.symvers
