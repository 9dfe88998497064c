// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl doctor: the probes, which find out what is installed (the
 * module files, DKMS's state, the headers, the caller) for the checks of
 * doctor.c, and the file and program helpers they use.
 */
#include "doctor.h"

/*
 * Finds the program @name: in the absolute directories of PATH, then in the
 * sbin directories that an unprivileged user's PATH often lacks (dkms and
 * modinfo live there).
 */
bool find_program(const char *name, char *path, size_t size)
{
	const char *dirs[2] = { getenv("PATH"), "/usr/local/sbin:/usr/sbin:/sbin" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		const char *p = dirs[i];

		while (p && *p) {
			size_t len = strcspn(p, ":");
			struct stat st;
			int n;

			/* Empty and relative entries (the current directory) are skipped. */
			n = snprintf(path, size, "%.*s/%s", (int)len, p, name);
			if (*p == '/' && n > 0 && (size_t)n < size &&
			    stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			    access(path, X_OK) == 0)
				return true;
			p += len;
			if (*p == ':')
				p++;
		}
	}
	return false;
}

/*
 * Runs @argv (argv[0] found by find_program()) with standard input and
 * error on /dev/null and keeps the start of its standard output in @out
 * (NUL-terminated, at most @size - 1 bytes; the rest is read and dropped).
 * Returns its exit status, RUN_MISSING if it is not installed, or -1 if it
 * could not be run or was killed.
 */
int run_capture(const char *const argv[], char *out, size_t size)
{
	char path[PATH_MAX];
	size_t len = 0;
	int pfd[2], status;
	pid_t pid;

	out[0] = '\0';
	if (!find_program(argv[0], path, sizeof(path)))
		return RUN_MISSING;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (nul < 0 || dup2(nul, STDIN_FILENO) < 0 ||
		    dup2(nul, STDERR_FILENO) < 0 ||
		    dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		char buf[1024];
		ssize_t n = read(pfd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < size) {
			size_t take = size - 1 - len;

			if (take > (size_t)n)
				take = (size_t)n;
			memcpy(out + len, buf, take);
			len += take;
		}
	}
	close(pfd[0]);
	out[len] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* @dir/@name in @buf; false (and "") if it does not fit. */
bool path_join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return false;
	}
	return true;
}

/* The first line of the file @path, without its newline; false if unreadable. */
bool read_first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (ok)
		chomp(buf);
	return ok;
}

/* "modinfo -F FIELD FILE": the field's first line, "" if it has none. */
bool modinfo_field(const char *file, const char *field, char *buf,
			  size_t size)
{
	const char *const argv[] = { "modinfo", "-F", field, file, NULL };

	if (run_capture(argv, buf, size) != 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* ringbus.ko, ringbus.ko.xz, ringbus.ko.zst... */
static bool is_ringbus_ko(const char *name)
{
	return strncmp(name, "ringbus.ko", 10) == 0 &&
	       (name[10] == '\0' || name[10] == '.');
}

/*
 * Counts the ringbus.ko* files under @dir (symbolic links, such as build
 * and source, are not followed) and keeps the first one's path.
 */
void find_ko(struct doctor *d, const char *dir, int depth)
{
	const struct dirent *e;
	DIR *dp;

	if (depth > 8)
		return;
	dp = opendir(dir);
	if (!dp)
		return;
	while ((e = readdir(dp)) != NULL) {
		char path[PATH_MAX];
		unsigned char type = e->d_type;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    !path_join(path, sizeof(path), dir, e->d_name))
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (lstat(path, &st) < 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR :
			       S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type == DT_DIR) {
			find_ko(d, path, depth + 1);
		} else if (type == DT_REG && is_ringbus_ko(e->d_name)) {
			if (d->nko++ == 0)
				snprintf(d->ko_found, sizeof(d->ko_found), "%s", path);
		}
	}
	closedir(dp);
}

/* The ringbus.ko entry of KDIR/modules.dep, the file modprobe loads. */
void find_dep_ko(struct doctor *d)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (!path_join(path, sizeof(path), d->kdir, "modules.dep"))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) >= 0) {
		const char *base;

		line[strcspn(line, ":")] = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (!is_ringbus_ko(base))
			continue;
		/* Relative to KDIR; old depmod wrote absolute paths. */
		if (line[0] == '/')
			snprintf(d->ko_dep, sizeof(d->ko_dep), "%s", line);
		else
			path_join(d->ko_dep, sizeof(d->ko_dep), d->kdir, line);
		break;
	}
	free(line);
	fclose(f);
	if (d->ko_dep[0] && access(d->ko_dep, F_OK) == 0)
		snprintf(d->ko, sizeof(d->ko), "%s", d->ko_dep);
}

/* Whether DKMS's state for the running kernel begins with @state. */
bool dkms_state_is(const struct doctor *d, const char *state)
{
	return strncmp(d->dkms_state, state, strlen(state)) == 0;
}

/* Adds @version to the registered versions, once. */
static void note_dkms_version(struct doctor *d, const char *version)
{
	unsigned int i;

	for (i = 0; i < d->ndkms_versions; i++)
		if (strcmp(d->dkms_versions[i], version) == 0)
			return;
	if (d->ndkms_versions < ARRAY_SIZE(d->dkms_versions))
		snprintf(d->dkms_versions[d->ndkms_versions++], sizeof(d->dkms_versions[0]),
			 "%s", version);
}

/*
 * "dkms status ringbus": lines "ringbus/VERSION, KVER, ARCH: STATE" (dkms
 * 3; dkms 2 writes "ringbus, VERSION, KVER, ARCH: STATE") for each kernel it
 * is built or installed for, "ringbus/VERSION: added" when it is only
 * registered (for that kernel, with -k).  STATE may be followed by
 * " (WARNING! ...)".  Parses @out into @d: the state for the running
 * kernel (of two versions, the installed one), the other kernels it is
 * installed for (none with -k), and every version registered.
 */
static void parse_dkms_status(struct doctor *d, char *out)
{
	char *line, *save = NULL;

	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *field[5] = { NULL }, *state, *p, *slash;
		size_t n = 0;

		chomp(line);
		state = strstr(line, ": ");
		if (!state)
			continue;
		*state = '\0';
		state += 2;
		for (p = line; p && n < ARRAY_SIZE(field); n++) {
			field[n] = p;
			p = strstr(p, ", ");
			if (p) {
				*p = '\0';
				p += 2;
			}
		}
		/* dkms 3 joins the module and its version with a '/'. */
		slash = strchr(field[0], '/');
		if (slash) {
			*slash = '\0';
			memmove(&field[2], &field[1], (ARRAY_SIZE(field) - 2) * sizeof(field[0]));
			field[1] = slash + 1;
			n++;
		}
		if (strcmp(field[0], "ringbus") != 0 || n < 2)
			continue;
		d->dkms_known = true;
		note_dkms_version(d, field[1]);
		if (!d->dkms_version[0])
			snprintf(d->dkms_version, sizeof(d->dkms_version), "%s", field[1]);
		if (n < 3)
			continue;	/* "added": for no kernel yet */
		if (strcmp(field[2], d->kver) == 0) {
			/* Of two versions, the one installed for KVER counts. */
			if (dkms_state_is(d, "installed"))
				continue;
			snprintf(d->dkms_state, sizeof(d->dkms_state), "%s", state);
			snprintf(d->dkms_version, sizeof(d->dkms_version), "%s", field[1]);
		} else if (strncmp(state, "installed", 9) == 0) {
			size_t used = strlen(d->dkms_others);

			snprintf(d->dkms_others + used, sizeof(d->dkms_others) - used,
				 "%s%s", used ? ", " : "", field[2]);
		}
	}
}

/*
 * The question is asked for the running kernel alone ("-k"): DKMS reads the
 * module's configuration and compares the built and installed files for
 * every kernel it lists, seconds per kernel on a slow machine.  Only when
 * the running kernel has no installed module does doctor ask about all of
 * them, to name the kernels that have one.
 */
void probe_dkms(struct doctor *d)
{
	const char *const argv[] = { "dkms", "status", "ringbus", "-k", d->kver, NULL };
	const char *const all_argv[] = { "dkms", "status", "ringbus", NULL };
	char out[8192];

	d->dkms_rc = run_capture(argv, out, sizeof(out));
	if (d->dkms_rc != 0)
		return;
	parse_dkms_status(d, out);
	if (!d->dkms_known || dkms_state_is(d, "installed"))
		return;
	if (run_capture(all_argv, out, sizeof(out)) == 0)
		parse_dkms_status(d, out);
}

void probe_headers(struct doctor *d)
{
	char build[PATH_MAX], mk[PATH_MAX];
	struct stat st;

	if (!path_join(build, sizeof(build), d->kdir, "build") ||
	    !path_join(mk, sizeof(mk), build, "Makefile"))
		snprintf(d->headers_why, sizeof(d->headers_why), "%s", strerror(ENAMETOOLONG));
	else if (lstat(build, &st) < 0)
		snprintf(d->headers_why, sizeof(d->headers_why), "%s does not exist", build);
	else if (stat(build, &st) < 0)
		snprintf(d->headers_why, sizeof(d->headers_why),
			 "%s is a dangling symbolic link", build);
	else if (!S_ISDIR(st.st_mode) || access(mk, F_OK) < 0)
		snprintf(d->headers_why, sizeof(d->headers_why),
			 "%s has no Makefile", build);
	else
		d->headers = true;
}

/* The vermagic of an uncompressed .ko, from its .modinfo section. */
bool ko_vermagic(const char *file, char *buf, size_t size)
{
	static const char key[] = "\0vermagic=";
	struct stat st;
	char *data;
	bool ok = false;
	size_t len;
	FILE *f;

	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > 256 * 1024 * 1024)
		return false;
	len = (size_t)st.st_size;
	data = malloc(len + 1);
	if (!data)
		return false;
	f = fopen(file, "re");
	if (f) {
		if (fread(data, 1, len, f) == len) {
			const char *p;

			data[len] = '\0';
			p = memmem(data, len, key, sizeof(key) - 1);
			if (p) {
				snprintf(buf, size, "%s", p + sizeof(key) - 1);
				ok = true;
			}
		}
		fclose(f);
	}
	free(data);
	return ok;
}

bool in_group(gid_t gid)
{
	gid_t *list;
	int n, i;
	bool found = false;

	if (getegid() == gid)
		return true;
	n = getgroups(0, NULL);
	if (n <= 0)
		return false;
	list = calloc((size_t)n, sizeof(*list));
	if (!list)
		return false;
	n = getgroups(n, list);
	for (i = 0; i < n; i++)
		if (list[i] == gid)
			found = true;
	free(list);
	return found;
}

/* The caller's name and primary group, and what it has to do with ringbus. */
void probe_user(struct doctor *d)
{
	const struct passwd *pw = getpwuid(geteuid());
	const struct group *gr;
	size_t i;

	if (pw) {
		snprintf(d->user, sizeof(d->user), "%s", pw->pw_name);
		d->user_gid = pw->pw_gid;
		d->user_gid_known = true;
	} else {
		snprintf(d->user, sizeof(d->user), "%u", (unsigned int)geteuid());
	}
	gr = getgrnam(RINGBUS_GROUP);
	if (!gr)
		return;
	d->have_group = true;
	d->group_gid = gr->gr_gid;
	for (i = 0; gr->gr_mem && gr->gr_mem[i]; i++)
		if (strcmp(gr->gr_mem[i], d->user) == 0)
			d->user_listed = true;
}

/* Whether the directory @dir has an entry other than . and .. */
static bool dir_has_entries(const char *dir)
{
	const struct dirent *e;
	bool found = false;
	DIR *dp = opendir(dir);

	if (!dp)
		return false;
	while (!found && (e = readdir(dp)) != NULL)
		found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(dp);
	return found;
}

/*
 * The Secure Boot state as the kernel exposes it, for when mokutil is not
 * installed.  EFI_DIR exists only when the kernel was booted through EFI.
 * efivarfs, mounted on EFI_DIR/efivars, shows each EFI variable as a file
 * of 4 bytes of attributes followed by the value; SecureBoot's is 1 byte,
 * 1 (enabled) or 0 (disabled).  Firmware without Secure Boot has no such
 * variable, which the kernel takes as disabled; an empty efivars is
 * efivarfs not mounted.  On EFI_SB_NO_EFIVARS and EFI_SB_ERROR, @why says
 * why, naming the file.
 */
enum efi_sb probe_efi_secure_boot(const struct doctor *d, char *why,
				  size_t size)
{
	char vars[PATH_MAX], file[PATH_MAX];
	unsigned char buf[16];
	size_t len = 0;
	struct stat st;
	int fd, e = 0;

	why[0] = '\0';
	if (stat(d->efi_dir, &st) < 0 && errno == ENOENT)
		return EFI_SB_NO_EFI;
	if (!path_join(vars, sizeof(vars), d->efi_dir, "efivars") ||
	    !path_join(file, sizeof(file), vars, EFI_SECURE_BOOT_VAR)) {
		snprintf(why, size, "%s: %s", d->efi_dir, strerror(ENAMETOOLONG));
		return EFI_SB_ERROR;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT && dir_has_entries(vars))
			return EFI_SB_NO_VAR;
		snprintf(why, size, "%s: %s", file, strerror(e));
		return e == ENOENT ? EFI_SB_NO_EFIVARS : EFI_SB_ERROR;
	}
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			e = errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (e) {
		snprintf(why, size, "%s: %s", file, strerror(e));
		return EFI_SB_ERROR;
	}
	if (len < 5) {
		snprintf(why, size, "%s: %s (only %zu bytes; it holds 4 of attributes, then the value)",
			 file, strerror(EIO), len);
		return EFI_SB_ERROR;
	}
	if (buf[4] > 1) {
		snprintf(why, size, "%s: the value is %u, neither 1 (enabled) nor 0 (disabled)",
			 file, (unsigned int)buf[4]);
		return EFI_SB_ERROR;
	}
	return buf[4] ? EFI_SB_ENABLED : EFI_SB_DISABLED;
}

/*
 * Whether the kernel refuses unsigned modules even without Secure Boot:
 * module.sig_enforce=1 (SYS_MODULE/module/parameters/sig_enforce is "Y"),
 * or a lockdown of "integrity" or "confidentiality" (the bracketed word of
 * the lockdown file of securityfs), which lockdown=, or a kernel built
 * with CONFIG_MODULE_SIG_FORCE or a forced lockdown, sets.
 */
void probe_sig_enforce(struct doctor *d)
{
	char path[PATH_MAX], buf[128];
	const char *open_b, *close_b;

	if (path_join(path, sizeof(path), d->sys_module, "module/parameters/sig_enforce") &&
	    read_first_line(path, buf, sizeof(buf)) && buf[0] == 'Y') {
		snprintf(d->enforce_why, sizeof(d->enforce_why),
			 "the kernel enforces module signatures (module.sig_enforce)");
		d->enforce_err = "Key was rejected by service";	/* EKEYREJECTED */
		return;
	}
	if (!read_first_line(d->lockdown, buf, sizeof(buf)))
		return;
	open_b = strchr(buf, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (close_b && strncmp(open_b + 1, "none]", 5) != 0) {
		snprintf(d->enforce_why, sizeof(d->enforce_why),
			 "the kernel is locked down (lockdown=%.*s)",
			 (int)(close_b - open_b - 1), open_b + 1);
		d->enforce_err = "Operation not permitted";	/* EPERM */
	}
}

/*
 * /proc/devices, its "Character devices:" part: whether the control node's
 * device number is registered by ringbus_cdev ("ringbus-control", under
 * whichever major it was given) or its default major by another driver,
 * which makes loading ringbus_cdev fail with EBUSY.
 */
void probe_devices(struct doctor *d)
{
	char *line = NULL;
	size_t cap = 0;
	bool chr = false;
	FILE *f;

	f = fopen(d->proc_devices, "re");
	if (!f)
		return;
	d->devices_read = true;
	while (getline(&line, &cap, f) >= 0) {
		unsigned int major;
		char name[64];

		chomp(line);
		if (strcmp(line, "Character devices:") == 0) {
			chr = true;
			continue;
		}
		if (!chr || !line[0] || strchr(line, ':'))
			break;
		if (sscanf(line, "%u %63s", &major, name) != 2)
			continue;
		if (strcmp(name, "ringbus-control") == 0)
			d->control_registered = true;
		else if (major == RINGBUS_CONTROL_MAJOR && !d->major_owner[0])
			snprintf(d->major_owner, sizeof(d->major_owner), "%s", name);
	}
	free(line);
	fclose(f);
}

/*
 * A ringbus module's name as modprobe compares them ('-' is '_'): the core
 * "ringbus" or one of "ringbus_*".  Returns 1 for ringbus_cdev, which the
 * control node loads on demand through its aliases, 2 for the others, 0 for
 * anything else.
 */
static int ringbus_module(const char *word, size_t len)
{
	char name[64];
	size_t i;

	if (len >= sizeof(name))
		return 0;
	for (i = 0; i < len; i++)
		name[i] = word[i] == '-' ? '_' : word[i];
	name[len] = '\0';
	if (strcmp(name, "ringbus_cdev") == 0)
		return 1;
	return strcmp(name, "ringbus") == 0 || strncmp(name, "ringbus_", 8) == 0 ? 2 : 0;
}

static void modprobe_note(struct doctor *d, bool fatal, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds one finding to d->modprobe_block. */
static void modprobe_note(struct doctor *d, bool fatal, const char *fmt, ...)
{
	size_t used = strlen(d->modprobe_block);
	va_list ap;

	if (used && used + 3 < sizeof(d->modprobe_block)) {
		memcpy(d->modprobe_block + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(d->modprobe_block + used, sizeof(d->modprobe_block) - used, fmt, ap);
	va_end(ap);
	d->modprobe_fatal |= fatal;
	d->nmodprobe++;
}

/*
 * One modprobe.d file: "blacklist MODULE" (modprobe then ignores the
 * module's aliases, which is how the control node loads ringbus_cdev) and
 * "install MODULE COMMAND" (modprobe runs COMMAND instead of loading it;
 * "/bin/true" and "/bin/false" are the usual ways to forbid a module).
 */
static void modprobe_file(struct doctor *d, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) >= 0) {
		const char *p = line, *mod, *cmd, *base;
		size_t len, cmdlen;
		int which;
		bool install;

		lineno++;
		chomp(line);
		p += strspn(p, " \t");
		install = strncmp(p, "install", 7) == 0 && (p[7] == ' ' || p[7] == '\t');
		if (!install && !(strncmp(p, "blacklist", 9) == 0 && (p[9] == ' ' || p[9] == '\t')))
			continue;
		mod = p + (install ? 7 : 9);
		mod += strspn(mod, " \t");
		len = strcspn(mod, " \t#");
		which = ringbus_module(mod, len);
		if (!which)
			continue;
		if (!install) {
			if (which == 1)
				modprobe_note(d, true, "%s:%u: '%s': opening %s no longer loads %.*s",
					      path, lineno, p, d->control, (int)len, mod);
			else
				modprobe_note(d, false, "%s:%u: '%s' (it still loads by name, as a dependency)",
					      path, lineno, p);
			continue;
		}
		cmd = mod + len;
		cmd += strspn(cmd, " \t");
		cmdlen = strcspn(cmd, " \t;");
		for (base = cmd + cmdlen; base > cmd && base[-1] != '/'; base--)
			;
		if ((cmd + cmdlen - base == 4 && strncmp(base, "true", 4) == 0) ||
		    (cmd + cmdlen - base == 5 && strncmp(base, "false", 5) == 0))
			modprobe_note(d, true, "%s:%u: '%s': modprobe never loads %.*s",
				      path, lineno, p, (int)len, mod);
		else
			modprobe_note(d, false, "%s:%u: '%s': modprobe runs that instead of loading %.*s",
				      path, lineno, p, (int)len, mod);
	}
	free(line);
	fclose(f);
}

/* "module_blacklist=" and "modprobe.blacklist=" on the kernel command line. */
static void modprobe_cmdline(struct doctor *d, const char *path)
{
	char buf[4096], *tok, *save = NULL;

	if (!read_first_line(path, buf, sizeof(buf)))
		return;
	chomp(buf);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		bool kernel = strncmp(tok, "module_blacklist=", 17) == 0;
		const char *list, *m;

		if (!kernel && strncmp(tok, "modprobe.blacklist=", 19) != 0)
			continue;
		list = strchr(tok, '=') + 1;
		for (m = list; *m; ) {
			size_t len = strcspn(m, ",");
			int which = ringbus_module(m, len);

			if (which && kernel)
				modprobe_note(d, true, "%s: '%s': the kernel refuses to load %.*s",
					      path, tok, (int)len, m);
			else if (which == 1)
				modprobe_note(d, true, "%s: '%s': opening %s no longer loads %.*s",
					      path, tok, d->control, (int)len, m);
			else if (which)
				modprobe_note(d, false, "%s: '%s' (it still loads by name, as a dependency)",
					      path, tok);
			m += len + (m[len] == ',');
		}
	}
}

/*
 * Whether a file @name in one of the directories of d->modprobe_dirs before
 * @dir hides @dir/@name (modprobe.d(5): the first file of a name wins).
 */
static bool modprobe_hidden(const struct doctor *d, const char *dir, const char *name)
{
	const char *prev = d->modprobe_dirs;

	while (*prev) {
		size_t plen = strcspn(prev, ":");
		char pdir[PATH_MAX], other[PATH_MAX];

		if (plen == strlen(dir) && strncmp(prev, dir, plen) == 0)
			return false;
		snprintf(pdir, sizeof(pdir), "%.*s", (int)plen, prev);
		if (path_join(other, sizeof(other), pdir, name) && access(other, F_OK) == 0)
			return true;
		prev += plen + (prev[plen] == ':');
	}
	return false;
}

/*
 * What keeps a ringbus module from loading: the *.conf files of the
 * modprobe.d directories (d->modprobe_dirs, ':' apart) and the kernel
 * command line (@cmdline).
 */
void probe_modprobe_d(struct doctor *d, const char *cmdline)
{
	char dirs[PATH_MAX], *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", d->modprobe_dirs);
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		struct dirent **list;
		int n, i;

		n = scandir(dir, &list, NULL, alphasort);
		if (n < 0)
			continue;
		for (i = 0; i < n; i++) {
			const char *name = list[i]->d_name;
			size_t len = strlen(name);
			char path[PATH_MAX];

			if (len > 5 && strcmp(name + len - 5, ".conf") == 0 &&
			    path_join(path, sizeof(path), dir, name) &&
			    !modprobe_hidden(d, dir, name))
				modprobe_file(d, path);
			free(list[i]);
		}
		free(list);
	}
	modprobe_cmdline(d, cmdline);
}
