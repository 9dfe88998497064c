// SPDX-License-Identifier: GPL-2.0-only
/*
 * rbtest_detectors - a test-only module (never packaged, never loaded on a
 * production kernel) that commits, on request, the bugs the debug kernel's
 * detectors exist to catch.  make check loads it at the end of the debug
 * kernel's boot, after every other case, and the host passes each proof
 * only when the kernel log shows the detector's report:
 *
 *  - "leak":   kmalloc() whose pointer is dropped (kmemleak: "unreferenced
 *              object", allocated from rbtd_leak);
 *  - "uaf":    a read of freed memory (KASAN: "BUG: KASAN: ... use-after-free");
 *  - "lockorder": mutex A then B, later B then A, in one thread (lockdep:
 *              "possible circular locking dependency");
 *  - "atomic-sleep": might_sleep() under a spinlock (DEBUG_ATOMIC_SLEEP:
 *              "BUG: sleeping function called from invalid context").
 *
 * Write the name to /sys/module/rbtest_detectors/parameters/trigger.  None
 * of them deadlocks or corrupts memory another user of the kernel owns: the
 * freed object is read, never written; the two mutexes are taken in turn,
 * never concurrently; nothing sleeps under the spinlock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static DEFINE_MUTEX(rbtd_a);
static DEFINE_MUTEX(rbtd_b);
static DEFINE_SPINLOCK(rbtd_spin);

static noinline int rbtd_leak(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	memset(p, 0x5a, 128);
	/* Deliberately lost: no reference to it stays anywhere. */
	OPTIMIZER_HIDE_VAR(p);
	return 0;
}

static noinline int rbtd_uaf(void)
{
	char *p = kmalloc(64, GFP_KERNEL);
	char c;

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	c = READ_ONCE(p[8]);	/* the use after free KASAN reports */
	pr_info("read %d from a freed object\n", c);
	return 0;
}

static noinline int rbtd_lockorder(void)
{
	mutex_lock(&rbtd_a);
	mutex_lock(&rbtd_b);
	mutex_unlock(&rbtd_b);
	mutex_unlock(&rbtd_a);
	/* The inverted order lockdep reports (no second thread: no deadlock). */
	mutex_lock(&rbtd_b);
	mutex_lock(&rbtd_a);
	mutex_unlock(&rbtd_a);
	mutex_unlock(&rbtd_b);
	return 0;
}

static noinline int rbtd_atomic_sleep(void)
{
	spin_lock(&rbtd_spin);
	might_sleep();	/* reported; nothing actually sleeps */
	spin_unlock(&rbtd_spin);
	return 0;
}

static int rbtd_trigger(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "leak"))
		return rbtd_leak();
	if (sysfs_streq(val, "uaf"))
		return rbtd_uaf();
	if (sysfs_streq(val, "lockorder"))
		return rbtd_lockorder();
	if (sysfs_streq(val, "atomic-sleep"))
		return rbtd_atomic_sleep();
	return -EINVAL;
}

static const struct kernel_param_ops rbtd_trigger_ops = {
	.set = rbtd_trigger,
};
module_param_cb(trigger, &rbtd_trigger_ops, NULL, 0200);
MODULE_PARM_DESC(trigger, "Commit one bug: leak, uaf, lockorder or atomic-sleep");

MODULE_DESCRIPTION("ringbus tests: deliberate bugs for the debug kernel's detectors (never packaged)");
MODULE_LICENSE("GPL");
