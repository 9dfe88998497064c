// SPDX-License-Identifier: GPL-2.0-only
/* rb-version NODE - print what RINGBUS_IOC_VERSION reports on NODE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ringbus.h>

int main(int argc, char **argv)
{
	struct ringbus_version v;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: rb-version NODE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "rb-version: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&v, 0xa5, sizeof(v));
	if (ioctl(fd, RINGBUS_IOC_VERSION, &v) < 0) {
		fprintf(stderr, "rb-version: RINGBUS_IOC_VERSION: %s\n", strerror(errno));
		return 1;
	}
	for (unsigned int i = 0; i < sizeof(v.reserved) / sizeof(v.reserved[0]); i++) {
		if (v.reserved[i]) {
			fprintf(stderr, "rb-version: reserved[%u] not zeroed\n", i);
			return 1;
		}
	}
	if (ioctl(fd, _IO(RINGBUS_IOC_MAGIC, 0x7f)) != -1 || errno != ENOTTY) {
		fprintf(stderr, "rb-version: unknown command did not give ENOTTY\n");
		return 1;
	}
	printf("abi %u.%u version %u.%u.%u\n", v.abi_major, v.abi_minor,
	       v.version >> 16, (v.version >> 8) & 0xff, v.version & 0xff);
	close(fd);
	return 0;
}
