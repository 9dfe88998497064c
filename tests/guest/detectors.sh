# SPDX-License-Identifier: GPL-2.0-only
# The debug kernel's detectors, proven to fire (run by ./run after every
# case when the host asks with rbtest.detectors=1): rbtest_detectors.ko
# commits a leak, a use after free, a lock-order inversion and a sleep in
# atomic context, each once.  The host passes each proof only when the
# kernel log after the marker, or kmemleak's report below, shows it.
# Everything it prints is a "# " comment or the kmemleak report; the
# verdicts are the host's.
set -u
ko=$RB_DIR/consumer/$(uname -r)/rbtest_detectors.ko
kml=/sys/kernel/debug/kmemleak
trig=/sys/module/rbtest_detectors/parameters/trigger

# The kernel log before this line is the suite's and must be clean; after
# it the reports are expected.
echo "<3>rbtest: RINGBUS-DETECTORS-BEGIN" >/dev/kmsg
if ! insmod "$ko"; then
	echo "# insmod $ko failed"
	exit 0
fi
# The use after free last: KASAN's report taints the kernel, and a taint
# turns lockdep off ("Disabling lock debugging due to kernel taint").
for bug in lockorder atomic-sleep leak uaf; do
	echo "$bug" >"$trig" || echo "# trigger $bug failed"
done
# kmemleak reports an object only once it is 5 s old (MSECS_MIN_AGE) and
# two scans in a row found no reference to it: scan until the leak shows,
# two minutes at most (a scan takes seconds under KASAN and emulation).
if [ -w "$kml" ]; then
	deadline=$((SECONDS + 120))
	until grep -q rbtd_leak "$kml" || [ "$SECONDS" -ge "$deadline" ]; do
		echo scan >"$kml"
	done
	echo "RINGBUS-DETECTORS-KMEMLEAK-BEGIN"
	cat "$kml"
	echo "RINGBUS-DETECTORS-KMEMLEAK-END"
else
	echo "# no $kml"
fi
rmmod rbtest_detectors || echo "# rmmod rbtest_detectors failed"
