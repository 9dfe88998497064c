// SPDX-License-Identifier: GPL-2.0-only
/* consumer.c - create a channel, send a record, read it back. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ringbus.h>

int main(void)
{
	struct ringbus_create_opts opts = { .capacity = 4096 };
	struct ringbus_record_header hdr;
	struct ringbus_ctl *ctl;
	char msg[LIBRINGBUS_MSG_MAX], buf[256];
	int fd, rc, status = 1;
	ssize_t n;

	rc = ringbus_ctl_open(NULL, &ctl, msg, sizeof(msg));
	if (rc < 0) {
		fprintf(stderr, "consumer: %s\n", msg);
		return 1;
	}
	rc = ringbus_create(ctl, "example", &opts);
	if (rc < 0) {
		fprintf(stderr, "consumer: create example: %s\n", strerror(-rc));
		goto out;
	}
	fd = ringbus_channel_open(NULL, "example", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "consumer: open example: %s\n", strerror(-fd));
		goto out_destroy;
	}
	n = ringbus_send(fd, "hello", 5);
	if (n < 0) {
		fprintf(stderr, "consumer: send: %s\n", strerror((int)-n));
		goto out_close;
	}
	n = ringbus_recv_hdr(fd, &hdr, buf, sizeof(buf));
	if (n <= 0) {
		fprintf(stderr, "consumer: recv: %s\n", n < 0 ? strerror((int)-n) : "end of file");
		goto out_close;
	}
	printf("seq=%llu pid=%u uid=%u len=%u: %.*s\n", (unsigned long long)hdr.seq,
	       hdr.pid, hdr.uid, hdr.len, (int)n, buf);
	status = 0;
out_close:
	close(fd);
out_destroy:
	ringbus_destroy(ctl, "example");
out:
	ringbus_ctl_close(ctl);
	return status;
}
