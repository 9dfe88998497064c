// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core (ringbus.ko): owns all channel state and exports the
 * in-kernel API declared in <linux/ringbus.h> to the other modules of the
 * suite (ringbus_cdev, ringbus_proc) and to third-party modules.
 *
 * DOC: ringbus core
 *
 * The core is the only module that other modules link against: every
 * function it offers is exported with EXPORT_SYMBOL_GPL() into the RINGBUS
 * symbol namespace (DEFAULT_SYMBOL_NAMESPACE, set in Kbuild) and carries
 * the ringbus_ prefix; everything else is static.
 * The char-device and procfs modules depend on it through those symbols
 * only, which is what makes depmod record "ringbus_cdev.ko: ringbus.ko".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ringbus.h>

#define RINGBUS_MIN_CAPACITY	4096U

static unsigned int max_channels = 256;
module_param(max_channels, uint, 0444);
MODULE_PARM_DESC(max_channels,
		 "Maximum number of channels that may exist at once (1-65536, default 256)");

static unsigned int default_capacity = 64 * 1024;
module_param(default_capacity, uint, 0444);
MODULE_PARM_DESC(default_capacity,
		 "Ring size in bytes of a channel created without one (power of two, default 65536)");

static unsigned int max_capacity = 16 * 1024 * 1024;
module_param(max_capacity, uint, 0444);
MODULE_PARM_DESC(max_capacity,
		 "Largest ring size in bytes a channel may ask for (power of two, default 16777216)");

/**
 * ringbus_get_core_info() - describe the running core
 * @info: filled in with the suite version and the module parameters
 *
 * Context: Any context.
 * Return: Nothing; @info is always completely filled in.
 */
void ringbus_get_core_info(struct ringbus_core_info *info)
{
	info->version = RINGBUS_VERSION;
	info->version_code = RINGBUS_VERSION_CODE;
	info->abi_major = RINGBUS_ABI_MAJOR;
	info->abi_minor = RINGBUS_ABI_MINOR;
	info->max_channels = max_channels;
	info->default_capacity = default_capacity;
	info->max_capacity = max_capacity;
}
EXPORT_SYMBOL_GPL(ringbus_get_core_info);

static int __init ringbus_check_params(void)
{
	if (max_channels < 1 || max_channels > 65536) {
		pr_err("max_channels=%u is outside 1-65536\n", max_channels);
		return -EINVAL;
	}
	if (!is_power_of_2(max_capacity) || max_capacity < RINGBUS_MIN_CAPACITY ||
	    max_capacity > 1U << 30) {
		pr_err("max_capacity=%u is not a power of two in %u..%u\n",
		       max_capacity, RINGBUS_MIN_CAPACITY, 1U << 30);
		return -EINVAL;
	}
	if (!is_power_of_2(default_capacity) ||
	    default_capacity < RINGBUS_MIN_CAPACITY ||
	    default_capacity > max_capacity) {
		pr_err("default_capacity=%u is not a power of two in %u..max_capacity\n",
		       default_capacity, RINGBUS_MIN_CAPACITY);
		return -EINVAL;
	}
	return 0;
}

static int __init ringbus_init(void)
{
	int ret;

	ret = ringbus_check_params();
	if (ret)
		return ret;
	pr_info("version %s loaded (ABI %u.%u)\n", RINGBUS_VERSION,
		RINGBUS_ABI_MAJOR, RINGBUS_ABI_MINOR);
	return 0;
}
module_init(ringbus_init);

static void __exit ringbus_exit(void)
{
	pr_info("unloaded\n");
}
module_exit(ringbus_exit);

/*
 * "modprobe ringbus" names this module, not the "ringbus" alias that
 * ringbus_cdev carries (kmod resolves a module name before aliases), so the
 * core pulls in the char device as a post soft dependency: modprobe ringbus
 * then loads the whole suite, and modprobe -r ringbus removes it again.
 */
MODULE_SOFTDEP("post: ringbus_cdev");
MODULE_DESCRIPTION("ringbus core: named record channels, the ring engine and the in-kernel API");
MODULE_AUTHOR("The ringbus developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RINGBUS_VERSION);
