#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest side of "make docs-capture" (docs/capture/host.sh): run, on
# a freshly booted guest, the commands docs/concepts.md shows and print
# them with their real output.  Each section starts with a line
# "=== capture NAME"; the host splits the output into docs/captured/NAME.txt.
# A command run as root is printed "root# CMD", one run as the unprivileged
# user rbuser "rbuser$ CMD"; a non-zero exit status is printed after the
# output as "[exit status N]".  The sections run in the order the guest's
# state needs (aliases first: it needs a guest where nothing is loaded).
set -u
RB_DIR=${RB_DIR:-/usr/lib/ringbus-tests}
export LC_ALL=C COLUMNS=200 TERM=dumb
cd /

section() { printf '=== capture %s\n' "$1"; }

# run CMD: as root, in a fresh bash (cd /), with a time limit.
run() {
	local rc
	printf 'root# %s\n' "$1"
	timeout 120 bash -c "$1" 2>&1
	rc=$?
	[ "$rc" = 0 ] || printf '[exit status %d]\n' "$rc"
}

# user CMD: as the unprivileged user rbuser.
user() {
	local rc
	printf 'rbuser$ %s\n' "$1"
	timeout 120 setpriv --reuid=rbuser --regid=rbuser --init-groups --inh-caps=-all \
		-- bash -c "cd /tmp && $1" 2>&1
	rc=$?
	[ "$rc" = 0 ] || printf '[exit status %d]\n' "$rc"
}

# A comment line in the transcript (what the next command shows).
note() { printf '## %s\n' "$*"; }

# Quiet preparation, not shown.
quiet() { "$@" >/dev/null 2>&1; }

kver=$(uname -r)
# Another kernel of this root with ringbus built for it (the vermagic demo).
other=
for d in /lib/modules/*/updates/dkms/ringbus.ko*; do
	[ -e "$d" ] || continue
	k=${d#/lib/modules/}
	k=${k%%/*}
	[ "$k" = "$kver" ] || other=$k
done

udevadm settle --timeout=60 >/dev/null 2>&1

###########################################################################
section aliases
note "a freshly booted machine: no ringbus module is loaded ..."
run 'lsmod | grep ringbus || echo "(no ringbus module loaded)"'
note "... yet the control node exists: kmod created it at boot from modules.devname"
run 'ls -l --time-style=+ /dev/ringbus/'
run 'grep ringbus /lib/modules/$(uname -r)/modules.devname'
run 'kmod static-nodes --format=human'
run 'modinfo -F alias ringbus_cdev'
run 'grep ringbus /lib/modules/$(uname -r)/modules.alias'
run 'modprobe --resolve-alias char-major-121-0'
run 'modprobe --resolve-alias devname:ringbus/control'
note "an open refused by the permission check never reaches the kernel's char device code: nothing is loaded"
user 'id'
user ': </dev/ringbus/control'
run 'lsmod | grep ringbus || echo "(no ringbus module loaded)"'
note "the first open that passes it finds no driver for 121:0; the kernel runs modprobe char-major-121-0"
run ': </dev/ringbus/control && lsmod | grep ringbus'
run 'dmesg -t | grep -E "^ringbus"'

###########################################################################
section module
run 'modinfo -n ringbus ringbus_cdev ringbus_proc'
run 'readelf -h $(modinfo -n ringbus) | grep -E "Class|Type|Machine"'
run 'readelf -S -W $(modinfo -n ringbus) | grep -oE "\.(modinfo|gnu\.linkonce\.this_module|init\.text|exit\.text|rela\.text|data\.once|__ksymtab_gpl|__ksymtab_strings|__mcount_loc|text) " | sort -u'
note "the module's code runs in the kernel's own address space, with the kernel's privileges"
user 'grep "^ringbus " /proc/modules'
run 'cat /proc/sys/kernel/tainted /sys/module/ringbus/taint'
run 'dmesg -t | grep -E "taint" | sort -u'

###########################################################################
section lsmod
run 'lsmod | grep -E "^(Module|ringbus)"'
run 'grep ringbus /proc/modules | cut -d" " -f1-5'
note "the sixth column, the load address, is shown only to a reader allowed to see kernel pointers"
run 'awk '"'"'$1 == "ringbus" { print ($6 ~ /^0x0+$/ ? "zeros" : "a real kernel address (different every boot: KASLR)") }'"'"' /proc/modules'
user 'grep ringbus /proc/modules'
note "an open file of ringbus_cdev holds a reference to the module (fops .owner = THIS_MODULE)"
run 'exec 4</dev/ringbus/control; lsmod | grep -E "^ringbus_cdev"; exec 4<&-; lsmod | grep -E "^ringbus_cdev"'
run 'cat /sys/module/ringbus/initstate /sys/module/ringbus/refcnt; ls /sys/module/ringbus/holders/'

###########################################################################
section modinfo
note "the signature lines (DKMS signs with this machine's own key) are shortened: they differ per key"
run 'modinfo ringbus | sed -E -e "s/^(sig_key: +).*/\1(the id of the key, differs per machine)/" -e "/^signature:/,/^[a-z_]+:/{/^signature:/s/:.*/:      (hex, left out)/;/^\t/d}"'
run 'modinfo -F vermagic ringbus; uname -r'
run 'modinfo ringbus_cdev | grep -vE "^(signature|sig_|signer|	)"'
run 'modinfo ringbus_proc | grep -E "^(depends|import_ns|alias|softdep|parm):"'
run 'grep -E "^CONFIG_(MODVERSIONS|MODULE_SIG|MODULE_SIG_FORCE|MODULE_FORCE_LOAD|MODULE_FORCE_UNLOAD|MODULE_UNLOAD|MODULE_SRCVERSION_ALL)[= ]" /boot/config-$(uname -r); grep -E "^# CONFIG_(MODULE_SIG_FORCE|MODULE_FORCE_LOAD|MODULE_FORCE_UNLOAD) " /boot/config-$(uname -r)'
if [ -n "$other" ]; then
	note "a ringbus.ko built (by DKMS) for the other kernel of this machine does not load into this one"
	quiet modprobe -r ringbus_cdev ringbus_proc ringbus
	quiet dmesg -C
	run "ls /lib/modules/; modinfo -F vermagic /lib/modules/$other/updates/dkms/ringbus.ko*"
	run "insmod /lib/modules/$other/updates/dkms/ringbus.ko*"
	note "(the kernel log was emptied with dmesg -C before the insmod)"
	run 'dmesg -t | grep ringbus'
	quiet modprobe ringbus_cdev
fi

###########################################################################
section insmod
run 'modprobe -r ringbus_cdev; lsmod | grep ringbus || echo "(no ringbus module loaded)"'
quiet dmesg -C
note "(the kernel log was emptied with dmesg -C before each dmesg below)"
note "insmod loads one file and resolves nothing: ringbus_cdev alone lacks the core's symbols"
run 'insmod $(modinfo -n ringbus_cdev)'
run 'dmesg -t | grep ringbus'
run 'insmod $(modinfo -n ringbus) && insmod $(modinfo -n ringbus_cdev) && lsmod | grep ringbus'
note "rmmod of a module others depend on fails, with or without -f (-f only skips the reference count)"
run 'rmmod ringbus'
run 'rmmod -f ringbus'
run 'rmmod ringbus_cdev && rmmod ringbus && (lsmod | grep ringbus || echo "(no ringbus module loaded)")'
note "module parameters are given on the insmod (or modprobe) line; the init function may refuse them"
quiet dmesg -C
run 'insmod $(modinfo -n ringbus) default_capacity=1000'
run 'dmesg -t | grep ringbus'
run 'insmod $(modinfo -n ringbus) max_channels=8 && cat /sys/module/ringbus/parameters/max_channels && rmmod ringbus'

###########################################################################
section modprobe
run 'cat /proc/sys/kernel/modprobe'
run 'grep ringbus /lib/modules/$(uname -r)/modules.dep'
run 'modprobe --show-depends ringbus_cdev'
run 'modprobe -c | grep -E "^(softdep ringbus|alias symbol:ringbus_(write|get_cpu_stats) )"'
run 'modprobe -v ringbus_cdev'
run 'modprobe -rv ringbus_cdev'
note "modprobe ringbus names the core module; its soft dependency brings the rest"
run 'modprobe -v ringbus && lsmod | grep ringbus'
user 'modprobe -r ringbus_cdev'
run 'ls /lib/modules/$(uname -r)/ | grep "^modules\."'
run 'depmod -n $(uname -r) 2>/dev/null | grep -E "^(updates/dkms/ringbus|alias (char-major-121|devname:ringbus|ringbus ))"'

###########################################################################
section headers
run 'readlink -f /lib/modules/$(uname -r)/build /lib/modules/$(uname -r)/source'
run 'dpkg-query -W -f "\${Package} \${Version}\n" "linux-headers-*" "linux-image-*" dkms'
run 'ls /lib/modules/$(uname -r)/build/'
run 'dkms status 2>/dev/null'
run 'ls /usr/src/ | grep -E "ringbus|linux-headers"'
note "what DKMS runs (dkms.conf), and the error a build without headers gives"
run 'grep -E "^(PACKAGE_|MAKE|CLEAN|BUILT_MODULE_NAME|DEST_MODULE_LOCATION|AUTOINSTALL)" /usr/src/ringbus-*/dkms.conf'
run 'make -C /usr/src/ringbus-$(cat '"$RB_DIR"'/VERSION) KVER=0.0.0-none'

###########################################################################
section builtin
run 'wc -l /lib/modules/$(uname -r)/modules.builtin /lib/modules/$(uname -r)/modules.order'
run 'grep -E "/(unix|8250|ext4|loop|fuse)\.ko" /lib/modules/$(uname -r)/modules.builtin /lib/modules/$(uname -r)/modules.order'
run 'modinfo unix | head -n 4'
run 'modprobe -r unix'
run 'ls /sys/module/unix/'
run 'ls /sys/module/8250/ /sys/module/8250/parameters/ /sys/module/ringbus/'
run 'cat /sys/module/ringbus/version /sys/module/ringbus/initstate /sys/module/ringbus/coresize'
run 'grep -r . /sys/module/ringbus/parameters/ /sys/module/ringbus_cdev/parameters/'
run 'ls /sys/module/ringbus/holders/ /sys/module/ringbus_cdev/holders/'

###########################################################################
section symbols
run 'cat /proc/sys/kernel/kptr_restrict /proc/sys/kernel/perf_event_paranoid'
note "root sees the address (its low half masked here: it changes every boot) ..."
run 'grep -w -e ringbus_write -e ringbus_get_cpu_stats /proc/kallsyms | sed -E "s/^(ffffffff)[0-9a-f]{8}/\1xxxxxxxx/"'
note "... an unprivileged reader sees the same lines with zeros"
user 'grep -w -e ringbus_write -e ringbus_get_cpu_stats /proc/kallsyms'
run 'grep -E "	ringbus_(write|get_cpu_stats|get_core_info)	" /var/lib/dkms/ringbus/*/$(uname -r)/x86_64/Module.symvers'
run 'modinfo -F import_ns ringbus_cdev; modinfo -F import_ns ringbus_proc'
run 'nm -u $(modinfo -n ringbus_proc) | grep ringbus_'
note "the kernel's own exports, by kind"
run 'cut -f4 /lib/modules/$(uname -r)/build/Module.symvers | sort | uniq -c'
note "the kernel functions ringbus_proc calls, and how the kernel exports each"
run 'nm -u $(modinfo -n ringbus_proc) | awk '"'"'{ print $2 }'"'"' | grep -wFf - /lib/modules/$(uname -r)/build/Module.symvers | cut -f2,4 | sort'

###########################################################################
section static
note "symbol types in the core's object file: upper case (T, D, B, R) global, lower case static, U undefined"
run 'nm $(modinfo -n ringbus) | awk '"'"'{ print $(NF-1) }'"'"' | sort | uniq -c'
run 'nm --defined-only $(modinfo -n ringbus) | grep -E " [A-Z] "'
run 'nm --defined-only $(modinfo -n ringbus_cdev) | grep -E " [A-Z] "'
note "kallsyms lists the static functions too (every module symbol in lower case on this kernel)"
run 'awk '"'"'$4 == "[ringbus_cdev]" && $2 == "t" { print $3 }'"'"' /proc/kallsyms | sort | head -n 8'

###########################################################################
section devices
run 'grep -E "^(Character|Block)|ringbus| (mem|tty|misc|virtblk)$" /proc/devices'
run 'usermod -aG ringbus rbuser && id rbuser'
user 'ringbusctl create demo --capacity 4K && ls -l --time-style=+ /dev/ringbus/'
run 'ls -l --time-style=+ /dev/vda /dev/null /dev/ringbus/control'
run 'readlink -f /sys/dev/char/121:0 /sys/dev/char/$(cat /sys/class/ringbus/demo/dev)'
run 'ls /sys/class/ringbus/ /sys/class/ringbus/demo/'
run 'cd /sys/class/ringbus/demo && grep . dev mode capacity; cat uevent'
run 'udevadm info -q property -n /dev/ringbus/control | grep -E "^(DEVNAME|MAJOR|MINOR|SUBSYSTEM|DEVMODE|DEVGID)"'
run 'cat /lib/udev/rules.d/*ringbus*.rules | grep -v "^#"'

###########################################################################
section fops
run 'sed -n "/^static const struct file_operations rbus_chan_fops = {/,/^};/p" /usr/src/ringbus-*/chardev/ringbus_cdev.c'
run 'sed -n "/^static const struct file_operations rbus_control_fops = {/,/^};/p" /usr/src/ringbus-*/chardev/ringbus_cdev.c'
note "each write() is one record, each read() one whole record"
user 'printf "first record" >/dev/ringbus/demo; printf "second" >/dev/ringbus/demo; dd if=/dev/ringbus/demo bs=4096 count=2 status=none iflag=nonblock; echo'
user 'dd if=/dev/ringbus/demo bs=4 count=1 status=none'
user 'ringbusctl info demo'
note "the system-call table is not exported to modules: there is no symbol to link against"
run 'grep -w sys_call_table /lib/modules/$(uname -r)/build/Module.symvers || echo "(not exported)"'
user 'grep -w sys_call_table /proc/kallsyms'

###########################################################################
section kthread
run 'ps -o ppid,stat,cls,ni,comm -C ringbusd'
run 'ps -o pid,comm -p 2'
run 'pid=$(pgrep -x ringbusd); grep -E "^(Name|State|PPid|Threads|VmRSS)" /proc/$pid/status; wc -c </proc/$pid/cmdline; readlink /proc/$pid/exe || echo "(no executable)"'
run 'cat /proc/$(pgrep -x ringbusd)/wchan; echo'
note "kworkers are the kernel's shared workqueue threads; their number varies, so only their kinds are listed"
run 'ps -e -o comm= | grep -E "^kworker/" | sed -E "s/[0-9]+:[0-9]+/N:N/; s/-.*//" | sort -u'
run 'modprobe -r ringbus_cdev; pgrep -x ringbusd || echo "(no ringbusd)"'
run 'modprobe ringbus_cdev; pgrep -x ringbusd >/dev/null && echo "ringbusd is back"'

###########################################################################
section cpus
run 'nproc; grep -c ^processor /proc/cpuinfo'
user 'ringbusctl create percpu >/dev/null; taskset -c 0 ringbusctl send percpu a b c; taskset -c 1 ringbusctl send percpu d e; taskset -c 1 ringbusctl recv -n 1 percpu'
run 'cat /proc/ringbus/cpus'
run 'cat /proc/ringbus/stats'
run 'sed -n "/^int ringbus_get_cpu_stats(/,/^EXPORT_SYMBOL_GPL(ringbus_get_cpu_stats);/p" /usr/src/ringbus-*/core/stats.c'
run 'c() { grep CAL: /proc/interrupts | tr -s " " | cut -d" " -f2,3 | tr " " +; }; a=$(($(c))); for i in $(seq 100); do while read -r l; do :; done </proc/ringbus/cpus; done; echo "$(($(c) - a)) function-call IPIs in 100 reads"'
user 'c() { grep CAL: /proc/interrupts | tr -s " " | cut -d" " -f2,3 | tr " " +; }; a=$(($(c))); for i in $(seq 100); do while read -r l; do :; done </proc/ringbus/cpus; done; echo "$(($(c) - a)) function-call IPIs in 100 reads"'

###########################################################################
section ioctl
cat >/tmp/ioctl-numbers.c <<'EOF'
/* Print the ringbus ioctl numbers and decode them with the _IOC_* macros. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/ringbus.h>

#define C(x) { #x, x }
static const struct { const char *name; unsigned long nr; } cmds[] = {
	C(RINGBUS_IOC_VERSION), C(RINGBUS_IOC_CREATE), C(RINGBUS_IOC_DESTROY),
	C(RINGBUS_IOC_LIST), C(RINGBUS_IOC_INFO), C(RINGBUS_IOC_CHAN_INFO),
	C(RINGBUS_IOC_STATS), C(RINGBUS_IOC_FLUSH), C(RINGBUS_IOC_SET_OPTS),
	C(RINGBUS_IOC_GET_OPTS), C(RINGBUS_IOC_READ_BATCH),
	C(RINGBUS_IOC_WRITE_BATCH),
};

int main(void)
{
	static const char *dir[] = { "_IO", "_IOW", "_IOR", "_IOWR" };
	unsigned int i;
	int fd;

	printf("%-24s %-10s %-5s %-4s %-4s %s\n", "command", "number", "dir", "type", "nr", "size");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("%-24s 0x%08lx %-5s 0x%02lx 0x%02lx %lu\n", cmds[i].name, cmds[i].nr,
		       dir[_IOC_DIR(cmds[i].nr)], (unsigned long)_IOC_TYPE(cmds[i].nr),
		       (unsigned long)_IOC_NR(cmds[i].nr), (unsigned long)_IOC_SIZE(cmds[i].nr));
	fd = open("/dev/ringbus/control", O_RDONLY);
	if (fd < 0 || ioctl(fd, _IO(RINGBUS_IOC_MAGIC, 0x7f)) == 0)
		return 1;
	printf("unknown command _IO(0xBB, 0x7f) on the control node: %s\n", strerror(errno));
	if (ioctl(fd, RINGBUS_IOC_FLUSH) == 0)
		return 1;
	printf("RINGBUS_IOC_FLUSH (a channel command) on the control node: %s\n", strerror(errno));
	return 0;
}
EOF
chmod 0644 /tmp/ioctl-numbers.c
run 'grep -E "define RINGBUS_IOC_(MAGIC|VERSION|CREATE|FLUSH|READ_BATCH)" /usr/include/linux/ringbus.h'
run 'gcc -Wall -o /tmp/ioctl-numbers /tmp/ioctl-numbers.c && gcc -m32 -Wall -o /tmp/ioctl-numbers-32 /tmp/ioctl-numbers.c && echo built'
user '/tmp/ioctl-numbers'
note "the same program built for 32-bit x86: the same numbers (the structs have the same size), served by compat_ioctl"
user 'file=/tmp/ioctl-numbers-32; od -An -tx1 -j4 -N1 $file; /tmp/ioctl-numbers-32 | cmp - <(/tmp/ioctl-numbers) && echo "identical output"'

###########################################################################
section locks
run 'sed -n "/Locking and lock order::/,/under the lock\./p" /usr/src/ringbus-*/core/channel.c'
run 'cd /usr/src/ringbus-*/core && grep -nE "^(static )?(DEFINE_(MUTEX|SPINLOCK)|LLIST_HEAD|struct irq_work)|^	(raw_spinlock_t|spinlock_t|struct mutex|struct irq_work) " *.[ch]'
run 'cat /usr/src/ringbus-*/core/*.c | grep -cE "raw_spin_lock_irqsave\(&ch->lock"'
run 'sed -n "/^ \* ringbus_write() -/,/^int ringbus_write(/p" /usr/src/ringbus-*/core/write.c | grep -E "ringbus_write|Never sleeps|Context"'
run 'grep -n -A 24 "^int ringbus_write(" /usr/src/ringbus-*/core/write.c | grep -E "spin_(un)?lock|wake"'
run 'grep -n -A 8 "^void rbus_wake_readers_any" /usr/src/ringbus-*/core/channel.c'

section end
