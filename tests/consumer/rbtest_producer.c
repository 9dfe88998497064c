// SPDX-License-Identifier: GPL-2.0-only
/*
 * rbtest_producer - a test-only out-of-tree module using ringbus.ko's
 * in-kernel API from every context a producer may write from: process
 * context (module init), hard interrupt (irq_work and the on_each_cpu()
 * IPI on every CPU) and softirq (a timer), all at once.  It creates the
 * broadcast channel "kproducer"; the guest tests read it from user space.
 * The timer's last tick writes "done cpu=N" after its timer_records.
 *
 * With concurrent=SECS it also creates the queue channel "kconcurrent" and,
 * for SECS seconds, writes to it from a pinned timer (softirq) and a bound
 * kthread (process context) on every online CPU at the same time.  Each
 * source numbers the records it wrote successfully from 0
 * ("timer c=C on=CPU n=N", "thread c=C on=CPU n=N"); a full queue gives
 * -EAGAIN, which is counted, never retried with the same number.  When
 * the time is up each CPU's kthread stops its timer and writes
 * "done timer c=C written=W eagain=E" and the same for itself; the last
 * one writes "end sources=S written=TOTAL".  The totals are also in
 * /sys/module/rbtest_producer/parameters/concurrent_{written,eagain,done}.
 * User space (rb-stress --kproducer) checks every record arrived, in order.
 *
 * With storm=SECS it creates the broadcast channel "kstorm" and, for SECS
 * seconds, writes to it from a kthread per CPU as fast as it can and,
 * every 16 records of each, from hard interrupt context on every CPU (an
 * IPI, hard even on PREEMPT_RT): ring lock contention between hard
 * interrupts and tasks, which a sleeping lock (spinlock_t on PREEMPT_RT)
 * or a wake-up from hard interrupt context cannot survive.  Then it
 * writes "end hardirq=H thread=T eagain=E"; the counts are also in
 * /sys/module/rbtest_producer/parameters/storm_{hardirq,thread,eagain,done}.
 *
 * Writing "NAME COUNT" to the parameter inject writes COUNT records
 * "inject N" (N from 0) with ringbus_write() to the channel NAME at once,
 * in the writer's process context; the write fails with ringbus_write()'s
 * error if one of them did (rb-chantest stalled_writer).
 *
 * A create of the channel named by the parameter reject is refused by
 * this module's notifier with -EADDRNOTAVAIL: the create must fail with
 * it and leave nothing behind (ringbus_cdev's node neither).
 *
 * Writing "NAME LEN" to irqoff_write writes one record of LEN bytes with
 * interrupts off, as a hard interrupt handler does, fails with
 * ringbus_write()'s error, and leaves in irqoff_ns how long interrupts
 * were off (the bound on overwriting, 50-kernel-producer).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/ringbus.h>

static unsigned int timer_records = 20;
module_param(timer_records, uint, 0444);
MODULE_PARM_DESC(timer_records, "Records written from the timer (softirq), one per tick");

static unsigned int concurrent;
module_param(concurrent, uint, 0444);
MODULE_PARM_DESC(concurrent,
		 "Seconds of concurrent writing to kconcurrent from a timer and a kthread per CPU (default 0: off)");

/*
 * Results of the concurrent run, for user space (read-only parameters,
 * live: read from the counters the sources add to).
 */
static atomic_long_t rbt_written;
static atomic_long_t rbt_eagain;

static int rbt_get_count(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops rbt_count_ops = {
	.get = rbt_get_count,
};

module_param_cb(concurrent_written, &rbt_count_ops, &rbt_written, 0444);
MODULE_PARM_DESC(concurrent_written, "Records written to kconcurrent so far (output)");
module_param_cb(concurrent_eagain, &rbt_count_ops, &rbt_eagain, 0444);
MODULE_PARM_DESC(concurrent_eagain, "Writes to kconcurrent refused with -EAGAIN so far (output)");

static bool concurrent_done;
module_param(concurrent_done, bool, 0444);
MODULE_PARM_DESC(concurrent_done, "Whether the concurrent run wrote its end record (output)");

static unsigned int storm;
module_param(storm, uint, 0444);
MODULE_PARM_DESC(storm,
		 "Seconds of writing to kstorm from a kthread and IPIs on every CPU (default 0: off)");

static atomic_long_t rbt_storm_hard, rbt_storm_thread, rbt_storm_eagain;
module_param_cb(storm_hardirq, &rbt_count_ops, &rbt_storm_hard, 0444);
MODULE_PARM_DESC(storm_hardirq, "Records written to kstorm from the IPIs (output)");
module_param_cb(storm_thread, &rbt_count_ops, &rbt_storm_thread, 0444);
MODULE_PARM_DESC(storm_thread, "Records written to kstorm from the kthreads (output)");
module_param_cb(storm_eagain, &rbt_count_ops, &rbt_storm_eagain, 0444);
MODULE_PARM_DESC(storm_eagain, "Writes to kstorm refused with -EAGAIN (output; must stay 0)");

static bool storm_done;
module_param(storm_done, bool, 0444);
MODULE_PARM_DESC(storm_done, "Whether the storm wrote its end record (output)");

/* inject: "NAME COUNT", COUNT records to channel NAME now. */
static int rbt_inject(const char *val, const struct kernel_param *kp)
{
	char name[RINGBUS_NAME_MAX], rec[32];
	struct ringbus_channel *ch;
	unsigned int count, i;
	int ret = 0;

	if (sscanf(val, "%31s %u", name, &count) != 2)
		return -EINVAL;
	ch = ringbus_channel_get_by_name(name);
	if (!ch)
		return -ENOENT;
	for (i = 0; i < count && !ret; i++)
		ret = ringbus_write(ch, rec, scnprintf(rec, sizeof(rec), "inject %u", i));
	ringbus_channel_put(ch);
	return ret;
}

static const struct kernel_param_ops rbt_inject_ops = {
	.set = rbt_inject,
};

module_param_cb(inject, &rbt_inject_ops, NULL, 0200);
MODULE_PARM_DESC(inject, "Write \"NAME COUNT\": COUNT records \"inject N\" to channel NAME now");

/*
 * irqoff_write: "NAME LEN", one record of LEN bytes to channel NAME with
 * interrupts off, as a hard interrupt handler writes; how long they were
 * off goes to irqoff_ns.
 */
static unsigned long rbt_irqoff_ns;
module_param_named(irqoff_ns, rbt_irqoff_ns, ulong, 0444);
MODULE_PARM_DESC(irqoff_ns, "Nanoseconds the last irqoff_write kept interrupts off (output)");

static int rbt_irqoff_write(const char *val, const struct kernel_param *kp)
{
	char name[RINGBUS_NAME_MAX];
	struct ringbus_channel *ch;
	unsigned long flags;
	unsigned int len;
	u64 t0, t1;
	void *rec;
	int ret;

	if (sscanf(val, "%31s %u", name, &len) != 2 || !len)
		return -EINVAL;
	rec = kvmalloc(len, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	memset(rec, 'x', len);
	ch = ringbus_channel_get_by_name(name);
	if (!ch) {
		kvfree(rec);
		return -ENOENT;
	}
	local_irq_save(flags);
	t0 = ktime_get_ns();
	ret = ringbus_write(ch, rec, len);
	t1 = ktime_get_ns();
	local_irq_restore(flags);
	WRITE_ONCE(rbt_irqoff_ns, t1 - t0);
	ringbus_channel_put(ch);
	kvfree(rec);
	return ret;
}

static const struct kernel_param_ops rbt_irqoff_ops = {
	.set = rbt_irqoff_write,
};

module_param_cb(irqoff_write, &rbt_irqoff_ops, NULL, 0200);
MODULE_PARM_DESC(irqoff_write,
		 "Write \"NAME LEN\": one LEN-byte record to channel NAME with interrupts off");

/*
 * reject: a channel name its notifier refuses (RINGBUS_CHANNEL_ADDED gets
 * -EADDRNOTAVAIL), as ringbus_cdev refuses a channel it has no node for.
 */
static char rbt_reject[RINGBUS_NAME_MAX];
module_param_string(reject, rbt_reject, sizeof(rbt_reject), 0644);
MODULE_PARM_DESC(reject, "A channel name whose create this module's notifier refuses");

static int rbt_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	if (event == RINGBUS_CHANNEL_ADDED && rbt_reject[0] &&
	    sysfs_streq(ringbus_channel_name(data), rbt_reject))
		return notifier_from_errno(-EADDRNOTAVAIL);
	return NOTIFY_OK;
}

static struct notifier_block rbt_notifier = {
	.notifier_call = rbt_notify,
};

/* Records a timer writes per tick. */
#define RBT_TIMER_BURST	8

struct rbt_source {
	unsigned long written;
	unsigned long eagain;
};

struct rbt_cpu {
	unsigned int cpu;
	struct timer_list timer;
	struct task_struct *thread;
	struct rbt_source tsrc;		/* the timer's counts */
	struct rbt_source ksrc;		/* the kthread's counts */
};

static struct ringbus_channel *rbt_ch;
static struct ringbus_channel *rbt_cc;
static struct rbt_cpu *rbt_cpus;
static unsigned long rbt_deadline;
static atomic_t rbt_running;
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
	else
		rbt_put("done");	/* what a reader waits for */
}

/* One numbered record from one source; false when the queue was full. */
static bool rbt_cc_put(const char *what, struct rbt_cpu *c, struct rbt_source *src)
{
	char rec[64];
	int len = scnprintf(rec, sizeof(rec), "%s c=%u on=%d n=%lu", what, c->cpu,
			    raw_smp_processor_id(), src->written);
	int ret = ringbus_write(rbt_cc, rec, len);

	if (ret) {
		if (ret == -EAGAIN) {
			src->eagain++;
			atomic_long_inc(&rbt_eagain);
		}
		return false;
	}
	src->written++;
	atomic_long_inc(&rbt_written);
	return true;
}

static void rbt_cc_tick(struct timer_list *t)
{
	struct rbt_cpu *c = container_of(t, struct rbt_cpu, timer);
	int i;

	for (i = 0; i < RBT_TIMER_BURST; i++)
		rbt_cc_put("timer", c, &c->tsrc);
	if (time_before(jiffies, rbt_deadline))
		mod_timer(&c->timer, jiffies + 1);	/* pinned: stays on this CPU */
}

/* Process context: retry a summary record until it fits. */
static __printf(1, 2) void rbt_cc_put_final(const char *fmt, ...)
{
	char rec[96];
	va_list ap;
	int len, ret;

	va_start(ap, fmt);
	len = vscnprintf(rec, sizeof(rec), fmt, ap);
	va_end(ap);
	while ((ret = ringbus_write(rbt_cc, rec, len)) == -EAGAIN &&
	       !kthread_should_stop())
		usleep_range(500, 1000);
}

static int rbt_cc_thread(void *arg)
{
	struct rbt_cpu *c = arg;
	unsigned int n = 0;

	while (!kthread_should_stop() && time_before(jiffies, rbt_deadline)) {
		if (!rbt_cc_put("thread", c, &c->ksrc))
			usleep_range(50, 100);
		if (++n % 64 == 0)
			cond_resched();
	}
	/* The timer of this CPU is done too before its counts are told. */
	timer_delete_sync(&c->timer);
	rbt_cc_put_final("done timer c=%u written=%lu eagain=%lu", c->cpu,
			 c->tsrc.written, c->tsrc.eagain);
	rbt_cc_put_final("done thread c=%u written=%lu eagain=%lu", c->cpu,
			 c->ksrc.written, c->ksrc.eagain);
	if (atomic_dec_and_test(&rbt_running)) {
		rbt_cc_put_final("end sources=%u written=%ld", 2 * num_online_cpus(),
				 atomic_long_read(&rbt_written));
		WRITE_ONCE(concurrent_done, true);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static void rbt_cc_stop(void)
{
	unsigned int cpu;

	if (!rbt_cpus)
		return;
	for_each_online_cpu(cpu) {
		struct rbt_cpu *c = &rbt_cpus[cpu];

		if (c->thread)
			kthread_stop(c->thread);
		timer_delete_sync(&c->timer);
	}
	kfree(rbt_cpus);
	rbt_cpus = NULL;
	ringbus_channel_destroy(rbt_cc);
	ringbus_channel_put(rbt_cc);
}

static int rbt_cc_start(void)
{
	struct ringbus_channel_config cfg = {
		.name = "kconcurrent",
		.capacity = 1 << 20,
		.mode = RINGBUS_MODE_QUEUE,
		.uid = GLOBAL_ROOT_UID,
		.gid = GLOBAL_ROOT_GID,
		.perm = 0644,
	};
	unsigned int cpu;

	rbt_cc = ringbus_channel_create(&cfg);
	if (IS_ERR(rbt_cc))
		return PTR_ERR(rbt_cc);
	rbt_cpus = kcalloc(nr_cpu_ids, sizeof(*rbt_cpus), GFP_KERNEL);
	if (!rbt_cpus) {
		ringbus_channel_destroy(rbt_cc);
		ringbus_channel_put(rbt_cc);
		return -ENOMEM;
	}
	rbt_deadline = jiffies + concurrent * HZ;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		rbt_cpus[cpu].cpu = cpu;
		timer_setup(&rbt_cpus[cpu].timer, rbt_cc_tick, TIMER_PINNED);
	}
	for_each_online_cpu(cpu) {
		struct rbt_cpu *c = &rbt_cpus[cpu];

		/* (kthread_create_on_cpu() is not exported on 5.10) */
		c->thread = kthread_create(rbt_cc_thread, c, "rbtest/%u", cpu);
		if (IS_ERR(c->thread)) {
			int ret = PTR_ERR(c->thread);

			c->thread = NULL;
			cpus_read_unlock();
			rbt_cc_stop();
			return ret;
		}
		kthread_bind(c->thread, cpu);
	}
	atomic_set(&rbt_running, num_online_cpus());
	for_each_online_cpu(cpu) {
		struct rbt_cpu *c = &rbt_cpus[cpu];

		c->timer.expires = jiffies + 1;
		add_timer_on(&c->timer, cpu);
		wake_up_process(c->thread);
	}
	cpus_read_unlock();
	return 0;
}

/* --- storm=SECS ------------------------------------------------------- */

static struct ringbus_channel *rbt_sch;
static struct task_struct **rbt_storm_threads;
static struct task_struct *rbt_storm_main;
static unsigned long rbt_storm_end;

static void rbt_storm_put(const char *what, atomic_long_t *count)
{
	char rec[48];
	int len = scnprintf(rec, sizeof(rec), "%s on=%d", what, raw_smp_processor_id());
	int ret = ringbus_write(rbt_sch, rec, len);

	if (!ret)
		atomic_long_inc(count);
	else if (ret == -EAGAIN)
		atomic_long_inc(&rbt_storm_eagain);
}

static void rbt_storm_ipi(void *unused)
{
	rbt_storm_put("ipi", &rbt_storm_hard);
}

static int rbt_storm_thread_fn(void *unused)
{
	unsigned int n = 0;

	while (!kthread_should_stop() && time_before(jiffies, rbt_storm_end)) {
		rbt_storm_put("thread", &rbt_storm_thread);
		if (++n % 16 == 0) {
			on_each_cpu(rbt_storm_ipi, NULL, 1);
			cond_resched();
		}
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

/* Stop every source. */
static void rbt_storm_stop_sources(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (rbt_storm_threads[cpu])
			kthread_stop(rbt_storm_threads[cpu]);
		rbt_storm_threads[cpu] = NULL;
	}
}

/* Starts the sources, waits SECS, stops them and writes the end record. */
static int rbt_storm_main_fn(void *unused)
{
	unsigned int cpu;
	char rec[96];
	int len;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		t = kthread_create(rbt_storm_thread_fn, NULL, "rbstorm/%u", cpu);
		if (IS_ERR(t))
			continue;
		kthread_bind(t, cpu);
		rbt_storm_threads[cpu] = t;
		wake_up_process(t);
	}
	cpus_read_unlock();
	while (!kthread_should_stop() && time_before(jiffies, rbt_storm_end + HZ))
		schedule_timeout_interruptible(HZ / 10);
	rbt_storm_stop_sources();
	len = scnprintf(rec, sizeof(rec), "end hardirq=%ld thread=%ld eagain=%ld",
			atomic_long_read(&rbt_storm_hard), atomic_long_read(&rbt_storm_thread),
			atomic_long_read(&rbt_storm_eagain));
	if (!ringbus_write(rbt_sch, rec, len))
		WRITE_ONCE(storm_done, true);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static int rbt_storm_start(void)
{
	struct ringbus_channel_config cfg = {
		.name = "kstorm",
		.capacity = 65536,
		.mode = RINGBUS_MODE_BROADCAST,
		.uid = GLOBAL_ROOT_UID,
		.gid = GLOBAL_ROOT_GID,
		.perm = 0644,
	};
	int ret;

	rbt_sch = ringbus_channel_create(&cfg);
	if (IS_ERR(rbt_sch))
		return PTR_ERR(rbt_sch);
	rbt_storm_threads = kcalloc(nr_cpu_ids, sizeof(*rbt_storm_threads), GFP_KERNEL);
	if (!rbt_storm_threads) {
		ret = -ENOMEM;
		goto err_channel;
	}
	rbt_storm_end = jiffies + storm * HZ;
	rbt_storm_main = kthread_run(rbt_storm_main_fn, NULL, "rbstorm");
	if (IS_ERR(rbt_storm_main)) {
		ret = PTR_ERR(rbt_storm_main);
		rbt_storm_main = NULL;
		goto err_cpus;
	}
	return 0;

err_cpus:
	kfree(rbt_storm_threads);
	rbt_storm_threads = NULL;
err_channel:
	ringbus_channel_destroy(rbt_sch);
	ringbus_channel_put(rbt_sch);
	return ret;
}

static void rbt_storm_stop(void)
{
	if (!rbt_storm_main)
		return;
	kthread_stop(rbt_storm_main);
	rbt_storm_stop_sources();
	kfree(rbt_storm_threads);
	ringbus_channel_destroy(rbt_sch);
	ringbus_channel_put(rbt_sch);
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
	int ret;

	rbt_ch = ringbus_channel_create(&cfg);
	if (IS_ERR(rbt_ch))
		return PTR_ERR(rbt_ch);
	if (concurrent) {
		ret = rbt_cc_start();
		if (ret) {
			ringbus_channel_destroy(rbt_ch);
			ringbus_channel_put(rbt_ch);
			return ret;
		}
	}
	if (storm) {
		ret = rbt_storm_start();
		if (ret) {
			rbt_cc_stop();
			ringbus_channel_destroy(rbt_ch);
			ringbus_channel_put(rbt_ch);
			return ret;
		}
	}
	rbt_put("process");
	on_each_cpu(rbt_ipi, NULL, 1);
	init_irq_work(&rbt_irq_work, rbt_irq_work_fn);
	irq_work_queue(&rbt_irq_work);
	timer_setup(&rbt_timer, rbt_tick, 0);
	mod_timer(&rbt_timer, jiffies + msecs_to_jiffies(10));
	ret = ringbus_register_notifier(&rbt_notifier);
	if (ret) {
		timer_delete_sync(&rbt_timer);
		irq_work_sync(&rbt_irq_work);
		rbt_storm_stop();
		rbt_cc_stop();
		ringbus_channel_destroy(rbt_ch);
		ringbus_channel_put(rbt_ch);
	}
	return ret;
}
module_init(rbt_init);

static void __exit rbt_exit(void)
{
	ringbus_unregister_notifier(&rbt_notifier);
	rbt_storm_stop();
	rbt_cc_stop();
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
