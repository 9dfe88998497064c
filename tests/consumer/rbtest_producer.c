// SPDX-License-Identifier: GPL-2.0-only
/*
 * rbtest_producer - a test-only out-of-tree module using ringbus.ko's
 * in-kernel API from every context a producer may write from: process
 * context (module init), hard interrupt (irq_work and the on_each_cpu()
 * IPI on every CPU) and softirq (a timer), all at once.  It creates the
 * broadcast channel "kproducer"; the guest tests read it from user space.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <linux/ringbus.h>

static unsigned int timer_records = 20;
module_param(timer_records, uint, 0444);
MODULE_PARM_DESC(timer_records, "Records written from the timer (softirq), one per tick");

static struct ringbus_channel *rbt_ch;
static struct timer_list rbt_timer;
static unsigned int rbt_ticks;
static struct irq_work rbt_irq_work;

static void rbt_put(const char *what)
{
	char rec[64];
	int len = scnprintf(rec, sizeof(rec), "%s cpu=%d", what, raw_smp_processor_id());

	ringbus_write(rbt_ch, rec, len);
}

static void rbt_ipi(void *unused)
{
	rbt_put("ipi");
}

static void rbt_irq_work_fn(struct irq_work *work)
{
	rbt_put("hardirq");
}

static void rbt_tick(struct timer_list *t)
{
	rbt_put("softirq");
	if (++rbt_ticks < timer_records)
		mod_timer(&rbt_timer, jiffies + msecs_to_jiffies(10));
}

static int __init rbt_init(void)
{
	struct ringbus_channel_config cfg = {
		.name = "kproducer",
		.capacity = 65536,
		.mode = RINGBUS_MODE_BROADCAST,
		.uid = GLOBAL_ROOT_UID,
		.gid = GLOBAL_ROOT_GID,
		.perm = 0644,
	};

	rbt_ch = ringbus_channel_create(&cfg);
	if (IS_ERR(rbt_ch))
		return PTR_ERR(rbt_ch);
	rbt_put("process");
	on_each_cpu(rbt_ipi, NULL, 1);
	init_irq_work(&rbt_irq_work, rbt_irq_work_fn);
	irq_work_queue(&rbt_irq_work);
	timer_setup(&rbt_timer, rbt_tick, 0);
	mod_timer(&rbt_timer, jiffies + msecs_to_jiffies(10));
	return 0;
}
module_init(rbt_init);

static void __exit rbt_exit(void)
{
	timer_delete_sync(&rbt_timer);
	irq_work_sync(&rbt_irq_work);
	ringbus_channel_destroy(rbt_ch);
	ringbus_channel_put(rbt_ch);
}
module_exit(rbt_exit);

RINGBUS_IMPORT_NS();
MODULE_DESCRIPTION("ringbus test producer (tests only): writes from process, softirq and hardirq context");
MODULE_AUTHOR("The ringbus developers");
MODULE_LICENSE("GPL");
