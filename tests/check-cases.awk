# SPDX-License-Identifier: GPL-2.0-only
#
# check-cases.awk - did a boot report exactly the cases it should?
#
#   awk -f tests/check-cases.awk -v groups="05-packages 10-modules ..." \
#       tests/guest/cases.txt tap.txt
#
# tests/guest/cases.txt lists every guest case as "GROUP<TAB>NAME"; a NAME
# starting with "~" is an extended regular expression matched against the
# whole name (for a case whose name differs by kernel).  tap.txt is a
# boot's TAP block: "# group G" lines, then that group's "ok N - NAME" and
# "not ok N - NAME" lines (a " # SKIP" directive cut off).  For every
# group in @groups (the groups the boot was to run) this prints one line
# per problem:
#
#   no group G            the boot never started the group
#   missing G: NAME       a listed case the boot did not report
#   unlisted G: NAME      a case the boot reported that is not listed
#   twice G: NAME         a case reported more than once
#
# and at the end "cases N groups M" (what was checked).  No problem line
# means the boot lost no case.
BEGIN {
	FS = "\t"
	ng = split(groups, gl, " ")
	for (i = 1; i <= ng; i++)
		want[gl[i]] = 1
}
FNR == NR {
	if ($0 ~ /^#/ || $0 == "")
		next
	n[$1]++
	name[$1, n[$1]] = $2
	next
}
/^# group / {
	g = substr($0, 9)
	ran[g] = 1
	next
}
/^(not )?ok [0-9]+ - / {
	c = $0
	sub(/^(not )?ok [0-9]+ - /, "", c)
	sub(/ # SKIP.*$/, "", c)
	r[g]++
	rep[g, r[g]] = c
}
function matches(pat, s) {
	if (substr(pat, 1, 1) == "~")
		return s ~ ("^(" substr(pat, 2) ")$")
	return s == pat
}
END {
	total = 0
	for (i = 1; i <= ng; i++) {
		g = gl[i]
		if (!(g in ran)) {
			print "no group " g
			continue
		}
		for (j = 1; j <= n[g]; j++) {
			seen = 0
			for (k = 1; k <= r[g]; k++)
				if (matches(name[g, j], rep[g, k]))
					seen++
			if (!seen)
				print "missing " g ": " name[g, j]
			else if (seen > 1 && substr(name[g, j], 1, 1) != "~")
				print "twice " g ": " name[g, j]
		}
		for (k = 1; k <= r[g]; k++) {
			listed = 0
			for (j = 1; j <= n[g] && !listed; j++)
				if (matches(name[g, j], rep[g, k]))
					listed = 1
			if (!listed)
				print "unlisted " g ": " rep[g, k]
		}
		total += r[g]
	}
	print "cases " total " groups " ng
}
