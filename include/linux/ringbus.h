/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringbus - the in-kernel API of the core module (ringbus.ko).
 *
 * Every function here is exported GPL-only in the RINGBUS symbol namespace:
 * a module that calls them adds RINGBUS_IMPORT_NS().
 */
#ifndef _LINUX_RINGBUS_H
#define _LINUX_RINGBUS_H

#include <linux/types.h>
#include <linux/ringbus_compat.h>
#include <uapi/linux/ringbus.h>

/**
 * struct ringbus_core_info - what the core reports about itself
 * @version: the suite version as a string, "major.minor.patch"
 * @version_code: the same, (major << 16) | (minor << 8) | patch
 * @abi_major: RINGBUS_ABI_MAJOR the core was built with
 * @abi_minor: RINGBUS_ABI_MINOR the core was built with
 * @max_channels: the max_channels module parameter
 * @default_capacity: the default_capacity module parameter, in bytes
 * @max_capacity: the max_capacity module parameter, in bytes
 */
struct ringbus_core_info {
	const char *version;
	u32 version_code;
	u32 abi_major;
	u32 abi_minor;
	u32 max_channels;
	u32 default_capacity;
	u32 max_capacity;
};

void ringbus_get_core_info(struct ringbus_core_info *info);

#endif /* _LINUX_RINGBUS_H */
