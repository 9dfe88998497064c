/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringbusctl doctor: what the probes (doctor-probe.c) find, and the
 * checks that judge it (doctor.c).
 */
#ifndef RINGBUSCTL_DOCTOR_H
#define RINGBUSCTL_DOCTOR_H

#include "ringbusctl.h"

#define DEFAULT_MODULES_DIR	"/lib/modules"
#define DEFAULT_SYS_MODULE_DIR	"/sys/module"
#define DEFAULT_EFI_DIR		"/sys/firmware/efi"
#define DEFAULT_PROC_DEVICES	"/proc/devices"
#define DEFAULT_LOCKDOWN	"/sys/kernel/security/lockdown"
/* Where modprobe.d(5) looks, first the one whose file of a name wins. */
#define DEFAULT_MODPROBE_DIRS	"/etc/modprobe.d:/run/modprobe.d:/usr/local/lib/modprobe.d:/usr/lib/modprobe.d:/lib/modprobe.d"
/* The EFI global variable SecureBoot, in EFI_DIR/efivars (efivarfs). */
#define EFI_SECURE_BOOT_VAR	"SecureBoot-8be4df61-93ca-11d2-aa0d-e398b5a3e6bc"
#define RINGBUS_GROUP		"ringbus"
#define DKMS_MOK_PUB		"/var/lib/dkms/mok.pub"

/* run_capture(): the program is not installed. */
#define RUN_MISSING	(-2)

enum check_status { CHECK_OK, CHECK_WARN, CHECK_FAIL };

/* probe_efi_secure_boot(): what EFI_DIR says about Secure Boot. */
enum efi_sb {
	EFI_SB_ERROR,		/* unreadable (the reason in @why) */
	EFI_SB_NO_EFI,		/* no EFI_DIR: not booted through EFI */
	EFI_SB_NO_EFIVARS,	/* efivarfs is not mounted (the reason in @why) */
	EFI_SB_NO_VAR,		/* the firmware has no variable SecureBoot */
	EFI_SB_DISABLED,
	EFI_SB_ENABLED,
};

/* What the probes found, shared by the checks. */
struct doctor {
	unsigned int count, warns, fails;
	const char *control;		/* the control node */
	const char *sys_module;		/* /sys/module */
	const char *efi_dir;		/* /sys/firmware/efi */
	bool no_mokutil;		/* act as if mokutil were not installed */
	char kver[128];			/* uname -r */
	char kdir[PATH_MAX];		/* /lib/modules/KVER */
	/* Headers: KDIR/build */
	bool headers;
	char headers_why[PATH_MAX + 64];
	/* "dkms status ringbus" */
	int dkms_rc;			/* its exit status, or RUN_MISSING */
	bool dkms_known;		/* ringbus is registered with DKMS */
	char dkms_version[32];		/* the registered version */
	char dkms_state[160];		/* for KVER: "installed", "built"...; "" none */
	char dkms_others[512];		/* the other kernels it is installed for */
	char dkms_versions[8][32];	/* every registered version (8 kept) */
	unsigned int ndkms_versions;
	/* The module file for KVER */
	char ko[PATH_MAX];		/* the one modprobe loads (modules.dep) */
	char ko_dep[PATH_MAX];		/* modules.dep's entry, even if missing */
	char ko_found[PATH_MAX];	/* the first ringbus.ko* under KDIR */
	unsigned int nko;		/* how many ringbus.ko* under KDIR */
	bool loaded;			/* SYS_MODULE/ringbus is live */
	/* Why the kernel takes only signed modules without Secure Boot */
	const char *lockdown;		/* DEFAULT_LOCKDOWN or a test's */
	char enforce_why[160];		/* "" when it takes unsigned ones */
	const char *enforce_err;	/* how it refuses an unsigned one */
	/* /proc/devices: who has the control node's major */
	const char *proc_devices;
	bool devices_read;
	bool control_registered;	/* "ringbus-control" is listed */
	char major_owner[64];		/* another driver on RINGBUS_CONTROL_MAJOR */
	/* modprobe.d: blacklist and install lines naming a ringbus module */
	const char *modprobe_dirs;	/* DEFAULT_MODPROBE_DIRS or a test's */
	char modprobe_block[1024];	/* "FILE:LINE: TEXT", "; " apart */
	bool modprobe_fatal;		/* the cdev module cannot load on demand */
	unsigned int nmodprobe;
	/* The caller and the group ringbus */
	char user[64];			/* the caller's user name (or uid) */
	bool user_gid_known;
	gid_t user_gid;			/* the caller's primary group in passwd */
	bool have_group;		/* the group ringbus exists */
	gid_t group_gid;
	bool user_listed;		/* the caller is listed as a member */
};

/* doctor-probe.c */
bool find_program(const char *name, char *path, size_t size);
int run_capture(const char *const argv[], char *out, size_t size);
bool path_join(char *buf, size_t size, const char *dir, const char *name);
bool read_first_line(const char *path, char *buf, size_t size);
bool modinfo_field(const char *file, const char *field, char *buf,
		   size_t size);
void find_ko(struct doctor *d, const char *dir, int depth);
void find_dep_ko(struct doctor *d);
void probe_dkms(struct doctor *d);
bool dkms_state_is(const struct doctor *d, const char *state);
void probe_headers(struct doctor *d);
bool ko_vermagic(const char *file, char *buf, size_t size);
bool in_group(gid_t gid);
void probe_user(struct doctor *d);
void probe_devices(struct doctor *d);
void probe_sig_enforce(struct doctor *d);
void probe_modprobe_d(struct doctor *d, const char *cmdline);
enum efi_sb probe_efi_secure_boot(const struct doctor *d, char *why,
				  size_t size);

#endif
