// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb-delmod NAME - call delete_module(NAME, O_NONBLOCK) directly (without
 * kmod's in-use check in front of it) and print the errno name, or "OK".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: rb-delmod NAME\n");
		return 2;
	}
	if (syscall(SYS_delete_module, argv[1], O_NONBLOCK) == 0) {
		puts("OK");
		return 0;
	}
	switch (errno) {
	case EWOULDBLOCK:
		puts("EWOULDBLOCK");
		break;
	case EBUSY:
		puts("EBUSY");
		break;
	case ENOENT:
		puts("ENOENT");
		break;
	default:
		printf("errno %d (%s)\n", errno, strerror(errno));
	}
	return 1;
}
