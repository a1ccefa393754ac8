// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the nvmem core, suite nvmem_core_unbind: unbinding a provider
 * while consumers hold handles, with and without calls in flight. The test
 * provider and the helpers are in nvmem_kunit.c.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/iopoll.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/platform_device.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "nvmem_kunit.h"

#define NVMEM_KUNIT_READERS	4

static void nvmem_kunit_gate_open(struct nvmem_kunit_gate *gate, int last)
{
	atomic_set(&gate->open, last);
	wake_up_all(&gate->wq);
}

/* Unbinding a provider while consumers hold handles */

/* Handles to the device, a cell and a bit field, taken before the unbind. */
struct nvmem_kunit_handles {
	struct nvmem_kunit_fixture *fx;
	struct nvmem_device *nvmem;
	struct nvmem_cell *cell;
	struct nvmem_cell *bits;
};

static struct nvmem_kunit_handles *nvmem_kunit_unbind_setup(struct kunit *test)
{
	struct nvmem_kunit_handles *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->fx = nvmem_kunit_setup(test);
	h->nvmem = nvmem_kunit_device_get(test, h->fx->consumer,
					  h->fx->pdata.name);
	h->cell = nvmem_kunit_cell_get(test, h->fx->consumer, "u32");
	h->bits = nvmem_kunit_cell_get(test, h->fx->consumer, "bits9");

	nvmem_kunit_unbind(test, h->fx->pdev);
	atomic_set(&h->fx->stats->reads, 0);
	atomic_set(&h->fx->stats->writes, 0);

	return h;
}

/* Device handle: every access fails with -ENODEV; putting it is safe. */
static void nvmem_unbind_device_handle_test(struct kunit *test)
{
	struct nvmem_kunit_handles *h = nvmem_kunit_unbind_setup(test);
	struct nvmem_cell_info info = { .offset = 4, .bytes = 4 };
	u8 buf[4] = {};

	KUNIT_EXPECT_EQ(test, nvmem_device_read(h->nvmem, 0, 4, buf), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(h->nvmem, 0, 4, buf), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_device_cell_read(h->nvmem, &info, buf),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_device_cell_write(h->nvmem, &info, buf),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(h->fx->stats), 0);

	kunit_release_action(test, nvmem_kunit_device_put, h->nvmem);
	kunit_release_action(test, nvmem_kunit_cell_put, h->cell);
}

/*
 * A read inside a keepout area needs no provider call, but once the
 * provider is gone it fails like any other.
 */
static void nvmem_unbind_keepout_test(struct kunit *test)
{
	static const struct nvmem_keepout keepout = {
		.start = 8, .end = 16, .value = 0xaa,
	};
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct nvmem_device *nvmem;
	u8 buf[4];

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.keepout = &keepout;
	pdata.nkeepout = 1;
	pdev = nvmem_kunit_add_provider(test, &pdata);
	nvmem = nvmem_kunit_device_get(test, nvmem_kunit_consumer(test),
				       pdata.name);
	KUNIT_ASSERT_EQ(test, nvmem_device_read(nvmem, 10, 4, buf), 4);

	nvmem_kunit_unbind(test, pdev);
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 10, 4, buf), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 10, 4, buf), -ENODEV);
}

/*
 * The device's sysfs files, opened before the unbind, fail with -ENODEV
 * after it although a consumer still holds the device: they went with it.
 */
static void nvmem_unbind_sysfs_files_test(struct kunit *test)
{
	const struct nvmem_cell_info *info = &nvmem_kunit_cells[2];
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	struct file *nvmem_file, *force_ro, *cell_file;
	const char *name = fx->pdata.name;
	loff_t pos = 0;
	u8 buf[4];

	nvmem_kunit_device_get(test, fx->consumer, name);
	nvmem_file = nvmem_kunit_open_sysfs(test, name, "nvmem", O_RDWR);
	force_ro = nvmem_kunit_open_sysfs(test, name, "force_ro", O_WRONLY);
	cell_file = nvmem_kunit_open_cell_file(test, name, info);

	nvmem_kunit_unbind(test, fx->pdev);
	atomic_set(&fx->stats->reads, 0);
	KUNIT_EXPECT_EQ(test, kernel_read(nvmem_file, buf, 4, &pos), -ENODEV);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_write(nvmem_file, buf, 4, &pos), -ENODEV);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_write(force_ro, "1", 1, &pos), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_read_file(cell_file, buf, 4), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(fx->stats), 0);
}

/* Cell handle: reads and writes fail with -ENODEV; putting it is safe. */
static void nvmem_unbind_cell_handle_test(struct kunit *test)
{
	struct nvmem_kunit_handles *h = nvmem_kunit_unbind_setup(test);
	u8 buf[4] = {};

	KUNIT_EXPECT_EQ(test, nvmem_kunit_cell_read_err(h->cell), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(h->cell, buf, 4), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_cell_read_err(h->bits), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(h->bits, buf, 2), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(h->fx->stats), 0);

	kunit_release_action(test, nvmem_kunit_cell_put, h->bits);
	kunit_release_action(test, nvmem_kunit_cell_put, h->cell);
	kunit_release_action(test, nvmem_kunit_device_put, h->nvmem);
}

/*
 * The helpers look the cell up by name for each call. The unbind took the
 * device off the bus even though handles to it are held, so the lookup
 * finds nothing: -EPROBE_DEFER, the provider may come back. -ENODEV would
 * mean the lookup found the dead device; either way it must never read.
 */
static void nvmem_unbind_cell_helpers_test(struct kunit *test)
{
	struct nvmem_kunit_handles *h = nvmem_kunit_unbind_setup(test);
	struct device *consumer = h->fx->consumer;
	u16 v16;
	u32 v32;
	u64 v64;
	u8 v8;

	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u8(consumer, "u8", &v8),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u16(consumer, "u16", &v16),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u32(consumer, "u32", &v32),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u64(consumer, "u64", &v64),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test,
			nvmem_cell_read_variable_le_u32(consumer, "var3", &v32),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test,
			nvmem_cell_read_variable_le_u64(consumer, "var3", &v64),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(h->fx->stats), 0);
}

#if IS_ENABLED(CONFIG_MODULE_UNLOAD)
/*
 * Stands in for a provider driver's module. A built-in suite has no module
 * of its own, and KUnit has nothing that fakes one. The core only hands
 * nvmem_config.owner to try_module_get(), module_put() and
 * module_refcount(), which use .state and .refcnt (and .name in their
 * tracepoints), so these three fields are all it needs. It is never
 * registered with the module loader: nothing else can see it, load or
 * unload it, and it lives as long as the suite's code. The case sets its
 * state as rmmod would, and puts it back when it ends.
 */
static struct module nvmem_kunit_provider_module = {
	.state = MODULE_STATE_LIVE,
	.name = "nvmem_kunit_provider",
	.refcnt = ATOMIC_INIT(1),	/* MODULE_REF_BASE: no reference */
};

static void nvmem_kunit_provider_module_live(void *data)
{
	nvmem_kunit_provider_module.state = MODULE_STATE_LIVE;
}

/*
 * A lookup pins the provider's module for its handle. Once rmmod has begun,
 * before the module's exit unbinds the provider, the device is as good as
 * gone: a lookup must defer, as it does once the device has left the bus,
 * and pin nothing.
 */
static void nvmem_unbind_module_going_test(struct kunit *test)
{
	struct nvmem_config config = {};
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_provider *prov;
	struct nvmem_device *nvmem;
	struct device *parent;
	int refs, ret;

	parent = nvmem_kunit_consumer(test);
	nvmem_kunit_default_pdata(test, &pdata);
	prov = nvmem_kunit_provider_alloc(parent, &pdata);
	KUNIT_ASSERT_NOT_NULL(test, prov);
	nvmem_kunit_fill_config(&config, &pdata);
	config.dev = parent;
	config.priv = prov;
	config.owner = &nvmem_kunit_provider_module;
	nvmem_kunit_register(test, &config);
	refs = module_refcount(&nvmem_kunit_provider_module);

	nvmem = nvmem_device_get(parent, pdata.name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_provider_module),
			refs + 1);
	nvmem_device_put(nvmem);

	ret = kunit_add_action_or_reset(test, nvmem_kunit_provider_module_live,
					NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	nvmem_kunit_provider_module.state = MODULE_STATE_GOING;
	nvmem = nvmem_device_get(parent, pdata.name);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(nvmem), -EPROBE_DEFER);
	if (!IS_ERR(nvmem))
		nvmem_device_put(nvmem);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_provider_module),
			refs);
}

#else
NVMEM_KUNIT_SKIP_CASE(nvmem_unbind_module_going_test, "MODULE_UNLOAD");
#endif

/*
 * Unbind removes the device even with handles held: it is off the bus (a
 * new lookup gets -EPROBE_DEFER) and its name is free, so the provider binds
 * again. A new handle works, the stale one keeps failing with -ENODEV.
 */
static void nvmem_unbind_rebind_test(struct kunit *test)
{
	struct nvmem_kunit_handles *h = nvmem_kunit_unbind_setup(test);
	struct nvmem_kunit_fixture *fx = h->fx;
	struct nvmem_device *fresh;
	u8 buf[NVMEM_KUNIT_SIZE];
	u32 v32;

	nvmem_kunit_expect_not_found(test, fx->pdata.name);

	KUNIT_ASSERT_EQ(test, device_attach(&fx->pdev->dev), 1);
	KUNIT_ASSERT_EQ(test, fx->stats->probe_err, 0);

	fresh = nvmem_kunit_device_get(test, fx->consumer, fx->pdata.name);
	KUNIT_EXPECT_PTR_NE(test, fresh, h->nvmem);
	KUNIT_ASSERT_EQ(test, nvmem_device_read(fresh, 0, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->stats->reads), 1);

	KUNIT_EXPECT_EQ(test, nvmem_device_read(h->nvmem, 0, 4, buf), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_cell_read_err(h->cell), -ENODEV);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->stats->reads), 1);

	/* A fresh cell handle reads through the new device. */
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u32(fx->consumer, "u32", &v32), 0);
	nvmem_kunit_expect_pattern(test, (u8 *)&v32, 4, sizeof(v32));
}

/*
 * NVMEM_REMOVE fires exactly once, at the unbind, even though a handle
 * outlives it; putting the handle does not announce the removal again.
 */
static void nvmem_unbind_notifier_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_events *ev;
	struct platform_device *pdev;
	struct nvmem_device *nvmem;
	struct device *consumer;

	nvmem_kunit_default_pdata(test, &pdata);
	ev = nvmem_kunit_watch(test, pdata.name);
	pdev = nvmem_kunit_add_provider(test, &pdata);
	consumer = nvmem_kunit_consumer(test);
	nvmem = nvmem_kunit_device_get(test, consumer, pdata.name);

	nvmem_kunit_unbind(test, pdev);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->remove), 1);
	kunit_release_action(test, nvmem_kunit_device_put, nvmem);

	KUNIT_EXPECT_EQ(test, atomic_read(&ev->add), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->remove), 1);
}

/*
 * NVMEM_REMOVE comes before the unbind cuts the device off: a notifier may
 * still read the device then, here through a handle a consumer holds, and
 * gets the provider's data. The read's SRCU
 * section ends before the unbind waits for the readers, so the unbind does
 * not wait for itself. Calls after the unbind fail with -ENODEV.
 */
static void nvmem_unbind_notifier_read_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_events *ev;
	struct platform_device *pdev;
	struct nvmem_device *nvmem;
	u8 buf[4];

	nvmem_kunit_default_pdata(test, &pdata);
	ev = nvmem_kunit_watch(test, pdata.name);
	ev->stats = pdata.stats;
	pdev = nvmem_kunit_add_provider(test, &pdata);
	nvmem = nvmem_kunit_device_get(test, nvmem_kunit_consumer(test),
				       pdata.name);
	ev->read_at_remove = nvmem;

	nvmem_kunit_unbind(test, pdev);
	KUNIT_ASSERT_EQ(test, atomic_read(&ev->remove), 1);
	KUNIT_EXPECT_EQ(test, ev->remove_ret, (int)sizeof(ev->remove_data));
	nvmem_kunit_expect_pattern(test, ev->remove_data, 0,
				   sizeof(ev->remove_data));
	KUNIT_EXPECT_EQ(test, ev->in_callback_at_remove, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), 1);

	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 0, sizeof(buf), buf),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), 1);
}

/*
 * The compat "eeprom" file, in the provider device's directory as at24 has
 * it, goes with the device at the unbind: opened before, it fails with
 * -ENODEV after it although a consumer holds the device, and the freed
 * provider is not called.
 */
static void nvmem_unbind_compat_file_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct nvmem_device *nvmem;
	u8 buf[4] = { 1, 2, 3, 4 };
	struct file *file;
	loff_t pos = 0;
	char *path;

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.compat = true;
	pdev = nvmem_kunit_add_provider(test, &pdata);
	nvmem = nvmem_kunit_device_get(test, nvmem_kunit_consumer(test),
				       pdata.name);
	path = kasprintf(GFP_KERNEL, "bus/platform/devices/%s/eeprom",
			 dev_name(&pdev->dev));
	KUNIT_ASSERT_NOT_NULL(test, path);
	file = nvmem_kunit_try_open_path(test, path, O_RDWR);
	kfree(path);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "eeprom: %pe", file);
	KUNIT_ASSERT_EQ(test, kernel_write(file, buf, sizeof(buf), &pos),
			(ssize_t)sizeof(buf));
	KUNIT_EXPECT_MEMEQ(test, pdata.stats->storage, buf, sizeof(buf));

	nvmem_kunit_unbind(test, pdev);
	atomic_set(&pdata.stats->reads, 0);
	atomic_set(&pdata.stats->writes, 0);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_write(file, buf, sizeof(buf), &pos),
			-ENODEV);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, sizeof(buf), &pos),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 0, sizeof(buf), buf),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(pdata.stats), 0);
}

struct nvmem_kunit_race;

/**
 * struct nvmem_kunit_reader - a thread reading the device in a loop
 * @race: the race the thread takes part in
 * @task: the thread, referenced until nvmem_kunit_race_stop() is done
 * @done: completed when the thread stops reading
 * @reads: successful reads
 * @bad_bytes: bytes that did not match the pattern
 * @late_reads: successful reads started after the unbind returned
 * @err: the error that ended the loop
 */
struct nvmem_kunit_reader {
	struct nvmem_kunit_race *race;
	struct task_struct *task;
	struct completion done;
	atomic_t reads;
	unsigned long bad_bytes;
	unsigned long late_reads;
	int err;
};

/**
 * struct nvmem_kunit_race - readers racing an unbind
 * @test: the case the readers run for
 * @nvmem: the handle the readers read through, owned by the race
 * @refs: one for the case, one for each reader thread not yet done
 * @readers: the reader threads' state
 * @started: number of threads started
 * @unbound: set once the unbind has returned, stops the readers
 *
 * Not test-managed memory: a reader that is stuck past the end of the case
 * keeps this and the handle until it returns, rather than using them after
 * the case freed them.
 */
struct nvmem_kunit_race {
	struct kunit *test;
	struct nvmem_device *nvmem;
	refcount_t refs;
	struct nvmem_kunit_reader readers[NVMEM_KUNIT_READERS];
	int started;
	bool unbound;
};

static void nvmem_kunit_race_put(struct nvmem_kunit_race *race)
{
	if (!refcount_dec_and_test(&race->refs))
		return;

	if (!IS_ERR_OR_NULL(race->nvmem))
		nvmem_device_put(race->nvmem);
	kfree(race);
}

static unsigned long nvmem_kunit_count_bad(const u8 *buf, size_t len)
{
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < len; i++)
		bad += buf[i] != nvmem_kunit_pattern(i);

	return bad;
}

/*
 * Reads the whole device until a read fails. A read that succeeds after
 * the unbind returned ends the loop too, so a core that never fails
 * cannot keep the thread spinning.
 */
static int nvmem_kunit_reader_fn(void *data)
{
	struct nvmem_kunit_reader *r = data;
	struct nvmem_kunit_race *race = r->race;
	u8 buf[NVMEM_KUNIT_SIZE];
	bool late;
	int ret;

	/*
	 * KASAN fails the case that current->kunit_test points to, and only
	 * KUnit's own threads have it set. Without this, a use-after-free in
	 * a read here would only show in the log and the case would pass.
	 */
	current->kunit_test = race->test;

	for (;;) {
		/* Pairs with the release in the test: the unbind is done. */
		late = smp_load_acquire(&race->unbound);
		memset(buf, 0, sizeof(buf));
		ret = nvmem_device_read(race->nvmem, 0, sizeof(buf), buf);
		if (ret < 0) {
			r->err = ret;
			break;
		}
		r->bad_bytes += nvmem_kunit_count_bad(buf, sizeof(buf));
		if (ret != sizeof(buf))
			r->bad_bytes += sizeof(buf);
		atomic_inc(&r->reads);
		if (late) {
			r->late_reads++;
			r->err = ret;
			break;
		}
	}

	/* The case may end once @done completes: it must not be failed after. */
	current->kunit_test = NULL;
	/* complete_all(): both the test and its cleanup wait for it. */
	complete_all(&r->done);
	nvmem_kunit_race_put(race);

	return 0;
}

/*
 * Stops the readers whatever happened to the case. The wait is bounded, so
 * a reader stuck in the core fails the case instead of hanging its cleanup.
 * Such a reader keeps the race (see struct nvmem_kunit_race) and is detached
 * from the case: its current->kunit_test would otherwise point to a case
 * that is over, and a KASAN report from it later would write into that.
 */
static void nvmem_kunit_race_stop(void *data)
{
	struct nvmem_kunit_race *race = data;
	unsigned long left = msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS);
	int i;

	/* Pairs with the acquire in nvmem_kunit_reader_fn(). */
	smp_store_release(&race->unbound, true);
	for (i = 0; i < race->started; i++) {
		struct nvmem_kunit_reader *r = &race->readers[i];

		left = wait_for_completion_timeout(&r->done, left);
		if (!left) {
			WRITE_ONCE(r->task->kunit_test, NULL);
			KUNIT_FAIL(race->test, "reader %d did not stop", i);
		}
		put_task_struct(r->task);
	}

	nvmem_kunit_race_put(race);
}

/* Starts the readers on a handle to @name of their own. */
static struct nvmem_kunit_race *
nvmem_kunit_start_readers(struct kunit *test, struct device *consumer,
			  const char *name)
{
	struct nvmem_kunit_race *race;
	struct nvmem_kunit_reader *r;
	int i, ret;

	race = kzalloc(sizeof(*race), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, race);
	race->test = test;
	refcount_set(&race->refs, 1);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_race_stop, race);
	KUNIT_ASSERT_EQ(test, ret, 0);

	race->nvmem = nvmem_device_get(consumer, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, race->nvmem);

	for (i = 0; i < NVMEM_KUNIT_READERS; i++) {
		r = &race->readers[i];
		r->race = race;
		init_completion(&r->done);
		r->task = kthread_create(nvmem_kunit_reader_fn, r,
					 "nvmem-kunit-rd%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(r->task));
		/* For nvmem_kunit_race_stop(), which may outlive the thread. */
		get_task_struct(r->task);
		refcount_inc(&race->refs);
		race->started++;
		wake_up_process(r->task);
	}

	return race;
}

/* Waits until every reader has read once and one is inside the provider. */
static void nvmem_kunit_wait_readers_busy(struct kunit *test,
					  struct nvmem_kunit_race *race,
					  struct nvmem_kunit_stats *stats)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS);
	bool busy;
	int i;

	do {
		busy = atomic_read(&stats->in_callback) > 0;
		for (i = 0; i < race->started; i++)
			busy &= atomic_read(&race->readers[i].reads) > 0;
		if (busy)
			return;
		usleep_range(100, 200);
	} while (time_before(jiffies, timeout));

	KUNIT_FAIL(test, "readers did not get going");
}

/*
 * Readers in flight while the provider is unbound: the unbind waits for
 * the callbacks running, every read either returns the right data or
 * fails, every reader ends on -ENODEV, and the provider is not called
 * once the unbind has returned.
 */
static void nvmem_unbind_readers_in_flight_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_events *ev;
	struct nvmem_kunit_race *race;
	struct platform_device *pdev;
	struct device *consumer;
	int i, reads_at_unbind;
	ktime_t start;
	s64 unbind_us;

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.delay_us = 2000;
	pdev = nvmem_kunit_add_provider(test, &pdata);
	consumer = nvmem_kunit_consumer(test);
	ev = nvmem_kunit_watch(test, pdata.name);
	ev->stats = pdata.stats;

	race = nvmem_kunit_start_readers(test, consumer, pdata.name);
	nvmem_kunit_wait_readers_busy(test, race, pdata.stats);

	start = ktime_get();
	device_release_driver(&pdev->dev);
	unbind_us = ktime_us_delta(ktime_get(), start);
	/* The race happened: reads were in the provider as unregistering began. */
	KUNIT_EXPECT_GT(test, ev->in_callback_at_remove, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->in_callback), 0);
	reads_at_unbind = atomic_read(&pdata.stats->reads);
	/* Reads the readers start from now on begin after the unbind. */
	smp_store_release(&race->unbound, true);

	for (i = 0; i < race->started; i++) {
		struct nvmem_kunit_reader *r = &race->readers[i];
		unsigned long left;

		left = wait_for_completion_timeout(&r->done,
						   msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS));
		KUNIT_ASSERT_GT_MSG(test, left, 0, "reader %d hangs", i);
		KUNIT_EXPECT_EQ_MSG(test, r->err, -ENODEV, "reader %d", i);
		KUNIT_EXPECT_EQ_MSG(test, r->bad_bytes, 0, "reader %d", i);
		KUNIT_EXPECT_EQ_MSG(test, r->late_reads, 0, "reader %d", i);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), reads_at_unbind);

	kunit_info(test,
		   "unbind with %d readers, %d in the provider, took %lld us (%d reads)\n",
		   race->started, ev->in_callback_at_remove, unbind_us,
		   reads_at_unbind);
}

/* One consumer call through a held handle, made by a thread of its own. */
enum nvmem_kunit_op {
	NVMEM_KUNIT_DEVICE_READ,
	NVMEM_KUNIT_DEVICE_WRITE,
	NVMEM_KUNIT_CELL_READ,
	NVMEM_KUNIT_CELL_WRITE,
	NVMEM_KUNIT_OPS,
};

static const char * const nvmem_kunit_op_names[] = {
	"nvmem_device_read", "nvmem_device_write",
	"nvmem_cell_read", "nvmem_cell_write",
};

/**
 * struct nvmem_kunit_gated - calls held inside the provider during an unbind
 * @test: the case
 * @h: the handles the calls go through
 * @gate: where the provider's callbacks wait
 * @done: one per call, then one for the unbind
 * @finished: calls that returned
 * @ret: each call's result
 * @data: what each read returned
 * @in_callback_after: provider callbacks still running when the unbind
 *	returned
 *
 * Not test-managed memory: if a thread outlives the case (the case fails
 * then), this is leaked rather than freed under it.
 */
struct nvmem_kunit_gated {
	struct kunit *test;
	struct nvmem_kunit_handles *h;
	struct nvmem_kunit_gate gate;
	struct completion done[NVMEM_KUNIT_OPS + 1];
	atomic_t finished;
	int ret[NVMEM_KUNIT_OPS];
	u8 data[NVMEM_KUNIT_OPS][4];
	int in_callback_after;
};

struct nvmem_kunit_gated_call {
	struct nvmem_kunit_gated *g;
	enum nvmem_kunit_op op;
};

static int nvmem_kunit_gated_call(struct nvmem_kunit_gated *g,
				  enum nvmem_kunit_op op)
{
	u8 buf[4] = { 0xa5, 0x5a, 0xa5, 0x5a };
	void *data;

	switch (op) {
	case NVMEM_KUNIT_DEVICE_READ:
		return nvmem_device_read(g->h->nvmem, 0, 4, g->data[op]);
	case NVMEM_KUNIT_DEVICE_WRITE:
		return nvmem_device_write(g->h->nvmem, 8, sizeof(buf), buf);
	case NVMEM_KUNIT_CELL_READ:
		data = nvmem_cell_read(g->h->cell, NULL);
		if (IS_ERR(data))
			return PTR_ERR(data);
		memcpy(g->data[op], data, 4);
		kfree(data);
		return 0;
	default:
		/*
		 * What the cell holds: the cell read sees the same bytes
		 * whichever of the two the gate lets out first.
		 */
		nvmem_kunit_fill_pattern(buf, nvmem_kunit_cells[2].offset,
					 sizeof(buf));
		return nvmem_cell_write(g->h->cell, buf, sizeof(buf));
	}
}

/* As for the readers of the race above: KASAN fails the case, not only logs. */
static int nvmem_kunit_gated_fn(void *data)
{
	struct nvmem_kunit_gated_call *call = data;
	struct nvmem_kunit_gated *g = call->g;

	current->kunit_test = g->test;
	g->ret[call->op] = nvmem_kunit_gated_call(g, call->op);
	atomic_inc(&g->finished);
	current->kunit_test = NULL;
	/* complete_all(): both the test and its cleanup wait for it. */
	complete_all(&g->done[call->op]);
	kfree(call);

	return 0;
}

/* Holds a reference to the provider: the case may end before this does. */
static int nvmem_kunit_gated_unbind_fn(void *data)
{
	struct nvmem_kunit_gated *g = data;
	struct device *dev = &g->h->fx->pdev->dev;

	device_release_driver(dev);
	g->in_callback_after = atomic_read(&g->h->fx->stats->in_callback);
	put_device(dev);
	complete_all(&g->done[NVMEM_KUNIT_OPS]);

	return 0;
}

/* Opens the gate and waits for the threads; frees the state once they end. */
static void nvmem_kunit_gated_stop(void *data)
{
	unsigned long timeout = msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS);
	struct nvmem_kunit_gated *g = data;
	int i;

	nvmem_kunit_gate_open(&g->gate, INT_MAX);
	for (i = 0; i <= NVMEM_KUNIT_OPS; i++)
		if (!wait_for_completion_timeout(&g->done[i], timeout))
			return;
	g->h->fx->stats->gate = NULL;
	kfree(g);
}

static void nvmem_kunit_gated_start(struct kunit *test, int (*fn)(void *),
				    void *data, const char *name)
{
	struct task_struct *task;

	task = kthread_run(fn, data, "nvmem-kunit-%s", name);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(task), "%s thread", name);
}

/*
 * Starts a thread per call; returns once all of them wait in the provider,
 * which fails them with @provider_err, if set, when they are let out.
 */
static struct nvmem_kunit_gated *
nvmem_kunit_gated_setup(struct kunit *test, int provider_err)
{
	struct nvmem_kunit_gated *g;
	struct nvmem_kunit_handles *h;
	int i, ret, waiting;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->fx = nvmem_kunit_setup(test);
	h->nvmem = nvmem_kunit_device_get(test, h->fx->consumer,
					  h->fx->pdata.name);
	h->cell = nvmem_kunit_cell_get(test, h->fx->consumer, "u32");

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	g->test = test;
	g->h = h;
	init_waitqueue_head(&g->gate.wq);
	for (i = 0; i <= NVMEM_KUNIT_OPS; i++)
		init_completion(&g->done[i]);
	h->fx->stats->gate = &g->gate;
	h->fx->stats->fail_with = provider_err;
	ret = kunit_add_action_or_reset(test, nvmem_kunit_gated_stop, g);
	KUNIT_ASSERT_EQ(test, ret, 0);

	for (i = 0; i < NVMEM_KUNIT_OPS; i++) {
		struct nvmem_kunit_gated_call *call;

		call = kzalloc(sizeof(*call), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, call);
		call->g = g;
		call->op = i;
		nvmem_kunit_gated_start(test, nvmem_kunit_gated_fn, call,
					nvmem_kunit_op_names[i]);
	}
	ret = read_poll_timeout(atomic_read, waiting, waiting == NVMEM_KUNIT_OPS,
				USEC_PER_MSEC, NVMEM_KUNIT_TIMEOUT_MS * USEC_PER_MSEC,
				false, &g->gate.tickets);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%d of %d calls reached the provider",
			    waiting, NVMEM_KUNIT_OPS);

	return g;
}

/* Is the device still on the nvmem bus? */
static bool nvmem_kunit_on_bus(const char *name)
{
	struct nvmem_device *nvmem;

	nvmem = nvmem_device_find((void *)name, device_match_name);
	if (IS_ERR_OR_NULL(nvmem))
		return false;
	nvmem_device_put(nvmem);

	return true;
}

/* The unbind is under way once the device left the bus (or it returned). */
static bool nvmem_kunit_unbind_begun(struct nvmem_kunit_gated *g)
{
	return !nvmem_kunit_on_bus(g->h->fx->pdata.name) ||
	       completion_done(&g->done[NVMEM_KUNIT_OPS]);
}

/*
 * The unbind must not return while a call is inside the provider. Checked
 * with the four calls in, then as they are let out one by one.
 */
static void nvmem_kunit_expect_unbind_waits(struct kunit *test,
					    struct nvmem_kunit_gated *g)
{
	int inside = NVMEM_KUNIT_OPS - atomic_read(&g->finished);

	/* Time enough to return, if the unbind did not wait for the calls */
	msleep(50);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&g->done[NVMEM_KUNIT_OPS]),
			       "the unbind returned with %d calls in the provider",
			       inside);
}

/* What the provider's callbacks return once the gate lets them out */
static const int nvmem_kunit_provider_errors[] = { 0, -EREMOTEIO };

static void nvmem_kunit_provider_error_desc(const int *err, char *desc)
{
	if (*err)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "the provider fails: %d",
			 *err);
	else
		strscpy(desc, "the provider succeeds", KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nvmem_kunit_provider_error, nvmem_kunit_provider_errors,
		  nvmem_kunit_provider_error_desc);

/*
 * A device read and write and a cell read and write are inside the
 * provider's callbacks, held there by a gate, when the provider is unbound.
 * The gate makes the race certain, where a test without it can only hope
 * that a call was inside. The unbind must wait for each of the calls, let
 * out one at a time, and their results stand, the provider's error when it
 * fails (an I2C EEPROM unplugged under the calls fails them so); once it
 * returns the provider is never called again and the handles fail with
 * -ENODEV.
 */
static void nvmem_unbind_calls_in_flight_test(struct kunit *test)
{
	const int *provider_err = test->param_value;
	unsigned long timeout = msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS);
	struct nvmem_kunit_handles *h;
	struct nvmem_kunit_gated *g;
	int calls, i, ret, finished;
	bool begun;
	u8 buf[4];

	g = nvmem_kunit_gated_setup(test, *provider_err);
	h = g->h;

	get_device(&h->fx->pdev->dev);
	nvmem_kunit_gated_start(test, nvmem_kunit_gated_unbind_fn, g, "unbind");
	ret = read_poll_timeout(nvmem_kunit_unbind_begun, begun, begun,
				USEC_PER_MSEC, NVMEM_KUNIT_TIMEOUT_MS * USEC_PER_MSEC,
				false, g);
	KUNIT_EXPECT_EQ(test, ret, 0);
	nvmem_kunit_expect_unbind_waits(test, g);

	for (i = 1; i <= NVMEM_KUNIT_OPS; i++) {
		nvmem_kunit_gate_open(&g->gate, i);
		ret = read_poll_timeout(atomic_read, finished, finished == i,
					USEC_PER_MSEC,
					NVMEM_KUNIT_TIMEOUT_MS * USEC_PER_MSEC,
					false, &g->finished);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%d of %d calls returned",
				    finished, i);
		if (i < NVMEM_KUNIT_OPS)
			nvmem_kunit_expect_unbind_waits(test, g);
	}
	/* What a broken kernel still lets through must not wait at the gate */
	nvmem_kunit_gate_open(&g->gate, INT_MAX);
	KUNIT_ASSERT_TRUE(test,
			  wait_for_completion_timeout(&g->done[NVMEM_KUNIT_OPS],
						      timeout));
	KUNIT_EXPECT_EQ_MSG(test, g->in_callback_after, 0,
			    "calls in the provider when the unbind returned");

	if (*provider_err) {
		for (i = 0; i < NVMEM_KUNIT_OPS; i++)
			KUNIT_EXPECT_EQ_MSG(test, g->ret[i], *provider_err,
					    "%s", nvmem_kunit_op_names[i]);
	} else {
		KUNIT_EXPECT_EQ(test, g->ret[NVMEM_KUNIT_DEVICE_READ], 4);
		nvmem_kunit_expect_pattern(test,
					   g->data[NVMEM_KUNIT_DEVICE_READ], 0, 4);
		KUNIT_EXPECT_EQ(test, g->ret[NVMEM_KUNIT_DEVICE_WRITE], 4);
		KUNIT_EXPECT_EQ(test, g->ret[NVMEM_KUNIT_CELL_READ], 0);
		nvmem_kunit_expect_pattern(test,
					   g->data[NVMEM_KUNIT_CELL_READ], 4, 4);
		KUNIT_EXPECT_EQ(test, g->ret[NVMEM_KUNIT_CELL_WRITE], 4);
	}

	calls = nvmem_kunit_calls(h->fx->stats);
	KUNIT_EXPECT_EQ(test, calls, NVMEM_KUNIT_OPS);
	KUNIT_EXPECT_EQ(test, nvmem_device_read(h->nvmem, 0, 4, buf), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(h->cell, buf, 4), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(h->fx->stats), calls);
}

/**
 * struct nvmem_kunit_unbinder - unbinds a provider from a thread of its own
 * @pdev: the provider, referenced until the unbind returned
 * @gate: a gate of another provider, opened before waiting for the thread:
 *	an unbind that waited for that provider's calls would never return
 * @done: completed once the unbind returned
 *
 * Not test-managed memory, as struct nvmem_kunit_gated is not.
 */
struct nvmem_kunit_unbinder {
	struct platform_device *pdev;
	struct nvmem_kunit_gate *gate;
	struct completion done;
};

static int nvmem_kunit_unbinder_fn(void *data)
{
	struct nvmem_kunit_unbinder *u = data;

	device_release_driver(&u->pdev->dev);
	put_device(&u->pdev->dev);
	complete_all(&u->done);

	return 0;
}

static void nvmem_kunit_unbinder_stop(void *data)
{
	unsigned long timeout = msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS);
	struct nvmem_kunit_unbinder *u = data;

	nvmem_kunit_gate_open(u->gate, INT_MAX);
	if (wait_for_completion_timeout(&u->done, timeout))
		kfree(u);
}

/* Unbinds @pdev in a thread; @gate is opened before the cleanup waits. */
static struct nvmem_kunit_unbinder *
nvmem_kunit_unbinder_start(struct kunit *test, struct platform_device *pdev,
			   struct nvmem_kunit_gate *gate)
{
	struct nvmem_kunit_unbinder *u;
	int ret;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, u);
	u->pdev = pdev;
	u->gate = gate;
	init_completion(&u->done);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_unbinder_stop, u);
	KUNIT_ASSERT_EQ(test, ret, 0);
	get_device(&pdev->dev);
	nvmem_kunit_gated_start(test, nvmem_kunit_unbinder_fn, u, "unbind-other");

	return u;
}

/*
 * Each device has an SRCU domain of its own, so calls held inside one
 * provider do not hold up the unbind of another: with the four calls of
 * nvmem_kunit_gated_setup() held in the first provider, a second one
 * unbinds and returns while they are still inside (the gate stays shut
 * until the case has checked), its handle fails with -ENODEV, and the first
 * device works on once its calls are let out.
 */
static void nvmem_unbind_other_device_test(struct kunit *test)
{
	unsigned long timeout = msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS);
	struct nvmem_kunit_unbinder *u;
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_handles *h;
	struct platform_device *pdev;
	struct nvmem_kunit_gated *g;
	struct nvmem_device *other;
	int finished, ret;
	u8 buf[4];

	g = nvmem_kunit_gated_setup(test, 0);
	h = g->h;

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.name = "nvmem-kunit-other";
	pdev = nvmem_kunit_add_provider(test, &pdata);
	other = nvmem_kunit_device_get(test, h->fx->consumer, pdata.name);
	KUNIT_ASSERT_EQ(test, nvmem_device_read(other, 0, sizeof(buf), buf),
			(int)sizeof(buf));

	u = nvmem_kunit_unbinder_start(test, pdev, &g->gate);
	KUNIT_EXPECT_TRUE_MSG(test, wait_for_completion_timeout(&u->done, timeout),
			      "the unbind waited for another provider's calls");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&h->fx->stats->in_callback),
			    NVMEM_KUNIT_OPS,
			    "calls in the first provider as the second unbound");
	KUNIT_EXPECT_EQ(test, atomic_read(&g->finished), 0);
	KUNIT_EXPECT_FALSE(test, device_is_bound(&pdev->dev));
	KUNIT_EXPECT_EQ(test, nvmem_device_read(other, 0, sizeof(buf), buf),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), 1);

	nvmem_kunit_gate_open(&g->gate, INT_MAX);
	ret = read_poll_timeout(atomic_read, finished,
				finished == NVMEM_KUNIT_OPS, USEC_PER_MSEC,
				NVMEM_KUNIT_TIMEOUT_MS * USEC_PER_MSEC, false,
				&g->finished);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%d of %d calls returned", finished,
			    NVMEM_KUNIT_OPS);
	KUNIT_EXPECT_EQ(test, g->ret[NVMEM_KUNIT_DEVICE_READ], 4);
	nvmem_kunit_expect_pattern(test, g->data[NVMEM_KUNIT_DEVICE_READ], 0, 4);
	KUNIT_EXPECT_EQ(test, nvmem_device_read(h->nvmem, 0, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 0, sizeof(buf));

	/* The first provider's unbind, which the gated cleanup waits for */
	get_device(&h->fx->pdev->dev);
	nvmem_kunit_gated_start(test, nvmem_kunit_gated_unbind_fn, g, "unbind");
	KUNIT_ASSERT_TRUE(test,
			  wait_for_completion_timeout(&g->done[NVMEM_KUNIT_OPS],
						      timeout));
	KUNIT_EXPECT_EQ(test, nvmem_device_read(h->nvmem, 0, sizeof(buf), buf),
			-ENODEV);
}

/*
 * A provider unbinds while a notifier callback of the nvmem chain runs in
 * another thread and is inside that provider: a second provider's unbind
 * sends NVMEM_REMOVE, whose callback reads the first device and waits at
 * its gate, as the four calls of nvmem_kunit_gated_setup() do. The first
 * provider's own NVMEM_REMOVE must get through the chain all the same, and
 * its unbind must wait for the callback's read, which gets the data.
 */
static void nvmem_unbind_during_notifier_test(struct kunit *test)
{
	unsigned long timeout = msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS);
	struct nvmem_kunit_events *ev, *ev_other;
	struct nvmem_kunit_unbinder *u;
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_handles *h;
	struct platform_device *pdev;
	struct nvmem_kunit_gated *g;
	int ret, waiting;
	bool begun;
	u8 buf[4];

	g = nvmem_kunit_gated_setup(test, 0);
	h = g->h;
	ev = nvmem_kunit_watch(test, h->fx->pdata.name);

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.name = "nvmem-kunit-other";
	pdev = nvmem_kunit_add_provider(test, &pdata);
	ev_other = nvmem_kunit_watch(test, pdata.name);
	ev_other->read_at_remove = h->nvmem;

	u = nvmem_kunit_unbinder_start(test, pdev, &g->gate);
	ret = read_poll_timeout(atomic_read, waiting,
				waiting == NVMEM_KUNIT_OPS + 1, USEC_PER_MSEC,
				NVMEM_KUNIT_TIMEOUT_MS * USEC_PER_MSEC, false,
				&g->gate.tickets);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%d of %d calls reached the provider",
			    waiting, NVMEM_KUNIT_OPS + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev_other->remove), 1);

	get_device(&h->fx->pdev->dev);
	nvmem_kunit_gated_start(test, nvmem_kunit_gated_unbind_fn, g, "unbind");
	ret = read_poll_timeout(nvmem_kunit_unbind_begun, begun, begun,
				USEC_PER_MSEC, NVMEM_KUNIT_TIMEOUT_MS * USEC_PER_MSEC,
				false, g);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->remove), 1);
	nvmem_kunit_expect_unbind_waits(test, g);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&u->done),
			       "the notifier callback returned from the gate");

	nvmem_kunit_gate_open(&g->gate, INT_MAX);
	KUNIT_ASSERT_TRUE(test,
			  wait_for_completion_timeout(&g->done[NVMEM_KUNIT_OPS],
						      timeout));
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&u->done, timeout));
	KUNIT_EXPECT_EQ(test, g->in_callback_after, 0);
	KUNIT_EXPECT_EQ(test, ev_other->remove_ret,
			(int)sizeof(ev_other->remove_data));
	nvmem_kunit_expect_pattern(test, ev_other->remove_data, 0,
				   sizeof(ev_other->remove_data));
	KUNIT_EXPECT_EQ(test, nvmem_device_read(h->nvmem, 0, sizeof(buf), buf),
			-ENODEV);
}

/* The per-cell sysfs files */

/**
 * struct nvmem_kunit_late_reader - reads a cell file while the device goes
 * @nb: nvmem bus notifier
 * @bus: the nvmem bus
 * @name: the nvmem device
 * @file: a cell file of the device, opened before
 * @ret: what the read returned
 * @done: whether the read ran
 *
 * BUS_NOTIFY_REMOVED_DEVICE comes from device_del() after it has released
 * the device's devres and before it removes the device's sysfs directory:
 * the last moment a file of the device can be read.
 */
struct nvmem_kunit_late_reader {
	struct notifier_block nb;
	const struct bus_type *bus;
	const char *name;
	struct file *file;
	ssize_t ret;
	bool done;
};

static int nvmem_kunit_read_late(struct notifier_block *nb,
				 unsigned long action, void *data)
{
	struct nvmem_kunit_late_reader *r = container_of(nb, typeof(*r), nb);
	u8 buf[8];

	if (action != BUS_NOTIFY_REMOVED_DEVICE || strcmp(dev_name(data), r->name))
		return NOTIFY_DONE;

	r->ret = nvmem_kunit_read_file(r->file, buf, sizeof(buf));
	r->done = true;

	return NOTIFY_OK;
}

static void nvmem_kunit_late_reader_stop(void *data)
{
	struct nvmem_kunit_late_reader *r = data;

	bus_unregister_notifier(r->bus, &r->nb);
}

/*
 * A cell's sysfs file reads the cell; once the provider unbinds, a file
 * opened before fails with -ENODEV, also when read at the last moment of
 * the device's removal, after its devres has been released.
 */
static void nvmem_unbind_cell_sysfs_test(struct kunit *test)
{
	const struct nvmem_cell_info *info = &nvmem_kunit_cells[2];
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	struct nvmem_kunit_late_reader *r;
	struct device *dev;
	u8 buf[8];
	int ret;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->name = fx->pdata.name;
	r->file = nvmem_kunit_open_cell_file(test, r->name, info);
	KUNIT_ASSERT_EQ(test, nvmem_kunit_read_file(r->file, buf, sizeof(buf)),
			(ssize_t)info->bytes);
	nvmem_kunit_expect_pattern(test, buf, info->offset, info->bytes);

	dev = device_find_child_by_name(&fx->pdev->dev, r->name);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	r->bus = dev->bus;
	put_device(dev);
	r->nb.notifier_call = nvmem_kunit_read_late;
	ret = bus_register_notifier(r->bus, &r->nb);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_late_reader_stop, r);
	KUNIT_ASSERT_EQ(test, ret, 0);

	nvmem_kunit_unbind(test, fx->pdev);

	KUNIT_EXPECT_TRUE(test, r->done);
	KUNIT_EXPECT_EQ(test, r->ret, -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_read_file(r->file, buf, sizeof(buf)),
			-ENODEV);
}

static struct kunit_case nvmem_unbind_cases[] = {
	KUNIT_CASE(nvmem_unbind_device_handle_test),
	KUNIT_CASE(nvmem_unbind_cell_handle_test),
	KUNIT_CASE(nvmem_unbind_cell_helpers_test),
	KUNIT_CASE(nvmem_unbind_rebind_test),
	KUNIT_CASE(nvmem_unbind_module_going_test),
	KUNIT_CASE(nvmem_unbind_notifier_test),
	KUNIT_CASE(nvmem_unbind_notifier_read_test),
	KUNIT_CASE(nvmem_unbind_compat_file_test),
	KUNIT_CASE(nvmem_unbind_cell_sysfs_test),
	KUNIT_CASE(nvmem_unbind_sysfs_files_test),
	KUNIT_CASE(nvmem_unbind_keepout_test),
	KUNIT_CASE_SLOW(nvmem_unbind_readers_in_flight_test),
	KUNIT_CASE_PARAM(nvmem_unbind_calls_in_flight_test,
			 nvmem_kunit_provider_error_gen_params),
	KUNIT_CASE(nvmem_unbind_other_device_test),
	KUNIT_CASE(nvmem_unbind_during_notifier_test),
	{}
};

static struct kunit_suite nvmem_unbind_suite = {
	.name = "nvmem_core_unbind",
	.init = nvmem_kunit_init,
	.test_cases = nvmem_unbind_cases,
};

kunit_test_suite(nvmem_unbind_suite);
