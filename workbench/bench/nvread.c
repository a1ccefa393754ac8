// SPDX-License-Identifier: GPL-2.0
/*
 * nvread FILE LEN ITERS: pread LEN bytes at offset 0 of FILE ITERS times
 * and print "nvmem_bench: sysfs_read<LEN>_ns <ns per read>".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	size_t len;
	long i, iters;
	char *buf;
	double ns;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s FILE LEN ITERS\n", argv[0]);
		return 2;
	}
	len = strtoul(argv[2], NULL, 0);
	iters = strtol(argv[3], NULL, 0);
	buf = malloc(len);
	fd = open(argv[1], O_RDONLY);
	if (!buf || fd < 0 || iters <= 0) {
		perror(argv[1]);
		return 1;
	}
	/* warm up */
	if (pread(fd, buf, len, 0) != (ssize_t)len) {
		perror("pread");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < iters; i++) {
		if (pread(fd, buf, len, 0) != (ssize_t)len) {
			perror("pread");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("nvmem_bench: sysfs_read%zu_ns %.0f\n", len, ns / iters);
	return 0;
}
