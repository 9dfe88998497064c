// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus procfs views (ringbus_proc.ko): /proc/ringbus/.  Depends on the
 * core only, through its exported API; can be loaded and removed on its own.
 *
 * Every file is a seq_file with a header row (or "key value" lines) whose
 * column names are part of the ABI (docs/abi.md):
 *
 *   channels  one row per channel
 *   stats     the suite's counters summed over every CPU
 *   cpus      every online CPU's counters (a snapshot by on_each_cpu()
 *             for CAP_SYS_ADMIN)
 *   version   suite version, ABI version and module parameters
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/ringbus.h>

static struct proc_dir_entry *rbus_proc_dir;

static int rbus_channel_row(struct ringbus_channel *ch, void *arg)
{
	struct seq_file *m = arg;
	struct ringbus_info i;

	ringbus_channel_info(ch, &i);
	seq_printf(m, "%-31s %-9s %10llu %10llu %10llu %10llu %10llu %7u %7u %10llu\n",
		   i.name, ringbus_mode_name(i.mode),
		   i.capacity, i.used, i.records, i.first_seq, i.last_seq,
		   i.readers, i.writers, i.drops);
	return 0;
}

static int rbus_channels_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%-31s %-9s %10s %10s %10s %10s %10s %7s %7s %10s\n",
		   "name", "mode", "capacity", "used", "records", "first_seq",
		   "last_seq", "readers", "writers", "drops");
	return ringbus_iterate_channels(rbus_channel_row, m);
}

static void rbus_stats_lines(struct seq_file *m, const struct ringbus_stats *s)
{
	seq_printf(m, "records_written %llu\nbytes_written %llu\n",
		   s->records_written, s->bytes_written);
	seq_printf(m, "records_read %llu\nbytes_read %llu\n",
		   s->records_read, s->bytes_read);
	seq_printf(m, "drops %llu\noverruns %llu\nwakeups %llu\nexpired %llu\n",
		   s->drops, s->overruns, s->wakeups, s->expired);
}

static int rbus_stats_show(struct seq_file *m, void *v)
{
	struct ringbus_core_info info;
	struct ringbus_stats total;

	ringbus_get_core_info(&info);
	ringbus_get_stats(&total);
	seq_printf(m, "channels %u\n", info.channels);
	rbus_stats_lines(m, &total);
	return 0;
}

static int rbus_cpus_show(struct seq_file *m, void *v)
{
	/*
	 * The file is world-readable, and a snapshot at one moment
	 * interrupts every CPU: only for CAP_SYS_ADMIN of whoever opened the
	 * file; anyone else gets the counters without an IPI.
	 */
	bool sync = file_ns_capable(m->file, &init_user_ns, CAP_SYS_ADMIN);
	struct ringbus_stats *snap;
	unsigned int cpu;
	int ret;

	snap = kvcalloc(nr_cpu_ids, sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	ret = ringbus_get_cpu_stats(snap, nr_cpu_ids, sync);
	if (ret)
		goto out_free;
	seq_printf(m, "%-5s %15s %15s %15s %15s %12s %10s %10s %10s\n", "cpu",
		   "records_written", "bytes_written", "records_read",
		   "bytes_read", "drops", "overruns", "wakeups", "expired");
	for_each_online_cpu(cpu) {
		struct ringbus_stats *s = &snap[cpu];

		seq_printf(m, "%-5u %15llu %15llu %15llu %15llu %12llu %10llu %10llu %10llu\n",
			   cpu, s->records_written, s->bytes_written,
			   s->records_read, s->bytes_read, s->drops,
			   s->overruns, s->wakeups, s->expired);
	}
out_free:
	kvfree(snap);
	return ret;
}

static int rbus_version_show(struct seq_file *m, void *v)
{
	struct ringbus_core_info info;

	ringbus_get_core_info(&info);
	seq_printf(m, "version %s\nabi %u.%u\nmax_channels %u\ndefault_capacity %u\nmax_capacity %u\n",
		   info.version, info.abi_major, info.abi_minor,
		   info.max_channels, info.default_capacity, info.max_capacity);
	return 0;
}

static int __init rbus_proc_init(void)
{
	rbus_proc_dir = proc_mkdir("ringbus", NULL);
	if (!rbus_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("version", 0444, rbus_proc_dir, rbus_version_show) ||
	    !proc_create_single("channels", 0444, rbus_proc_dir, rbus_channels_show) ||
	    !proc_create_single("stats", 0444, rbus_proc_dir, rbus_stats_show) ||
	    !proc_create_single("cpus", 0444, rbus_proc_dir, rbus_cpus_show)) {
		proc_remove(rbus_proc_dir);
		return -ENOMEM;
	}
	return 0;
}
module_init(rbus_proc_init);

static void __exit rbus_proc_exit(void)
{
	proc_remove(rbus_proc_dir);
}
module_exit(rbus_proc_exit);

RINGBUS_IMPORT_NS();
MODULE_DESCRIPTION("ringbus procfs views: /proc/ringbus/");
MODULE_AUTHOR("The ringbus developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RINGBUS_VERSION);
