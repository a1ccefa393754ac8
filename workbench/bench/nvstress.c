// SPDX-License-Identifier: GPL-2.0
/*
 * nvstress: the user-space side of workbench/stress.sh
 *
 * The EEPROM is an at24 24c02 (256 bytes) on i2c-stub.  at24_read() cuts a
 * read into chunks of io_limit (128) bytes under at24->lock, and regmap cuts
 * each chunk into SMBus I2C block transfers of at most 31 bytes
 * (max_raw_read of regmap_i2c_smbus_i2c_block, I2C_SMBUS_BLOCK_MAX - 1:
 * i2c-stub has no plain I2C), so a whole read is 2 chunks, 10 transfers.
 *
 * CTL is a directory shared by the commands: CTL/clock holds counters in
 * shared memory (unbinds started, the last bind done, the writer's last
 * value), CTL/stop ends the readers and the writer, and each of them makes
 * CTL/ready.TAG once it has worked right after the last bind.
 *
 * nvstress fill FILE
 *	Write the test pattern (byte o holds o * 37 + 11) over the whole file.
 * nvstress read TAG THREADS SIZE PARENT|FILE CTL
 *	Read from THREADS threads sharing one file descriptor until CTL/stop
 *	exists: in turn the whole SIZE bytes at 0, and a random length in
 *	[1, SIZE + 44] at a random offset in [0, SIZE], so that most reads
 *	span several transfers and many run past the end.  Each read must
 *	return exactly the documented length (SIZE - offset when it runs past
 *	the end, 0 at SIZE) and every byte must be the pattern's, except that
 *	the writer's bytes (128 to 143) may all hold the pattern XOR one value
 *	V: at24->lock orders whole reads and writes, so a read sees one write.
 *	A read may fail with ENODEV (the sysfs file of an unbound device, or
 *	the consumer's handle on it) or EACCES (at24's window, see below);
 *	reopening may fail with ENOENT or ENODEV (the file is gone, or going,
 *	while unbound).  Any other errno counts as "other".  PARENT is a
 *	device directory whose nvmem child (a subdirectory named like PARENT's
 *	basename plus digits) holds the nvmem file; it is looked up again after
 *	each failure, as the child's name changes with every bind.  A FILE (no
 *	such child) is read as it is.  Prints one line of counters: reads with
 *	data, whole reads, reads of more than one at24 chunk, reads cut at the
 *	end as documented, reads with data during which an unbind started,
 *	short (or long) reads, wrong bytes, reads per errno, reopen failures
 *	per errno, other errnos, and the threads that read right after the
 *	last bind.
 * nvstress write TAG PARENT CTL
 *	Own bytes 128 to 143 of PARENT's nvmem file: write the pattern XOR a
 *	new V (1 to 255) there, read it back and count the bytes that differ,
 *	every 10 ms until CTL/stop exists; on an error, open the file of the
 *	next bind.  Its errnos are the readers'.  Keeps its last V in CTL.
 * nvstress cycle N DRIVERDIR DEVICE ACQUIRE STOP_ON_SPLAT CTL
 *	Unbind DEVICE from DRIVERDIR and bind it again N times; after each
 *	bind, write the name of the new nvmem device to ACQUIRE (unless "-").
 *	Counts each unbind in CTL before it starts and flags the end of the
 *	last cycle there.  Logs each cycle to /dev/kmsg at debug level.  With
 *	STOP_ON_SPLAT, stops once a kernel report has tainted the kernel.
 * nvstress check PARENT CTL
 *	Read the whole file at once and compare every byte with the pattern,
 *	the writer's with its last V.  Exits 1 on a difference.
 * nvstress sweep FILE FORCE_RO
 *	The bad-input sweep of an nvmem sysfs file of a root-only, writable
 *	device (FORCE_RO its force_ro attribute, or "-").
 *
 * at24's window errno is EACCES.  at24_remove() disables the client's
 * runtime PM, and only after it has returned does the driver core release
 * the devres that unregisters the nvmem device (devm_nvmem_register()).  In
 * between, the nvmem device and its ops are live, and a read reaching
 * at24_read() gets -EACCES from pm_runtime_resume_and_get(): rpm_resume()
 * refuses a device whose runtime PM is disabled unless it was active then,
 * and at24 is suspended between reads.  Binding has no window: at24_probe()
 * enables runtime PM before devm_nvmem_register() creates the file.  A read
 * or write failing so has not reached the chip (the errno comes before the
 * first transfer, and i2c-stub's transfers do not fail), nor one failing
 * with ENODEV (the nvmem core's guard, or kernfs, refuses it first).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NERR 140

/* at24's io_limit: a longer read takes more than one at24 chunk */
#define AT24_CHUNK	128
/* longest read: past the end of a 24c02 by up to 44 bytes */
#define READ_MAX	4096

/* Shared by the commands through CTL/clock */
struct ctl {
	unsigned long unbinds;		/* unbinds started */
	unsigned long final;		/* the last cycle is done */
	unsigned long writer_v;		/* the writer's last V written */
};

/* What a reader or the writer counts */
struct stats {
	unsigned long data, full, multi, eof, overlap, shorts, wrong;
	unsigned long writes, verified;
	unsigned long rerr[NERR + 1];	/* reads (and writes) per errno */
	unsigned long oerr[NERR + 1];	/* reopens per errno */
};

static const char *parent, *ctldir, *tag;
static char leaf[64];
static struct ctl *ctl;
static size_t size;
static int shared_fd = -1, nthreads, ready_threads;
static pthread_mutex_t reopen_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long generation;
static struct stats total;

/*
 * The writer's region: small, because at24 holds its lock for a whole write,
 * one byte per transfer on a 24c02, and the readers and the unbind wait.
 */
#define WRITER_START	128
#define WRITER_LEN	16

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

/* What the EEPROM holds at @off outside the writer's region */
static unsigned char pattern(unsigned long off)
{
	return off * 37 + 11;
}

static int in_writer_region(unsigned long off)
{
	return off >= WRITER_START && off < WRITER_START + WRITER_LEN;
}

/*
 * Bytes of @buf (read at @off) that are not what the EEPROM holds: the
 * pattern, in the writer's region XOR @v, or XOR one value for all of them
 * if @v is -1 (whatever write the read saw, but only one).
 */
static unsigned long count_wrong(const unsigned char *buf, size_t len,
				 unsigned long off, int v)
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

/* Map CTL/clock, which whoever comes first creates */
static void ctl_map(void)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/clock", ctldir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	/* the same length for all: no data lost if it exists already */
	if (fd < 0 || ftruncate(fd, sizeof(*ctl))) {
		perror(path);
		exit(2);
	}
	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ctl == MAP_FAILED) {
		perror(path);
		exit(2);
	}
	close(fd);
}

/* Make CTL/NAME: a ready file */
static void ctl_touch(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ctldir, name);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
}

static int stopped(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/stop", ctldir);
	return access(path, F_OK) == 0;
}

/* One more thread worked after the last bind: all of them, say so */
static void thread_ready(void)
{
	char name[128];

	pthread_mutex_lock(&reopen_lock);
	if (++ready_threads == nthreads) {
		snprintf(name, sizeof(name), "ready.%s", tag);
		ctl_touch(name);
	}
	pthread_mutex_unlock(&reopen_lock);
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

static int errno_index(int e)
{
	return e > 0 && e < NERR ? e : NERR;
}

/* Open the file of the current bind, counting a failure per errno */
static int open_file(int flags, struct stats *s)
{
	char path[PATH_MAX];
	int fd = -1;

	if (find_file(path, sizeof(path)) == 0)
		fd = open(path, flags);
	if (fd < 0)
		s->oerr[errno_index(errno)]++;
	return fd;
}

/* Open the file again onto the shared descriptor, once per generation */
static void reopen(unsigned long seen, struct stats *s)
{
	int fd;

	pthread_mutex_lock(&reopen_lock);
	if (generation == seen) {
		fd = open_file(O_RDONLY, s);
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
	pthread_mutex_unlock(&reopen_lock);
}

/* A read that returned @r of @len bytes at @off: check length and bytes */
static int count_read(struct stats *s, const unsigned char *buf, ssize_t r,
		      size_t len, size_t off, unsigned long unbinds)
{
	/* documented: a read past the end stops there, one at the end is 0 */
	size_t want = off >= size ? 0 : len < size - off ? len : size - off;
	unsigned long wrong;

	if ((size_t)r != want) {
		s->shorts++;
		return 0;
	}
	if (want < len)
		s->eof++;
	if (!r)
		return 0;
	wrong = count_wrong(buf, r, off, -1);
	s->wrong += wrong;
	s->data++;
	s->full += off == 0 && (size_t)r == size;
	s->multi += r > AT24_CHUNK;
	/* in flight while an unbind began: the unbind had to wait for it */
	s->overlap += LOAD(ctl->unbinds) != unbinds;
	return !wrong;
}

static void *reader(void *arg)
{
	unsigned int seed = (uintptr_t)arg * 2654435761u ^ getpid() ^ time(NULL);
	unsigned long gen, i, unbinds, after_last_bind;
	unsigned char buf[READ_MAX];
	struct stats s = {};
	size_t off, len;
	int e, ready = 0;
	ssize_t r;

	for (i = 0; ; i++) {
		if ((i & 7) == 0 && stopped())
			break;
		pthread_mutex_lock(&reopen_lock);
		gen = generation;
		pthread_mutex_unlock(&reopen_lock);
		if (shared_fd < 0) {
			reopen(gen, &s);
			if (shared_fd < 0) {
				usleep(1000);
				continue;
			}
		}
		off = 0;
		len = size;
		if (i & 1) {
			off = rand_r(&seed) % (size + 1);
			len = 1 + rand_r(&seed) % (size + 44);
		}
		after_last_bind = LOAD(ctl->final);
		unbinds = LOAD(ctl->unbinds);
		r = pread(shared_fd, buf, len, off);
		if (r >= 0) {
			if (count_read(&s, buf, r, len, off, unbinds) &&
			    after_last_bind && !ready) {
				ready = 1;
				thread_ready();
			}
			continue;
		}
		e = errno_index(errno);
		s.rerr[e]++;
		/* the device went away: find the new one */
		reopen(gen, &s);
		if (e != ENODEV)
			usleep(1000);
	}
	pthread_mutex_lock(&reopen_lock);
	total.data += s.data;
	total.full += s.full;
	total.multi += s.multi;
	total.eof += s.eof;
	total.overlap += s.overlap;
	total.shorts += s.shorts;
	total.wrong += s.wrong;
	for (i = 0; i <= NERR; i++) {
		total.rerr[i] += s.rerr[i];
		total.oerr[i] += s.oerr[i];
	}
	pthread_mutex_unlock(&reopen_lock);
	return NULL;
}

/*
 * The errnos as documented (see the top), then the count of the others and
 * their names: other_errnos=read:EIO:3,reopen:EPERM:1
 */
static void print_errnos(const struct stats *s)
{
	const char *what = "read";
	unsigned long other = 0;
	const unsigned long *err;
	char list[2048] = "", *p = list;
	int i, j;

	printf(" ENODEV=%lu EACCES=%lu reopen_ENOENT=%lu reopen_ENODEV=%lu",
	       s->rerr[ENODEV], s->rerr[EACCES], s->oerr[ENOENT], s->oerr[ENODEV]);
	for (j = 0; j < 2; j++) {
		err = j ? s->oerr : s->rerr;
		for (i = 1; i <= NERR; i++) {
			if (!err[i] || i == ENODEV || (j ? i == ENOENT : i == EACCES))
				continue;
			other += err[i];
			p += snprintf(p, list + sizeof(list) - p, "%s%s:%s:%lu",
				      p == list ? "" : ",", what,
				      i < NERR && strerrorname_np(i) ?
				      strerrorname_np(i) : "E?", err[i]);
		}
		what = "reopen";
	}
	printf(" other=%lu other_errnos=%s\n", other, *list ? list : "-");
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

static int do_write(void)
{
	unsigned char buf[WRITER_LEN], back[WRITER_LEN];
	unsigned long after_last_bind, wrong;
	struct stats s = {};
	int fd = -1, e, v = 0, ready = 0;
	ssize_t r;

	while (!stopped()) {
		if (fd < 0) {
			fd = open_file(O_RDWR, &s);
			if (fd < 0) {
				usleep(1000);
				continue;
			}
		}
		v = v % 255 + 1;
		for (r = 0; r < WRITER_LEN; r++)
			buf[r] = pattern(WRITER_START + r) ^ v;
		after_last_bind = LOAD(ctl->final);
		r = pwrite(fd, buf, WRITER_LEN, WRITER_START);
		if (r == WRITER_LEN) {
			s.writes++;
			STORE(ctl->writer_v, v);
			r = pread(fd, back, WRITER_LEN, WRITER_START);
			if (r == WRITER_LEN) {
				s.verified++;
				wrong = count_wrong(back, WRITER_LEN,
						    WRITER_START, v);
				s.wrong += wrong;
				if (!wrong && after_last_bind && !ready) {
					ready = 1;
					thread_ready();
				}
				usleep(10000);
				continue;
			}
		}
		if (r >= 0) {
			/* cut short: never as documented */
			s.shorts++;
		} else {
			e = errno_index(errno);
			s.rerr[e]++;
			if (e != ENODEV)
				usleep(1000);
		}
		/* the device went away: next bind */
		close(fd);
		fd = -1;
	}
	/* the last V written, not the last tried */
	printf("stress: writer %s writes=%lu verified=%lu short=%lu wrong=%lu last=%lu ready=%d",
	       tag, s.writes, s.verified, s.shorts, s.wrong, LOAD(ctl->writer_v),
	       ready);
	print_errnos(&s);
	return 0;
}

static int do_read(void)
{
	pthread_t t[64];
	long i;

	if (nthreads < 1 || nthreads > 64 || size < 1 || size > READ_MAX - 44)
		return 2;
	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, reader, (void *)i);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	printf("stress: reader %s threads=%d data=%lu full=%lu multi=%lu eof=%lu overlap=%lu short=%lu wrong=%lu ready=%d",
	       tag, nthreads, total.data, total.full, total.multi, total.eof,
	       total.overlap, total.shorts, total.wrong, ready_threads);
	print_errnos(&total);
	return 0;
}

/* The whole content after the last cycle, the writer's bytes its last V */
static int do_check(void)
{
	unsigned char buf[READ_MAX];
	struct stats s = {};
	unsigned long wrong;
	struct stat st;
	ssize_t r;
	int fd, v = LOAD(ctl->writer_v);

	fd = open_file(O_RDONLY, &s);
	if (fd < 0 || fstat(fd, &st) || st.st_size > READ_MAX) {
		printf("stress: final content: cannot open: %s\n", strerror(errno));
		return 1;
	}
	r = pread(fd, buf, st.st_size, 0);
	close(fd);
	if (r != st.st_size) {
		printf("stress: final content: read %zd of %lld bytes: %s\n", r,
		       (long long)st.st_size, r < 0 ? strerror(errno) : "short");
		return 1;
	}
	wrong = count_wrong(buf, r, 0, v);
	printf("stress: final content %s: %zd bytes, %lu wrong, writer's V %d\n",
	       wrong ? "WRONG" : "right", r, wrong, v);
	return !!wrong;
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
		__atomic_add_fetch(&ctl->unbinds, 1, __ATOMIC_SEQ_CST);
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
	/* from now on a good read or write is one after the last bind */
	STORE(ctl->final, 1);
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

/* PARENT (see "read") and CTL of the read, write, cycle and check commands */
static void set_parent(const char *path, const char *dir)
{
	const char *b = strrchr(path, '/');

	parent = path;
	ctldir = dir;
	snprintf(leaf, sizeof(leaf), "%s", b ? b + 1 : path);
	ctl_map();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 7 && !strcmp(argv[1], "read")) {
		tag = argv[2];
		nthreads = atoi(argv[3]);
		size = strtoul(argv[4], NULL, 0);
		set_parent(argv[5], argv[6]);
		return do_read();
	}
	if (argc == 8 && !strcmp(argv[1], "cycle")) {
		static char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "/sys/bus/i2c/devices/%s", argv[4]);
		set_parent(dir, argv[7]);
		return do_cycle(atol(argv[2]), argv[3], argv[4], argv[5],
				atoi(argv[6]));
	}
	if (argc == 4 && !strcmp(argv[1], "check")) {
		set_parent(argv[2], argv[3]);
		return do_check();
	}
	if (argc == 4 && !strcmp(argv[1], "sweep"))
		return do_sweep(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return do_fill(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "write")) {
		tag = argv[2];
		nthreads = 1;
		set_parent(argv[3], argv[4]);
		return do_write();
	}
	fprintf(stderr, "usage: see the comment at the top of nvstress.c\n");
	return 2;
}
