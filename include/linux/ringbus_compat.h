/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringbus - the one place where kernel-version differences live.
 *
 * Each entry names the kernel version and the upstream change it follows.
 * The RINGBUS_* switches come from ringbus_config.h, which the feature
 * probes (scripts/ringbus-probe.sh, run by ../../Kbuild) generate by
 * compiling against the target kernel's headers; nothing in the suite
 * compares LINUX_VERSION_CODE.
 *
 * One switch cannot live here: DEFAULT_SYMBOL_NAMESPACE must be defined
 * before the first header that pulls in <linux/export.h> (5.10 to 6.12
 * test it there), so core/ringbus_core.c defines it above its includes,
 * from the same probes (RINGBUS_DEFAULT_NS_IDENT: a string literal since
 * 6.13, "module: Convert default symbol namespace to string literal", and
 * in Debian's 6.12).
 *
 * Changes the suite avoids by design, so they need no entry:
 *  - no_llseek was removed in 6.12 ("fs: remove no_llseek"): the channel
 *    nodes have a real llseek, and the control node is opened with
 *    nonseekable_open() and has no llseek (ESPIPE from the VFS);
 *  - strlcpy() was removed in 6.8 ("string: Remove strlcpy()"): the suite
 *    uses strscpy(), there since 4.3;
 *  - compat_ptr_ioctl() (5.5) and sysfs_emit() (5.10) exist on every
 *    supported kernel.
 */
#ifndef _LINUX_RINGBUS_COMPAT_H
#define _LINUX_RINGBUS_COMPAT_H

#include <ringbus_config.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/timer.h>

/*
 * MODULE_IMPORT_NS() takes a string literal since 6.13 ("module: Convert
 * symbol namespace to string literal"); before, an identifier.  The core's
 * exports are in the RINGBUS namespace; a module using them states
 * RINGBUS_IMPORT_NS().
 */
#ifdef RINGBUS_NS_IDENT
#define RINGBUS_IMPORT_NS()	MODULE_IMPORT_NS(RINGBUS)
#else
#define RINGBUS_IMPORT_NS()	MODULE_IMPORT_NS("RINGBUS")
#endif

/*
 * class_create() lost its owner argument in 6.4 ("driver core: class:
 * remove module * from class_create()").
 */
#ifdef RINGBUS_CLASS_CREATE_NO_OWNER
#define ringbus_class_create(name)	class_create(name)
#else
#define ringbus_class_create(name)	class_create(THIS_MODULE, name)
#endif

/*
 * The devnode callbacks of struct class and struct device_type take a
 * const struct device since 6.2 ("driver core: make struct class.devnode()
 * take a const *" and its device_type twin).
 */
#ifdef RINGBUS_DEVNODE_IS_CONST
#define RINGBUS_DEVNODE_CONST	const
#else
#define RINGBUS_DEVNODE_CONST
#endif

/*
 * del_timer_sync() became timer_delete_sync() in 6.2 ("timers: Rename
 * del_timer_sync() to timer_delete_sync()", backported to 5.10.y) and the
 * old name went in 6.15.
 */
#ifndef RINGBUS_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(timer)	del_timer_sync(timer)
#endif

#endif /* _LINUX_RINGBUS_COMPAT_H */
