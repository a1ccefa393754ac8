// SPDX-License-Identifier: GPL-2.0
/*
 * Read nvmem files while their provider is unbound.
 *
 * nvmem-unbind-read fill PATH
 *	Write the test pattern into the nvmem file PATH.
 * nvmem-unbind-read check SPEC...
 *	Read each SPEC once; succeed if every read gives the pattern.
 * nvmem-unbind-read gone SPEC...
 *	Read each SPEC once; succeed if every read fails with ENODEV.
 * nvmem-unbind-read [-p PROCS] [-t THREADS] unbind DRIVER DEVICE SPEC...
 *	Read each SPEC in a loop from PROCS processes with a file descriptor
 *	each and from THREADS threads sharing one file descriptor, unbind
 *	DEVICE from the driver directory DRIVER meanwhile, and succeed if
 *	reads were in flight when the unbind began, no read gave anything
 *	but the pattern, every read started after the unbind returned failed
 *	with ENODEV, and every file saw ENODEV.  A read that overlaps the
 *	unbind may also fail with EACCES: at24's remove callback disables
 *	runtime PM and marks the EEPROM suspended before devres unregisters
 *	its nvmem device, and from then on at24_read()'s
 *	pm_runtime_resume_and_get() fails with -EACCES.  Any other error
 *	fails the test.
 *
 * A SPEC is PATH:OFFSET:LENGTH: PATH reads as LENGTH bytes of the nvmem
 * device starting at OFFSET.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"

#define MAX_SPECS		8
#define MAX_READERS		256
#define READ_SIZE		4096
#define START_TIMEOUT_MS	10000
#define UNBIND_TIMEOUT_S	60
#define SETTLE_TIMEOUT_MS	10000
#define EXIT_TIMEOUT_MS		10000
/* The report of one spec: how its reads ended */
#define COUNTS_LINE "%s: %lu good, %lu ENODEV, %lu EACCES, %lu wrong, %lu late, %lu errors%s%s, %lu in flight when the unbind began\n"

struct spec {
	const char *path;
	unsigned int offset;
	unsigned int length;
};

/* Counters shared by all readers of one spec. */
struct counts {
	unsigned long ok;	/* reads that gave the pattern */
	unsigned long enodev;	/* reads that failed with ENODEV */
	unsigned long wrong;	/* reads that gave anything else */
	unsigned long late;	/* good reads started after the unbind returned */
	unsigned long eacces;	/* at24's EACCES, started before it returned */
	unsigned long error;	/* any other error */
	unsigned long spanning;	/* reads in flight when the unbind began */
	int last_errno;
};

enum phase { BEFORE_UNBIND, DURING_UNBIND, AFTER_UNBIND };

struct shared {
	int stop;
	int phase;
	struct counts counts[MAX_SPECS];
};

struct reader {
	const struct spec *spec;
	struct counts *counts;
	int fd;
};

static struct shared *shared;
static int procs = 2;
static int threads = 4;

static unsigned char pattern(unsigned int i)
{
	return (i * 73 + 0x5a) ^ (i >> 5);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int parse_spec(char *arg, struct spec *spec)
{
	char *length = strrchr(arg, ':');
	char *offset;

	if (!length)
		return -1;
	*length++ = '\0';
	offset = strrchr(arg, ':');
	if (!offset)
		return -1;
	*offset++ = '\0';

	spec->path = arg;
	spec->offset = strtoul(offset, NULL, 0);
	spec->length = strtoul(length, NULL, 0);

	return spec->length && spec->length <= READ_SIZE ? 0 : -1;
}

enum result { READ_OK, READ_ENODEV, READ_WRONG, READ_ERROR };

static enum result read_once(const struct spec *spec, int fd, int *err)
{
	unsigned char buf[READ_SIZE];
	ssize_t ret;
	unsigned int i;

	ret = pread(fd, buf, sizeof(buf), 0);
	if (ret < 0) {
		*err = errno;
		return errno == ENODEV ? READ_ENODEV : READ_ERROR;
	}
	if (ret != spec->length)
		return READ_WRONG;
	for (i = 0; i < spec->length; i++)
		if (buf[i] != pattern(spec->offset + i))
			return READ_WRONG;

	return READ_OK;
}

/*
 * Count a read that started in phase start and ended in phase end.  A read
 * that started before the unbind and ended after it began was in the read()
 * system call, and so possibly in the provider, when the unbind began.
 */
static void count(struct counts *c, enum result res, int start, int end,
		  int err)
{
	if (start == BEFORE_UNBIND && end != BEFORE_UNBIND)
		__atomic_add_fetch(&c->spanning, 1, __ATOMIC_RELAXED);

	switch (res) {
	case READ_OK:
		__atomic_add_fetch(start == AFTER_UNBIND ? &c->late : &c->ok, 1,
				   __ATOMIC_RELAXED);
		break;
	case READ_ENODEV:
		__atomic_add_fetch(&c->enodev, 1, __ATOMIC_RELAXED);
		break;
	case READ_WRONG:
		__atomic_add_fetch(&c->wrong, 1, __ATOMIC_RELAXED);
		break;
	case READ_ERROR:
		if (err == EACCES && start != AFTER_UNBIND) {
			__atomic_add_fetch(&c->eacces, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_add_fetch(&c->error, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&c->last_errno, err, __ATOMIC_RELAXED);
		}
		break;
	}
}

static void *reader_loop(void *arg)
{
	struct reader *r = arg;
	enum result res;
	int start, err = 0;

	while (!__atomic_load_n(&shared->stop, __ATOMIC_ACQUIRE)) {
		start = __atomic_load_n(&shared->phase, __ATOMIC_ACQUIRE);
		res = read_once(r->spec, r->fd, &err);
		count(r->counts, res, start,
		      __atomic_load_n(&shared->phase, __ATOMIC_ACQUIRE), err);
	}

	return NULL;
}

/* A child process that reads spec with nthreads threads on one fd. */
static void reader_process(const struct spec *spec, struct counts *c,
			   int nthreads)
{
	pthread_t tids[MAX_READERS];
	struct reader r = { spec, c, -1 };
	int i;

	r.fd = open(spec->path, O_RDONLY);
	if (r.fd < 0) {
		c->last_errno = errno;
		__atomic_add_fetch(&c->error, 1, __ATOMIC_RELAXED);
		_exit(KSFT_FAIL);
	}

	if (nthreads == 1) {
		reader_loop(&r);
		_exit(KSFT_PASS);
	}

	for (i = 0; i < nthreads; i++)
		if (pthread_create(&tids[i], NULL, reader_loop, &r))
			_exit(KSFT_FAIL);
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);

	_exit(KSFT_PASS);
}

static pid_t start_reader(const struct spec *spec, struct counts *c,
			  int nthreads)
{
	pid_t pid = fork();

	if (pid == 0)
		reader_process(spec, c, nthreads);
	if (pid < 0)
		ksft_exit_fail_perror("fork");

	return pid;
}

/* Wait until check(i) holds for every spec, for up to timeout_ms. */
static bool wait_for_all(int nspecs, bool (*check)(int i), int timeout_ms)
{
	double end = now_ms() + timeout_ms;
	int i;

	do {
		for (i = 0; i < nspecs && check(i); i++)
			;
		if (i == nspecs)
			return true;
		sleep_ms(10);
	} while (now_ms() < end);

	return false;
}

static bool has_good_read(int i)
{
	return __atomic_load_n(&shared->counts[i].ok, __ATOMIC_RELAXED) > 0;
}

static bool has_enodev(int i)
{
	return __atomic_load_n(&shared->counts[i].enodev, __ATOMIC_RELAXED) > 0;
}

static void unbind_timeout(int sig)
{
	static const char msg[] = "# unbind did not return\n";

	/* the readers stop too, rather than outlive the test */
	__atomic_store_n(&shared->stop, 1, __ATOMIC_RELEASE);
	write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(KSFT_FAIL);
}

static int unbind_device(const char *driver, const char *device, double *ms)
{
	char path[4096];
	double start;
	ssize_t ret;
	int fd;

	snprintf(path, sizeof(path), "%s/unbind", driver);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;

	signal(SIGALRM, unbind_timeout);
	alarm(UNBIND_TIMEOUT_S);
	start = now_ms();
	ret = write(fd, device, strlen(device));
	*ms = now_ms() - start;
	alarm(0);
	if (ret < 0)
		ret = -errno;
	close(fd);

	return ret < 0 ? ret : 0;
}

/* Reap the readers; return how many did not exit cleanly. */
static int reap(pid_t *pids, int n)
{
	double end = now_ms() + EXIT_TIMEOUT_MS;
	int bad = 0, left = n, status, i;
	pid_t pid;

	while (left && now_ms() < end) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0) {
			sleep_ms(10);
			continue;
		}
		left--;
		if (WIFSIGNALED(status)) {
			ksft_print_msg("reader %d killed by signal %d\n",
				       pid, WTERMSIG(status));
			bad++;
		} else if (WEXITSTATUS(status) != KSFT_PASS) {
			ksft_print_msg("reader %d failed\n", pid);
			bad++;
		}
	}
	if (left) {
		ksft_print_msg("%d readers did not stop\n", left);
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
	}

	return bad + left;
}

static int report(const struct spec *specs, int nspecs)
{
	unsigned long spanning = 0;
	int i, bad = 0;

	for (i = 0; i < nspecs; i++) {
		const struct counts *c = &shared->counts[i];

		ksft_print_msg(COUNTS_LINE, specs[i].path, c->ok, c->enodev, c->eacces,
			       c->wrong, c->late, c->error,
			       c->error ? ", last: " : "",
			       c->error ? strerror(c->last_errno) : "",
			       c->spanning);
		if (c->wrong || c->late || c->error || !c->enodev)
			bad++;
		spanning += c->spanning;
	}
	/* without a read in flight, the unbind raced nothing */
	if (!spanning) {
		ksft_print_msg("no read was in flight when the unbind began\n");
		bad++;
	}

	return bad;
}

static int do_unbind(const char *driver, const char *device,
		     struct spec *specs, int nspecs)
{
	pid_t pids[MAX_READERS];
	int i, p, n = 0, ret = KSFT_PASS;
	double ms = 0;

	if (nspecs * (procs + 1) > MAX_READERS)
		ksft_exit_fail_msg("too many readers\n");

	for (i = 0; i < nspecs; i++) {
		for (p = 0; p < procs; p++)
			pids[n++] = start_reader(&specs[i], &shared->counts[i], 1);
		if (threads)
			pids[n++] = start_reader(&specs[i], &shared->counts[i],
						 threads);
	}

	if (!wait_for_all(nspecs, has_good_read, START_TIMEOUT_MS)) {
		ksft_print_msg("no good read before the unbind\n");
		ret = KSFT_FAIL;
	}
	sleep_ms(100);

	__atomic_store_n(&shared->phase, DURING_UNBIND, __ATOMIC_RELEASE);
	if (unbind_device(driver, device, &ms)) {
		ksft_print_msg("unbinding %s failed\n", device);
		ret = KSFT_FAIL;
	} else {
		ksft_print_msg("unbind took %.1f ms with %d readers on %d files\n",
			       ms, nspecs * (procs + threads), nspecs);
	}
	__atomic_store_n(&shared->phase, AFTER_UNBIND, __ATOMIC_RELEASE);

	if (!wait_for_all(nspecs, has_enodev, SETTLE_TIMEOUT_MS))
		ksft_print_msg("not every file failed with ENODEV\n");
	sleep_ms(100);
	__atomic_store_n(&shared->stop, 1, __ATOMIC_RELEASE);

	if (reap(pids, n))
		ret = KSFT_FAIL;
	if (report(specs, nspecs))
		ret = KSFT_FAIL;

	return ret;
}

static int do_fill(const char *path)
{
	unsigned char buf[READ_SIZE];
	struct stat st;
	ssize_t ret;
	int fd, i;

	fd = open(path, O_WRONLY);
	if (fd < 0 || fstat(fd, &st))
		ksft_exit_fail_perror(path);
	if (st.st_size <= 0 || st.st_size > READ_SIZE)
		ksft_exit_fail_msg("%s: unexpected size %lld\n", path,
				   (long long)st.st_size);

	for (i = 0; i < st.st_size; i++)
		buf[i] = pattern(i);
	ret = pwrite(fd, buf, st.st_size, 0);
	if (ret != st.st_size)
		ksft_exit_fail_perror(path);
	close(fd);

	return KSFT_PASS;
}

/* Read every spec once and expect the result want. */
static int do_once(struct spec *specs, int nspecs, enum result want)
{
	static const char * const names[] = {
		"the pattern", "ENODEV", "wrong data", "an error",
	};
	int i, fd, err = 0, ret = KSFT_PASS;
	enum result res;

	for (i = 0; i < nspecs; i++) {
		fd = open(specs[i].path, O_RDONLY);
		if (fd < 0) {
			ksft_print_msg("%s: %s\n", specs[i].path,
				       strerror(errno));
			ret = KSFT_FAIL;
			continue;
		}
		res = read_once(&specs[i], fd, &err);
		close(fd);
		if (res == want)
			continue;

		ksft_print_msg("%s: expected %s, got %s%s%s\n", specs[i].path,
			       names[want], names[res],
			       res == READ_ERROR ? ": " : "",
			       res == READ_ERROR ? strerror(err) : "");
		ret = KSFT_FAIL;
	}

	return ret;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: nvmem-unbind-read fill PATH\n"
		"       nvmem-unbind-read check|gone SPEC...\n"
		"       nvmem-unbind-read [-p PROCS] [-t THREADS] unbind DRIVER DEVICE SPEC...\n"
		"SPEC is PATH:OFFSET:LENGTH\n");
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	struct spec specs[MAX_SPECS];
	const char *cmd;
	int opt, i, nspecs, first;

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		switch (opt) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		default:
			print_usage();
		}
	}
	if (optind >= argc || procs < 0 || threads < 0 ||
	    threads > MAX_READERS)
		print_usage();

	cmd = argv[optind];
	if (!strcmp(cmd, "fill") && argc - optind == 2)
		return do_fill(argv[optind + 1]);

	first = optind + (!strcmp(cmd, "unbind") ? 3 : 1);
	nspecs = argc - first;
	if (nspecs < 1 || nspecs > MAX_SPECS)
		print_usage();
	for (i = 0; i < nspecs; i++)
		if (parse_spec(argv[first + i], &specs[i]))
			print_usage();

	if (!strcmp(cmd, "check"))
		return do_once(specs, nspecs, READ_OK);
	if (!strcmp(cmd, "gone"))
		return do_once(specs, nspecs, READ_ENODEV);
	if (strcmp(cmd, "unbind"))
		print_usage();

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		ksft_exit_fail_perror("mmap");

	return do_unbind(argv[optind + 1], argv[optind + 2], specs, nspecs);
}
