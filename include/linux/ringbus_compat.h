/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringbus - the one place where kernel-version differences live.
 *
 * Each entry names the kernel version and the upstream change it follows.
 * The RINGBUS_* switches come from ringbus_config.h, which the feature
 * probes (scripts/ringbus-probe.sh, run by ../../Kbuild) generate by
 * compiling against the target kernel's headers; nothing in the suite
 * compares LINUX_VERSION_CODE.
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
 * del_timer_sync() became timer_delete_sync() in 6.2 ("timers: Provide
 * timer_shutdown[_sync]()" series) and the old name went in 6.15.
 */
#ifndef RINGBUS_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(timer)	del_timer_sync(timer)
#endif

#endif /* _LINUX_RINGBUS_COMPAT_H */
