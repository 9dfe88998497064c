# SPDX-License-Identifier: GPL-2.0-only
#
# report.awk -v out=PREFIX FILE... - turn the JSON lines of a benchmark run
# (rb-bench runs, its overhead modes, and the lines bench/guest.sh and
# bench/host.sh add) into PREFIX.md (tables and the targets, PASS or
# MISS), PREFIX.json, PREFIX.dat and PREFIX.gp (data and gnuplot script of
# the records/s chart).  Plain POSIX awk (mawk in the guest, any awk on the
# host).  Records/s of a configuration is the median of its repetitions;
# the spread is (max - min) / median.

function jstr(line, key,    m) {
	if (!match(line, "\"" key "\":\"[^\"]*\""))
		return ""
	m = substr(line, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
	return m
}

function jnum(line, key,    m) {
	if (!match(line, "\"" key "\":-?[0-9][0-9.eE+-]*"))
		return ""
	return substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3) + 0
}

# median of the n numbers in v[1..n] (sorts v)
function median(v, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = v[i]
		for (j = i - 1; j >= 1 && v[j] > t; j--)
			v[j + 1] = v[j]
		v[j + 1] = t
	}
	if (n % 2)
		return v[(n + 1) / 2]
	return (v[n / 2] + v[n / 2 + 1]) / 2
}

function pattern_of(r) { return r == 1 ? "1->1" : "1->" r }
function calls_of(b) { return b > 1 ? "batch" : "single" }

function fmt_rate(x) { return sprintf("%.0f", x) }

function ratio(a, b) { return (a > 0 && b > 0) ? a / b : -1 }
function fmt_ratio(x) { return x < 0 ? "n/a" : sprintf("%.2fx", x) }

# target NAME RATIO NEED: one PASS/MISS line
function target(name, r, need,    res) {
	res = (r >= need) ? "PASS" : "MISS"
	ntarget++
	tline[ntarget] = sprintf("%s %s: %s (need >= %.2fx)", res, name,
				 r < 0 ? "no data" : sprintf("%.2fx", r), need)
	tjson[ntarget] = sprintf("{\"target\":\"%s\",\"ratio\":%s,\"need\":%s,\"result\":\"%s\"}",
				 name, r < 0 ? "null" : sprintf("%.3f", r), need, res)
	if (res == "MISS")
		nmiss++
}

BEGIN {
	if (out == "")
		out = "results"
	nsizes = split("16 64 512 4096", sizes, " ")
	ntr = split("rb-queue rb-bcast pipe seqpacket mq", trs, " ")
}

/^\{"transport":/ {
	key = pattern_of(jnum($0, "readers")) SUBSEP calls_of(jnum($0, "batch")) SUBSEP \
	      jnum($0, "size") SUBSEP jstr($0, "transport")
	if (!(key in nrep)) {
		nkeys++
		keys[nkeys] = key
		batchof[key] = jnum($0, "batch")
	}
	if ($0 !~ /"ok":true/) {
		nfail[key]++
		failed++
		faillines[failed] = $0
		next
	}
	nrep[key]++
	rps[key, nrep[key]] = jnum($0, "records_per_s")
	mbs[key, nrep[key]] = jnum($0, "mb_per_s")
	if (jnum($0, "kernel_wakeups") != "" && jnum($0, "written") > 0)
		wk[key, nrep[key]] = jnum($0, "kernel_wakeups") / jnum($0, "written")
	next
}
/^\{"micro":/ {
	mk = jstr($0, "micro") SUBSEP jstr($0, "mode") SUBSEP jnum($0, "batch")
	if (!(mk in microseen)) {
		microseen[mk] = 1
		nmicro++
		microkeys[nmicro] = mk
	}
	micro[mk, jnum($0, "size")] = jnum($0, "ns_per_record")
	next
}
/^\{"overhead":/ { novh++; ovh[novh] = $0; next }
/^\{"channel_overhead":/ { nchov++; chov[nchov] = $0; next }
/^\{"modprobe_ms":/ { nmod++; modms[nmod] = jnum($0, "modprobe_ms"); next }
/^\{"ko":/ { nko++; ko[nko] = $0; next }
/^\{"dkms_build_s":/ { ndkms++; dkms[ndkms] = $0; next }
/^\{"env":/ { env = $0; next }

END {
	md = out ".md"
	js = out ".json"
	dat = out ".dat"
	gp = out ".gp"

	# Order: pattern, calls, record size, transport; anything else after.
	n = 0
	for (pi = 1; pi <= 2; pi++)
		for (ci = 1; ci <= 2; ci++)
			for (s = 1; s <= nsizes; s++)
				for (t = 1; t <= ntr; t++) {
					k = (pi == 1 ? "1->1" : "1->4") SUBSEP (ci == 1 ? "single" : "batch") \
					    SUBSEP sizes[s] SUBSEP trs[t]
					if ((k in batchof) && !(k in placed)) {
						placed[k] = 1
						ordered[++n] = k
					}
				}
	for (i = 1; i <= nkeys; i++)
		if (!(keys[i] in placed))
			ordered[++n] = keys[i]
	for (i = 1; i <= nkeys; i++)
		keys[i] = ordered[i]

	# Medians.
	for (i = 1; i <= nkeys; i++) {
		k = keys[i]
		n = nrep[k] + 0
		if (n == 0)
			continue
		hasw = (k, 1) in wk
		for (j = 1; j <= n; j++) {
			v[j] = rps[k, j]
			w[j] = mbs[k, j]
			if (hasw)
				x[j] = wk[k, j]
		}
		med[k] = median(v, n)
		lo[k] = v[1]
		hi[k] = v[n]
		mbmed[k] = median(w, n)
		if (hasw)
			wkmed[k] = median(x, n)
	}

	# --- Markdown ---
	print "# ringbus benchmark results" > md
	print "" > md
	if (env != "") {
		printf "Guest kernel %s, %s vCPUs (QEMU TCG: software emulation), ringbus %s; " \
		       "%s repetitions of %s s per configuration. Records/s is the median of the " \
		       "repetitions (aggregate over all readers for 1->4); spread is (max - min) / median. " \
		       "Only ratios within this one boot mean anything.\n\n", \
		       jstr(env, "kernel"), jnum(env, "cpus"), jstr(env, "version"), \
		       jnum(env, "reps"), jnum(env, "secs") > md
	}
	print "## Targets" > md
	print "" > md

	# Targets.
	k1 = "1->1" SUBSEP "single" SUBSEP 64 SUBSEP
	target("single-record 64 B 1->1: rb-queue / seqpacket", ratio(med[k1 "rb-queue"], med[k1 "seqpacket"]), 1)
	target("single-record 64 B 1->1: rb-queue / mq", ratio(med[k1 "rb-queue"], med[k1 "mq"]), 1)
	for (s = 1; s <= nsizes; s++) {
		z = sizes[s]
		target("batch ioctls " z " B 1->1: rb-queue batch / seqpacket single",
		       ratio(med["1->1" SUBSEP "batch" SUBSEP z SUBSEP "rb-queue"],
			     med["1->1" SUBSEP "single" SUBSEP z SUBSEP "seqpacket"]), 3)
	}
	for (s = 1; s <= nsizes; s++) {
		z = sizes[s]
		target("broadcast " z " B 1->4 aggregate: rb-bcast / writer-to-4-seqpackets",
		       ratio(med["1->4" SUBSEP "single" SUBSEP z SUBSEP "rb-bcast"],
			     med["1->4" SUBSEP "single" SUBSEP z SUBSEP "seqpacket"]), 3)
	}
	print "```" > md
	for (i = 1; i <= ntarget; i++)
		print tline[i] > md
	print "```" > md
	printf "\n%d of %d targets missed.\n\n", nmiss, ntarget > md
	if (failed) {
		print "## Failed runs (excluded from the medians)" > md
		print "" > md
		print "```" > md
		for (i = 1; i <= failed; i++)
			print faillines[i] > md
		print "```" > md
		print "" > md
	}

	print "## Ratios: ringbus / peer (same pattern, calls and record size)" > md
	print "" > md
	print "| pattern | calls | size | ringbus | records/s | / pipe | / seqpacket | / mq (single) | / seqpacket single |" > md
	print "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |" > md
	for (i = 1; i <= nkeys; i++) {
		k = keys[i]
		split(k, p, SUBSEP)
		if (p[4] !~ /^rb-/ || !(k in med))
			continue
		base = p[1] SUBSEP p[2] SUBSEP p[3] SUBSEP
		sbase = p[1] SUBSEP "single" SUBSEP p[3] SUBSEP
		rp = ratio(med[k], med[base "pipe"])
		rs = ratio(med[k], med[base "seqpacket"])
		rm = ratio(med[k], med[sbase "mq"])
		rss = ratio(med[k], med[sbase "seqpacket"])
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p[1], p[2], p[3], p[4],
		       fmt_rate(med[k]), fmt_ratio(rp), fmt_ratio(rs), fmt_ratio(rm), fmt_ratio(rss) > md
		nrat++
		rat[nrat] = sprintf("{\"pattern\":\"%s\",\"calls\":\"%s\",\"size\":%s,\"ringbus\":\"%s\"," \
				    "\"records_per_s\":%.1f,\"vs_pipe\":%s,\"vs_seqpacket\":%s," \
				    "\"vs_mq_single\":%s,\"vs_seqpacket_single\":%s}", p[1], p[2], p[3], p[4],
				    med[k], rp < 0 ? "null" : sprintf("%.3f", rp),
				    rs < 0 ? "null" : sprintf("%.3f", rs),
				    rm < 0 ? "null" : sprintf("%.3f", rm),
				    rss < 0 ? "null" : sprintf("%.3f", rss))
	}
	print "" > md

	print "## All measurements" > md
	print "" > md
	print "| pattern | calls | size | transport | records/s (median) | min | max | spread | MB/s | runs | kernel wake-ups per record written |" > md
	print "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" > md
	for (i = 1; i <= nkeys; i++) {
		k = keys[i]
		split(k, p, SUBSEP)
		if (!(k in med)) {
			printf "| %s | %s | %s | %s | failed | | | | | 0 | |\n", p[1], p[2], p[3], p[4] > md
			continue
		}
		sp = med[k] > 0 ? 100 * (hi[k] - lo[k]) / med[k] : 0
		printf "| %s | %s | %s | %s%s | %s | %s | %s | %.1f%% | %.1f | %d%s | %s |\n", p[1], p[2], p[3], p[4],
		       p[2] == "batch" ? " (" batchof[k] ")" : "",
		       fmt_rate(med[k]), fmt_rate(lo[k]), fmt_rate(hi[k]), sp, mbmed[k], nrep[k],
		       nfail[k] ? " (+" nfail[k] " failed)" : "",
		       (k in wkmed) ? sprintf("%.3f", wkmed[k]) : "" > md
		nrow++
		row[nrow] = sprintf("{\"pattern\":\"%s\",\"calls\":\"%s\",\"batch\":%d,\"size\":%s,\"transport\":\"%s\"," \
				    "\"records_per_s_median\":%.1f,\"records_per_s_min\":%.1f,\"records_per_s_max\":%.1f," \
				    "\"spread_pct\":%.2f,\"mb_per_s_median\":%.3f,\"runs\":%d,\"failed_runs\":%d," \
				    "\"kernel_wakeups_per_record\":%s}",
				    p[1], p[2], batchof[k], p[3], p[4], med[k], lo[k], hi[k], sp, mbmed[k],
				    nrep[k], nfail[k] + 0, (k in wkmed) ? sprintf("%.4f", wkmed[k]) : "null")
	}
	print "" > md

	if (nmicro) {
		print "## Cost per record of one call, no peer (ns under TCG; compare within the table)" > md
		print "" > md
		print "A 4 MiB channel is filled by one process and then drained by it: no waiting, no wake-ups. " \
		      "The last column is the cost of each extra KiB of payload, (4096 B - 16 B) / 3.98 KiB." > md
		print "" > md
		print "| call | channel | records per call | 16 B | 64 B | 512 B | 4096 B | ns per extra KiB |" > md
		print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |" > md
		for (i = 1; i <= nmicro; i++) {
			mk = microkeys[i]
			split(mk, p, SUBSEP)
			slope = ((mk, 4096) in micro && (mk, 16) in micro) ? \
				sprintf("%.0f", (micro[mk, 4096] - micro[mk, 16]) / (4080 / 1024)) : ""
			printf "| %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %s |\n", p[1], p[2], p[3],
			       micro[mk, 16], micro[mk, 64], micro[mk, 512], micro[mk, 4096], slope > md
			nmj++
			mj[nmj] = sprintf("{\"call\":\"%s\",\"channel\":\"%s\",\"batch\":%s,\"ns_16\":%.1f," \
					  "\"ns_64\":%.1f,\"ns_512\":%.1f,\"ns_4096\":%.1f}", p[1], p[2], p[3],
					  micro[mk, 16], micro[mk, 64], micro[mk, 512], micro[mk, 4096])
		}
		print "" > md
	}
	if (novh) {
		print "## Memory per record (bytes)" > md
		print "" > md
		print "| transport | payload | bytes per record | overhead | how |" > md
		print "| --- | ---: | ---: | ---: | --- |" > md
		for (i = 1; i <= novh; i++) {
			t = jstr(ovh[i], "overhead")
			how = t == "rb" ? "ring bytes in use (RINGBUS_IOC_CHAN_INFO used) / records" : \
			      t == "seqpacket" ? "SIOCOUTQ (sender sk_wmem_alloc, skb truesize) / records" : \
			      "/proc/meminfo Slab growth / queued messages"
			printf "| %s | %d | %.1f | %.1f | %s |\n", t == "rb" ? "ringbus" : t,
			       jnum(ovh[i], "size"), jnum(ovh[i], "per_record"),
			       jnum(ovh[i], "overhead_per_record"), how > md
		}
		print "" > md
	}
	if (nchov) {
		print "## Fixed memory per channel and per open file (bytes, /proc/meminfo deltas)" > md
		print "" > md
		print "| capacity | channels | slab per channel | vmalloc per channel | MemFree drop per channel | slab per O_RDWR fd | vmalloc per O_RDWR fd | MemFree drop per fd |" > md
		print "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" > md
		for (i = 1; i <= nchov; i++)
			printf "| %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |\n",
			       jnum(chov[i], "channel_overhead"), jnum(chov[i], "channels"),
			       jnum(chov[i], "channel_slab_bytes"), jnum(chov[i], "channel_vmalloc_bytes"),
			       jnum(chov[i], "channel_memfree_bytes"), jnum(chov[i], "rdwr_fd_slab_bytes"),
			       jnum(chov[i], "rdwr_fd_vmalloc_bytes"), jnum(chov[i], "rdwr_fd_memfree_bytes") > md
		print "" > md
	}
	if (nko) {
		print "## Module sizes" > md
		print "" > md
		print "| module | .ko file bytes | text | data | bss | loaded size (/proc/modules) |" > md
		print "| --- | ---: | ---: | ---: | ---: | ---: |" > md
		for (i = 1; i <= nko; i++)
			printf "| %s | %d | %d | %d | %d | %d |\n", jstr(ko[i], "ko"),
			       jnum(ko[i], "file_bytes"), jnum(ko[i], "text"), jnum(ko[i], "data"),
			       jnum(ko[i], "bss"), jnum(ko[i], "loaded_bytes") > md
		print "" > md
	}
	if (nmod) {
		for (i = 1; i <= nmod; i++)
			mv[i] = modms[i]
		modmed = median(mv, nmod)
		printf "## Loading\n\n`modprobe ringbus_cdev` (loads ringbus, ringbus_cdev, ringbus_proc) " \
		       "in the guest: median %.1f ms, min %.1f, max %.1f over %d loads.\n\n",
		       modmed, mv[1], mv[nmod], nmod > md
	}
	if (ndkms) {
		print "## DKMS build time (host, in the guest root chroot)" > md
		print "" > md
		print "| kernel | dkms build seconds |" > md
		print "| --- | ---: |" > md
		for (i = 1; i <= ndkms; i++)
			printf "| %s | %.1f |\n", jstr(dkms[i], "kernel"), jnum(dkms[i], "dkms_build_s") > md
		print "" > md
	}

	# --- JSON ---
	printf "{\"environment\":%s,\n\"targets\":[", env == "" ? "null" : env > js
	for (i = 1; i <= ntarget; i++)
		printf "%s\n%s", (i > 1 ? "," : ""), tjson[i] > js
	printf "],\n\"ratios\":[" > js
	for (i = 1; i <= nrat; i++)
		printf "%s\n%s", (i > 1 ? "," : ""), rat[i] > js
	printf "],\n\"rows\":[" > js
	for (i = 1; i <= nrow; i++)
		printf "%s\n%s", (i > 1 ? "," : ""), row[i] > js
	printf "],\n\"failed_runs\":%d,\n\"record_overhead\":[", failed > js
	for (i = 1; i <= novh; i++)
		printf "%s\n%s", (i > 1 ? "," : ""), ovh[i] > js
	printf "],\n\"channel_overhead\":[" > js
	for (i = 1; i <= nchov; i++)
		printf "%s\n%s", (i > 1 ? "," : ""), chov[i] > js
	printf "],\n\"modules\":[" > js
	for (i = 1; i <= nko; i++)
		printf "%s\n%s", (i > 1 ? "," : ""), ko[i] > js
	printf "],\n\"modprobe_ms\":[" > js
	for (i = 1; i <= nmod; i++)
		printf "%s%s", (i > 1 ? "," : ""), modms[i] > js
	printf "],\n\"micro\":[" > js
	for (i = 1; i <= nmj; i++)
		printf "%s\n%s", (i > 1 ? "," : ""), mj[i] > js
	printf "],\n\"dkms_build\":[" > js
	for (i = 1; i <= ndkms; i++)
		printf "%s\n%s", (i > 1 ? "," : ""), dkms[i] > js
	printf "]}\n" > js

	# --- chart data: one gnuplot data block per series ---
	nser = 0
	for (pi = 1; pi <= 2; pi++) {
		pat = pi == 1 ? "1->1" : "1->4"
		for (ci = 1; ci <= 2; ci++) {
			cl = ci == 1 ? "single" : "batch"
			for (t = 1; t <= ntr; t++) {
				have = 0
				for (s = 1; s <= nsizes; s++)
					if ((pat SUBSEP cl SUBSEP sizes[s] SUBSEP trs[t]) in med)
						have = 1
				if (!have)
					continue
				printf "# %s %s %s\n", pat, cl, trs[t] > dat
				for (s = 1; s <= nsizes; s++) {
					k = pat SUBSEP cl SUBSEP sizes[s] SUBSEP trs[t]
					if (k in med)
						printf "%s %.1f %.1f %.1f\n", sizes[s], med[k], lo[k], hi[k] > dat
				}
				printf "\n\n" > dat
				ser_idx[nser] = nser
				ser_pat[nser] = pi
				ser_title[nser] = trs[t] (cl == "batch" ? " (batch)" : "")
				ser_dash[nser] = cl == "batch" ? 2 : 1
				ser_color[nser] = t
				nser++
			}
		}
	}
	if (nser == 0)
		printf "# no data\n" > dat

	# --- gnuplot script ---
	datname = dat
	sub(/.*\//, "", datname)
	pngname = out
	sub(/.*\//, "", pngname)
	print "set terminal pngcairo size 1400,600 font ',10'" > gp
	print "set output 'records.png'" > gp
	print "set multiplot layout 1,2 title 'ringbus vs peers: records/s by record size (median, bars: min-max; QEMU TCG guest, compare ratios only)'" > gp
	print "set logscale xy" > gp
	print "set xtics (16, 64, 512, 4096)" > gp
	print "set xlabel 'record size (bytes)'" > gp
	print "set ylabel 'records/s (delivered)'" > gp
	print "set grid" > gp
	print "set key outside bottom center horizontal maxrows 3" > gp
	for (pi = 1; pi <= 2; pi++) {
		printf "set title '%s'\n", pi == 1 ? "1 writer -> 1 reader" : "1 writer -> 4 readers (aggregate)" > gp
		first = 1
		line = "plot"
		for (i = 0; i < nser; i++) {
			if (ser_pat[i] != pi)
				continue
			line = line sprintf("%s '%s' index %d using 1:2:3:4 with yerrorlines lc %d dt %d pt %d title '%s'",
					    first ? "" : ",", datname, i, ser_color[i], ser_dash[i],
					    ser_color[i] + 4 * (ser_dash[i] - 1), ser_title[i])
			first = 0
		}
		if (!first)
			print line > gp
	}
	print "unset multiplot" > gp
	close(md)
	close(js)
	close(dat)
	close(gp)
}
