// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl doctor: checks the installation (DKMS, headers, the module
 * files, modprobe.d, Secure Boot, the control node and the caller's
 * access) and says how to fix what is wrong.  The probes are in doctor-probe.c.
 */
#include "doctor.h"

static void doctor_report(struct doctor *d, const char *check,
			  enum check_status st, const char *fix,
			  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/*
 * Prints the result of one check: as a JSON object {check, status,
 * message, fix} of the array doctor prints, or as "ok|warn|FAIL  CHECK
 * MESSAGE" and an indented "fix:" line.  @fix is NULL or "" when there is
 * nothing to do.
 */
static void doctor_report(struct doctor *d, const char *check,
			  enum check_status st, const char *fix,
			  const char *fmt, ...)
{
	static const char *const json_word[] = { "ok", "warn", "fail" };
	static const char *const text_word[] = { "ok", "warn", "FAIL" };
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!fix)
		fix = "";
	if (st == CHECK_WARN)
		d->warns++;
	else if (st == CHECK_FAIL)
		d->fails++;

	out_open_object(NULL, false);
	print_string(PRINT_FP, NULL, "%-4s  ", text_word[st]);
	print_string(PRINT_ANY, "check", "%-13s  ", check);
	print_string(PRINT_JSON, "status", NULL, json_word[st]);
	print_string(PRINT_ANY, "message", "%s\n", msg);
	print_string(PRINT_JSON, "fix", NULL, fix);
	if (*fix)
		print_fp("%21sfix: %s\n", "", fix);
	out_close_object();
	d->count++;
}

/* How to get a ringbus module for the running kernel. */
static void fix_build(const struct doctor *d, char *fix, size_t size)
{
	const char *v = d->dkms_version, *k = d->kver;

	if (d->dkms_known && dkms_state_is(d, "installed"))
		snprintf(fix, size, "dkms install --force ringbus/%s -k %s", v, k);
	else if (d->dkms_known && dkms_state_is(d, "built"))
		snprintf(fix, size, "dkms install ringbus/%s -k %s", v, k);
	else if (!d->headers)
		snprintf(fix, size, "apt install linux-headers-%s%s (DKMS then builds ringbus for it)",
			 k, d->dkms_known ? "" : " ringbus-dkms");
	else if (!d->dkms_known)
		snprintf(fix, size, "apt install ringbus-dkms (DKMS builds ringbus for every kernel with headers)");
	else
		snprintf(fix, size, "dkms autoinstall -k %s; if the build fails, its log is /var/lib/dkms/ringbus/%s/build/make.log",
			 k, v);
}

/*
 * With several versions registered: "dkms remove" for each but the one
 * this ringbusctl belongs to (the package's), or, if it is not among them,
 * the one installed for the running kernel; and all of them, ", " apart,
 * in @list.
 */
static void stale_versions(const struct doctor *d, char *fix, size_t size,
			   char *list, size_t list_size)
{
	const char *keep = d->dkms_version;
	size_t used = 0, lused = 0;
	unsigned int i;

	for (i = 0; i < d->ndkms_versions; i++)
		if (strcmp(d->dkms_versions[i], ringbus_version) == 0)
			keep = ringbus_version;
	fix[0] = list[0] = '\0';
	for (i = 0; i < d->ndkms_versions; i++) {
		const char *v = d->dkms_versions[i];

		if (lused < list_size)
			lused += (size_t)snprintf(list + lused, list_size - lused, "%s%s",
						  i ? ", " : "", v);
		if (strcmp(v, keep) != 0 && used < size)
			used += (size_t)snprintf(fix + used, size - used,
						 "%sdkms remove ringbus/%s --all", used ? " && " : "", v);
	}
	if (used < size)
		snprintf(fix + used, size - used, " (keeps ringbus %s)", keep);
}

static void check_dkms(struct doctor *d)
{
	const char *c = "dkms";
	char fix[512];

	if (d->dkms_rc == RUN_MISSING) {
		doctor_report(d, c, CHECK_WARN, "apt install dkms ringbus-dkms",
			      "running kernel %s; dkms is not installed, so nothing rebuilds ringbus when a new kernel is installed",
			      d->kver);
	} else if (d->dkms_rc != 0) {
		doctor_report(d, c, CHECK_WARN, "run 'dkms status ringbus' to see why",
			      "running kernel %s; 'dkms status ringbus' failed (exit status %d)",
			      d->kver, d->dkms_rc);
	} else if (!d->dkms_known) {
		doctor_report(d, c, d->ko[0] ? CHECK_WARN : CHECK_FAIL,
			      "apt install ringbus-dkms",
			      "running kernel %s; ringbus is not registered with DKMS%s, so it is not rebuilt for new kernels",
			      d->kver, d->ko[0] ? " (the module was installed by hand?)" : "");
	} else if (dkms_state_is(d, "installed") && strstr(d->dkms_state, "WARNING")) {
		fix_build(d, fix, sizeof(fix));
		doctor_report(d, c, CHECK_WARN, fix,
			      "running kernel %s; DKMS says ringbus %s is %s",
			      d->kver, d->dkms_version, d->dkms_state);
	} else if (dkms_state_is(d, "installed") && d->ndkms_versions > 1) {
		char list[sizeof(d->dkms_versions)];

		stale_versions(d, fix, sizeof(fix), list, sizeof(list));
		doctor_report(d, c, CHECK_WARN, fix,
			      "ringbus %s is built and installed by DKMS for the running kernel %s, but DKMS has %u versions of ringbus registered (%s): a new kernel may get either",
			      d->dkms_version, d->kver, d->ndkms_versions, list);
	} else if (dkms_state_is(d, "installed")) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "ringbus %s is built and installed by DKMS for the running kernel %s",
			      d->dkms_version, d->kver);
	} else {
		fix_build(d, fix, sizeof(fix));
		if (d->dkms_state[0])
			doctor_report(d, c, CHECK_FAIL, fix,
				      "ringbus %s is %s by DKMS for the running kernel %s, but not installed",
				      d->dkms_version, d->dkms_state, d->kver);
		else
			doctor_report(d, c, CHECK_FAIL, fix,
				      "DKMS has not built ringbus %s for the running kernel %s (it is installed for %s)",
				      d->dkms_version, d->kver,
				      d->dkms_others[0] ? d->dkms_others : "no kernel");
	}
}

static void check_headers(struct doctor *d)
{
	char fix[256];

	if (d->headers) {
		doctor_report(d, "headers", CHECK_OK, NULL,
			      "the kernel headers for %s are in %s/build",
			      d->kver, d->kdir);
		return;
	}
	snprintf(fix, sizeof(fix), "apt install linux-headers-%s", d->kver);
	doctor_report(d, "headers", CHECK_FAIL, fix,
		      "no kernel headers for the running kernel %s (%s): DKMS cannot build ringbus for it",
		      d->kver, d->headers_why);
}

static void check_module_built(struct doctor *d)
{
	const char *c = "module-built";
	char fix[768];

	if (d->ko[0] && d->nko > 1) {
		snprintf(fix, sizeof(fix),
			 "remove the copy DKMS did not install ('make install' puts one in updates/ringbus/), then depmod -a %s",
			 d->kver);
		doctor_report(d, c, CHECK_WARN, fix,
			      "modprobe loads %s, but there are %u copies of ringbus.ko for %s",
			      d->ko, d->nko, d->kver);
	} else if (d->ko[0]) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s is the ringbus module for the running kernel", d->ko);
	} else if (d->ko_dep[0] && d->nko) {
		snprintf(fix, sizeof(fix), "depmod -a %s", d->kver);
		doctor_report(d, c, CHECK_FAIL, fix,
			      "modules.dep names %s, which does not exist (%s does)",
			      d->ko_dep, d->ko_found);
	} else if (d->nko) {
		snprintf(fix, sizeof(fix), "depmod -a %s", d->kver);
		doctor_report(d, c, CHECK_FAIL, fix,
			      "%s is not in modules.dep, so modprobe cannot find it",
			      d->ko_found);
	} else {
		fix_build(d, fix, sizeof(fix));
		doctor_report(d, c, CHECK_FAIL, fix,
			      "no ringbus module for the running kernel %s under %s",
			      d->kver, d->kdir);
	}
}

static void check_vermagic(struct doctor *d)
{
	const char *c = "vermagic";
	char magic[256], fix[512];
	size_t n;

	if (!d->ko[0]) {
		doctor_report(d, c, CHECK_WARN, NULL,
			      "not checked: there is no ringbus module for %s (see module-built)",
			      d->kver);
		return;
	}
	if ((!modinfo_field(d->ko, "vermagic", magic, sizeof(magic)) || !magic[0]) &&
	    !ko_vermagic(d->ko, magic, sizeof(magic))) {
		doctor_report(d, c, CHECK_WARN, "check that 'modinfo -F vermagic ringbus' works",
			      "could not read the vermagic of %s", d->ko);
		return;
	}
	chomp(magic);
	n = strcspn(magic, " ");
	if (n == strlen(d->kver) && strncmp(magic, d->kver, n) == 0) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s was built for %s, the running kernel (vermagic '%s')",
			      d->ko, d->kver, magic);
		return;
	}
	if (d->dkms_known)
		snprintf(fix, sizeof(fix), "dkms install --force ringbus/%.31s -k %.127s",
			 d->dkms_version, d->kver);
	else
		snprintf(fix, sizeof(fix), "rebuild it for %.127s: apt install ringbus-dkms, or 'make KVER=%.127s install' in the source tree",
			 d->kver, d->kver);
	doctor_report(d, c, CHECK_FAIL, fix,
		      "%s was built for %.*s, not for the running kernel %s: the kernel refuses to load it (vermagic '%s')",
		      d->ko, (int)n, magic, d->kver, magic);
}

static void check_blacklist(struct doctor *d)
{
	const char *c = "blacklist";

	if (!d->nmodprobe) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "no modprobe.d file and no kernel parameter keeps ringbus from loading");
		return;
	}
	doctor_report(d, c, d->modprobe_fatal ? CHECK_FAIL : CHECK_WARN,
		      "remove those lines (or the kernel parameter from the boot loader's configuration) unless you meant them",
		      "%s", d->modprobe_block);
}

static void check_module_loaded(struct doctor *d)
{
	const char *c = "module-loaded";
	char path[PATH_MAX], loaded_ver[64] = "", file_ver[64] = "", fix[512];
	struct ringbus_version v;
	bool have_abi = false;
	struct stat st;
	int fd;

	if (!d->loaded) {
		if (d->ko[0]) {
			doctor_report(d, c, CHECK_OK, NULL,
				      "not loaded; it loads on the first use of %s, or with 'modprobe ringbus'",
				      d->control);
		} else {
			fix_build(d, fix, sizeof(fix));
			doctor_report(d, c, CHECK_FAIL, fix,
				      "not loaded, and there is no ringbus module for %s to load",
				      d->kver);
		}
		return;
	}
	if (path_join(path, sizeof(path), d->sys_module, "ringbus/version"))
		read_first_line(path, loaded_ver, sizeof(loaded_ver));
	if (d->ko[0])
		modinfo_field(d->ko, "version", file_ver, sizeof(file_ver));
	/* Only a loaded module is asked: opening the node would load it. */
	memset(&v, 0, sizeof(v));
	fd = stat(d->control, &st) == 0 && S_ISCHR(st.st_mode) ?
	     open(d->control, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	if (fd >= 0) {
		have_abi = ioctl(fd, RINGBUS_IOC_VERSION, &v) == 0;
		close(fd);
	}

	if (have_abi && v.abi_major != RINGBUS_ABI_MAJOR) {
		snprintf(fix, sizeof(fix),
			 "install the same version of ringbus-dkms and ringbus-utils, then reload: modprobe -r ringbus_cdev && modprobe ringbus");
		doctor_report(d, c, CHECK_FAIL, fix,
			      "the loaded module has ABI %u.%u, this " PROG " speaks ABI %u.%u",
			      (unsigned int)v.abi_major, (unsigned int)v.abi_minor,
			      (unsigned int)RINGBUS_ABI_MAJOR,
			      (unsigned int)RINGBUS_ABI_MINOR);
	} else if (file_ver[0] && loaded_ver[0] && strcmp(file_ver, loaded_ver) != 0) {
		doctor_report(d, c, CHECK_WARN,
			      "reload it: modprobe -r ringbus_cdev && modprobe ringbus (or reboot)",
			      "the loaded module is version %s, but %s is version %s: it was upgraded since it was loaded",
			      loaded_ver, d->ko, file_ver);
	} else if (have_abi && abi_minor_older(v.abi_minor)) {
		doctor_report(d, c, CHECK_WARN,
			      "install the same version of ringbus-dkms and ringbus-utils, then reload: modprobe -r ringbus_cdev && modprobe ringbus",
			      "the loaded module has ABI %u.%u, older than this " PROG "'s ABI %u.%u: it lacks what ABI %u.%u to %u.%u added (those commands fail with ENOTTY)",
			      (unsigned int)v.abi_major, (unsigned int)v.abi_minor,
			      (unsigned int)RINGBUS_ABI_MAJOR, (unsigned int)RINGBUS_ABI_MINOR,
			      (unsigned int)RINGBUS_ABI_MAJOR, (unsigned int)v.abi_minor + 1,
			      (unsigned int)RINGBUS_ABI_MAJOR, (unsigned int)RINGBUS_ABI_MINOR);
	} else if (loaded_ver[0] && strcmp(loaded_ver, ringbus_version) != 0) {
		doctor_report(d, c, CHECK_WARN,
			      "install the same version of ringbus-dkms and ringbus-utils",
			      "the loaded module is version %s, this " PROG " is version %s",
			      loaded_ver, ringbus_version);
	} else {
		char abi[48] = "";

		if (have_abi)
			snprintf(abi, sizeof(abi), ", ABI %u.%u",
				 (unsigned int)v.abi_major, (unsigned int)v.abi_minor);
		doctor_report(d, c, CHECK_OK, NULL,
			      "loaded, version %s%s (this " PROG ": %s)",
			      loaded_ver[0] ? loaded_ver : "unknown", abi,
			      ringbus_version);
	}
}

/*
 * Secure Boot: its state from "mokutil --sb-state", or, without mokutil,
 * from the EFI variable SecureBoot (probe_efi_secure_boot()); then, if it
 * is enabled, whether the module is signed with a key the kernel trusts.
 */
static void check_secure_boot(struct doctor *d)
{
	const char *c = "secure-boot";
	const char *const sb_argv[] = { "mokutil", "--sb-state", NULL };
	const char *const key_argv[] = { "mokutil", "--test-key", DKMS_MOK_PUB, NULL };
	static const char enrol[] =
		"mokutil --import " DKMS_MOK_PUB ", reboot and confirm the enrolment in MokManager";
	char out[512], signer[256] = "", off[PATH_MAX + 64] = "Secure Boot is disabled";
	bool sig_known = false, signed_ko, mokutil = !d->no_mokutil, enabled;
	const char *req, *refusal;
	int rc;

	rc = mokutil ? run_capture(sb_argv, out, sizeof(out)) : RUN_MISSING;
	if (rc == RUN_MISSING) {
		char why[PATH_MAX + 128], fix[512] = "apt install mokutil";

		mokutil = false;
		switch (probe_efi_secure_boot(d, why, sizeof(why))) {
		case EFI_SB_NO_EFI:
			snprintf(off, sizeof(off),
				 "not an EFI system (there is no %s), so no Secure Boot",
				 d->efi_dir);
			enabled = false;
			break;
		case EFI_SB_NO_VAR:
			snprintf(off, sizeof(off),
				 "Secure Boot is disabled (the firmware has no SecureBoot variable)");
			enabled = false;
			break;
		case EFI_SB_DISABLED:
			enabled = false;
			break;
		case EFI_SB_ENABLED:
			enabled = true;
			break;
		case EFI_SB_NO_EFIVARS:
			snprintf(fix, sizeof(fix),
				 "apt install mokutil, or mount efivarfs: mount -t efivarfs efivarfs %.400s/efivars",
				 d->efi_dir);
			/* fall through */
		case EFI_SB_ERROR:
		default:
			doctor_report(d, c, CHECK_WARN, fix,
				      "Secure Boot state unknown: mokutil is not installed, and the EFI variable SecureBoot cannot be read: %s",
				      why);
			return;
		}
	} else if (strstr(out, "SecureBoot disabled")) {
		enabled = false;
	} else if (strstr(out, "SecureBoot enabled")) {
		enabled = true;
	} else {
		chomp(out);
		doctor_report(d, c, CHECK_OK, NULL,
			      "Secure Boot state unknown ('mokutil --sb-state' said '%s'): not an EFI system?",
			      out[0] ? out : "nothing");
		return;
	}
	if (d->ko[0])
		sig_known = modinfo_field(d->ko, "signer", signer, sizeof(signer));
	signed_ko = signer[0] != '\0';
	/* Who wants signed modules: Secure Boot, or the kernel's own policy. */
	req = enabled ? "Secure Boot is enabled" : d->enforce_why[0] ? d->enforce_why : NULL;
	refusal = enabled ? "Key was rejected by service" : d->enforce_err;
	if (!req) {
		char sig[300] = "";

		if (!sig_known)
			;	/* no module, or no modinfo: nothing to say */
		else if (signed_ko)
			snprintf(sig, sizeof(sig), " (ringbus is signed by '%s')", signer);
		else
			snprintf(sig, sizeof(sig), " (ringbus is not signed)");
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s: the kernel loads unsigned modules%s", off, sig);
		return;
	}
	if (!d->ko[0]) {
		doctor_report(d, c, CHECK_WARN, NULL,
			      "%s; the signature is not checked: there is no ringbus module for %s",
			      req, d->kver);
		return;
	}
	if (!sig_known) {
		doctor_report(d, c, CHECK_WARN, "check that 'modinfo -F signer ringbus' works",
			      "%s; could not read the signature of %s",
			      req, d->ko);
		return;
	}
	if (!signed_ko) {
		char fix[768];

		snprintf(fix, sizeof(fix),
			 "have DKMS sign it: dkms install --force ringbus/%s -k %s, then enrol its key: %s%s",
			 d->dkms_known ? d->dkms_version : ringbus_version, d->kver,
			 mokutil ? "" : "apt install mokutil, ", enrol);
		doctor_report(d, c, CHECK_FAIL, fix,
			      "%s and %s is not signed: loading it fails with '%s'",
			      req, d->ko, refusal);
		return;
	}
	if (d->loaded) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s; ringbus is signed by '%s' and loaded, so the kernel trusts the key",
			      req, signer);
		return;
	}
	if (!mokutil) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s; ringbus is signed by '%s'; mokutil is not installed: install mokutil to check that DKMS's key " DKMS_MOK_PUB " is enrolled",
			      req, signer);
		return;
	}
	rc = access(DKMS_MOK_PUB, R_OK) == 0 ?
	     run_capture(key_argv, out, sizeof(out)) : RUN_MISSING;
	if (rc != RUN_MISSING && strstr(out, "is not enrolled")) {
		doctor_report(d, c, CHECK_FAIL, enrol,
			      "%s and ringbus is signed by '%s', but DKMS's key " DKMS_MOK_PUB " is not enrolled: loading fails with '%s'",
			      req, signer, refusal);
		return;
	}
	doctor_report(d, c, CHECK_OK, NULL,
		      "%s; ringbus is signed by '%s'%s", req, signer,
		      rc != RUN_MISSING && strstr(out, "already enrolled") ?
		      ", whose key is enrolled" : "");
}

static void check_control_node(struct doctor *d)
{
	const char *c = "control-node";
	char fix[768], owner[64], group[64];
	const struct passwd *pw;
	const struct group *g;
	struct stat st;
	unsigned int mode;

	if (!d->control_registered && d->major_owner[0]) {
		doctor_report(d, c, CHECK_FAIL,
			      "give ringbus_cdev a major of its own: echo 'options ringbus_cdev control_major=0' >/etc/modprobe.d/ringbus-major.conf; then load it with modprobe ringbus (the control node no longer loads it on demand)",
			      "the major %u of %s is taken by the driver '%s' (%s): loading ringbus_cdev fails with EBUSY",
			      RINGBUS_CONTROL_MAJOR, d->control, d->major_owner, d->proc_devices);
		return;
	}
	if (stat(d->control, &st) < 0) {
		int e = errno;

		if (e != ENOENT)
			doctor_report(d, c, CHECK_FAIL, NULL, "%s: %s", d->control, strerror(e));
		else if (!d->ko[0])
			doctor_report(d, c, CHECK_FAIL, "first get a module (see module-built)",
				      "%s does not exist: there is no ringbus module for %s",
				      d->control, d->kver);
		else if (d->loaded)
			doctor_report(d, c, CHECK_FAIL,
				      "reload the driver: modprobe -r ringbus_cdev && modprobe ringbus; check that udev runs",
				      "%s does not exist although ringbus is loaded", d->control);
		else {
			snprintf(fix, sizeof(fix),
				 "depmod -a %s && systemctl restart kmod-static-nodes systemd-tmpfiles-setup-dev (or load it now: modprobe ringbus)",
				 d->kver);
			doctor_report(d, c, CHECK_FAIL, fix,
				      "%s does not exist: it is created at boot from modules.devname (kmod-static-nodes)",
				      d->control);
		}
		return;
	}
	if (!S_ISCHR(st.st_mode)) {
		doctor_report(d, c, CHECK_FAIL,
			      "remove it, then reboot or reload the driver: modprobe -r ringbus_cdev && modprobe ringbus",
			      "%s is not a character device", d->control);
		return;
	}
	pw = getpwuid(st.st_uid);
	if (pw)
		snprintf(owner, sizeof(owner), "%s", pw->pw_name);
	else
		snprintf(owner, sizeof(owner), "%u", (unsigned int)st.st_uid);
	g = getgrgid(st.st_gid);
	if (g)
		snprintf(group, sizeof(group), "%s", g->gr_name);
	else
		snprintf(group, sizeof(group), "%u", (unsigned int)st.st_gid);
	mode = (unsigned int)st.st_mode & 07777;
	if (st.st_uid == 0 && d->have_group && st.st_gid == d->group_gid &&
	    mode == 0660) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s is root:" RINGBUS_GROUP " %04o (char %u:%u)",
			      d->control, mode, major(st.st_rdev), minor(st.st_rdev));
		return;
	}
	snprintf(fix, sizeof(fix), "%sthe udev rule 60-ringbus.rules of ringbus-utils sets it: apt install ringbus-utils, then udevadm trigger --action=add --subsystem-match=ringbus, or reboot",
		 d->have_group ? "" : "create the group (apt install ringbus-utils does); ");
	doctor_report(d, c, CHECK_FAIL, fix,
		      "%s is %s:%s %04o, not root:" RINGBUS_GROUP " 0660%s",
		      d->control, owner, group, mode,
		      d->have_group ? "" : " (there is no group " RINGBUS_GROUP ")");
}

static void check_access(struct doctor *d)
{
	const char *c = "access";
	char fix[256];

	if (geteuid() == 0) {
		doctor_report(d, c, CHECK_OK, NULL, "you are root");
		return;
	}
	if (!d->have_group) {
		snprintf(fix, sizeof(fix),
			 "as root: apt install ringbus-utils (it creates the group), then adduser %s " RINGBUS_GROUP ", and log in again",
			 d->user);
		doctor_report(d, c, CHECK_FAIL, fix,
			      "you (%s) are not root and there is no group " RINGBUS_GROUP,
			      d->user);
		return;
	}
	if (in_group(d->group_gid)) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "you (%s) are in group " RINGBUS_GROUP ": you may use %s",
			      d->user, d->control);
		return;
	}
	if (d->user_listed || (d->user_gid_known && d->user_gid == d->group_gid)) {
		doctor_report(d, c, CHECK_FAIL,
			      "log out and in again (or start a shell in the group: newgrp " RINGBUS_GROUP ")",
			      "you (%s) were added to group " RINGBUS_GROUP ", but this session started before that",
			      d->user);
		return;
	}
	snprintf(fix, sizeof(fix),
		 "as root: adduser %s " RINGBUS_GROUP ", then log out and in again",
		 d->user);
	doctor_report(d, c, CHECK_FAIL, fix,
		      "you (%s) are neither root nor in group " RINGBUS_GROUP ", so you cannot use %s",
		      d->user, d->control);
}

/* The value of the environment variable @name, or @def if unset or empty. */
static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

int cmd_doctor(struct ctx *ctx, int argc, char **argv)
{
	struct doctor d;
	struct utsname uts;
	const char *modules_dir, *cmdline, *env;
	char path[PATH_MAX];
	int rc;

	rc = parse_args(ctx, argc, argv, &common_opts, 0, 0);
	if (rc != RC_OK)
		return rc;

	memset(&d, 0, sizeof(d));
	d.control = ctx->control;
	/* Where the probes look: the system's files, or a test's. */
	modules_dir = env_or("RINGBUSCTL_MODULES_DIR", DEFAULT_MODULES_DIR);
	d.sys_module = env_or("RINGBUSCTL_SYS_MODULE_DIR", DEFAULT_SYS_MODULE_DIR);
	d.efi_dir = env_or("RINGBUSCTL_EFI_DIR", DEFAULT_EFI_DIR);
	d.lockdown = env_or("RINGBUSCTL_LOCKDOWN", DEFAULT_LOCKDOWN);
	d.proc_devices = env_or("RINGBUSCTL_PROC_DEVICES", DEFAULT_PROC_DEVICES);
	d.modprobe_dirs = env_or("RINGBUSCTL_MODPROBE_DIRS", DEFAULT_MODPROBE_DIRS);
	cmdline = env_or("RINGBUSCTL_CMDLINE", "/proc/cmdline");
	env = getenv("RINGBUSCTL_NO_MOKUTIL");
	d.no_mokutil = env && *env && strcmp(env, "0") != 0;
	if (uname(&uts) < 0) {
		errmsg("doctor: uname: %s", strerror(errno));
		return RC_FAIL;
	}
	snprintf(d.kver, sizeof(d.kver), "%s", uts.release);
	if (!path_join(d.kdir, sizeof(d.kdir), modules_dir, d.kver)) {
		errmsg("doctor: %s: %s", modules_dir, strerror(ENAMETOOLONG));
		return RC_FAIL;
	}

	/* What is there, then what it means. */
	probe_headers(&d);
	find_ko(&d, d.kdir, 0);
	find_dep_ko(&d);
	probe_dkms(&d);
	d.loaded = path_join(path, sizeof(path), d.sys_module, "ringbus/initstate") &&
		   access(path, F_OK) == 0;
	probe_user(&d);
	probe_devices(&d);
	probe_sig_enforce(&d);
	probe_modprobe_d(&d, cmdline);

	out_open_array(NULL, true);
	check_dkms(&d);
	check_headers(&d);
	check_module_built(&d);
	check_vermagic(&d);
	check_blacklist(&d);
	check_module_loaded(&d);
	check_secure_boot(&d);
	check_control_node(&d);
	check_access(&d);

	out_close_array();
	if (d.fails == 0 && d.warns == 0)
		print_fp("%u checks, no problems found\n", d.count);
	else
		print_fp("%u checks: %u failed, %u warnings\n", d.count, d.fails, d.warns);
	return finish_stdout(d.fails ? RC_FAIL : RC_OK);
}
