#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""guest-state.py MONITOR-SOCKET [SYSTEM.MAP [TEXT-ADDR]]

What a stalled guest's vCPUs were doing, for boot.sh's stall watchdog:
asks QEMU's human monitor (a unix socket) for every vCPU's registers and
the top of its stack, and names each kernel address found there by the
symbol of SYSTEM.MAP that holds it.  TEXT-ADDR is where the guest said
its kernel's _text lies (KASLR moves it; the guest's run prints it on the
console): the map's addresses are moved by the same amount.  Addresses in
the ringbus modules are named from their .ko files (objdump -t) when the
environment says where each module's .text was (RB_MODULE_TEXT, "NAME=ADDR
..." as the guest's heartbeat printed it) and where the files are
(RB_MODULE_DIR, the kernel's /lib/modules/KVER in the guest's root).  Other
addresses in module space are marked as such.  Prints plain text.
"""
import bisect
import lzma
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


def monitor(path, commands):
    """The output of each command, as the monitor printed it."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    buf = b""

    def until_prompt():
        nonlocal buf
        deadline = time.monotonic() + 20
        while b"(qemu) " not in buf and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        out, _, buf = buf.partition(b"(qemu) ")
        return out.decode("utf-8", "replace")

    until_prompt()  # the banner
    outs = []
    for c in commands:
        s.sendall(c.encode() + b"\n")
        out = until_prompt()
        # The monitor echoes the command line first (with terminal codes).
        outs.append(out.split("\n", 1)[1] if "\n" in out else out)
    s.close()
    return outs


def load_map(path, text):
    """The kernel's text symbols, sorted, moved to where _text is now."""
    syms = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3 and p[1] in "tTwW":
                syms.append((int(p[0], 16), p[2]))
    base = dict((n, a) for a, n in syms).get("_text")
    if base is None:
        # Debian's /boot/System.map is a placeholder ("The real System.map
        # is in the linux-image-<version>-dbg package"): no kernel names.
        return [], []
    syms.sort()
    delta = text - base if text is not None else 0
    return [a + delta for a, _ in syms], [n for _, n in syms]


def module_symbols():
    """(start, end, "module:symbol") of the ringbus modules' functions."""
    syms = []
    where = os.environ.get("RB_MODULE_TEXT", "").split()
    top = os.environ.get("RB_MODULE_DIR", "")
    files = {}
    for dirpath, _, filenames in os.walk(top) if top else []:
        for f in filenames:
            m = re.match(r"(ringbus[a-z_]*)\.ko(\.xz)?$", f)
            if m:
                files.setdefault(m.group(1), os.path.join(dirpath, f))
    for item in where:
        mod, _, addr = item.partition("=")
        path = files.get(mod)
        if not path:
            continue
        base = int(addr, 16)
        with tempfile.NamedTemporaryFile(suffix=".ko") as tmp:
            data = open(path, "rb").read()
            tmp.write(lzma.decompress(data) if path.endswith(".xz") else data)
            tmp.flush()
            out = subprocess.run(["objdump", "-t", tmp.name], capture_output=True,
                                 text=True).stdout
        for line in out.splitlines():
            m = re.match(r"([0-9a-f]+) .{6}F \.text\t([0-9a-f]+) +(\S+)$", line)
            if m and not m.group(3).startswith("__pfx_"):
                start = base + int(m.group(1), 16)
                syms.append((start, start + int(m.group(2), 16), "%s:%s" % (mod, m.group(3))))
    return sorted(syms)


MODULE_SYMS = []


def name(addr, addrs, names):
    for start, end, sym in MODULE_SYMS:
        if start <= addr < end:
            return "%s+0x%x" % (sym, addr - start)
    if addrs:
        i = bisect.bisect_right(addrs, addr) - 1
        if 0 <= i and addr - addrs[i] < 0x100000:
            return "%s+0x%x" % (names[i], addr - addrs[i])
    # x86-64's module area: MODULES_VADDR to MODULES_END.
    if 0xffffffffc0000000 <= addr < 0xffffffffff000000:
        return "(module space)"
    return None


def main():
    sock = sys.argv[1]
    addrs, names = [], []
    if len(sys.argv) > 2:
        # kptr_restrict may have shown the guest zeros.
        text = int(sys.argv[3], 16) if len(sys.argv) > 3 and sys.argv[3] else 0
        text = text or None
        try:
            addrs, names = load_map(sys.argv[2], text)
        except OSError as e:
            print("no symbols: %s" % e)
    try:
        MODULE_SYMS.extend(module_symbols())
    except (OSError, lzma.LZMAError) as e:
        print("no module symbols: %s" % e)
    ncpu = len(re.findall(r"CPU #\d+", monitor(sock, ["info cpus"])[0]))
    cmds = []
    for cpu in range(max(ncpu, 1)):
        cmds += ["cpu %d" % cpu, "info registers", "x/32gx $rsp"]
    outs = monitor(sock, cmds)
    for cpu in range(max(ncpu, 1)):
        regs, stack = outs[3 * cpu + 1], outs[3 * cpu + 2]
        rip = re.search(r"RIP=([0-9a-f]+)", regs)
        print("vCPU %d:" % cpu)
        if rip:
            a = int(rip.group(1), 16)
            print("  RIP %016x %s" % (a, name(a, addrs, names) or ""))
        seen = set()
        for x in re.findall(r"0x(ffffffff[0-9a-f]{8})", stack):
            a = int(x, 16)
            n = name(a, addrs, names)
            if n and a not in seen:
                seen.add(a)
                print("  stack %016x %s" % (a, n))
        print("  registers:")
        for line in regs.strip().splitlines():
            print("    " + line.rstrip())


if __name__ == "__main__":
    main()
