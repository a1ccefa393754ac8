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
 * nvmem-unbind-read [-p PROCS] [-t THREADS] [-c CONSUMER] [-s] stress CYCLES DRIVER DEVICE
 *	Unbind DEVICE from the driver directory DRIVER and bind it again
 *	CYCLES times while its nvmem file is read and written, then check its
 *	whole content.  The nvmem file is DEVICE's child device named like
 *	DEVICE plus digits, looked up again after each failure as its name
 *	changes with every bind.  PROCS processes with a file descriptor each
 *	(proc1...) and THREADS threads sharing one (shared-fd) read it: in
 *	turn the whole device and a random length of 1 to size + 44 bytes at
 *	a random offset of 0 to size, so that many reads run past the end.
 *	Each read must return the documented length (cut at the end, 0 there)
 *	and every byte must be the pattern's, except that the writer's bytes
 *	may all hold the pattern XOR one value.  The writer (bytes-128-143)
 *	owns bytes 128 to 143: it writes the pattern XOR a new value there
 *	every 10 ms and reads it back.  With CONSUMER, the debugfs directory of
 *	nvmem_test_consumer, one more reader (in-kernel-consumer) reads its
 *	device file, and after each bind the new device is written to its
 *	acquire file.  A read or write may fail only with ENODEV or EACCES
 *	(as for unbind), reopening only with ENOENT or ENODEV.  After the last
 *	bind every reader thread and the writer must work again.  Prints a
 *	"stress:" line per reader and writer, with its counters, and succeeds
 *	if no read gave a wrong byte or length, no other errno was seen, each
 *	reader saw data and ENODEV, every cycle was done and the content is
 *	the pattern, the writer's bytes its last value.  With -s, stops
 *	cycling once a kernel report has tainted the kernel.
 * nvmem-unbind-read sweep PATH [FORCE_RO]
 *	Feed the nvmem file PATH of a root-only, writable device bad input
 *	and succeed if every answer is the documented one: a read stops at
 *	the end of the device (0 bytes at or past it, however far), a write
 *	past the end fails with EFBIG and one running past it is cut there, a
 *	negative offset fails with EINVAL, and an unprivileged user cannot
 *	open the file.  With FORCE_RO, the device's force_ro attribute, a
 *	write fails with EPERM while it is set and a read still works.  Each
 *	check prints a "sweep:" line; the sweep overwrites the first and last
 *	bytes of the device.
 *
 * A SPEC is PATH:OFFSET:LENGTH: PATH reads as LENGTH bytes of the nvmem
 * device starting at OFFSET.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
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
/* stress: at24's io_limit, a longer read takes more than one at24 chunk */
#define AT24_CHUNK		128
/* stress: the writer's bytes */
#define WRITER_START		128
#define WRITER_LEN		16
#define MAX_STRESS		(MAX_READERS / 4)
#define NERR			140
#define READY_TIMEOUT_S		120
/* The report of one spec: how its reads ended */
/* stress: the errnos of a reader or the writer, after its counters */
#define ERRNOS_LINE "stress: %s ENODEV=%lu EACCES=%lu reopen_ENOENT=%lu reopen_ENODEV=%lu other=%lu other_errnos=%s\n"
#define STRESS_LINE "stress: %ld cycles, %d reader processes, %d threads on one fd, in-kernel consumer: %s\n"
#define WAITED_LINE "stress: waited %.0fs for the readers and the writer after the last bind\n"
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

/* What one stress reader process or the writer counts. */
struct stress_counts {
	char tag[32];
	int threads;		/* reader threads, 0 for the writer */
	unsigned long data;	/* reads with data */
	unsigned long full;	/* reads of the whole device */
	unsigned long multi;	/* reads of more than one at24 chunk */
	unsigned long eof;	/* reads cut at the end, as documented */
	unsigned long overlap;	/* reads with data an unbind started under */
	unsigned long shorts;	/* reads or writes of a wrong length */
	unsigned long wrong;	/* wrong bytes */
	unsigned long writes, verified;	/* the writer's */
	unsigned long ready;	/* threads that worked after the last bind */
	unsigned long rerr[NERR + 1];	/* reads and writes per errno */
	unsigned long oerr[NERR + 1];	/* reopens per errno */
};

enum phase { BEFORE_UNBIND, DURING_UNBIND, AFTER_UNBIND };

struct shared {
	int stop;
	int phase;
	struct counts counts[MAX_SPECS];
	/* stress */
	unsigned long unbinds;	/* unbinds started */
	int final;		/* the last bind is done */
	int writer_v;		/* the writer's last value written */
	struct stress_counts stress[MAX_STRESS];
};

struct reader {
	const struct spec *spec;
	struct counts *counts;
	int fd;
	/* stress: the process's counters, the fd's reopens */
	struct stress_counts *sc;
	pthread_mutex_t lock;
	unsigned long generation;
	unsigned int seed;
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

static bool in_writer_region(unsigned int i)
{
	return i >= WRITER_START && i < WRITER_START + WRITER_LEN;
}

/*
 * The bytes of buf, len bytes read at off, that are not the pattern: in the
 * writer's region the pattern XOR v, or XOR one value for all of them if v
 * is -1 (a read sees one write, whichever it was).
 */
static unsigned long count_wrong(const unsigned char *buf, size_t len,
				 unsigned int off, int v)
{
	unsigned long n = 0;
	unsigned char want;
	size_t i;

	for (i = 0; i < len; i++) {
		want = pattern(off + i);
		if (in_writer_region(off + i)) {
			if (v < 0)
				v = buf[i] ^ want;
			want ^= v;
		}
		n += buf[i] != want;
	}

	return n;
}

enum result { READ_OK, READ_ENODEV, READ_WRONG, READ_ERROR };

static enum result read_once(const struct spec *spec, int fd, int *err)
{
	unsigned char buf[READ_SIZE];
	ssize_t ret;

	ret = pread(fd, buf, sizeof(buf), 0);
	if (ret < 0) {
		*err = errno;
		return errno == ENODEV ? READ_ENODEV : READ_ERROR;
	}
	if (ret != spec->length ||
	    count_wrong(buf, spec->length, spec->offset, 0))
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
	struct reader r = { .spec = spec, .counts = c, .fd = -1 };
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

/* stress: the nvmem file of DEVICE, or spec->path itself if that is a file */
static int find_file(const struct spec *spec, char *path, size_t len)
{
	const char *leaf = strrchr(spec->path, '/');
	struct dirent *de;
	struct stat st;
	size_t n;
	DIR *d;

	if (!stat(spec->path, &st) && !S_ISDIR(st.st_mode)) {
		snprintf(path, len, "%s", spec->path);
		return 0;
	}
	leaf = leaf ? leaf + 1 : spec->path;
	n = strlen(leaf);
	d = opendir(spec->path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, leaf, n) || !de->d_name[n] ||
		    strspn(de->d_name + n, "0123456789") != strlen(de->d_name + n))
			continue;
		snprintf(path, len, "%s/%s/nvmem", spec->path, de->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	errno = ENOENT;

	return -1;
}

static int errno_index(int err)
{
	return err > 0 && err < NERR ? err : NERR;
}

#define ADD(field, n)	__atomic_add_fetch(&(field), (n), __ATOMIC_RELAXED)
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* Open the file of the current bind, counting a failure per errno. */
static int open_file(const struct spec *spec, int flags,
		     struct stress_counts *sc)
{
	char path[PATH_MAX];
	int fd = -1;

	if (!find_file(spec, path, sizeof(path)))
		fd = open(path, flags);
	if (fd < 0)
		ADD(sc->oerr[errno_index(errno)], 1);

	return fd;
}

/* Open the file again onto the shared descriptor, once per generation. */
static void reopen(struct reader *r, unsigned long seen)
{
	int fd;

	pthread_mutex_lock(&r->lock);
	if (r->generation == seen) {
		fd = open_file(r->spec, O_RDONLY, r->sc);
		if (fd >= 0) {
			if (r->fd < 0) {
				r->fd = fd;
			} else {
				dup2(fd, r->fd);
				close(fd);
			}
			r->generation++;
		}
	}
	pthread_mutex_unlock(&r->lock);
}

/*
 * A stress read of len bytes at off that returned ret bytes: count it and
 * return whether it gave the documented length and bytes.
 */
static bool count_stress_read(struct stress_counts *sc,
			      const unsigned char *buf, ssize_t ret,
			      size_t len, size_t off, size_t size,
			      unsigned long unbinds)
{
	size_t want = off >= size ? 0 : len < size - off ? len : size - off;
	unsigned long wrong;

	if ((size_t)ret != want) {
		ADD(sc->shorts, 1);
		return false;
	}
	if (want < len)
		ADD(sc->eof, 1);
	if (!ret)
		return true;
	wrong = count_wrong(buf, ret, off, -1);
	ADD(sc->wrong, wrong);
	ADD(sc->data, 1);
	if (!off && (size_t)ret == size)
		ADD(sc->full, 1);
	if (ret > AT24_CHUNK)
		ADD(sc->multi, 1);
	/* in flight while an unbind began: the unbind had to wait for it */
	if (LOAD(shared->unbinds) != unbinds)
		ADD(sc->overlap, 1);

	return !wrong;
}

static void *stress_reader(void *arg)
{
	struct reader *r = arg;
	size_t size = r->spec->length, off, len;
	unsigned int seed = r->seed ^ (uintptr_t)pthread_self();
	unsigned char buf[READ_SIZE];
	unsigned long gen, i, unbinds;
	bool ready = false;
	int final, err;
	ssize_t ret;

	for (i = 0; !LOAD(shared->stop); i++) {
		pthread_mutex_lock(&r->lock);
		gen = r->generation;
		pthread_mutex_unlock(&r->lock);
		if (r->fd < 0) {
			reopen(r, gen);
			if (r->fd < 0) {
				sleep_ms(1);
				continue;
			}
		}
		off = 0;
		len = size;
		if (i & 1) {
			off = rand_r(&seed) % (size + 1);
			len = 1 + rand_r(&seed) % (size + 44);
		}
		final = LOAD(shared->final);
		unbinds = LOAD(shared->unbinds);
		ret = pread(r->fd, buf, len, off);
		if (ret >= 0) {
			if (count_stress_read(r->sc, buf, ret, len, off, size,
					      unbinds) && final && !ready) {
				ready = true;
				ADD(r->sc->ready, 1);
			}
			continue;
		}
		err = errno_index(errno);
		ADD(r->sc->rerr[err], 1);
		/* the device went away: find the new one */
		reopen(r, gen);
		if (err != ENODEV)
			sleep_ms(1);
	}

	return NULL;
}

/* A stress reader process: nthreads threads sharing one descriptor */
static void stress_reader_process(const struct spec *spec,
				  struct stress_counts *sc, int nthreads)
{
	pthread_t tids[MAX_READERS];
	struct reader r = {
		.spec = spec, .fd = -1, .sc = sc,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.seed = getpid() * 2654435761u ^ time(NULL),
	};
	int i;

	for (i = 0; i < nthreads; i++)
		if (pthread_create(&tids[i], NULL, stress_reader, &r))
			_exit(KSFT_FAIL);
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);

	_exit(KSFT_PASS);
}

/* The writer: owns bytes WRITER_START to WRITER_START + WRITER_LEN - 1 */
static void stress_writer_process(const struct spec *spec,
				  struct stress_counts *sc)
{
	unsigned char buf[WRITER_LEN], back[WRITER_LEN];
	unsigned long wrong;
	int fd = -1, v = 0, final, err, i;
	bool ready = false;
	ssize_t ret;

	while (!LOAD(shared->stop)) {
		if (fd < 0) {
			fd = open_file(spec, O_RDWR, sc);
			if (fd < 0) {
				sleep_ms(1);
				continue;
			}
		}
		v = v % 255 + 1;
		for (i = 0; i < WRITER_LEN; i++)
			buf[i] = pattern(WRITER_START + i) ^ v;
		final = LOAD(shared->final);
		ret = pwrite(fd, buf, WRITER_LEN, WRITER_START);
		if (ret == WRITER_LEN) {
			ADD(sc->writes, 1);
			STORE(shared->writer_v, v);
			ret = pread(fd, back, WRITER_LEN, WRITER_START);
			if (ret == WRITER_LEN) {
				ADD(sc->verified, 1);
				wrong = count_wrong(back, WRITER_LEN,
						    WRITER_START, v);
				ADD(sc->wrong, wrong);
				if (!wrong && final && !ready) {
					ready = true;
					ADD(sc->ready, 1);
				}
				sleep_ms(10);
				continue;
			}
		}
		if (ret >= 0) {
			/* cut short: never as documented */
			ADD(sc->shorts, 1);
		} else {
			err = errno_index(errno);
			ADD(sc->rerr[err], 1);
			if (err != ENODEV)
				sleep_ms(1);
		}
		/* the device went away: the next bind's */
		close(fd);
		fd = -1;
	}

	_exit(KSFT_PASS);
}

static pid_t start_stress(const struct spec *spec, const char *tag,
			  int nthreads, int *n)
{
	struct stress_counts *sc = &shared->stress[*n];
	pid_t pid;

	snprintf(sc->tag, sizeof(sc->tag), "%s", tag);
	sc->threads = nthreads;
	(*n)++;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_perror("fork");
	if (pid == 0) {
		if (nthreads)
			stress_reader_process(spec, sc, nthreads);
		stress_writer_process(spec, sc);
	}

	return pid;
}

/*
 * A kernel report taints the kernel: B (KASAN), D (Oops), W (WARN) or
 * L (soft lockup).  Unlike the log, the flags cannot wrap away.
 */
static bool kernel_reported(void)
{
	const unsigned long report = 1UL << 5 | 1UL << 7 | 1UL << 9 | 1UL << 14;
	unsigned long taint = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (!f)
		return false;
	if (fscanf(f, "%lu", &taint) != 1)
		taint = 0;
	fclose(f);

	return taint & report;
}

/* stress: the name of the nvmem device of the current bind */
static int nvmem_name(const struct spec *spec, char *name, size_t len)
{
	char path[PATH_MAX], *p;

	if (find_file(spec, path, sizeof(path)))
		return -1;
	/* .../DEVICE/NAME/nvmem */
	*strrchr(path, '/') = '\0';
	p = strrchr(path, '/');
	snprintf(name, len, "%s", p ? p + 1 : path);

	return 0;
}

static ssize_t write_attr(const char *path, const char *val);

/* Unbind and bind cycles times; return the cycles done. */
static long stress_cycles(long cycles, const char *driver, const char *device,
			  const struct spec *spec, const char *acquire,
			  bool stop_on_report, long *acquire_failures)
{
	char bind[PATH_MAX], name[PATH_MAX], msg[128];
	int kmsg = open("/dev/kmsg", O_WRONLY);
	long i, bind_failures = 0;
	double ms;
	int ret;

	snprintf(bind, sizeof(bind), "%s/bind", driver);
	for (i = 1; i <= cycles; i++) {
		if (kmsg >= 0) {
			snprintf(msg, sizeof(msg),
				 "<7>nvmem-unbind-read: cycle %ld\n", i);
			if (write(kmsg, msg, strlen(msg)) < 0)
				kmsg = -1;
		}
		ADD(shared->unbinds, 1);
		ret = unbind_device(driver, device, &ms);
		if (ret) {
			ksft_print_msg("stress: cycle %ld: unbind: %s\n", i,
				       strerror(-ret));
			break;
		}
		if (write_attr(bind, device)) {
			ksft_print_msg("stress: cycle %ld: bind: %s\n", i,
				       strerror(errno));
			if (++bind_failures > 10)
				break;
		}
		if (acquire && (nvmem_name(spec, name, sizeof(name)) ||
				write_attr(acquire, name)))
			(*acquire_failures)++;
		if (i % 1000 == 0)
			ksft_print_msg("stress: cycles %ld\n", i);
		if (stop_on_report && i % 10 == 0 && kernel_reported()) {
			ksft_print_msg("stress: splat in the kernel log by cycle %ld\n",
				       i);
			i++;
			break;
		}
	}
	if (kmsg >= 0)
		close(kmsg);

	return i - 1;
}

/*
 * The errnos as documented, the count of the others and their numbers:
 * other_errnos=read:5:3,reopen:1:1
 */
static bool report_stress(const struct stress_counts *sc)
{
	char line[1024], list[1024] = "", *p = list;
	const char *what = "read";
	const unsigned long *err;
	unsigned long other = 0;
	int i, j;

	for (j = 0; j < 2; j++) {
		err = j ? sc->oerr : sc->rerr;
		for (i = 1; i <= NERR; i++) {
			if (!err[i] || i == ENODEV ||
			    (j ? i == ENOENT : i == EACCES))
				continue;
			other += err[i];
			p += snprintf(p, list + sizeof(list) - p, "%s%s:%d:%lu",
				      p == list ? "" : ",", what, i, err[i]);
		}
		what = "reopen";
	}
	if (sc->threads)
		snprintf(line, sizeof(line),
			 "reader %s threads=%d data=%lu full=%lu multi=%lu eof=%lu overlap=%lu short=%lu wrong=%lu ready=%lu",
			 sc->tag, sc->threads, sc->data, sc->full, sc->multi,
			 sc->eof, sc->overlap, sc->shorts, sc->wrong, sc->ready);
	else
		snprintf(line, sizeof(line),
			 "writer %s writes=%lu verified=%lu short=%lu wrong=%lu last=%d ready=%lu",
			 sc->tag, sc->writes, sc->verified, sc->shorts,
			 sc->wrong, shared->writer_v, sc->ready);
	ksft_print_msg(ERRNOS_LINE, line, sc->rerr[ENODEV], sc->rerr[EACCES],
		       sc->oerr[ENOENT], sc->oerr[ENODEV], other,
		       *list ? list : "-");

	return !sc->wrong && !sc->shorts && !other &&
	       sc->ready >= (unsigned long)(sc->threads ? sc->threads : 1) &&
	       (sc->threads ? sc->data && sc->rerr[ENODEV] : sc->verified);
}

/* The whole content after the last cycle, the writer's bytes its last V */
static bool stress_check(const struct spec *spec)
{
	struct stress_counts sc = { };
	unsigned char buf[READ_SIZE];
	unsigned long wrong;
	int fd, v = shared->writer_v;
	ssize_t ret;

	fd = open_file(spec, O_RDONLY, &sc);
	if (fd < 0) {
		ksft_print_msg("stress: final content: cannot open: %s\n",
			       strerror(errno));
		return false;
	}
	ret = pread(fd, buf, spec->length, 0);
	close(fd);
	if (ret != spec->length) {
		ksft_print_msg("stress: final content: read %zd of %u bytes: %s\n",
			       ret, spec->length,
			       ret < 0 ? strerror(errno) : "short");
		return false;
	}
	wrong = count_wrong(buf, ret, 0, v);
	ksft_print_msg("stress: final content %s: %zd bytes, %lu wrong, writer's V %d\n",
		       wrong ? "WRONG" : "right", ret, wrong, v);

	return !wrong;
}

static unsigned long stress_ready(int n)
{
	unsigned long ready = 0;
	int i;

	for (i = 0; i < n; i++)
		ready += LOAD(shared->stress[i].ready);

	return ready;
}

static int do_stress(long cycles, const char *driver, const char *device,
		     const char *consumer, bool stop_on_report)
{
	char parent[PATH_MAX], nvmem[PATH_MAX], device_file[PATH_MAX];
	char acquire[PATH_MAX], tag[32];
	struct spec file = { .path = parent }, dev = { .path = device_file };
	unsigned long want_ready = 0;
	long done, acquire_failures = 0;
	pid_t pids[MAX_STRESS];
	int i, n = 0, ret = KSFT_PASS;
	struct stat st;
	double start;
	char *bus;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* DRIVER is /sys/bus/BUS/drivers/NAME: DEVICE is in BUS/devices */
	snprintf(parent, sizeof(parent), "%s", driver);
	bus = strstr(parent, "/drivers/");
	if (!bus)
		ksft_exit_fail_msg("%s: not a driver directory\n", driver);
	snprintf(bus, parent + sizeof(parent) - bus, "/devices/%s", device);
	if (find_file(&file, nvmem, sizeof(nvmem)) || stat(nvmem, &st))
		ksft_exit_fail_msg("%s: no nvmem device\n", parent);
	if (st.st_size <= WRITER_START + WRITER_LEN ||
	    st.st_size > READ_SIZE - 44)
		ksft_exit_fail_msg("%s: unexpected size %lld\n", nvmem,
				   (long long)st.st_size);
	file.length = st.st_size;
	if (procs + 3 > MAX_STRESS)
		ksft_exit_fail_msg("too many readers\n");

	for (i = 1; i <= procs; i++) {
		snprintf(tag, sizeof(tag), "proc%d", i);
		pids[n] = start_stress(&file, tag, 1, &n);
		want_ready++;
	}
	if (threads) {
		pids[n] = start_stress(&file, "shared-fd", threads, &n);
		want_ready += threads;
	}
	pids[n] = start_stress(&file, "bytes-128-143", 0, &n);
	want_ready++;
	if (consumer) {
		snprintf(device_file, sizeof(device_file), "%s/device", consumer);
		snprintf(acquire, sizeof(acquire), "%s/acquire", consumer);
		dev.length = file.length;
		pids[n] = start_stress(&dev, "in-kernel-consumer", 1, &n);
		want_ready++;
	}
	sleep_ms(1000);

	ksft_print_msg(STRESS_LINE, cycles, procs, threads, consumer ? "yes" : "no");
	done = stress_cycles(cycles, driver, device, &file,
			     consumer ? acquire : NULL, stop_on_report,
			     &acquire_failures);
	/* from now on a good read or write is one after the last bind */
	STORE(shared->final, 1);
	ksft_print_msg("stress: cycles done %ld\n", done);
	ksft_print_msg("stress: acquire failures %ld\n", acquire_failures);
	if (done != cycles || acquire_failures)
		ret = KSFT_FAIL;

	/*
	 * Each reader thread and the writer must work again after the last
	 * bind, in a bound only a failure reaches, unless the cycles stopped
	 * early and the device may be gone for good.
	 */
	if (done == cycles) {
		start = now_ms();
		while (stress_ready(n) < want_ready &&
		       now_ms() < start + READY_TIMEOUT_S * 1000)
			sleep_ms(100);
		ksft_print_msg(WAITED_LINE, (now_ms() - start) / 1000);
		for (i = 0; i < n; i++) {
			const struct stress_counts *sc = &shared->stress[i];

			if (LOAD(sc->ready) <
			    (unsigned long)(sc->threads ? sc->threads : 1))
				ksft_print_msg("stress: not ready after the last bind: %s\n",
					       sc->tag);
		}
	}
	STORE(shared->stop, 1);
	if (reap(pids, n))
		ret = KSFT_FAIL;
	for (i = 0; i < n; i++)
		if (!report_stress(&shared->stress[i]))
			ret = KSFT_FAIL;
	if (!stress_check(&file))
		ret = KSFT_FAIL;

	return ret;
}

static int sweep_fails;

static const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EACCES, "EACCES" }, { EFBIG, "EFBIG" }, { EINVAL, "EINVAL" },
		{ ENODEV, "ENODEV" }, { EPERM, "EPERM" }, { EIO, "EIO" },
		{ ENOENT, "ENOENT" }, { EROFS, "EROFS" }, { ENXIO, "ENXIO" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	return strerror(err);
}

/*
 * One check of the sweep: the call returned ret with errno err; it must
 * return want, or fail with want_err if that is not 0.
 */
static void expect(const char *what, ssize_t ret, int err, ssize_t want,
		   int want_err)
{
	bool ok = want_err ? ret < 0 && err == want_err : ret == want;

	if (!ok)
		sweep_fails++;
	ksft_print_msg("sweep: %s %s: got %zd%s%s, want %zd%s%s\n",
		       ok ? "PASS" : "FAIL", what, ret, ret < 0 ? " " : "",
		       ret < 0 ? errno_name(err) : "",
		       want_err ? (ssize_t)-1 : want, want_err ? " " : "",
		       want_err ? errno_name(want_err) : "");
}

#define EXPECT(what, call, want, want_err) do {			\
		ssize_t __ret;						\
									\
		errno = 0;						\
		__ret = (call);						\
		expect(what, __ret, errno, want, want_err);		\
	} while (0)

static ssize_t write_attr(const char *path, const char *val)
{
	ssize_t ret;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val));
	close(fd);

	return ret < 0 ? -1 : 0;
}

/* An unprivileged user must not open a root-only nvmem file at all. */
static void sweep_unprivileged(const char *path)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_perror("fork");
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			ksft_print_msg("sweep: FAIL cannot drop to uid 65534: %s\n",
				       strerror(errno));
			_exit(KSFT_FAIL);
		}
		EXPECT("open O_RDONLY as uid 65534", (ssize_t)open(path, O_RDONLY),
		       0, EACCES);
		EXPECT("open O_WRONLY as uid 65534", (ssize_t)open(path, O_WRONLY),
		       0, EACCES);
		fflush(stdout);
		_exit(sweep_fails ? KSFT_FAIL : KSFT_PASS);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != KSFT_PASS)
		sweep_fails++;
}

static int do_sweep(const char *path, const char *force_ro)
{
	char buf[2 * READ_SIZE] = "sweep";
	struct stat st;
	off_t size;
	int fd;

	fd = open(path, O_RDWR);
	if (fd < 0 || fstat(fd, &st))
		ksft_exit_fail_perror(path);
	size = st.st_size;
	if (size <= 16 || size > READ_SIZE)
		ksft_exit_fail_msg("%s: unexpected size %lld\n", path,
				   (long long)size);
	ksft_print_msg("sweep: %s size %lld mode %o\n", path, (long long)size,
		       st.st_mode & 0777);

	EXPECT("read 16 at 0", pread(fd, buf, 16, 0), 16, 0);
	EXPECT("read 16 at size-1", pread(fd, buf, 16, size - 1), 1, 0);
	EXPECT("read 16 at size", pread(fd, buf, 16, size), 0, 0);
	EXPECT("read 16 at size+1", pread(fd, buf, 16, size + 1), 0, 0);
	EXPECT("read 16 at 2^40", pread(fd, buf, 16, 1LL << 40), 0, 0);
	EXPECT("read 16 at 2^62", pread(fd, buf, 16, 1LL << 62), 0, 0);
	EXPECT("read 0 at 0", pread(fd, buf, 0, 0), 0, 0);
	EXPECT("read 0 at size", pread(fd, buf, 0, size), 0, 0);
	EXPECT("read 16 at -1", pread(fd, buf, 16, -1), 0, EINVAL);
	EXPECT("read size+16 at 0", pread(fd, buf, size + 16, 0), size, 0);
	EXPECT("write 16 at size-8", pwrite(fd, buf, 16, size - 8), 8, 0);
	EXPECT("write 16 at size", pwrite(fd, buf, 16, size), 0, EFBIG);
	EXPECT("write 16 at 2^40", pwrite(fd, buf, 16, 1LL << 40), 0, EFBIG);
	EXPECT("write 0 at 0", pwrite(fd, buf, 0, 0), 0, 0);
	EXPECT("write 16 at -1", pwrite(fd, buf, 16, -1), 0, EINVAL);
	if (force_ro) {
		EXPECT("force_ro=1", write_attr(force_ro, "1"), 0, 0);
		EXPECT("write 16 at 0, force_ro", pwrite(fd, buf, 16, 0), 0,
		       EPERM);
		EXPECT("read 16 at 0, force_ro", pread(fd, buf, 16, 0), 16, 0);
		EXPECT("force_ro=0", write_attr(force_ro, "0"), 0, 0);
		EXPECT("write 16 at 0", pwrite(fd, buf, 16, 0), 16, 0);
	}
	close(fd);

	sweep_unprivileged(path);

	ksft_print_msg("sweep: %s\n", sweep_fails ? "FAIL" : "all as documented");

	return sweep_fails ? KSFT_FAIL : KSFT_PASS;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: nvmem-unbind-read fill PATH\n"
		"       nvmem-unbind-read [-p PROCS] [-t THREADS] [-c CONSUMER] [-s] stress CYCLES DRIVER DEVICE\n"
		"       nvmem-unbind-read sweep PATH [FORCE_RO]\n"
		"       nvmem-unbind-read check|gone SPEC...\n"
		"       nvmem-unbind-read [-p PROCS] [-t THREADS] unbind DRIVER DEVICE SPEC...\n"
		"SPEC is PATH:OFFSET:LENGTH\n");
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	struct spec specs[MAX_SPECS];
	const char *cmd, *consumer = NULL;
	int opt, i, nspecs, first;
	bool stop_on_report = false;

	while ((opt = getopt(argc, argv, "c:p:st:")) != -1) {
		switch (opt) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'c':
			consumer = optarg;
			break;
		case 's':
			stop_on_report = true;
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
	if (!strcmp(cmd, "sweep") && (argc - optind == 2 || argc - optind == 3))
		return do_sweep(argv[optind + 1],
				argc - optind == 3 ? argv[optind + 2] : NULL);

	if (!strcmp(cmd, "stress")) {
		if (argc - optind != 4)
			print_usage();
		shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED)
			ksft_exit_fail_perror("mmap");
		return do_stress(atol(argv[optind + 1]), argv[optind + 2],
				 argv[optind + 3], consumer, stop_on_report);
	}

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
