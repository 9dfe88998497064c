// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl: the commands of the channel nodes: send and recv.
 */
#include "ringbusctl.h"

/* ------------------------------------------------------------------ */
/* send */

static int send_record(int fd, const char *name, const char *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;
		struct ringbus_info info;

		if (e == EMSGSIZE) {
			memset(&info, 0, sizeof(info));
			if (ioctl(fd, RINGBUS_IOC_CHAN_INFO, &info) == 0) {
				errmsg("send %s: %s (record of %zu bytes, the channel's maximum is %u)",
				       name, strerror(e), len,
				       (unsigned int)info.max_record);
				return -1;
			}
		}
		errmsg("send %s: %s%s", name, strerror(e),
		       e == EAGAIN ? " (channel full)" :
		       e == EINVAL && len == 0 ? " (empty record)" : "");
		return -1;
	}
	if ((size_t)n != len) {
		errmsg("send %s: short write (%zd of %zu bytes)", name, n, len);
		return -1;
	}
	return 0;
}

static const struct option send_lopts[] = {
	COMMON_LONG,
	{ "nonblock",	no_argument,	   NULL, OPT_NONBLOCK },
	{ "encoding",	required_argument, NULL, OPT_ENCODING },
	{ NULL, 0, NULL, 0 }
};

struct send_opts {
	bool nonblock;
	enum encoding enc;
};

static int send_opt(struct ctx *ctx, int c, void *data)
{
	struct send_opts *so = data;

	switch (c) {
	case OPT_NONBLOCK:
		so->nonblock = true;
		return RC_CONTINUE;
	case OPT_ENCODING:
		return parse_encoding(ctx, optarg, &so->enc);
	default:
		return RC_OTHER;
	}
}

int cmd_send(struct ctx *ctx, int argc, char **argv)
{
	struct send_opts so = { false, ENC_TEXT };
	const struct cmd_opts opts = {
		":" COMMON_SHORT, send_lopts, send_opt, &so
	};
	ssize_t *lens = NULL;
	const char *name;
	int rc, fd, i;

	rc = parse_name_args(ctx, argc, argv, &opts, -1, &name);
	if (rc != RC_OK)
		return rc;
	/* Records given as arguments: decoded, so a bad one sends nothing. */
	if (optind + 1 < argc) {
		lens = calloc((size_t)argc, sizeof(*lens));
		if (!lens) {
			errmsg("send %s: %s", name, strerror(ENOMEM));
			return RC_FAIL;
		}
		for (i = optind + 1; i < argc; i++) {
			lens[i] = (ssize_t)strlen(argv[i]);
			if (so.enc == ENC_BASE64)
				lens[i] = decode_base64(argv[i], (size_t)lens[i]);
			if (lens[i] < 0) {
				free(lens);
				return bad_value(ctx, "record", argv[i], "not base64 (RFC 4648, padded)");
			}
		}
	}

	fd = open_channel(ctx, name, O_WRONLY | (so.nonblock ? O_NONBLOCK : 0));
	if (fd < 0) {
		free(lens);
		return RC_FAIL;
	}
	rc = RC_OK;
	if (lens) {
		for (i = optind + 1; i < argc; i++) {
			if (send_record(fd, name, argv[i], (size_t)lens[i]) < 0) {
				rc = RC_FAIL;
				break;
			}
		}
		free(lens);
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		uint64_t lineno = 0;

		errno = 0;
		while ((len = getline(&line, &cap, stdin)) >= 0) {
			lineno++;
			if (len > 0 && line[len - 1] == '\n')
				len--;
			/* The module refuses empty records (EINVAL). */
			if (len == 0) {
				errno = 0;
				continue;
			}
			if (so.enc == ENC_BASE64 &&
			    (len = decode_base64(line, (size_t)len)) < 0) {
				errmsg("send %s: standard input, line %llu: not base64 (RFC 4648, padded)",
				       name, (unsigned long long)lineno);
				rc = RC_FAIL;
				break;
			}
			if (send_record(fd, name, line, (size_t)len) < 0) {
				rc = RC_FAIL;
				break;
			}
			errno = 0;
		}
		if (rc == RC_OK && ferror(stdin)) {
			errmsg("standard input: %s", strerror(errno));
			rc = RC_FAIL;
		}
		free(line);
	}
	if (close(fd) < 0 && rc == RC_OK) {
		errmsg("send %s: %s", name, strerror(errno));
		rc = RC_FAIL;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* recv */

struct recv_state {
	const char *name;
	bool follow;		/* -f */
	bool nonblock;
	int whence;		/* --from-start, --from-end; -1 for neither */
	uint64_t limit;		/* -n; 0 for no limit */
	bool headers;		/* print the headers */
	bool fd_headers;	/* read() returns header + payload */
	char *buf;
	size_t size;
	size_t extra;		/* header bytes in front of the payload */
	uint64_t missed;	/* fd_missed already reported */
	enum encoding enc;	/* --encoding */
};

/* Sizes the buffer for the channel's current max_record. */
static int recv_size_buf(int fd, struct recv_state *st)
{
	struct ringbus_info info;
	size_t size;
	char *nbuf;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, RINGBUS_IOC_CHAN_INFO, &info) < 0) {
		errmsg("recv %s: %s", st->name, strerror(errno));
		return -1;
	}
	size = (size_t)info.max_record + st->extra;
	if (size < st->extra) {
		errmsg("recv %s: %s", st->name, strerror(EOVERFLOW));
		return -1;
	}
	if (size == 0)
		size = 1;	/* a zero-byte read() would look like EOF */
	if (size <= st->size)
		return 0;
	nbuf = realloc(st->buf, size);
	if (!nbuf) {
		errmsg("recv %s: %s", st->name, strerror(ENOMEM));
		return -1;
	}
	st->buf = nbuf;
	st->size = size;
	return 0;
}

static void recv_report_overrun(int fd, struct recv_state *st)
{
	struct ringbus_stats stats;

	memset(&stats, 0, sizeof(stats));
	if (ioctl(fd, RINGBUS_IOC_STATS, &stats) < 0) {
		errmsg("%s: overrun, records missed (%s)", st->name,
		       strerror(errno));
		return;
	}
	errmsg("%s: overrun, %llu records missed", st->name,
	       (unsigned long long)(stats.fd_missed - st->missed));
	st->missed = stats.fd_missed;
}

static int recv_print(struct recv_state *st, size_t n)
{
	struct ringbus_record_header h;
	const char *payload = st->buf;
	size_t len = n;

	if (st->fd_headers) {
		if (n < sizeof(h)) {
			errmsg("recv %s: short record (%zu bytes, no header)",
			       st->name, n);
			return -1;
		}
		memcpy(&h, st->buf, sizeof(h));
		payload += sizeof(h);
		len = n - sizeof(h);
		if (h.len < len)
			len = h.len;
	}
	/*
	 * A line of text, or one JSON object a line: --json implies the
	 * headers, and recv fails without fd_headers then.
	 */
	out_open_object(NULL, false);
	if (st->fd_headers && st->headers) {
		print_u64(PRINT_ANY, "seq", "seq=%llu ", h.seq);
		print_u64(PRINT_ANY, "ts_ns", "ts=%llu ", h.ts_ns);
		print_uint(PRINT_ANY, "pid", "pid=%u ", h.pid);
		print_uint(PRINT_ANY, "uid", "uid=%u ", h.uid);
		print_uint(PRINT_ANY, "len", "len=%u: ", h.len);
	}
	if (st->enc == ENC_BASE64)
		print_base64(PRINT_ANY, "data_b64", payload, len);
	else
		print_bytes(PRINT_ANY, "data", payload, len);
	print_fp("\n");
	out_close_object();
	return 0;
}

static int recv_loop(int fd, struct recv_state *st)
{
	uint64_t got = 0;
	bool retried = false;

	while (st->limit == 0 || got < st->limit) {
		ssize_t n = read(fd, st->buf, st->size);

		if (n > 0) {
			retried = false;
			if (recv_print(st, (size_t)n) < 0)
				return RC_FAIL;
			if (st->follow && fflush(stdout) != 0)
				return finish_stdout(RC_FAIL);
			got++;
			continue;
		}
		if (n == 0)
			return RC_OK;		/* the channel was destroyed */
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN: {
			struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLPRI };

			if (!st->follow)
				return RC_OK;	/* nothing more to read */
			/* -f with --nonblock: wait here instead of in read(). */
			if (fflush(stdout) != 0)
				return finish_stdout(RC_FAIL);
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
				errmsg("recv %s: poll: %s", st->name, strerror(errno));
				return RC_FAIL;
			}
			if (pfd.revents & POLLNVAL) {
				errmsg("recv %s: poll: %s", st->name, strerror(EBADF));
				return RC_FAIL;
			}
			continue;
		}
		case EPIPE:
			recv_report_overrun(fd, st);
			continue;
		case ENODEV:
			return RC_OK;		/* destroyed, the other way */
		case EMSGSIZE:
			/* Should not happen with a max_record buffer; size it
			 * again once in case the channel changed. */
			if (!retried) {
				size_t old = st->size;

				retried = true;
				if (recv_size_buf(fd, st) < 0)
					return RC_FAIL;
				if (st->size > old)
					continue;
			}
			errmsg("recv %s: %s", st->name, strerror(EMSGSIZE));
			return RC_FAIL;
		default:
			errmsg("recv %s: %s", st->name, strerror(errno));
			return RC_FAIL;
		}
	}
	return RC_OK;
}

static const struct option recv_lopts[] = {
	COMMON_LONG,
	{ "follow",	no_argument,	   NULL, 'f' },
	{ "from-start",	no_argument,	   NULL, OPT_FROM_START },
	{ "from-end",	no_argument,	   NULL, OPT_FROM_END },
	{ "headers",	no_argument,	   NULL, OPT_HEADERS },
	{ "nonblock",	no_argument,	   NULL, OPT_NONBLOCK },
	{ "encoding",	required_argument, NULL, OPT_ENCODING },
	{ NULL, 0, NULL, 0 }
};

static int recv_opt(struct ctx *ctx, int c, void *data)
{
	struct recv_state *st = data;

	switch (c) {
	case 'f':
		st->follow = true;
		break;
	case 'n':
		if (!parse_u64(optarg, false, UINT64_MAX, &st->limit) ||
		    st->limit == 0)
			return bad_value(ctx, "-n", optarg,
					 "expected a number of records, at least 1");
		break;
	case OPT_FROM_START:
	case OPT_FROM_END:
		if (st->whence != -1)
			return usage_error(ctx, "--from-start and --from-end are exclusive");
		st->whence = c == OPT_FROM_START ? SEEK_SET : SEEK_END;
		break;
	case OPT_HEADERS:
		st->headers = true;
		break;
	case OPT_NONBLOCK:
		st->nonblock = true;
		break;
	case OPT_ENCODING:
		return parse_encoding(ctx, optarg, &st->enc);
	default:
		return RC_OTHER;
	}
	return RC_CONTINUE;
}

int cmd_recv(struct ctx *ctx, int argc, char **argv)
{
	struct recv_state st;
	const struct cmd_opts opts = {
		":" COMMON_SHORT "fn:", recv_lopts, recv_opt, &st
	};
	struct ringbus_stats stats;
	int rc, fd, flags;

	memset(&st, 0, sizeof(st));
	st.whence = -1;
	rc = parse_name_args(ctx, argc, argv, &opts, 1, &st.name);
	if (rc != RC_OK)
		return rc;
	if (out_json())
		st.headers = true;

	flags = O_RDONLY;
	if (!st.follow || st.nonblock)
		flags |= O_NONBLOCK;
	fd = open_channel(ctx, st.name, flags);
	if (fd < 0)
		return RC_FAIL;
	rc = RC_FAIL;
	/*
	 * Headers are asked for even when they are not printed: with them an
	 * empty record is a read() of sizeof(header) bytes, so a read() of 0
	 * bytes can only be the end of file of a destroyed channel.  Without
	 * --headers a module that refuses the option is still usable.
	 */
	{
		struct ringbus_fd_opts o;

		memset(&o, 0, sizeof(o));
		o.flags = RINGBUS_FD_HEADERS;
		if (ioctl(fd, RINGBUS_IOC_SET_OPTS, &o) == 0) {
			st.fd_headers = true;
		} else if (st.headers) {
			errmsg("recv %s: headers: %s", st.name, strerror(errno));
			goto out;
		}
	}
	st.extra = st.fd_headers ? sizeof(struct ringbus_record_header) : 0;
	if (recv_size_buf(fd, &st) < 0)
		goto out;
	if (st.whence != -1 && lseek(fd, 0, st.whence) < 0) {
		errmsg("recv %s: seek: %s", st.name, strerror(errno));
		goto out;
	}
	/* Overruns are reported as the growth of fd_missed from here on. */
	memset(&stats, 0, sizeof(stats));
	if (ioctl(fd, RINGBUS_IOC_STATS, &stats) == 0)
		st.missed = stats.fd_missed;

	rc = finish_stdout(recv_loop(fd, &st));
out:
	free(st.buf);
	close(fd);
	return rc;
}
