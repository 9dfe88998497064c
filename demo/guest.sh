#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The guest side of "make demo": show the suite at work, command by command.
show() {
	printf '\n$ %s\n' "$*"
	bash -c "$*" 2>&1
}
echo "ringbus demo on Debian $(cat /etc/debian_version), kernel $(uname -r)"
show 'lsmod | grep ringbus || echo "(no ringbus module loaded)"'
show 'ls -l /dev/ringbus/'
show 'ringbusctl version   # opening /dev/ringbus/control loads the stack'
show 'lsmod | grep ringbus'
show 'modinfo ringbus_cdev | grep -E "^(version|alias|depends|softdep|parm)"'
show 'ringbusctl create demo --capacity 4K'
show 'ls -l /dev/ringbus/demo; cat /sys/class/ringbus/demo/mode'
show 'ringbusctl send demo "hello from the shell" "a second record"'
show 'ringbusctl recv --headers demo'
show 'ringbusctl create jobs --mode queue'
show 'seq 1 5 | ringbusctl send jobs; ringbusctl recv -n 2 jobs; ringbusctl info jobs'
show 'cat /proc/ringbus/channels'
show 'cat /proc/ringbus/cpus'
show 'ringbusctl list --json'
show 'ringbusctl destroy demo; ringbusctl destroy jobs; modprobe -r ringbus_cdev; lsmod | grep ringbus || echo "(all removed)"'
