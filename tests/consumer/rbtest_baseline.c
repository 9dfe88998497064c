// SPDX-License-Identifier: GPL-2.0-only
/*
 * rbtest_baseline - a test-only module (never packaged) that measures what
 * loading and unloading a module costs the kernel itself, for the memory
 * judgement of tests/guest/t/65-lifecycle.sh:
 *
 *  - chrdev=0 (default): it registers nothing; a load and unload is the
 *    kernel's own module bookkeeping (sysfs, kallsyms, module memory).
 *  - chrdev=1: it does what ringbus_cdev does at load time - a dynamic
 *    char region, a cdev, a class and three devices whose nodes devtmpfs
 *    and udev create - and undoes it at unload.
 *  - leak=N: it allocates N objects of 96 bytes at load and never frees
 *    them, a deliberate leak of N objects per round: the proof that the
 *    lifecycle check sees a leak of one object per round.
 *  - leak_percpu=N: it allocates N KiB of per-CPU memory at load and never
 *    frees it: the proof that the per-CPU judgement (Percpu in
 *    /proc/meminfo) sees a per-CPU leak.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/ringbus_compat.h>

#define RBB_DEVICES	3

static bool chrdev;
module_param(chrdev, bool, 0444);
MODULE_PARM_DESC(chrdev, "Register a char region, a cdev, a class and three devices (default: nothing)");

static unsigned int leak;
module_param(leak, uint, 0444);
MODULE_PARM_DESC(leak, "Objects of 96 bytes allocated at load and never freed (default 0)");

static unsigned int leak_percpu;
module_param(leak_percpu, uint, 0444);
MODULE_PARM_DESC(leak_percpu, "KiB of per-CPU memory allocated at load and never freed (default 0)");

static dev_t rbb_base;
static struct cdev rbb_cdev;
static struct class *rbb_class;
/* The last object leaked: stored, so that no compiler drops the kmalloc(). */
static void *rbb_lost;
static void __percpu *rbb_lost_percpu;

static const struct file_operations rbb_fops = {
	.owner = THIS_MODULE,
};

static void rbb_leak(void)
{
	unsigned int i;

	for (i = 0; i < leak; i++) {
		/* Deliberately lost: the leak the lifecycle check must see. */
		WRITE_ONCE(rbb_lost, kmalloc(96, GFP_KERNEL));
		if (!READ_ONCE(rbb_lost))
			break;
	}
	for (i = 0; i < leak_percpu; i++) {
		/* Deliberately lost: the per-CPU leak the check must see. */
		WRITE_ONCE(rbb_lost_percpu, __alloc_percpu(1024, 8));
		if (!READ_ONCE(rbb_lost_percpu))
			break;
	}
}

static int __init rbb_init(void)
{
	struct device *dev;
	int ret, i;

	rbb_leak();
	if (!chrdev)
		return 0;
	ret = alloc_chrdev_region(&rbb_base, 0, RBB_DEVICES, "rbtest_baseline");
	if (ret)
		return ret;
	cdev_init(&rbb_cdev, &rbb_fops);
	rbb_cdev.owner = THIS_MODULE;
	ret = cdev_add(&rbb_cdev, rbb_base, RBB_DEVICES);
	if (ret)
		goto err_region;
	rbb_class = ringbus_class_create("rbtest_baseline");
	if (IS_ERR(rbb_class)) {
		ret = PTR_ERR(rbb_class);
		goto err_cdev;
	}
	for (i = 0; i < RBB_DEVICES; i++) {
		dev = device_create(rbb_class, NULL, MKDEV(MAJOR(rbb_base), i), NULL,
				    "rbtest-baseline%d", i);
		if (IS_ERR(dev)) {
			ret = PTR_ERR(dev);
			goto err_devices;
		}
	}
	return 0;

err_devices:
	while (--i >= 0)
		device_destroy(rbb_class, MKDEV(MAJOR(rbb_base), i));
	class_destroy(rbb_class);
err_cdev:
	cdev_del(&rbb_cdev);
err_region:
	unregister_chrdev_region(rbb_base, RBB_DEVICES);
	return ret;
}
module_init(rbb_init);

static void __exit rbb_exit(void)
{
	int i;

	if (!chrdev)
		return;
	for (i = 0; i < RBB_DEVICES; i++)
		device_destroy(rbb_class, MKDEV(MAJOR(rbb_base), i));
	class_destroy(rbb_class);
	cdev_del(&rbb_cdev);
	unregister_chrdev_region(rbb_base, RBB_DEVICES);
}
module_exit(rbb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ringbus test: the kernel's own cost of a module load and unload");
MODULE_AUTHOR("The ringbus developers");
