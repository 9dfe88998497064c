// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus procfs views (ringbus_proc.ko): /proc/ringbus/.  Depends on the
 * core only, through its exported API; can be loaded and removed on its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/ringbus.h>

static struct proc_dir_entry *rb_proc_dir;

static int rb_version_show(struct seq_file *m, void *v)
{
	struct ringbus_core_info info;

	ringbus_get_core_info(&info);
	seq_printf(m, "version %s\nabi %u.%u\nmax_channels %u\ndefault_capacity %u\nmax_capacity %u\n",
		   info.version, info.abi_major, info.abi_minor,
		   info.max_channels, info.default_capacity, info.max_capacity);
	return 0;
}

static int __init rb_proc_init(void)
{
	rb_proc_dir = proc_mkdir("ringbus", NULL);
	if (!rb_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("version", 0444, rb_proc_dir, rb_version_show)) {
		proc_remove(rb_proc_dir);
		return -ENOMEM;
	}
	return 0;
}
module_init(rb_proc_init);

static void __exit rb_proc_exit(void)
{
	proc_remove(rb_proc_dir);
}
module_exit(rb_proc_exit);

RINGBUS_IMPORT_NS();
MODULE_DESCRIPTION("ringbus procfs views: /proc/ringbus/");
MODULE_AUTHOR("The ringbus developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RINGBUS_VERSION);
