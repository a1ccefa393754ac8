// SPDX-License-Identifier: GPL-2.0
/*
 * nvstress: the user-space side of scripts/stress.sh
 *
 * nvstress fill FILE
 *	Write the test pattern (byte o holds o * 37 + 11) over the whole file.
 * nvstress read TAG THREADS PARENT|FILE STOPFILE
 *	Read 32 bytes at offset 0 in a loop from THREADS threads sharing one
 *	file descriptor until STOPFILE exists, and count the bytes that differ
 *	from the pattern.  PARENT is a device directory
 *	whose nvmem child (a subdirectory named like PARENT's basename plus
 *	digits) holds the nvmem file; it is looked up again after each
 *	failure, as the child's name changes with every bind.  A FILE (no
 *	such child) is read as it is.  Prints one line: reads with data, wrong
 *	bytes, and reads per errno.
 *	"tail" counts the reads with data after the last error: a reader
 *	that works again after the last bind has one.
 * nvstress write TAG PARENT STOPFILE
 *	Own bytes 128 to 143 of PARENT's nvmem file: write a new pattern there,
 *	read it back and count the bytes that differ, every 10 ms until
 *	STOPFILE exists; on an error, open the file of the next bind.  Prints one line:
 *	writes, verified read-backs, wrong bytes, and failures per errno.
 * nvstress cycle N DRIVERDIR DEVICE ACQUIRE STOP_ON_SPLAT
 *	Unbind DEVICE from DRIVERDIR and bind it again N times; after each
 *	bind, write the name of the new nvmem device to ACQUIRE (unless "-").
 *	Logs each cycle to /dev/kmsg at debug level.  With STOP_ON_SPLAT,
 *	stops once a kernel report has tainted the kernel.
 * nvstress sweep FILE FORCE_RO
 *	The bad-input sweep of an nvmem sysfs file of a root-only, writable
 *	device (FORCE_RO its force_ro attribute, or "-").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NERR 140

static const char *parent, *stopfile;
static char leaf[64];
static int shared_fd = -1;
static pthread_mutex_t reopen_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long generation;
static unsigned long counts[NERR + 1];	/* [0]: reads that gave data */
static unsigned long eofs, wrong_bytes, tail;

/*
 * The writer's region: small, because at24 holds its lock for a whole write,
 * one byte per transfer on a 24c02, and the readers and the unbind wait.
 */
#define WRITER_START	128
#define WRITER_LEN	16

/* What the EEPROM holds at @off outside the writer's region */
static unsigned char pattern(unsigned long off)
{
	return off * 37 + 11;
}

static unsigned long count_wrong(const unsigned char *buf, size_t len,
				 unsigned long off, unsigned char xor)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += buf[i] != (pattern(off + i) ^ xor);
	return n;
}

/* The nvmem child of parent, or parent itself if it is a file */
static int find_file(char *path, size_t len)
{
	struct dirent *de;
	struct stat st;
	size_t n = strlen(leaf);
	DIR *d;

	if (stat(parent, &st) == 0 && !S_ISDIR(st.st_mode)) {
		snprintf(path, len, "%s", parent);
		return 0;
	}
	d = opendir(parent);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, leaf, n) || !de->d_name[n] ||
		    strspn(de->d_name + n, "0123456789") != strlen(de->d_name + n))
			continue;
		snprintf(path, len, "%s/%s/nvmem", parent, de->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	errno = ENOENT;
	return -1;
}

/* Open the file again onto the shared descriptor, once per generation */
static void reopen(unsigned long seen)
{
	char path[PATH_MAX];
	int fd;

	pthread_mutex_lock(&reopen_lock);
	if (generation == seen) {
		if (find_file(path, sizeof(path)) == 0) {
			fd = open(path, O_RDONLY);
			if (fd >= 0) {
				if (shared_fd < 0) {
					shared_fd = fd;
				} else {
					dup2(fd, shared_fd);
					close(fd);
				}
				generation++;
			}
		}
	}
	pthread_mutex_unlock(&reopen_lock);
}

static void *reader(void *arg)
{
	unsigned long local[NERR + 1] = {}, leofs = 0, lwrong = 0, ltail = 0;
	unsigned long gen, i;
	unsigned char buf[32];
	ssize_t r;
	int e;

	(void)arg;
	for (i = 0; ; i++) {
		if ((i & 63) == 0 && access(stopfile, F_OK) == 0)
			break;
		pthread_mutex_lock(&reopen_lock);
		gen = generation;
		pthread_mutex_unlock(&reopen_lock);
		if (shared_fd < 0) {
			reopen(gen);
			if (shared_fd < 0) {
				local[ENOENT]++;
				usleep(1000);
				continue;
			}
		}
		r = pread(shared_fd, buf, sizeof(buf), 0);
		if (r > 0) {
			local[0]++;
			ltail++;
			/* a short read is as wrong as a wrong byte */
			lwrong += count_wrong(buf, r, 0, 0) + sizeof(buf) - r;
			continue;
		}
		ltail = 0;
		if (r == 0) {
			leofs++;
			continue;
		}
		e = errno < NERR ? errno : NERR;
		local[e]++;
		/* the device went away: find the new one */
		reopen(gen);
		if (e != ENODEV)
			usleep(1000);
	}
	pthread_mutex_lock(&reopen_lock);
	for (i = 0; i <= NERR; i++)
		counts[i] += local[i];
	eofs += leofs;
	wrong_bytes += lwrong;
	tail = tail > ltail ? tail : ltail;
	pthread_mutex_unlock(&reopen_lock);
	return NULL;
}

static void print_errnos(void)
{
	int i;

	for (i = 1; i <= NERR; i++)
		if (counts[i])
			printf(" %s=%lu", strerrorname_np(i) ? strerrorname_np(i) : "E?",
			       counts[i]);
	printf("\n");
}

static int do_fill(const char *file)
{
	unsigned char buf[4096];
	struct stat st;
	ssize_t r;
	int fd;

	fd = open(file, O_WRONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size > (off_t)sizeof(buf)) {
		perror(file);
		return 1;
	}
	for (r = 0; r < st.st_size; r++)
		buf[r] = pattern(r);
	r = pwrite(fd, buf, st.st_size, 0);
	close(fd);
	if (r != st.st_size) {
		printf("stress: fill %s: %zd of %lld bytes\n", file, r,
		       (long long)st.st_size);
		return 1;
	}
	return 0;
}

static int do_write(const char *tag)
{
	unsigned long writes = 0, verified = 0, wrong = 0, v = 0, wtail = 0;
	unsigned char buf[WRITER_LEN], back[WRITER_LEN];
	char path[PATH_MAX];
	int fd = -1, e;
	ssize_t r;

	while (access(stopfile, F_OK)) {
		if (fd < 0) {
			if (find_file(path, sizeof(path)) ||
			    (fd = open(path, O_RDWR)) < 0) {
				counts[errno < NERR ? errno : NERR]++;
				wtail = 0;
				usleep(1000);
				continue;
			}
		}
		v = (v + 1) & 0xff;
		for (r = 0; r < WRITER_LEN; r++)
			buf[r] = pattern(WRITER_START + r) ^ v;
		r = pwrite(fd, buf, WRITER_LEN, WRITER_START);
		if (r == WRITER_LEN) {
			writes++;
			r = pread(fd, back, WRITER_LEN, WRITER_START);
			if (r == WRITER_LEN) {
				verified++;
				wtail++;
				wrong += count_wrong(back, WRITER_LEN,
						     WRITER_START, v);
				usleep(10000);
				continue;
			}
		}
		e = r < 0 && errno < NERR ? errno : NERR;
		counts[e]++;
		wtail = 0;
		if (e != ENODEV)
			usleep(1000);
		/* the device went away, or the write was cut: next bind */
		close(fd);
		fd = -1;
	}
	printf("stress: writer %s writes=%lu verified=%lu wrong=%lu tail=%lu",
	       tag, writes, verified, wrong, wtail);
	print_errnos();
	return 0;
}

static int do_read(const char *tag, int nthreads)
{
	pthread_t t[64];
	int i;

	if (nthreads < 1 || nthreads > 64)
		return 2;
	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	printf("stress: reader %s threads=%d data=%lu wrong=%lu tail=%lu eof=%lu",
	       tag, nthreads, counts[0], wrong_bytes, tail, eofs);
	print_errnos();
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = write(fd, s, strlen(s));
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}

/*
 * A kernel report taints the kernel: B (KASAN), D (Oops), W (WARN) or
 * L (soft lockup).  Unlike the log, the flags cannot wrap away.
 */
static int splat_seen(void)
{
	const unsigned long report = 1UL << 5 | 1UL << 7 | 1UL << 9 | 1UL << 14;
	unsigned long taint = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &taint) != 1)
		taint = 0;
	fclose(f);
	return !!(taint & report);
}

static int do_cycle(long n, const char *drv, const char *dev,
		    const char *acquire, int stop_on_splat)
{
	char path[PATH_MAX], ub[PATH_MAX], bd[PATH_MAX], msg[128], *p;
	long i, bindfail = 0, acqfail = 0;
	int r, kmsg = open("/dev/kmsg", O_WRONLY);

	snprintf(ub, sizeof(ub), "%s/unbind", drv);
	snprintf(bd, sizeof(bd), "%s/bind", drv);
	for (i = 1; i <= n; i++) {
		if (kmsg >= 0) {
			snprintf(msg, sizeof(msg), "<7>nvstress: cycle %ld\n", i);
			if (write(kmsg, msg, strlen(msg)) < 0)
				kmsg = -1;
		}
		r = write_str(ub, dev);
		if (r) {
			printf("stress: cycle %ld: unbind: %s\n", i, strerror(-r));
			break;
		}
		r = write_str(bd, dev);
		if (r) {
			printf("stress: cycle %ld: bind: %s\n", i, strerror(-r));
			if (++bindfail > 10)
				break;
		}
		if (strcmp(acquire, "-") && find_file(path, sizeof(path))) {
			acqfail++;
		} else if (strcmp(acquire, "-")) {
			/* .../<parent>/<nvmem name>/nvmem -> <nvmem name> */
			*strrchr(path, '/') = 0;
			p = strrchr(path, '/') + 1;
			if (write_str(acquire, p))
				acqfail++;
		}
		if (i % 1000 == 0) {
			printf("stress: cycles %ld\n", i);
			fflush(stdout);
		}
		if (stop_on_splat && i % 10 == 0 && splat_seen()) {
			printf("stress: splat in the kernel log by cycle %ld\n", i);
			i++;
			break;
		}
	}
	printf("stress: cycles done %ld\n", i - 1);
	printf("stress: acquire failures %ld\n", acqfail);
	return 0;
}

static int sweep_fail;

static void expect(const char *what, ssize_t r, int err, ssize_t want_r,
		   int want_err)
{
	int ok = want_err ? (r < 0 && err == want_err) : r == want_r;

	if (!ok)
		sweep_fail = 1;
	printf("sweep: %s %s: got %zd%s%s, want %zd%s%s\n", ok ? "PASS" : "FAIL",
	       what, r, r < 0 ? " " : "", r < 0 ? strerrorname_np(err) : "",
	       want_err ? (ssize_t)-1 : want_r, want_err ? " " : "",
	       want_err ? strerrorname_np(want_err) : "");
}

static int do_sweep(const char *file, const char *force_ro)
{
	char buf[512] = "sweep";
	struct stat st;
	off_t size;
	ssize_t r;
	int fd;

	if (stat(file, &st) < 0) {
		perror(file);
		return 1;
	}
	size = st.st_size;
	printf("sweep: %s size %lld mode %o\n", file, (long long)size,
	       st.st_mode & 0777);
	fd = open(file, O_RDWR);
	if (fd < 0) {
		perror(file);
		return 1;
	}
#define T(what, call, want_r, want_err) do {				\
		errno = 0;						\
		r = call;						\
		expect(what, r, errno, want_r, want_err);		\
	} while (0)
	T("read 16 at 0", pread(fd, buf, 16, 0), 16, 0);
	T("read 16 at size-1", pread(fd, buf, 16, size - 1), 1, 0);
	T("read 16 at size", pread(fd, buf, 16, size), 0, 0);
	T("read 16 at size+1", pread(fd, buf, 16, size + 1), 0, 0);
	T("read 16 at 2^40", pread(fd, buf, 16, 1LL << 40), 0, 0);
	T("read 16 at 2^62", pread(fd, buf, 16, 1LL << 62), 0, 0);
	T("read 0 at 0", pread(fd, buf, 0, 0), 0, 0);
	T("read 0 at size", pread(fd, buf, 0, size), 0, 0);
	T("read 16 at -1", pread(fd, buf, 16, -1), 0, EINVAL);
	T("read size+16 at 0", pread(fd, buf, size + 16, 0), size, 0);
	T("write 16 at size-8", pwrite(fd, buf, 16, size - 8), 8, 0);
	T("write 16 at size", pwrite(fd, buf, 16, size), 0, EFBIG);
	T("write 16 at 2^40", pwrite(fd, buf, 16, 1LL << 40), 0, EFBIG);
	T("write 0 at 0", pwrite(fd, buf, 0, 0), 0, 0);
	T("write 16 at -1", pwrite(fd, buf, 16, -1), 0, EINVAL);
	if (strcmp(force_ro, "-")) {
		T("force_ro=1", (ssize_t)write_str(force_ro, "1"), 0, 0);
		T("write 16 at 0, force_ro", pwrite(fd, buf, 16, 0), 0, EPERM);
		T("read 16 at 0, force_ro", pread(fd, buf, 16, 0), 16, 0);
		T("force_ro=0", (ssize_t)write_str(force_ro, "0"), 0, 0);
		T("write 16 at 0", pwrite(fd, buf, 16, 0), 16, 0);
	}
	close(fd);

	/* a root-only device, opened by an unprivileged user */
	if (fork() == 0) {
		if (setgid(65534) || setuid(65534)) {
			perror("setuid");
			_exit(1);
		}
		T("open O_RDONLY as uid 65534", (ssize_t)open(file, O_RDONLY), 0,
		  EACCES);
		T("open O_WRONLY as uid 65534", (ssize_t)open(file, O_WRONLY), 0,
		  EACCES);
		fflush(stdout);
		_exit(sweep_fail);
	}
	{
		int status = 0;

		wait(&status);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			sweep_fail = 1;
	}
#undef T
	printf("sweep: %s\n", sweep_fail ? "FAIL" : "all as documented");
	return sweep_fail;
}

/* PARENT (see "read") and STOPFILE of the read and write commands */
static void set_parent(const char *path, const char *stop)
{
	const char *b = strrchr(path, '/');

	parent = path;
	stopfile = stop;
	snprintf(leaf, sizeof(leaf), "%s", b ? b + 1 : path);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "read")) {
		set_parent(argv[4], argv[5]);
		return do_read(argv[2], atoi(argv[3]));
	}
	if (argc == 7 && !strcmp(argv[1], "cycle")) {
		static char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "/sys/bus/i2c/devices/%s", argv[4]);
		parent = dir;
		snprintf(leaf, sizeof(leaf), "%s", argv[4]);
		return do_cycle(atol(argv[2]), argv[3], argv[4], argv[5],
				atoi(argv[6]));
	}
	if (argc == 4 && !strcmp(argv[1], "sweep"))
		return do_sweep(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return do_fill(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "write")) {
		set_parent(argv[3], argv[4]);
		return do_write(argv[2]);
	}
	fprintf(stderr, "usage: see the comment at the top of nvstress.c\n");
	return 2;
}
