/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ringbus - named message channels: the user-space ABI.
 *
 * Every ioctl of the suite is built with _IO/_IOR/_IOW/_IOWR on the type
 * letter RINGBUS_IOC_MAGIC (0xBB, unassigned in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst).  Every argument
 * struct holds only __u32 and __u64 members, is naturally aligned and has
 * a size that is a multiple of 8, so a 32-bit process and a 64-bit kernel
 * see the same layout and compat_ioctl needs no translation.  Pointers are
 * carried as __u64.  Flags and reserved fields must be zero on input
 * (EINVAL otherwise) and are zero on output.  Unknown commands give ENOTTY.
 */
#ifndef _UAPI_LINUX_RINGBUS_H
#define _UAPI_LINUX_RINGBUS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* ABI version: the major changes when an existing command changes. */
#define RINGBUS_ABI_MAJOR	1
#define RINGBUS_ABI_MINOR	0

#define RINGBUS_IOC_MAGIC	0xBB

/*
 * Default device number of /dev/ringbus/control, from the char major range
 * 120-127 reserved for LOCAL/EXPERIMENTAL USE in the kernel's
 * Documentation/admin-guide/devices.txt (never handed out by
 * alloc_chrdev_region, unlike 234-254).  ringbus_cdev's control_major
 * parameter overrides it.
 */
#define RINGBUS_CONTROL_MAJOR	121
#define RINGBUS_CONTROL_MINOR	0

/**
 * struct ringbus_version - RINGBUS_IOC_VERSION result
 * @abi_major: RINGBUS_ABI_MAJOR of the running module
 * @abi_minor: RINGBUS_ABI_MINOR of the running module
 * @version: suite version, (major << 16) | (minor << 8) | patch
 * @reserved: zero
 */
struct ringbus_version {
	__u32 abi_major;
	__u32 abi_minor;
	__u32 version;
	__u32 reserved[5];
};

#define RINGBUS_IOC_VERSION	_IOR(RINGBUS_IOC_MAGIC, 0x00, struct ringbus_version)

#endif /* _UAPI_LINUX_RINGBUS_H */
