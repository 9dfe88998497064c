// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus char devices (ringbus_cdev.ko): the control node
 * /dev/ringbus/control, one node per channel, the ringbus device class and
 * the ioctl ABI of <uapi/linux/ringbus.h>.  It reaches channel state only
 * through the core's exported API.
 *
 * On-demand loading: the control node has a fixed device number (major
 * RINGBUS_CONTROL_MAJOR from the LOCAL/EXPERIMENTAL range, minor 0) and the
 * module carries the matching "char-major-M-m" and "devname:ringbus/control"
 * aliases.  depmod turns the pair into a modules.devname entry, from which
 * kmod-static-nodes creates /dev/ringbus/control at boot; the first open of
 * that node finds no driver, so the kernel asks kmod for
 * "char-major-M-m", which loads this module (and, through modules.dep and
 * the soft dependency, the core and the procfs module) - the mechanism of
 * /dev/fuse and /dev/loop-control.
 *
 * Channel nodes get minors of one dynamically allocated major.  The core
 * tells us of every channel through its notifier (also those created by
 * other kernel code, and those that existed before we were loaded); each
 * gets a struct rbus_node holding a channel reference and its device, whose
 * devnode callback gives the node its name, owner, group and mode.
 *
 * A device number is no permission: a node can exist outside devtmpfs (a
 * container's /dev made with mknod, a device cgroup rule by number) with
 * any owner and mode.  So minors are handed out cyclically over the whole
 * minor space of the major (2^20), and the number of a destroyed channel
 * comes back only after a million more channels; and an open checks the
 * channel's own owner, group and mode as well as the inode's, so that a
 * node that outlived its channel, or was made for another's number,
 * opens nothing its holder could not open through /dev/ringbus/<name>.
 *
 * Locking: rbus_nodes (an xarray, minor -> struct rbus_node) has its own lock;
 * open looks a minor up and takes a channel reference under it.  A node is
 * stored only once it is complete (its channel reference taken), so an open
 * never sees half of one.  Notifier calls come under the core's registry
 * lock, so they never race with each other.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <linux/ringbus.h>

static unsigned int control_major = RINGBUS_CONTROL_MAJOR;
module_param(control_major, uint, 0444);
MODULE_PARM_DESC(control_major,
		 "Char major of /dev/ringbus/control (default 121, LOCAL/EXPERIMENTAL range; 0 picks a free one, which loses loading on first open)");

static unsigned int control_minor = RINGBUS_CONTROL_MINOR;
module_param(control_minor, uint, 0444);
MODULE_PARM_DESC(control_minor, "Char minor of /dev/ringbus/control (default 0)");

/* One channel's node. */
struct rbus_node {
	struct device dev;
	struct ringbus_channel *ch;	/* a reference, dropped on release */
	kuid_t uid;
	kgid_t gid;
	umode_t perm;
};

/* An open channel node. */
struct rbus_file {
	struct ringbus_reader *rd;
	unsigned int opts;	/* RINGBUS_FD_* */
};

static dev_t rbus_control_devt;
static struct cdev rbus_control_cdev;
static struct class *rbus_class;
static struct device *rbus_control_dev;

/* Channel minors: the whole minor space of one major, 1 .. 2^20 - 1. */
#define RBUS_CHAN_MINORS	(MINORMASK + 1)

static dev_t rbus_chan_base;
static struct cdev rbus_chan_cdev;

/*
 * The parent of both cdevs' kobjects: this module's own kobject.
 * cdev_del() only drops a reference: the cdev's release (which also
 * clears the i_cdev of every inode that still points at it) may run later
 * - with CONFIG_DEBUG_KOBJECT_RELEASE, seconds later, from a work item.
 * The cdevs live in this module's memory, and the module loader frees it
 * only once the module's kobject is released (mod_kobject_put() waits for
 * it), which the cdevs' references hold off: no inode is left pointing
 * into freed module memory.  The release that signals the loader is the
 * kernel's own (module_kobj_release()): a release of ours that completed
 * a waiter in our exit would still have its own return to make into text
 * the waiter may by then have freed.
 */
static struct kobject *rbus_cdev_parent(void)
{
	return &THIS_MODULE->mkobj.kobj;
}

/* Minor 0 is never a channel's: ringbus_info.minor 0 means "no node". */
static DEFINE_XARRAY_ALLOC1(rbus_nodes);
static u32 rbus_next_minor;	/* xa_alloc_cyclic()'s cursor, under the notifier */

/* Every node of the class lives under /dev/ringbus/. */
static char *rbus_class_devnode(RINGBUS_DEVNODE_CONST struct device *dev,
				umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "ringbus/%s", dev_name(dev));
}

static bool rbus_may_change(struct ringbus_channel *ch)
{
	struct ringbus_info info;

	ringbus_channel_info(ch, &info);
	return uid_eq(current_fsuid(), make_kuid(&init_user_ns, info.uid)) ||
	       capable(CAP_SYS_ADMIN);
}

/* sysfs attributes of /sys/class/ringbus/<name>/ */
static ssize_t rbus_attr_show(struct device *dev,
			      struct device_attribute *attr, char *buf);
static ssize_t rbus_mode_show(struct device *dev,
			      struct device_attribute *attr, char *buf);

/* sysfs attributes of /sys/class/ringbus/<name>/ */
static struct device_attribute rbus_dev_attrs[] = {
	__ATTR(mode, 0444, rbus_mode_show, NULL),
	__ATTR(capacity, 0444, rbus_attr_show, NULL),
	__ATTR(used, 0444, rbus_attr_show, NULL),
	__ATTR(records, 0444, rbus_attr_show, NULL),
	__ATTR(first_seq, 0444, rbus_attr_show, NULL),
	__ATTR(last_seq, 0444, rbus_attr_show, NULL),
	__ATTR(drops, 0444, rbus_attr_show, NULL),
	__ATTR(max_record, 0444, rbus_attr_show, NULL),
	__ATTR(ttl_ms, 0444, rbus_attr_show, NULL),
	__ATTR(readers, 0444, rbus_attr_show, NULL),
	__ATTR(writers, 0444, rbus_attr_show, NULL),
};

/* Where each attribute above is found in struct ringbus_info. */
static const struct {
	size_t off;
	bool wide;	/* __u64, else __u32 */
} rbus_attr_fields[ARRAY_SIZE(rbus_dev_attrs)] = {
	{ 0, false },
	{ offsetof(struct ringbus_info, capacity), true },
	{ offsetof(struct ringbus_info, used), true },
	{ offsetof(struct ringbus_info, records), true },
	{ offsetof(struct ringbus_info, first_seq), true },
	{ offsetof(struct ringbus_info, last_seq), true },
	{ offsetof(struct ringbus_info, drops), true },
	{ offsetof(struct ringbus_info, max_record), false },
	{ offsetof(struct ringbus_info, ttl_ms), false },
	{ offsetof(struct ringbus_info, readers), false },
	{ offsetof(struct ringbus_info, writers), false },
};

static struct attribute *rbus_chan_attrs[] = {
	&rbus_dev_attrs[0].attr,
	&rbus_dev_attrs[1].attr,
	&rbus_dev_attrs[2].attr,
	&rbus_dev_attrs[3].attr,
	&rbus_dev_attrs[4].attr,
	&rbus_dev_attrs[5].attr,
	&rbus_dev_attrs[6].attr,
	&rbus_dev_attrs[7].attr,
	&rbus_dev_attrs[8].attr,
	&rbus_dev_attrs[9].attr,
	&rbus_dev_attrs[10].attr,
	NULL,
};
ATTRIBUTE_GROUPS(rbus_chan);

static void rbus_dev_info(struct device *dev, struct ringbus_info *info)
{
	ringbus_channel_info(container_of(dev, struct rbus_node, dev)->ch, info);
}

static ssize_t rbus_attr_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	size_t i = attr - rbus_dev_attrs;
	struct ringbus_info info;
	const void *field;

	rbus_dev_info(dev, &info);
	field = (const char *)&info + rbus_attr_fields[i].off;
	if (rbus_attr_fields[i].wide)
		return sysfs_emit(buf, "%llu\n", *(const __u64 *)field);
	return sysfs_emit(buf, "%u\n", *(const __u32 *)field);
}

static ssize_t rbus_mode_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct ringbus_info info;

	rbus_dev_info(dev, &info);
	return sysfs_emit(buf, "%s\n", ringbus_mode_name(info.mode));
}

static char *rbus_chan_devnode(RINGBUS_DEVNODE_CONST struct device *dev,
			       umode_t *mode, kuid_t *uid, kgid_t *gid)
{
	const struct rbus_node *n = container_of(dev, struct rbus_node, dev);

	if (mode)
		*mode = n->perm;
	if (uid)
		*uid = n->uid;
	if (gid)
		*gid = n->gid;
	return kasprintf(GFP_KERNEL, "ringbus/%s", dev_name(dev));
}

static void rbus_node_release(struct device *dev)
{
	struct rbus_node *n = container_of(dev, struct rbus_node, dev);

	ringbus_channel_put(n->ch);
	kfree(n);
}

static const struct device_type rbus_chan_type = {
	.name		= "ringbus_channel",
	.groups		= rbus_chan_groups,
	.devnode	= rbus_chan_devnode,
	.release	= rbus_node_release,
};

/*
 * A channel appeared: give it a minor and a node.  The node is complete
 * (its channel reference taken) before xa_alloc_cyclic() publishes it to
 * rbus_chan_open(), whose lookup takes the same xarray lock.
 */
static int rbus_add_node(struct ringbus_channel *ch)
{
	struct ringbus_info info;
	struct rbus_node *n;
	u32 minor;
	int ret;

	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	ringbus_channel_info(ch, &info);
	n->uid = make_kuid(&init_user_ns, info.uid);
	n->gid = make_kgid(&init_user_ns, info.gid);
	n->perm = info.perm;
	n->ch = ringbus_channel_get(ch);
	device_initialize(&n->dev);	/* from here on put_device() frees n */
	n->dev.class = rbus_class;
	n->dev.type = &rbus_chan_type;
	ret = xa_alloc_cyclic(&rbus_nodes, &minor, n,
			      XA_LIMIT(1, RBUS_CHAN_MINORS - 1), &rbus_next_minor,
			      GFP_KERNEL);
	if (ret < 0) {
		put_device(&n->dev);	/* releases n and its reference */
		return ret;
	}
	n->dev.devt = MKDEV(MAJOR(rbus_chan_base), minor);
	ret = dev_set_name(&n->dev, "%s", ringbus_channel_name(ch));
	if (!ret)
		ret = device_add(&n->dev);
	if (ret) {
		xa_erase(&rbus_nodes, minor);
		put_device(&n->dev);
		return ret;
	}
	return 0;
}

static void rbus_remove_node(struct ringbus_channel *ch)
{
	struct rbus_node *n;
	unsigned long minor;

	xa_for_each(&rbus_nodes, minor, n) {
		if (n->ch != ch)
			continue;
		xa_erase(&rbus_nodes, minor);
		device_unregister(&n->dev);
		return;
	}
}

static int rbus_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	struct ringbus_channel *ch = data;
	int ret;

	switch (event) {
	case RINGBUS_CHANNEL_ADDED:
		/* A channel without its node is refused: the create fails. */
		ret = rbus_add_node(ch);
		if (ret) {
			pr_err("no node for channel %s: %d\n",
			       ringbus_channel_name(ch), ret);
			return notifier_from_errno(ret);
		}
		break;
	case RINGBUS_CHANNEL_REMOVED:
		rbus_remove_node(ch);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block rbus_notifier = {
	.notifier_call = rbus_notify,
};

/* Control node ioctls. */

static long rbus_ioc_version(void __user *argp)
{
	struct ringbus_core_info info;
	struct ringbus_version ver;

	ringbus_get_core_info(&info);
	memset(&ver, 0, sizeof(ver));
	ver.abi_major = info.abi_major;
	ver.abi_minor = info.abi_minor;
	ver.version = info.version_code;
	if (copy_to_user(argp, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

static bool rbus_all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/*
 * A name field must hold a NUL-terminated string.  Only that: whether the
 * name is a valid one is the core's to say (rbus_valid_name()), and a
 * lookup of a terminated but invalid name finds nothing (ENOENT).
 */
static bool rbus_name_terminated(const char *name)
{
	return strnlen(name, RINGBUS_NAME_MAX) < RINGBUS_NAME_MAX;
}

/* The struct ringbus_create.flags bits this module knows. */
#define RBUS_CREATE_FLAGS	(RINGBUS_CREATE_UID | RINGBUS_CREATE_GID | \
				 RINGBUS_CREATE_PERM)

static long rbus_ioc_create(void __user *argp)
{
	struct ringbus_channel_config cfg = {};
	struct ringbus_channel *ch;
	struct ringbus_create c;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (!rbus_all_zero(c.reserved, sizeof(c.reserved)) ||
	    (c.flags & ~RBUS_CREATE_FLAGS) || !rbus_name_terminated(c.name))
		return -EINVAL;
	cfg.name = c.name;
	cfg.capacity = c.capacity;
	cfg.max_record = c.max_record;
	cfg.mode = c.mode;
	cfg.ttl_ms = c.ttl_ms;
	cfg.uid = current_fsuid();
	cfg.gid = current_fsgid();
	cfg.perm = 0600;
	cfg.user = true;
	if (c.flags & RINGBUS_CREATE_UID) {
		cfg.uid = make_kuid(current_user_ns(), c.uid);
		if (!uid_valid(cfg.uid))
			return -EINVAL;
		if (!uid_eq(cfg.uid, current_fsuid()) && !capable(CAP_CHOWN))
			return -EPERM;
	}
	if (c.flags & RINGBUS_CREATE_GID) {
		cfg.gid = make_kgid(current_user_ns(), c.gid);
		if (!gid_valid(cfg.gid))
			return -EINVAL;
		if (!in_group_p(cfg.gid) && !capable(CAP_CHOWN))
			return -EPERM;
	}
	if (c.flags & RINGBUS_CREATE_PERM) {
		/* A node nobody may open is no channel. */
		if (!c.perm || (c.perm & ~0777U))
			return -EINVAL;
		cfg.perm = c.perm;
	}
	ch = ringbus_channel_create(&cfg);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	ringbus_channel_put(ch);
	return 0;
}

/* The channel a name field of an ioctl argument names, held. */
static struct ringbus_channel *rbus_get_named(const char *name)
{
	struct ringbus_channel *ch;

	if (!rbus_name_terminated(name))
		return ERR_PTR(-EINVAL);
	ch = ringbus_channel_get_by_name(name);
	return ch ? ch : ERR_PTR(-ENOENT);
}

static long rbus_ioc_destroy(void __user *argp)
{
	struct ringbus_channel *ch;
	struct ringbus_name nm;
	long ret;

	if (copy_from_user(&nm, argp, sizeof(nm)))
		return -EFAULT;
	if (!rbus_all_zero(nm.reserved, sizeof(nm.reserved)))
		return -EINVAL;
	ch = rbus_get_named(nm.name);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	ret = rbus_may_change(ch) ? ringbus_channel_destroy(ch) : -EPERM;
	ringbus_channel_put(ch);
	return ret;
}

struct rbus_list_ctx {
	char *names;		/* room names of RINGBUS_NAME_MAX bytes, zeroed */
	u32 room;
	u32 count;
};

/* Called under the core's registry mutex: only memory of our own here. */
static int rbus_list_one(struct ringbus_channel *ch, void *arg)
{
	struct rbus_list_ctx *ctx = arg;

	if (ctx->count < ctx->room)
		strscpy(ctx->names + (size_t)ctx->count * RINGBUS_NAME_MAX,
			ringbus_channel_name(ch), RINGBUS_NAME_MAX);
	ctx->count++;
	return 0;
}

/*
 * The names are gathered into a kernel buffer under the registry mutex and
 * copied to the caller after it is released: a user buffer whose pages
 * fault slowly (userfaultfd, FUSE) cannot hold up every create, destroy
 * and lookup.  No more than max_channels names can exist.
 */
static long rbus_ioc_list(void __user *argp)
{
	struct ringbus_core_info core;
	struct rbus_list_ctx ctx = {};
	struct ringbus_list l;
	long ret = 0;
	u32 copied;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (l.flags || !rbus_all_zero(l.reserved, sizeof(l.reserved)))
		return -EINVAL;
	ringbus_get_core_info(&core);
	ctx.room = min(l.count, core.max_channels);
	if (ctx.room) {
		/* a size the caller chose: its ENOMEM, no warning */
		ctx.names = kvcalloc(ctx.room, RINGBUS_NAME_MAX,
				     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!ctx.names)
			return -ENOMEM;
	}
	ringbus_iterate_channels(rbus_list_one, &ctx);
	copied = min(ctx.count, ctx.room);
	if (copied && copy_to_user(u64_to_user_ptr(l.names), ctx.names,
				   (size_t)copied * RINGBUS_NAME_MAX)) {
		ret = -EFAULT;
		goto out_free;
	}
	l.count = ctx.count;
	if (copy_to_user(argp, &l, sizeof(l)))
		ret = -EFAULT;
out_free:
	kvfree(ctx.names);
	return ret;
}

static long rbus_copy_info(void __user *argp, struct ringbus_channel *ch)
{
	struct ringbus_info info;
	struct rbus_node *n;
	unsigned long minor;

	ringbus_channel_info(ch, &info);
	info.uid = from_kuid_munged(current_user_ns(),
				    make_kuid(&init_user_ns, info.uid));
	info.gid = from_kgid_munged(current_user_ns(),
				    make_kgid(&init_user_ns, info.gid));
	xa_lock(&rbus_nodes);
	xa_for_each(&rbus_nodes, minor, n)
		if (n->ch == ch)
			info.minor = minor;
	xa_unlock(&rbus_nodes);
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long rbus_ioc_info(void __user *argp)
{
	struct ringbus_channel *ch;
	struct ringbus_info in;
	long ret;

	if (copy_from_user(&in, argp, sizeof(in)))
		return -EFAULT;
	if (in.reserved0 || !rbus_all_zero(in.reserved, sizeof(in.reserved)))
		return -EINVAL;
	ch = rbus_get_named(in.name);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	ret = rbus_copy_info(argp, ch);
	ringbus_channel_put(ch);
	return ret;
}

static long rbus_control_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case RINGBUS_IOC_VERSION:
		return rbus_ioc_version(argp);
	case RINGBUS_IOC_CREATE:
		return rbus_ioc_create(argp);
	case RINGBUS_IOC_DESTROY:
		return rbus_ioc_destroy(argp);
	case RINGBUS_IOC_LIST:
		return rbus_ioc_list(argp);
	case RINGBUS_IOC_INFO:
		return rbus_ioc_info(argp);
	default:
		return -ENOTTY;
	}
}

static int rbus_control_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static const struct file_operations rbus_control_fops = {
	.owner		= THIS_MODULE,
	.open		= rbus_control_open,
	.unlocked_ioctl	= rbus_control_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* Channel nodes. */

/*
 * May the opener use the channel as @fmode asks?  The VFS has checked the
 * inode, which need not be the channel's own node (a node made with mknod
 * for its number); this checks the channel's own owner, group and mode,
 * fixed at its creation, the way generic_permission() checks an inode's,
 * with CAP_DAC_OVERRIDE in the initial user namespace as the override.
 */
static int rbus_chan_permission(struct ringbus_channel *ch, fmode_t fmode)
{
	unsigned int want = 0, have;
	struct ringbus_info info;

	ringbus_channel_info(ch, &info);
	have = info.perm;
	if (fmode & FMODE_READ)
		want |= 4;
	if (fmode & FMODE_WRITE)
		want |= 2;
	if (uid_eq(current_fsuid(), make_kuid(&init_user_ns, info.uid)))
		have >>= 6;
	else if (in_group_p(make_kgid(&init_user_ns, info.gid)))
		have >>= 3;
	if (!(want & ~have))
		return 0;
	return capable(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
}

static int rbus_chan_open(struct inode *inode, struct file *file)
{
	struct ringbus_channel *ch = NULL;
	unsigned int flags = 0;
	struct rbus_file *f;
	struct rbus_node *n;
	int ret;

	xa_lock(&rbus_nodes);
	n = xa_load(&rbus_nodes, iminor(inode));
	if (n)
		ch = ringbus_channel_get(n->ch);
	xa_unlock(&rbus_nodes);
	if (!ch)
		return -ENODEV;
	ret = rbus_chan_permission(ch, file->f_mode);
	if (ret) {
		ringbus_channel_put(ch);
		return ret;
	}

	if (file->f_mode & FMODE_READ)
		flags |= RINGBUS_READER_READ;
	if (file->f_mode & FMODE_WRITE)
		flags |= RINGBUS_READER_WRITE;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f) {
		ringbus_channel_put(ch);
		return -ENOMEM;
	}
	f->rd = ringbus_reader_open(ch, flags);
	ringbus_channel_put(ch);
	if (IS_ERR(f->rd)) {
		ret = PTR_ERR(f->rd);
		kfree(f);
		return ret;
	}
	file->private_data = f;
	/* Records have no offsets: no pread/pwrite. */
	file->f_mode &= ~(FMODE_PREAD | FMODE_PWRITE);
	return 0;
}

static int rbus_chan_release(struct inode *inode, struct file *file)
{
	struct rbus_file *f = file->private_data;

	ringbus_reader_close(f->rd);
	kfree(f);
	return 0;
}

static ssize_t rbus_chan_read(struct file *file, char __user *buf, size_t len,
			      loff_t *ppos)
{
	struct rbus_file *f = file->private_data;
	unsigned int flags = 0;

	if (file->f_flags & O_NONBLOCK)
		flags |= RINGBUS_READ_NONBLOCK;
	if (f->opts & RINGBUS_FD_HEADERS)
		flags |= RINGBUS_READ_HEADER;
	return ringbus_read_user(f->rd, buf, len, flags);
}

static ssize_t rbus_chan_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *ppos)
{
	struct rbus_file *f = file->private_data;

	return ringbus_reader_write_user(f->rd, buf, len,
					 file->f_flags & O_NONBLOCK);
}

static __poll_t rbus_chan_poll(struct file *file, poll_table *wait)
{
	struct rbus_file *f = file->private_data;

	return ringbus_reader_poll(f->rd, file, wait);
}

static loff_t rbus_chan_llseek(struct file *file, loff_t offset, int whence)
{
	struct rbus_file *f = file->private_data;

	if (offset)
		return -EINVAL;
	return ringbus_reader_seek(f->rd, whence);
}

static long rbus_ioc_read_batch(struct file *file, struct rbus_file *f,
				void __user *argp)
{
	struct ringbus_batch b;
	ssize_t n;
	u32 count;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	if (b.flags || b.reserved || b.count || b.bytes)
		return -EINVAL;
	n = ringbus_read_batch_user(f->rd, u64_to_user_ptr(b.buf),
				    min_t(u64, b.buf_len, MAX_RW_COUNT), b.max_records,
				    (file->f_flags & O_NONBLOCK) ? RINGBUS_READ_NONBLOCK : 0,
				    &count);
	if (n <= 0)
		return n;
	b.count = count;
	b.bytes = n;
	if (copy_to_user(argp, &b, sizeof(b)))
		return -EFAULT;
	return 0;
}

static long rbus_ioc_write_batch(struct file *file, struct rbus_file *f,
				 void __user *argp)
{
	struct ringbus_batch b;
	ssize_t n;
	u64 used;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	if (b.flags || b.reserved || b.count || b.bytes)
		return -EINVAL;
	n = ringbus_reader_write_batch_user(f->rd, u64_to_user_ptr(b.buf),
					    min_t(u64, b.buf_len, MAX_RW_COUNT),
					    b.max_records, file->f_flags & O_NONBLOCK,
					    &used);
	if (n < 0)
		return n;
	b.count = n;
	b.bytes = used;
	if (copy_to_user(argp, &b, sizeof(b)))
		return -EFAULT;
	return 0;
}

static long rbus_chan_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct rbus_file *f = file->private_data;
	struct ringbus_channel *ch = ringbus_reader_channel(f->rd);
	void __user *argp = (void __user *)arg;
	struct ringbus_fd_opts opts;
	struct ringbus_stats st;

	switch (cmd) {
	case RINGBUS_IOC_CHAN_INFO:
		return rbus_copy_info(argp, ch);
	case RINGBUS_IOC_STATS:
		ringbus_reader_stats(f->rd, &st);
		return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
	case RINGBUS_IOC_FLUSH:
		if (!rbus_may_change(ch))
			return -EPERM;
		return ringbus_channel_flush(ch);
	case RINGBUS_IOC_SET_OPTS:
		if (copy_from_user(&opts, argp, sizeof(opts)))
			return -EFAULT;
		if (opts.reserved || (opts.flags & ~RINGBUS_FD_HEADERS))
			return -EINVAL;
		f->opts = opts.flags;
		return 0;
	case RINGBUS_IOC_GET_OPTS:
		memset(&opts, 0, sizeof(opts));
		opts.flags = f->opts;
		return copy_to_user(argp, &opts, sizeof(opts)) ? -EFAULT : 0;
	case RINGBUS_IOC_READ_BATCH:
		return rbus_ioc_read_batch(file, f, argp);
	case RINGBUS_IOC_WRITE_BATCH:
		return rbus_ioc_write_batch(file, f, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations rbus_chan_fops = {
	.owner		= THIS_MODULE,
	.open		= rbus_chan_open,
	.release	= rbus_chan_release,
	.read		= rbus_chan_read,
	.write		= rbus_chan_write,
	.poll		= rbus_chan_poll,
	.llseek		= rbus_chan_llseek,
	.unlocked_ioctl	= rbus_chan_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static int __init rbus_cdev_init(void)
{
	int ret;

	if (control_major) {
		rbus_control_devt = MKDEV(control_major, control_minor);
		ret = register_chrdev_region(rbus_control_devt, 1, "ringbus-control");
	} else {
		ret = alloc_chrdev_region(&rbus_control_devt, 0, 1, "ringbus-control");
	}
	if (ret) {
		pr_err("cannot get device number %u:%u for the control node: %d\n",
		       control_major, control_minor, ret);
		return ret;
	}

	ret = alloc_chrdev_region(&rbus_chan_base, 0, RBUS_CHAN_MINORS, "ringbus");
	if (ret)
		goto err_unregister_control;

	rbus_class = ringbus_class_create("ringbus");
	if (IS_ERR(rbus_class)) {
		ret = PTR_ERR(rbus_class);
		goto err_unregister_chan;
	}
	rbus_class->devnode = rbus_class_devnode;

	cdev_init(&rbus_chan_cdev, &rbus_chan_fops);
	rbus_chan_cdev.owner = THIS_MODULE;
	cdev_set_parent(&rbus_chan_cdev, rbus_cdev_parent());
	ret = cdev_add(&rbus_chan_cdev, rbus_chan_base, RBUS_CHAN_MINORS);
	if (ret)
		goto err_destroy_class;

	cdev_init(&rbus_control_cdev, &rbus_control_fops);
	rbus_control_cdev.owner = THIS_MODULE;
	cdev_set_parent(&rbus_control_cdev, rbus_cdev_parent());
	ret = cdev_add(&rbus_control_cdev, rbus_control_devt, 1);
	if (ret)
		goto err_del_chan_cdev;

	rbus_control_dev = device_create(rbus_class, NULL, rbus_control_devt, NULL,
					 "control");
	if (IS_ERR(rbus_control_dev)) {
		ret = PTR_ERR(rbus_control_dev);
		goto err_del_control_cdev;
	}

	ret = ringbus_register_notifier(&rbus_notifier);
	if (ret)
		goto err_destroy_control_dev;
	return 0;

err_destroy_control_dev:
	device_destroy(rbus_class, rbus_control_devt);
err_del_control_cdev:
	cdev_del(&rbus_control_cdev);
err_del_chan_cdev:
	cdev_del(&rbus_chan_cdev);
err_destroy_class:
	class_destroy(rbus_class);
err_unregister_chan:
	unregister_chrdev_region(rbus_chan_base, RBUS_CHAN_MINORS);
err_unregister_control:
	unregister_chrdev_region(rbus_control_devt, 1);
	return ret;
}
module_init(rbus_cdev_init);

static void __exit rbus_cdev_exit(void)
{
	ringbus_unregister_notifier(&rbus_notifier);
	device_destroy(rbus_class, rbus_control_devt);
	cdev_del(&rbus_control_cdev);
	cdev_del(&rbus_chan_cdev);
	class_destroy(rbus_class);
	unregister_chrdev_region(rbus_chan_base, RBUS_CHAN_MINORS);
	unregister_chrdev_region(rbus_control_devt, 1);
	xa_destroy(&rbus_nodes);
}
module_exit(rbus_cdev_exit);

RINGBUS_IMPORT_NS();
MODULE_ALIAS("devname:ringbus/control");
MODULE_ALIAS_CHARDEV(RINGBUS_CONTROL_MAJOR, RINGBUS_CONTROL_MINOR);
MODULE_ALIAS("ringbus");
MODULE_SOFTDEP("post: ringbus_proc");
MODULE_DESCRIPTION("ringbus char devices: /dev/ringbus/control, one node per channel, the ioctl ABI");
MODULE_AUTHOR("The ringbus developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RINGBUS_VERSION);
