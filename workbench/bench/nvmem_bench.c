// SPDX-License-Identifier: GPL-2.0
/*
 * nvmem_bench - measure what the SRCU-protected provider ops cost
 *
 * Loaded with mode=run (the default), it binds a RAM-backed nvmem provider
 * and prints, one "nvmem_bench: <metric> <value>" line each:
 *
 *  - ns per nvmem_device_read() of 4 B and 4 KiB, 1 and 2 readers, and the
 *    same provider callback called directly (plain), inside a bare SRCU
 *    read section, a rwsem read section and a percpu-rwsem read section;
 *  - the duration of device_release_driver() on the provider (p50, p99,
 *    max) with no reader, with 4 readers that drop their handle before each
 *    unbind (both kernels) and, built with NVMEM_BENCH_SERIES=1, with 4
 *    readers in flight (only safe with the series: without it a read after
 *    unbind uses freed memory).
 *
 * Loaded with mode=mem, it registers ndev nvmem devices and keeps them
 * until it is unloaded, printing the time to register and to unregister
 * them and the slab growth, so that user space can read /proc/meminfo in
 * between.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/percpu-rwsem.h>
#include <linux/platform_device.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/srcu.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#define BENCH_NAME	"nvmem-bench"
#define BENCH_SIZE	8192
#define BENCH_READERS	4

static char *mode = "run";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "run: timing benchmarks; mem: register ndev devices");

static unsigned int iters_small = 500000;
module_param(iters_small, uint, 0444);
MODULE_PARM_DESC(iters_small, "calls per reader for 4 B reads");

static unsigned int iters_large = 50000;
module_param(iters_large, uint, 0444);
MODULE_PARM_DESC(iters_large, "calls per reader for 4 KiB reads");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds of all read loops; the median is printed");

static unsigned int unbind_cycles = 200;
module_param(unbind_cycles, uint, 0444);
MODULE_PARM_DESC(unbind_cycles, "unbind/bind cycles per unbind case");

static unsigned int ndev = 1000;
module_param(ndev, uint, 0444);
MODULE_PARM_DESC(ndev, "nvmem devices registered in mode=mem");

#ifdef NVMEM_BENCH_SERIES
static const bool bench_series = true;
#else
static const bool bench_series;
#endif

/* The provider: a buffer in RAM */

struct bench_prov {
	u8 *buf;
};

static int bench_reg_read(void *priv, unsigned int off, void *val,
			  size_t bytes)
{
	struct bench_prov *prov = priv;

	memcpy(val, prov->buf + off, bytes);
	return 0;
}

static int bench_reg_write(void *priv, unsigned int off, void *val,
			   size_t bytes)
{
	struct bench_prov *prov = priv;

	memcpy(prov->buf + off, val, bytes);
	return 0;
}

/* What the reference loops call: read through pointers, as the core does */
static nvmem_reg_read_t bench_cb = bench_reg_read;
static void *bench_priv;

static void bench_fill_config(struct nvmem_config *cfg, struct device *dev,
			      struct bench_prov *prov)
{
	cfg->dev = dev;
	cfg->owner = THIS_MODULE;
	cfg->size = BENCH_SIZE;
	cfg->word_size = 1;
	cfg->stride = 1;
	cfg->reg_read = bench_reg_read;
	cfg->reg_write = bench_reg_write;
	cfg->priv = prov;
}

static int bench_probe(struct platform_device *pdev)
{
	struct nvmem_config cfg = {};
	struct nvmem_device *nvmem;
	struct bench_prov *prov;
	unsigned int i;

	prov = devm_kzalloc(&pdev->dev, sizeof(*prov), GFP_KERNEL);
	if (!prov)
		return -ENOMEM;
	prov->buf = devm_kzalloc(&pdev->dev, BENCH_SIZE, GFP_KERNEL);
	if (!prov->buf)
		return -ENOMEM;
	for (i = 0; i < BENCH_SIZE; i++)
		prov->buf[i] = i;

	bench_fill_config(&cfg, &pdev->dev, prov);
	cfg.name = BENCH_NAME;
	cfg.id = NVMEM_DEVID_NONE;
	nvmem = devm_nvmem_register(&pdev->dev, &cfg);
	if (IS_ERR(nvmem))
		return PTR_ERR(nvmem);

	WRITE_ONCE(bench_priv, prov);
	return 0;
}

static struct platform_driver bench_driver = {
	.probe = bench_probe,
	.driver = {
		.name = BENCH_NAME,
	},
};

static struct platform_device *bench_pdev;

static struct nvmem_device *bench_find(void)
{
	return nvmem_device_find(BENCH_NAME, device_match_name);
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Read loops */

enum bench_kind {
	BENCH_NVMEM,
	BENCH_PLAIN,
	BENCH_SRCU,
	BENCH_RWSEM,
	BENCH_PCPU_RWSEM,
	BENCH_PLAIN_FN,
	BENCH_SRCU_FN,
	BENCH_NKINDS,
};

static const char * const bench_kind_name[BENCH_NKINDS] = {
	[BENCH_NVMEM] = "nvmem",
	[BENCH_PLAIN] = "plain",
	[BENCH_SRCU] = "srcu",
	[BENCH_RWSEM] = "rwsem",
	[BENCH_PCPU_RWSEM] = "pcpu_rwsem",
	[BENCH_PLAIN_FN] = "plain_fn",
	[BENCH_SRCU_FN] = "srcu_fn",
};

DEFINE_STATIC_SRCU(bench_srcu);
static DECLARE_RWSEM(bench_rwsem);
DEFINE_STATIC_PERCPU_RWSEM(bench_pcpu_rwsem);

struct bench_reader {
	struct task_struct *task;
	struct completion *go;
	struct completion done;
	atomic_t *ready;
	struct nvmem_device *nvmem;
	enum bench_kind kind;
	size_t len;
	unsigned int iters;
	u8 *dst;
	u64 ns;
	int err;
};

static noinline int bench_loop_nvmem(struct bench_reader *r)
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->iters; i++) {
		ret = nvmem_device_read(r->nvmem, 0, r->len, r->dst);
		if (ret != r->len)
			return ret < 0 ? ret : -EIO;
	}
	return 0;
}

static noinline int bench_loop_plain(struct bench_reader *r)
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->iters; i++) {
		ret = READ_ONCE(bench_cb)(READ_ONCE(bench_priv), 0, r->dst,
					  r->len);
		if (ret)
			return ret;
	}
	return 0;
}

static noinline int bench_loop_srcu(struct bench_reader *r)
{
	unsigned int i;
	int ret, idx;

	for (i = 0; i < r->iters; i++) {
		idx = srcu_read_lock(&bench_srcu);
		ret = READ_ONCE(bench_cb)(READ_ONCE(bench_priv), 0, r->dst,
					  r->len);
		srcu_read_unlock(&bench_srcu, idx);
		if (ret)
			return ret;
	}
	return 0;
}

static noinline int bench_loop_rwsem(struct bench_reader *r)
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->iters; i++) {
		down_read(&bench_rwsem);
		ret = READ_ONCE(bench_cb)(READ_ONCE(bench_priv), 0, r->dst,
					  r->len);
		up_read(&bench_rwsem);
		if (ret)
			return ret;
	}
	return 0;
}

static noinline int bench_loop_pcpu_rwsem(struct bench_reader *r)
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->iters; i++) {
		percpu_down_read(&bench_pcpu_rwsem);
		ret = READ_ONCE(bench_cb)(READ_ONCE(bench_priv), 0, r->dst,
					  r->len);
		percpu_up_read(&bench_pcpu_rwsem);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The plain call and the bare section again, each in a function shaped like
 * nvmem_device_read(): an exported-style call with four arguments, so that
 * they pay what a function pays to keep its arguments across the out-of-line
 * __srcu_read_lock() and __srcu_read_unlock(), which the loops above keep in
 * registers saved once per loop. noipa keeps gcc from cloning them with the
 * unused argument dropped.
 */
#define bench_fn_shape __attribute__((__noipa__))

static bench_fn_shape int bench_plain_fn(void *ctx, unsigned int offset,
				   size_t bytes, void *buf)
{
	int ret;

	ret = READ_ONCE(bench_cb)(READ_ONCE(bench_priv), offset, buf, bytes);

	return ret ?: bytes;
}

static bench_fn_shape int bench_srcu_fn(void *ctx, unsigned int offset,
				  size_t bytes, void *buf)
{
	int ret, idx;

	idx = srcu_read_lock(&bench_srcu);
	ret = READ_ONCE(bench_cb)(READ_ONCE(bench_priv), offset, buf, bytes);
	srcu_read_unlock(&bench_srcu, idx);

	return ret ?: bytes;
}

static noinline int bench_loop_fn(struct bench_reader *r,
				  int (*fn)(void *ctx, unsigned int offset,
					    size_t bytes, void *buf))
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->iters; i++) {
		ret = fn(r->nvmem, 0, r->len, r->dst);
		if (ret != r->len)
			return ret < 0 ? ret : -EIO;
	}
	return 0;
}

static int bench_reader_loop(struct bench_reader *r)
{
	switch (r->kind) {
	case BENCH_NVMEM:
		return bench_loop_nvmem(r);
	case BENCH_PLAIN:
		return bench_loop_plain(r);
	case BENCH_SRCU:
		return bench_loop_srcu(r);
	case BENCH_RWSEM:
		return bench_loop_rwsem(r);
	case BENCH_PCPU_RWSEM:
		return bench_loop_pcpu_rwsem(r);
	case BENCH_PLAIN_FN:
		return bench_loop_fn(r, bench_plain_fn);
	case BENCH_SRCU_FN:
		return bench_loop_fn(r, bench_srcu_fn);
	default:
		return -EINVAL;
	}
}

static int bench_reader_fn(void *data)
{
	struct bench_reader *r = data;
	unsigned int iters = r->iters;
	u64 start;

	atomic_inc(r->ready);
	wait_for_completion(r->go);

	/* warm up caches and the branch predictor, both readers alike */
	r->iters = max(iters / 16, 1U);
	r->err = bench_reader_loop(r);
	r->iters = iters;
	start = ktime_get_ns();
	if (!r->err)
		r->err = bench_reader_loop(r);
	r->ns = ktime_get_ns() - start;
	complete(&r->done);

	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

/* Run @nr readers of @kind on CPUs 0.. together; return ns per call, averaged */
static int bench_readers(struct nvmem_device *nvmem, enum bench_kind kind,
			 unsigned int nr, size_t len, unsigned int iters,
			 u64 *ns_per_call)
{
	struct bench_reader r[2] = {};
	DECLARE_COMPLETION_ONSTACK(go);
	atomic_t ready = ATOMIC_INIT(0);
	unsigned int i, started = 0;
	u64 sum = 0;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		r[i].go = &go;
		r[i].ready = &ready;
		r[i].nvmem = nvmem;
		r[i].kind = kind;
		r[i].len = len;
		r[i].iters = iters;
		init_completion(&r[i].done);
		r[i].dst = kmalloc(len, GFP_KERNEL);
		if (!r[i].dst) {
			ret = -ENOMEM;
			goto out;
		}
		r[i].task = kthread_create_on_cpu(bench_reader_fn, &r[i], i,
						  "nvmem_bench/%u");
		if (IS_ERR(r[i].task)) {
			ret = PTR_ERR(r[i].task);
			r[i].task = NULL;
			goto out;
		}
		get_task_struct(r[i].task);
		wake_up_process(r[i].task);
		started++;
	}
	while (atomic_read(&ready) < nr)
		usleep_range(100, 200);
	complete_all(&go);

	for (i = 0; i < nr; i++) {
		wait_for_completion(&r[i].done);
		if (r[i].err && !ret)
			ret = r[i].err;
		sum += div_u64(r[i].ns, iters);
	}
	*ns_per_call = div_u64(sum, nr);
out:
	if (ret)
		complete_all(&go);
	for (i = 0; i < started; i++) {
		kthread_stop(r[i].task);
		put_task_struct(r[i].task);
	}
	for (i = 0; i < nr; i++)
		kfree(r[i].dst);
	return ret;
}

static int bench_reads(void)
{
	static const struct {
		size_t len;
		const char *name;
	} sizes[] = { { 4, "4B" }, { 4096, "4K" } };
	unsigned int s, nr, k, i, iters;
	struct nvmem_device *nvmem;
	u64 *ns;
	int ret = 0;

	nvmem = bench_find();
	if (IS_ERR(nvmem)) {
		pr_err("cannot find %s: %pe\n", BENCH_NAME, nvmem);
		return PTR_ERR(nvmem);
	}
	/* ns[((s * 2 + nr - 1) * BENCH_NKINDS + k) * rounds + i] */
	ns = kcalloc(ARRAY_SIZE(sizes) * 2 * BENCH_NKINDS, rounds * sizeof(*ns),
		     GFP_KERNEL);
	if (!ns) {
		ret = -ENOMEM;
		goto out;
	}

	/* all loops once per round, so that drift hits every loop alike */
	for (i = 0; i < rounds; i++) {
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			iters = sizes[s].len == 4 ? iters_small : iters_large;
			for (nr = 1; nr <= 2; nr++) {
				for (k = 0; k < BENCH_NKINDS; k++) {
					u64 *v = &ns[((s * 2 + nr - 1) *
						      BENCH_NKINDS + k) * rounds];

					ret = bench_readers(nvmem, k, nr,
							    sizes[s].len, iters,
							    &v[i]);
					if (ret) {
						pr_err("%s %s %u readers: %d\n",
						       bench_kind_name[k],
						       sizes[s].name, nr, ret);
						goto out;
					}
				}
			}
		}
	}

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (nr = 1; nr <= 2; nr++) {
			for (k = 0; k < BENCH_NKINDS; k++) {
				u64 *v = &ns[((s * 2 + nr - 1) * BENCH_NKINDS +
					      k) * rounds];

				sort(v, rounds, sizeof(*v), bench_cmp_u64,
				     NULL);
				pr_info("read_%s_%s_r%u_ns %llu\n",
					bench_kind_name[k], sizes[s].name, nr,
					v[rounds / 2]);
			}
		}
	}
out:
	kfree(ns);
	nvmem_device_put(nvmem);
	return ret;
}

/* Unbind latency */

enum bench_unbind_case {
	UNBIND_IDLE,		/* no reader */
	UNBIND_PAUSED,		/* 4 readers, handles dropped before unbind */
	UNBIND_INFLIGHT,	/* 4 readers reading through unbind */
};

struct bench_unbinder {
	enum bench_unbind_case ucase;
	wait_queue_head_t wq;
	bool pause;
	bool stop;
	atomic_t paused;
	atomic64_t reads_ok;
	atomic64_t reads_enodev;
	atomic64_t reads_other;
	u64 read_max_ns;
};

static int bench_unbind_reader_fn(void *data)
{
	struct bench_unbinder *u = data;
	struct nvmem_device *nvmem = NULL;
	u64 t, max_ns = 0;
	u8 buf[4];
	int ret;

	while (!READ_ONCE(u->stop)) {
		if (READ_ONCE(u->pause)) {
			if (nvmem)
				nvmem_device_put(nvmem);
			nvmem = NULL;
			atomic_inc(&u->paused);
			wait_event(u->wq, !READ_ONCE(u->pause) ||
				   READ_ONCE(u->stop));
			atomic_dec(&u->paused);
			continue;
		}
		if (!nvmem) {
			nvmem = bench_find();
			if (IS_ERR(nvmem)) {
				nvmem = NULL;
				usleep_range(20, 50);
				continue;
			}
		}
		t = ktime_get_ns();
		ret = nvmem_device_read(nvmem, 0, sizeof(buf), buf);
		t = ktime_get_ns() - t;
		if (ret == sizeof(buf)) {
			atomic64_inc(&u->reads_ok);
			max_ns = max(max_ns, t);
		} else if (ret == -ENODEV) {
			atomic64_inc(&u->reads_enodev);
			nvmem_device_put(nvmem);
			nvmem = NULL;
		} else {
			atomic64_inc(&u->reads_other);
		}
		cond_resched();
	}
	if (nvmem)
		nvmem_device_put(nvmem);
	WRITE_ONCE(u->read_max_ns, max(READ_ONCE(u->read_max_ns), max_ns));

	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static int bench_unbind(enum bench_unbind_case ucase, const char *name)
{
	struct task_struct *tasks[BENCH_READERS] = {};
	unsigned int i, nr = ucase == UNBIND_IDLE ? 0 : BENCH_READERS;
	struct bench_unbinder u = { .ucase = ucase };
	u64 *lat, t;
	int ret = 0;

	if (!unbind_cycles)
		return 0;
	lat = kvcalloc(unbind_cycles, sizeof(*lat), GFP_KERNEL);
	if (!lat)
		return -ENOMEM;
	init_waitqueue_head(&u.wq);

	for (i = 0; i < nr; i++) {
		tasks[i] = kthread_create_on_cpu(bench_unbind_reader_fn, &u,
						 i % num_online_cpus(),
						 "nvmem_unbind/%u");
		if (IS_ERR(tasks[i])) {
			ret = PTR_ERR(tasks[i]);
			tasks[i] = NULL;
			goto out;
		}
		get_task_struct(tasks[i]);
		wake_up_process(tasks[i]);
	}

	for (i = 0; i < unbind_cycles; i++) {
		if (ucase == UNBIND_PAUSED) {
			WRITE_ONCE(u.pause, true);
			while (atomic_read(&u.paused) < nr)
				usleep_range(50, 100);
		} else if (nr) {
			/* let the readers get a handle and read */
			usleep_range(500, 1000);
		}

		t = ktime_get_ns();
		device_release_driver(&bench_pdev->dev);
		lat[i] = ktime_get_ns() - t;

		ret = device_attach(&bench_pdev->dev);
		if (ret != 1) {
			pr_err("%s: rebind failed: %d\n", name, ret);
			ret = ret < 0 ? ret : -ENODEV;
			goto out;
		}
		ret = 0;
		if (ucase == UNBIND_PAUSED) {
			WRITE_ONCE(u.pause, false);
			wake_up_all(&u.wq);
		}
	}

	sort(lat, unbind_cycles, sizeof(*lat), bench_cmp_u64, NULL);
	pr_info("%s_p50_ns %llu\n", name, lat[unbind_cycles / 2]);
	pr_info("%s_p99_ns %llu\n", name,
		lat[min(unbind_cycles - 1, unbind_cycles * 99 / 100)]);
	pr_info("%s_max_ns %llu\n", name, lat[unbind_cycles - 1]);
	/* the raw samples, for the plot */
	for (i = 0; i < unbind_cycles; i++)
		pr_info("sample %s %llu\n", name, lat[i]);
out:
	WRITE_ONCE(u.stop, true);
	wake_up_all(&u.wq);
	for (i = 0; i < nr; i++) {
		if (!tasks[i])
			continue;
		kthread_stop(tasks[i]);
		put_task_struct(tasks[i]);
	}
	if (nr && !ret) {
		pr_info("%s_reads_ok %lld\n", name,
			atomic64_read(&u.reads_ok));
		pr_info("%s_reads_enodev %lld\n", name,
			atomic64_read(&u.reads_enodev));
		pr_info("%s_reads_other %lld\n", name,
			atomic64_read(&u.reads_other));
		pr_info("%s_read_max_ns %llu\n", name, u.read_max_ns);
	}
	kvfree(lat);
	return ret;
}

/* Memory and register/unregister time of ndev devices */

static struct nvmem_device **bench_mem_devs;
static struct bench_prov bench_mem_prov;
static unsigned long bench_mem_slab0;

static unsigned long bench_slab_pages(void)
{
	return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
	       global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
}

static int bench_mem_register(void)
{
	struct nvmem_config cfg = {};
	unsigned int i;
	u64 t;

	bench_mem_devs = kvcalloc(ndev, sizeof(*bench_mem_devs), GFP_KERNEL);
	bench_mem_prov.buf = kzalloc(BENCH_SIZE, GFP_KERNEL);
	if (!bench_mem_devs || !bench_mem_prov.buf)
		return -ENOMEM;

	bench_fill_config(&cfg, &bench_pdev->dev, &bench_mem_prov);
	cfg.name = "nvmem-bench-m";
	cfg.id = NVMEM_DEVID_AUTO;

	pr_info("sizeof_srcu_struct %zu\n", sizeof(struct srcu_struct));
#ifdef CONFIG_TREE_SRCU
	pr_info("sizeof_srcu_usage %zu\n", sizeof(struct srcu_usage));
	pr_info("sizeof_srcu_data %zu\n", sizeof(struct srcu_data));
#endif
	bench_mem_slab0 = bench_slab_pages();
	t = ktime_get_ns();
	for (i = 0; i < ndev; i++) {
		bench_mem_devs[i] = nvmem_register(&cfg);
		if (IS_ERR(bench_mem_devs[i])) {
			int ret = PTR_ERR(bench_mem_devs[i]);

			bench_mem_devs[i] = NULL;
			pr_err("nvmem_register #%u: %d\n", i, ret);
			return ret;
		}
	}
	t = ktime_get_ns() - t;
	pr_info("mem_register_ns_per_dev %llu\n", div_u64(t, ndev));
	pr_info("mem_slab_bytes_per_dev %lu\n",
		(bench_slab_pages() - bench_mem_slab0) * PAGE_SIZE / ndev);
	return 0;
}

static void bench_mem_unregister(void)
{
	unsigned int i, n = 0;
	u64 t;

	if (!bench_mem_devs)
		return;
	t = ktime_get_ns();
	for (i = ndev; i-- > 0; ) {
		if (bench_mem_devs[i]) {
			nvmem_unregister(bench_mem_devs[i]);
			n++;
		}
	}
	t = ktime_get_ns() - t;
	if (n == ndev)
		pr_info("mem_unregister_ns_per_dev %llu\n", div_u64(t, ndev));
	kvfree(bench_mem_devs);
	kfree(bench_mem_prov.buf);
	bench_mem_devs = NULL;
}

static int bench_run(void)
{
	int ret;

	ret = bench_reads();
	if (ret)
		return ret;
	ret = bench_unbind(UNBIND_IDLE, "unbind_r0");
	if (ret)
		return ret;
	ret = bench_unbind(UNBIND_PAUSED, "unbind_r4paused");
	if (ret)
		return ret;
	if (!bench_series) {
		pr_info("unbind_r4inflight skipped: a read after unbind uses freed memory without the series\n");
		return 0;
	}
	return bench_unbind(UNBIND_INFLIGHT, "unbind_r4inflight");
}

static int __init nvmem_bench_init(void)
{
	bool mem = !strcmp(mode, "mem");
	int ret;

	if (!mem && strcmp(mode, "run"))
		return -EINVAL;
	if (!iters_small || !iters_large || !rounds)
		return -EINVAL;

	ret = platform_driver_register(&bench_driver);
	if (ret)
		return ret;
	bench_pdev = platform_device_register_simple(BENCH_NAME, -1, NULL, 0);
	if (IS_ERR(bench_pdev)) {
		ret = PTR_ERR(bench_pdev);
		goto err_driver;
	}
	if (!device_is_bound(&bench_pdev->dev)) {
		ret = -ENODEV;
		goto err_device;
	}

	pr_info("kernel %s\n", bench_series ? "series" : "base");
	ret = mem ? bench_mem_register() : bench_run();
	if (ret)
		goto err_device;
	pr_info("done %s\n", mode);
	return 0;

err_device:
	bench_mem_unregister();
	platform_device_unregister(bench_pdev);
err_driver:
	platform_driver_unregister(&bench_driver);
	pr_err("failed: %d\n", ret);
	return ret;
}
module_init(nvmem_bench_init);

static void __exit nvmem_bench_exit(void)
{
	bench_mem_unregister();
	platform_device_unregister(bench_pdev);
	platform_driver_unregister(&bench_driver);
}
module_exit(nvmem_bench_exit);

MODULE_DESCRIPTION("Cost of the nvmem core's SRCU-protected provider ops");
MODULE_LICENSE("GPL");
