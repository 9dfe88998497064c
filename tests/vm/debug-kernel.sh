#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# debug-kernel.sh - build (once, cached) the project's debug kernel: Debian's
# own linux-source-6.12 with KASAN, KFENCE, lockdep, UBSAN, kmemleak,
# DEBUG_OBJECTS, fault injection and KUnit (tests/vm/debug-kernel.config),
# packaged the Debian way with make bindeb-pkg.  Prints the directory that
# holds linux-image-*.deb and linux-headers-*.deb.
#
# The cache lives under $RB_CACHE (/var/cache/ringbus-test), keyed by the
# source package's version, the configuration fragment and this script;
# any change to one of them builds anew.  Deleting the cache is always
# safe.  RB_DEBUG_JOBS sets make's -j (default: the number of CPUs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

src_pkg=linux-source-6.12
fragment=$here/debug-kernel.config
# Options of the fragment a compiler may not offer (then left out, and said).
OPTIONAL="CONFIG_UBSAN_SIGNED_WRAP"
# What building a kernel package needs on the host beyond host-deps.sh.
build_deps=(bc bison cpio dwarves flex kmod libelf-dev libssl-dev rsync "$src_pkg")

missing=()
for p in "${build_deps[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	rb_log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-o Acquire::Retries=3 "${missing[@]}" </dev/null >&2 || {
		apt-get update -qq -o Acquire::Retries=3 </dev/null >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-o Acquire::Retries=3 "${missing[@]}" </dev/null >&2
	}
fi

srcver=$(dpkg-query -W -f='${Version}' "$src_pkg")
key=$( { echo "$srcver"; cat "$fragment" "$0"; } | sha256sum | cut -c1-12)
dir=$RB_CACHE/debug-kernel-$key
if [ -f "$dir/done" ]; then
	echo "$dir"
	exit 0
fi

work=$RB_CACHE/debug-kernel-build
rm -rf "$work" "$dir"
mkdir -p "$work"
tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
rb_log "unpacking $tarball ($src_pkg $srcver)"
tar -C "$work" -xf "$tarball"
tree=$(ls -d "$work"/linux-source-6.12)
cd "$tree"

start=$(date +%s)
make -s x86_64_defconfig >&2
make -s kvm_guest.config >&2
scripts/kconfig/merge_config.sh -m .config "$fragment" >"$work/merge.log" 2>&1
make -s olddefconfig >&2
# Every line of the fragment must have taken.
bad=()
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "$opt=[ym]" .config && bad+=("$opt (still set)")
	elif ! grep -qx "$opt=$val" .config; then
		case " $OPTIONAL " in
		*" $opt "*) rb_log "$opt is not offered by this compiler: left out" ;;
		*) bad+=("$opt (wanted $val, got $(grep "^$opt=" .config || echo 'not set'))") ;;
		esac
	fi
done <"$fragment"
if [ ${#bad[@]} -gt 0 ]; then
	printf '[vm] error: option not taken: %s\n' "${bad[@]}" >&2
	exit 1
fi

rb_log "building the debug kernel with -j${RB_DEBUG_JOBS:-$(nproc)} (a cold build takes a while)"
make -j"${RB_DEBUG_JOBS:-$(nproc)}" bindeb-pkg LOCALVERSION=-rbdebug \
	KDEB_PKGVERSION="$srcver+rbdebug" KDEB_SOURCENAME=linux-rbdebug \
	KBUILD_BUILD_TIMESTAMP="$(date -u -d @0)" >"$work/build.log" 2>&1 || {
	tail -n 30 "$work/build.log" >&2
	rb_die "the debug kernel did not build (log: $work/build.log)"
}
mkdir -p "$dir"
mv "$work"/linux-image-*-rbdebug_*.deb "$work"/linux-headers-*-rbdebug_*.deb "$dir"/
cp .config "$dir/config"
echo "$(( $(date +%s) - start ))" >"$dir/build-seconds"
rm -rf "$work"
touch "$dir/done"
rb_log "debug kernel built in $(cat "$dir/build-seconds") s: $dir"
echo "$dir"
