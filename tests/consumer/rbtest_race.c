// SPDX-License-Identifier: GPL-2.0-only
/*
 * rbtest_race - a test-only module (never packaged) that holds a channel's
 * creation at the point where ringbus_cdev takes the reference its node
 * keeps, so that an open of that node's number provably runs inside the
 * window.  62-hostile uses it to show that a node is published only once
 * it is complete: an open in the window finds no node (ENODEV) and never
 * the half-made one whose channel pointer is still NULL.
 *
 * Write the node's device number to open_dev (major:minor), the opener's
 * process id to open_pid and then the creator's to hold_pid.  The next
 * ringbus_channel_get() the creator makes is held: in a channel's creation
 * that is the first, rbus_add_node()'s, since the core's create takes no
 * reference through it and ringbus_proc takes none.  The hold spins
 * (kprobe handlers run with preemption disabled) until an open of
 * open_dev that the opener began while the hold was on has returned, or
 * RBTR_HOLD_MS passed; the opener's other opens of character devices (a
 * shell's /dev/null) do not count.  Read back held (holds started), opens
 * (the opener's opens of open_dev begun and returned inside a hold) and
 * open_ret (what the first of them returned).
 *
 * Kernels without kprobes (the debug kernel's config leaves them out)
 * refuse the load with EOPNOTSUPP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

/* Longest hold: well below the soft-lockup and RCU-stall thresholds. */
#define RBTR_HOLD_MS	10000

static int hold_pid;
module_param(hold_pid, int, 0600);
MODULE_PARM_DESC(hold_pid, "Hold this process's next ringbus_channel_get() (one-shot)");

static int open_pid;
module_param(open_pid, int, 0600);
MODULE_PARM_DESC(open_pid, "The process whose opens end a hold");

static char open_dev[16];
module_param_string(open_dev, open_dev, sizeof(open_dev), 0600);
MODULE_PARM_DESC(open_dev, "The device number (major:minor) whose opens end a hold");

static int held;
module_param(held, int, 0400);
MODULE_PARM_DESC(held, "Holds started");

static int opens;
module_param(opens, int, 0400);
MODULE_PARM_DESC(opens, "Opens begun and returned inside a hold");

static int open_ret;
module_param(open_ret, int, 0400);
MODULE_PARM_DESC(open_ret, "Return value of the first of those opens");

static atomic_t rbtr_holding = ATOMIC_INIT(0);
static atomic_t rbtr_opens = ATOMIC_INIT(0);
/* open_dev, parsed once when a hold starts; valid while rbtr_holding. */
static dev_t rbtr_dev;

static int rbtr_get_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned int ms, major, minor;
	int pid = READ_ONCE(hold_pid);

	if (!pid || task_tgid_nr(current) != pid)
		return 0;
	WRITE_ONCE(hold_pid, 0);
	if (sscanf(open_dev, "%u:%u", &major, &minor) != 2)
		return 0;
	WRITE_ONCE(held, held + 1);
	rbtr_dev = MKDEV(major, minor);
	atomic_set(&rbtr_opens, 0);
	/* Publishes rbtr_dev: pairs with the acquire in rbtr_open_entry(). */
	atomic_set_release(&rbtr_holding, 1);
	for (ms = 0; ms < RBTR_HOLD_MS && !atomic_read(&rbtr_opens); ms++)
		mdelay(1);
	atomic_set(&rbtr_holding, 0);
	WRITE_ONCE(opens, atomic_read(&rbtr_opens));
	return 0;
}

static struct kprobe rbtr_get_probe = {
	.symbol_name	= "ringbus_channel_get",
	.pre_handler	= rbtr_get_pre,
};

/* Per call of chrdev_open(): whether it began inside a hold. */
struct rbtr_open_data {
	bool in_hold;
};

static int rbtr_open_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct rbtr_open_data *d = (struct rbtr_open_data *)ri->data;
	/* chrdev_open(struct inode *inode, struct file *filp) */
	struct inode *inode = (struct inode *)regs_get_kernel_argument(regs, 0);

	d->in_hold = false;
	/* Pairs with the release in rbtr_get_pre(): rbtr_dev is set. */
	if (task_tgid_nr(current) != READ_ONCE(open_pid) ||
	    !atomic_read_acquire(&rbtr_holding))
		return 0;
	d->in_hold = inode->i_rdev == rbtr_dev;
	return 0;
}

static int rbtr_open_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct rbtr_open_data *d = (struct rbtr_open_data *)ri->data;

	if (!d->in_hold)
		return 0;
	/* open_ret before the count the holder waits for. */
	if (atomic_read(&rbtr_opens) == 0)
		WRITE_ONCE(open_ret, (int)regs_return_value(regs));
	atomic_inc(&rbtr_opens);
	return 0;
}

/* Every open of a character device goes through chrdev_open(). */
static struct kretprobe rbtr_open_probe = {
	.kp.symbol_name	= "chrdev_open",
	.entry_handler	= rbtr_open_entry,
	.handler	= rbtr_open_return,
	.data_size	= sizeof(struct rbtr_open_data),
	.maxactive	= 16,
};

static int __init rbtr_init(void)
{
	int ret;

	ret = register_kretprobe(&rbtr_open_probe);
	if (ret) {
		pr_err("no kretprobe on chrdev_open: %d\n", ret);
		return ret;
	}
	ret = register_kprobe(&rbtr_get_probe);
	if (ret) {
		pr_err("no kprobe on ringbus_channel_get: %d\n", ret);
		unregister_kretprobe(&rbtr_open_probe);
	}
	return ret;
}

static void __exit rbtr_exit(void)
{
	unregister_kprobe(&rbtr_get_probe);
	unregister_kretprobe(&rbtr_open_probe);
}

module_init(rbtr_init);
module_exit(rbtr_exit);

MODULE_DESCRIPTION("ringbus tests: hold a channel's creation inside its node's publication (never packaged)");
MODULE_LICENSE("GPL");
