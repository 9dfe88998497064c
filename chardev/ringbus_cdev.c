// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus char devices (ringbus_cdev.ko): the control node
 * /dev/ringbus/control, the ringbus device class and the ioctl ABI of
 * <uapi/linux/ringbus.h>.  It reaches channel state only through the
 * core's exported API.
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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/ringbus.h>

static unsigned int control_major = RINGBUS_CONTROL_MAJOR;
module_param(control_major, uint, 0444);
MODULE_PARM_DESC(control_major,
		 "Char major of /dev/ringbus/control (default 121, LOCAL/EXPERIMENTAL range; 0 picks a free one, which loses loading on first open)");

static unsigned int control_minor = RINGBUS_CONTROL_MINOR;
module_param(control_minor, uint, 0444);
MODULE_PARM_DESC(control_minor, "Char minor of /dev/ringbus/control (default 0)");

static dev_t rb_control_devt;
static struct cdev rb_control_cdev;
static struct class *rb_class;
static struct device *rb_control_dev;

/* Every node of the class lives under /dev/ringbus/. */
static char *rb_class_devnode(RINGBUS_DEVNODE_CONST struct device *dev,
			      umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "ringbus/%s", dev_name(dev));
}

static long rb_ioc_version(void __user *argp)
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

static long rb_control_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case RINGBUS_IOC_VERSION:
		return rb_ioc_version(argp);
	default:
		return -ENOTTY;
	}
}

static int rb_control_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static const struct file_operations rb_control_fops = {
	.owner		= THIS_MODULE,
	.open		= rb_control_open,
	.unlocked_ioctl	= rb_control_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static int __init rb_cdev_init(void)
{
	int ret;

	if (control_major) {
		rb_control_devt = MKDEV(control_major, control_minor);
		ret = register_chrdev_region(rb_control_devt, 1, "ringbus-control");
	} else {
		ret = alloc_chrdev_region(&rb_control_devt, 0, 1, "ringbus-control");
	}
	if (ret) {
		pr_err("cannot get device number %u:%u for the control node: %d\n",
		       control_major, control_minor, ret);
		return ret;
	}

	rb_class = ringbus_class_create("ringbus");
	if (IS_ERR(rb_class)) {
		ret = PTR_ERR(rb_class);
		goto err_unregister_region;
	}
	rb_class->devnode = rb_class_devnode;

	cdev_init(&rb_control_cdev, &rb_control_fops);
	rb_control_cdev.owner = THIS_MODULE;
	ret = cdev_add(&rb_control_cdev, rb_control_devt, 1);
	if (ret)
		goto err_destroy_class;

	rb_control_dev = device_create(rb_class, NULL, rb_control_devt, NULL,
				       "control");
	if (IS_ERR(rb_control_dev)) {
		ret = PTR_ERR(rb_control_dev);
		goto err_del_cdev;
	}
	return 0;

err_del_cdev:
	cdev_del(&rb_control_cdev);
err_destroy_class:
	class_destroy(rb_class);
err_unregister_region:
	unregister_chrdev_region(rb_control_devt, 1);
	return ret;
}
module_init(rb_cdev_init);

static void __exit rb_cdev_exit(void)
{
	device_destroy(rb_class, rb_control_devt);
	cdev_del(&rb_control_cdev);
	class_destroy(rb_class);
	unregister_chrdev_region(rb_control_devt, 1);
}
module_exit(rb_cdev_exit);

RINGBUS_IMPORT_NS();
MODULE_ALIAS("devname:ringbus/control");
MODULE_ALIAS_CHARDEV(RINGBUS_CONTROL_MAJOR, RINGBUS_CONTROL_MINOR);
MODULE_ALIAS("ringbus");
MODULE_SOFTDEP("post: ringbus_proc");
MODULE_DESCRIPTION("ringbus char devices: /dev/ringbus/control, one node per channel, the ioctl ABI");
MODULE_AUTHOR("The ringbus developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RINGBUS_VERSION);
