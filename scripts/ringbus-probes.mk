# SPDX-License-Identifier: GPL-2.0-only
#
# ringbus-probes.mk - kernel feature probes, included by the suite's Kbuild
# and, through ringbus.mk, by third-party modules using ringbus.ko.  Each
# looks at the target kernel's own headers (the kernel version number lies
# on distribution kernels with backports) and turns into a -D flag that
# include/linux/ringbus_compat.h reads.  A plain DKMS "make" gets them with
# no configure step.
# $(call rb_have,FIXED-STRING,HEADER,RESULT): RESULT if HEADER contains it.
rb_have = $(shell grep -Fqs -- '$(1)' $(srctree)/$(2) && echo '$(3)')

# Symbol namespaces became string literals in two steps upstream (6.13:
# "module: Convert default symbol namespace to string literal", then
# "module: Convert symbol namespace to string literal"), and Debian's 6.12
# series carries only the first: each is probed on its own.
rb_probe_defns := __stringify(DEFAULT_SYMBOL_NAMESPACE)
rb_defns_is_string := $(if $(call rb_have,$(rb_probe_defns),include/linux/export.h,y),,y)
# MODULE_IMPORT_NS() takes a string literal.
rb_probe_ns := MODULE_INFO(import_ns, ns)
ccflags-y += $(call rb_have,$(rb_probe_ns),include/linux/module.h,-DRINGBUS_NS_STRING)
# 6.4: class_create() takes no module owner.
rb_probe_class := class_create(const char *name)
ccflags-y += $(call rb_have,$(rb_probe_class),include/linux/device/class.h,-DRINGBUS_CLASS_CREATE_NO_OWNER)
# 6.2: class devnode() takes a const struct device.
rb_probe_devnode := (*devnode)(const struct device
ccflags-y += $(call rb_have,$(rb_probe_devnode),include/linux/device/class.h,-DRINGBUS_DEVNODE_IS_CONST)
# 6.2: del_timer_sync() became timer_delete_sync() (the old name went in 6.15).
rb_probe_timer := timer_delete_sync(struct timer_list
ccflags-y += $(call rb_have,$(rb_probe_timer),include/linux/timer.h,-DRINGBUS_HAVE_TIMER_DELETE_SYNC)
