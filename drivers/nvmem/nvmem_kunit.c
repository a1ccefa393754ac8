// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the nvmem core.
 *
 * The providers are real platform drivers: probe allocates the storage and
 * the driver state with devm and registers with devm_nvmem_register(), so
 * unbinding a provider frees its memory exactly as a real unbind does and
 * KASAN catches any access the core makes to it afterwards.
 *
 * What a provider saw (callback counts, accesses to keepout areas or
 * outside the device) is recorded in test-owned memory that survives the
 * unbind, so "the provider was not reached" assertions stay meaningful.
 */

#include <kunit/device.h>
#include <kunit/of.h>
#include <kunit/platform_device.h>
#include <kunit/resource.h>
#include <kunit/test.h>

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/etherdevice.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/iopoll.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/notifier.h>
#include <linux/of.h>
#include <linux/of_fdt.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/platform_device.h>
#include <linux/prandom.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#define NVMEM_KUNIT_DRV_NAME	"nvmem-kunit-provider"
#define NVMEM_KUNIT_SIZE	64
#define NVMEM_KUNIT_MAGIC	0x6e766d6bU
#define NVMEM_KUNIT_CONSUMER	"nvmem-kunit-consumer"
#define NVMEM_KUNIT_READERS	4
#define NVMEM_KUNIT_TIMEOUT_MS	10000

/**
 * struct nvmem_kunit_gate - holds the provider's callbacks until let through
 * @wq: where they wait
 * @tickets: callbacks that reached the gate, each numbered by its arrival
 * @open: callbacks with a ticket up to this may go on
 */
struct nvmem_kunit_gate {
	wait_queue_head_t wq;
	atomic_t tickets;
	atomic_t open;
};

static void nvmem_kunit_gate_open(struct nvmem_kunit_gate *gate, int last)
{
	atomic_set(&gate->open, last);
	wake_up_all(&gate->wq);
}

/**
 * struct nvmem_kunit_stats - what a provider saw, kept in test memory
 * @reads: calls of the reg_read() callback
 * @writes: calls of the reg_write() callback
 * @in_callback: callbacks currently running
 * @keepout_hits: callbacks that touched a keepout area
 * @out_of_range: callbacks asked for bytes outside the device
 * @probe_err: result of the last probe
 * @storage: the provider's storage while it is bound, to check writes
 * @gate: if set, every callback waits there after entering
 * @fail_with: if set, every callback fails with this error after the gate,
 *	as a provider whose bus fails does
 *
 * This outlives the provider: unbind frees the driver state, not this.
 */
struct nvmem_kunit_stats {
	atomic_t reads;
	atomic_t writes;
	atomic_t in_callback;
	atomic_t keepout_hits;
	atomic_t out_of_range;
	int probe_err;
	u8 *storage;
	struct nvmem_kunit_gate *gate;
	int fail_with;
};

/**
 * struct nvmem_kunit_pdata - how a test wants its provider set up
 * @name: nvmem device name (registered with NVMEM_DEVID_NONE)
 * @stats: where the provider records what it saw
 * @size: device size in bytes
 * @space: bytes the provider accepts, if more than @size: like
 *	qcom-spmi-sdam, a provider may own registers beyond the cells it
 *	registers
 * @delay_us: time each callback sleeps, to widen race windows
 * @compat: set nvmem_config.compat, with the provider device as base_dev:
 *	the compat "eeprom" file is in the provider device's directory, as
 *	at24 has it
 * @no_reg_read: register without a reg_read() callback
 * @no_reg_write: register without a reg_write() callback
 * @read_only: set nvmem_config.read_only
 * @image: what the storage holds at probe, instead of the pattern
 * @image_len: bytes of @image
 * @cells: cells passed through nvmem_config.cells
 * @ncells: number of @cells
 * @keepout: keepout areas passed through nvmem_config.keepout
 * @nkeepout: number of @keepout
 *
 * Copied into the platform device by platform_device_add_data().
 */
struct nvmem_kunit_pdata {
	const char *name;
	struct nvmem_kunit_stats *stats;
	unsigned int size;
	unsigned int space;
	unsigned int delay_us;
	bool compat;
	bool no_reg_read;
	bool no_reg_write;
	bool read_only;
	const u8 *image;
	size_t image_len;
	const struct nvmem_cell_info *cells;
	int ncells;
	const struct nvmem_keepout *keepout;
	unsigned int nkeepout;
};

/**
 * struct nvmem_kunit_provider - a provider's own state
 * @magic: NVMEM_KUNIT_MAGIC while the memory holds a provider
 * @data: the storage
 * @size: size of @data, the addresses the provider accepts
 * @delay_us: time each callback sleeps
 * @stats: test-owned record of what the provider saw
 * @keepout: keepout areas, to catch accesses the core should have skipped
 * @nkeepout: number of @keepout
 *
 * Allocated with devm in probe (the nvmem priv), so it dies on unbind.
 */
struct nvmem_kunit_provider {
	u32 magic;
	u8 *data;
	unsigned int size;
	unsigned int delay_us;
	struct nvmem_kunit_stats *stats;
	const struct nvmem_keepout *keepout;
	unsigned int nkeepout;
};

/* The known content of a fresh device: every byte depends on its offset. */
static u8 nvmem_kunit_pattern(unsigned int offset)
{
	return (u8)(offset * 37 + 11);
}

static void nvmem_kunit_fill_pattern(u8 *buf, unsigned int offset, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = nvmem_kunit_pattern(offset + i);
}

/*
 * Checks the provider's view of an access: the core must keep accesses
 * inside the device and out of keepout areas. Returns false when the
 * access is outside the device; the callback then fails it.
 */
static bool nvmem_kunit_access_ok(struct nvmem_kunit_provider *prov,
				  struct nvmem_kunit_stats *stats,
				  unsigned int offset, size_t bytes)
{
	unsigned int i;

	if (offset > prov->size || bytes > prov->size - offset) {
		atomic_inc(&stats->out_of_range);
		return false;
	}

	for (i = 0; i < prov->nkeepout; i++) {
		if (offset < prov->keepout[i].end &&
		    offset + bytes > prov->keepout[i].start)
			atomic_inc(&stats->keepout_hits);
	}

	return true;
}

/*
 * Entry of both callbacks. If the core calls a provider that was unbound,
 * @priv is freed memory: KASAN reports the read of @magic. The memory
 * normally still holds the old content (KASAN quarantine); if it was
 * recycled, stop here rather than follow garbage pointers.
 */
static struct nvmem_kunit_stats *
nvmem_kunit_enter(struct nvmem_kunit_provider *prov)
{
	struct nvmem_kunit_stats *stats;

	if (READ_ONCE(prov->magic) != NVMEM_KUNIT_MAGIC)
		return NULL;

	stats = prov->stats;
	atomic_inc(&stats->in_callback);
	if (stats->gate) {
		struct nvmem_kunit_gate *gate = stats->gate;
		int ticket = atomic_inc_return(&gate->tickets);

		wait_event(gate->wq, atomic_read(&gate->open) >= ticket);
	}
	if (prov->delay_us)
		fsleep(prov->delay_us);

	return stats;
}

static int nvmem_kunit_reg_read(void *priv, unsigned int offset, void *val,
				size_t bytes)
{
	struct nvmem_kunit_provider *prov = priv;
	struct nvmem_kunit_stats *stats;
	int ret = -EIO;

	stats = nvmem_kunit_enter(prov);
	if (!stats)
		return -ENXIO;

	atomic_inc(&stats->reads);
	if (stats->fail_with) {
		ret = stats->fail_with;
	} else if (nvmem_kunit_access_ok(prov, stats, offset, bytes)) {
		memcpy(val, prov->data + offset, bytes);
		ret = 0;
	}
	atomic_dec(&stats->in_callback);

	return ret;
}

static int nvmem_kunit_reg_write(void *priv, unsigned int offset, void *val,
				 size_t bytes)
{
	struct nvmem_kunit_provider *prov = priv;
	struct nvmem_kunit_stats *stats;
	int ret = -EIO;

	stats = nvmem_kunit_enter(prov);
	if (!stats)
		return -ENXIO;

	atomic_inc(&stats->writes);
	if (stats->fail_with) {
		ret = stats->fail_with;
	} else if (nvmem_kunit_access_ok(prov, stats, offset, bytes)) {
		memcpy(prov->data + offset, val, bytes);
		ret = 0;
	}
	atomic_dec(&stats->in_callback);

	return ret;
}

static struct nvmem_kunit_provider *
nvmem_kunit_provider_alloc(struct device *dev,
			   const struct nvmem_kunit_pdata *pdata)
{
	struct nvmem_kunit_provider *prov;

	prov = devm_kzalloc(dev, sizeof(*prov), GFP_KERNEL);
	if (!prov)
		return NULL;

	prov->size = max(pdata->size, pdata->space);
	prov->data = devm_kmalloc(dev, prov->size, GFP_KERNEL);
	if (!prov->data)
		return NULL;

	nvmem_kunit_fill_pattern(prov->data, 0, prov->size);
	if (pdata->image)
		memcpy(prov->data, pdata->image,
		       min_t(size_t, pdata->image_len, prov->size));
	prov->delay_us = pdata->delay_us;
	prov->stats = pdata->stats;
	prov->keepout = pdata->keepout;
	prov->nkeepout = pdata->nkeepout;
	prov->magic = NVMEM_KUNIT_MAGIC;

	return prov;
}

static void nvmem_kunit_fill_config(struct nvmem_config *config,
				    const struct nvmem_kunit_pdata *pdata)
{
	config->name = pdata->name;
	config->id = NVMEM_DEVID_NONE;
	config->owner = THIS_MODULE;
	config->size = pdata->size;
	config->read_only = pdata->read_only;
	config->compat = pdata->compat;
	config->cells = pdata->cells;
	config->ncells = pdata->ncells;
	config->keepout = pdata->keepout;
	config->nkeepout = pdata->nkeepout;
	if (!pdata->no_reg_read)
		config->reg_read = nvmem_kunit_reg_read;
	if (!pdata->no_reg_write)
		config->reg_write = nvmem_kunit_reg_write;
}

static int nvmem_kunit_probe(struct platform_device *pdev)
{
	const struct nvmem_kunit_pdata *pdata = dev_get_platdata(&pdev->dev);
	struct nvmem_config config = {
		.dev = &pdev->dev,
		.base_dev = &pdev->dev,
	};
	struct nvmem_kunit_provider *prov;
	struct nvmem_device *nvmem;

	if (!pdata)
		return -EINVAL;

	prov = nvmem_kunit_provider_alloc(&pdev->dev, pdata);
	if (!prov) {
		pdata->stats->probe_err = -ENOMEM;
		return -ENOMEM;
	}

	nvmem_kunit_fill_config(&config, pdata);
	config.priv = prov;

	nvmem = devm_nvmem_register(&pdev->dev, &config);
	pdata->stats->probe_err = PTR_ERR_OR_ZERO(nvmem);
	if (IS_ERR(nvmem))
		return PTR_ERR(nvmem);

	pdata->stats->storage = prov->data;

	return 0;
}

static struct platform_driver nvmem_kunit_driver = {
	.probe = nvmem_kunit_probe,
	.driver = {
		.name = NVMEM_KUNIT_DRV_NAME,
	},
};

static int nvmem_kunit_init(struct kunit *test)
{
	return kunit_platform_driver_register(test, &nvmem_kunit_driver);
}

/* Provider and consumer helpers */

static void nvmem_kunit_default_pdata(struct kunit *test,
				      struct nvmem_kunit_pdata *pdata)
{
	memset(pdata, 0, sizeof(*pdata));
	pdata->name = test->name;
	pdata->size = NVMEM_KUNIT_SIZE;
	pdata->stats = kunit_kzalloc(test, sizeof(*pdata->stats), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pdata->stats);
}

/*
 * Adds a platform device for the provider driver, with device node @np if
 * not NULL; probe must succeed.
 */
static struct platform_device *
nvmem_kunit_add_provider_of(struct kunit *test,
			    const struct nvmem_kunit_pdata *pdata,
			    struct device_node *np)
{
	struct platform_device *pdev;
	int ret;

	pdev = kunit_platform_device_alloc(test, NVMEM_KUNIT_DRV_NAME,
					   PLATFORM_DEVID_AUTO);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	/* platform_device_release() puts it. */
	device_set_node(&pdev->dev, of_fwnode_handle(of_node_get(np)));

	ret = platform_device_add_data(pdev, pdata, sizeof(*pdata));
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = kunit_platform_device_add(test, pdev);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_ASSERT_EQ(test, pdata->stats->probe_err, 0);
	KUNIT_ASSERT_TRUE(test, device_is_bound(&pdev->dev));

	return pdev;
}

static struct platform_device *
nvmem_kunit_add_provider(struct kunit *test,
			 const struct nvmem_kunit_pdata *pdata)
{
	return nvmem_kunit_add_provider_of(test, pdata, NULL);
}

static void nvmem_kunit_unbind(struct kunit *test, struct platform_device *pdev)
{
	device_release_driver(&pdev->dev);
	KUNIT_ASSERT_FALSE(test, device_is_bound(&pdev->dev));
}

static struct device *nvmem_kunit_consumer(struct kunit *test)
{
	struct device *dev;

	dev = kunit_device_register(test, NVMEM_KUNIT_CONSUMER);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);

	return dev;
}

KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_device_put, nvmem_device_put,
			    struct nvmem_device *);
KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_cell_put, nvmem_cell_put,
			    struct nvmem_cell *);
KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_unregister, nvmem_unregister,
			    struct nvmem_device *);
KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_del_cell_table, nvmem_del_cell_table,
			    struct nvmem_cell_table *);
KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_unregister_notifier,
			    nvmem_unregister_notifier, struct notifier_block *);

/* A device handle that is put when the test ends, unless put before. */
static struct nvmem_device *nvmem_kunit_device_get(struct kunit *test,
						   struct device *consumer,
						   const char *name)
{
	struct nvmem_device *nvmem;
	int ret;

	nvmem = nvmem_device_get(consumer, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);

	ret = kunit_add_action_or_reset(test, nvmem_kunit_device_put, nvmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return nvmem;
}

static struct nvmem_cell *nvmem_kunit_cell_get(struct kunit *test,
					       struct device *consumer,
					       const char *con_id)
{
	struct nvmem_cell *cell;
	int ret;

	cell = nvmem_cell_get(consumer, con_id);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cell);

	ret = kunit_add_action_or_reset(test, nvmem_kunit_cell_put, cell);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return cell;
}

/**
 * struct nvmem_kunit_lookups - cell lookups registered for one test
 * @entries: one lookup per cell, con_id = cell name
 * @n: number of @entries
 */
struct nvmem_kunit_lookups {
	struct nvmem_cell_lookup *entries;
	size_t n;
};

static void nvmem_kunit_del_lookups(void *data)
{
	struct nvmem_kunit_lookups *lookups = data;

	nvmem_del_cell_lookups(lookups->entries, lookups->n);
}

/* Lets @consumer get every cell in @cells by its name. */
static void nvmem_kunit_add_lookups(struct kunit *test, const char *nvmem_name,
				    struct device *consumer,
				    const struct nvmem_cell_info *cells,
				    size_t ncells)
{
	struct nvmem_kunit_lookups *lookups;
	size_t i;
	int ret;

	lookups = kunit_kzalloc(test, sizeof(*lookups), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lookups);
	lookups->entries = kunit_kcalloc(test, ncells,
					 sizeof(*lookups->entries), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lookups->entries);
	lookups->n = ncells;

	for (i = 0; i < ncells; i++) {
		lookups->entries[i].nvmem_name = nvmem_name;
		lookups->entries[i].cell_name = cells[i].name;
		lookups->entries[i].dev_id = dev_name(consumer);
		lookups->entries[i].con_id = cells[i].name;
	}

	nvmem_add_cell_lookups(lookups->entries, lookups->n);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_del_lookups, lookups);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/*
 * The cells most tests use, on a NVMEM_KUNIT_SIZE device. The bit fields
 * are one that crosses a byte boundary and one inside a single byte.
 */
static const struct nvmem_cell_info nvmem_kunit_cells[] = {
	{ .name = "u8", .offset = 1, .bytes = 1 },
	{ .name = "u16", .offset = 2, .bytes = 2 },
	{ .name = "u32", .offset = 4, .bytes = 4 },
	{ .name = "u64", .offset = 8, .bytes = 8 },
	{ .name = "bits9", .offset = 16, .bytes = 2, .bit_offset = 3, .nbits = 9 },
	{ .name = "nibble", .offset = 20, .bytes = 1, .bit_offset = 2, .nbits = 4 },
	{ .name = "var3", .offset = 24, .bytes = 3 },
	{ .name = "blob", .offset = 32, .bytes = 16 },
};

/**
 * struct nvmem_kunit_fixture - a bound provider and a consumer of its cells
 * @pdata: the provider's setup
 * @stats: shortcut to @pdata.stats
 * @pdev: the provider device
 * @consumer: a device with lookups for every nvmem_kunit_cells[] entry
 */
struct nvmem_kunit_fixture {
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_stats *stats;
	struct platform_device *pdev;
	struct device *consumer;
};

/* A provider with nvmem_kunit_cells[] in its config, and a consumer. */
static struct nvmem_kunit_fixture *nvmem_kunit_setup(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);

	nvmem_kunit_default_pdata(test, &fx->pdata);
	fx->pdata.cells = nvmem_kunit_cells;
	fx->pdata.ncells = ARRAY_SIZE(nvmem_kunit_cells);
	fx->stats = fx->pdata.stats;
	fx->pdev = nvmem_kunit_add_provider(test, &fx->pdata);
	fx->consumer = nvmem_kunit_consumer(test);
	nvmem_kunit_add_lookups(test, fx->pdata.name, fx->consumer,
				nvmem_kunit_cells, ARRAY_SIZE(nvmem_kunit_cells));

	return fx;
}

/* Provider calls made so far. */
static int nvmem_kunit_calls(struct nvmem_kunit_stats *stats)
{
	return atomic_read(&stats->reads) + atomic_read(&stats->writes);
}

/* The error of a cell read that should fail; 0 (and no leak) if it did not. */
static int nvmem_kunit_cell_read_err(struct nvmem_cell *cell)
{
	void *buf = nvmem_cell_read(cell, NULL);

	if (IS_ERR(buf))
		return PTR_ERR(buf);

	kfree(buf);

	return 0;
}

static void nvmem_kunit_expect_pattern(struct kunit *test, const u8 *buf,
				       unsigned int offset, size_t len)
{
	u8 *expected;

	expected = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, expected);
	nvmem_kunit_fill_pattern(expected, offset, len);
	KUNIT_EXPECT_MEMEQ(test, buf, expected, len);
}

/*
 * A new lookup of a provider that is no longer registered finds nothing and
 * says so with -EPROBE_DEFER: the provider may come back. A device found is
 * put again, so a failing case does not leak it.
 */
static void nvmem_kunit_expect_not_found(struct kunit *test, const char *name)
{
	struct nvmem_device *nvmem;

	nvmem = nvmem_device_find((void *)name, device_match_name);
	if (!IS_ERR_OR_NULL(nvmem))
		nvmem_device_put(nvmem);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(nvmem), -EPROBE_DEFER);
}

/* Register and unregister */

/*
 * A bound provider is on the nvmem bus under its name with its size;
 * unbinding removes it and the name can be registered again.
 */
static void nvmem_register_unregister_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct nvmem_device *nvmem;

	nvmem_kunit_default_pdata(test, &pdata);
	pdev = nvmem_kunit_add_provider(test, &pdata);

	nvmem = nvmem_device_find((void *)pdata.name, device_match_name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);
	KUNIT_EXPECT_STREQ(test, nvmem_dev_name(nvmem), pdata.name);
	KUNIT_EXPECT_EQ(test, nvmem_dev_size(nvmem), NVMEM_KUNIT_SIZE);
	nvmem_device_put(nvmem);

	nvmem_kunit_unbind(test, pdev);
	nvmem_kunit_expect_not_found(test, pdata.name);

	KUNIT_ASSERT_EQ(test, device_attach(&pdev->dev), 1);
	KUNIT_EXPECT_EQ(test, pdata.stats->probe_err, 0);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(pdata.stats), 0);
}

/* Device reads and writes */

static void nvmem_device_read_write_test(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	struct nvmem_device *nvmem;
	u8 buf[NVMEM_KUNIT_SIZE], data[20];

	nvmem = nvmem_kunit_device_get(test, fx->consumer, fx->pdata.name);

	KUNIT_ASSERT_EQ(test, nvmem_device_read(nvmem, 0, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->stats->reads), 1);

	memset(data, 0x5a, sizeof(data));
	KUNIT_ASSERT_EQ(test, nvmem_device_write(nvmem, 10, sizeof(data), data),
			(int)sizeof(data));
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->stats->writes), 1);
	KUNIT_EXPECT_MEMEQ(test, fx->stats->storage + 10, data, sizeof(data));

	/* The write landed where asked and nowhere else. */
	KUNIT_ASSERT_EQ(test, nvmem_device_read(nvmem, 0, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 0, 10);
	KUNIT_EXPECT_MEMEQ(test, buf + 10, data, sizeof(data));
	nvmem_kunit_expect_pattern(test, buf + 30, 30, sizeof(buf) - 30);

	/* The last byte of the device is reachable. */
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, NVMEM_KUNIT_SIZE - 1, 1,
						buf), 1);
	KUNIT_EXPECT_EQ(test, buf[0], nvmem_kunit_pattern(NVMEM_KUNIT_SIZE - 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->stats->out_of_range), 0);
}

/*
 * Offsets of device accesses are the provider's business. qcom-spmi-sdam
 * registers the size of its memory, 32 bytes per block, but the memory
 * starts at offset 0x40 and its PBS trigger registers sit at 0xe5/0xe6:
 * leds-qcom-lpg writes offsets at and past the registered size with
 * nvmem_device_write(), and the core passes them through.
 */
static void nvmem_device_beyond_size_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct nvmem_device *nvmem;
	struct device *consumer;
	u8 trig = 0x80, lut[4] = { 0x11, 0x22, 0x33, 0x44 }, buf[4];

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.size = 32;
	pdata.space = 0x100;
	nvmem_kunit_add_provider(test, &pdata);
	consumer = nvmem_kunit_consumer(test);
	nvmem = nvmem_kunit_device_get(test, consumer, pdata.name);

	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 0xe5, 1, &trig), 1);
	KUNIT_EXPECT_EQ(test, pdata.stats->storage[0xe5], trig);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 0x80, sizeof(lut), lut),
			(int)sizeof(lut));
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 0x80, sizeof(buf), buf),
			(int)sizeof(buf));
	KUNIT_EXPECT_MEMEQ(test, buf, lut, sizeof(lut));
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->writes), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), 1);

	/* What the provider itself refuses still fails, with its error. */
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 0x100, 1, buf), -EIO);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->out_of_range), 1);
}

/* Cells */

static void nvmem_kunit_expect_cell(struct kunit *test, struct device *consumer,
				    const struct nvmem_cell_info *info)
{
	struct nvmem_cell *cell;
	size_t len = 0;
	u8 *buf;

	cell = nvmem_kunit_cell_get(test, consumer, info->name);
	buf = nvmem_cell_read(cell, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, len, (size_t)info->bytes);
	nvmem_kunit_expect_pattern(test, buf, info->offset, len);
	kfree(buf);
}

/* Cells from nvmem_config.cells, looked up by a consumer, read whole. */
static void nvmem_cell_config_cells_test(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	static const char * const plain[] = { "u8", "u16", "u32", "u64",
					      "var3", "blob" };
	struct nvmem_cell *cell;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(plain); i++) {
		for (j = 0; j < ARRAY_SIZE(nvmem_kunit_cells); j++) {
			if (!strcmp(nvmem_kunit_cells[j].name, plain[i]))
				nvmem_kunit_expect_cell(test, fx->consumer,
							&nvmem_kunit_cells[j]);
		}
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->stats->reads),
			(int)ARRAY_SIZE(plain));

	/* A con_id without a lookup finds nothing. */
	cell = nvmem_cell_get(fx->consumer, "none");
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(cell), -ENOENT);
	if (!IS_ERR(cell))
		nvmem_cell_put(cell);
}

/* Cells from nvmem_add_cell_table(), added before the provider. */
static void nvmem_cell_table_test(struct kunit *test)
{
	static const struct nvmem_cell_info table_cells[] = {
		{ .name = "serial", .offset = 40, .bytes = 6 },
		{ .name = "mac", .offset = 50, .bytes = 6 },
	};
	struct nvmem_cell_table *table;
	struct nvmem_kunit_pdata pdata;
	struct device *consumer;
	int ret;

	nvmem_kunit_default_pdata(test, &pdata);

	table = kunit_kzalloc(test, sizeof(*table), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, table);
	table->nvmem_name = pdata.name;
	table->cells = table_cells;
	table->ncells = ARRAY_SIZE(table_cells);
	nvmem_add_cell_table(table);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_del_cell_table,
					table);
	KUNIT_ASSERT_EQ(test, ret, 0);

	nvmem_kunit_add_provider(test, &pdata);
	consumer = nvmem_kunit_consumer(test);
	nvmem_kunit_add_lookups(test, pdata.name, consumer, table_cells,
				ARRAY_SIZE(table_cells));

	nvmem_kunit_expect_cell(test, consumer, &table_cells[0]);
	nvmem_kunit_expect_cell(test, consumer, &table_cells[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), 2);
}

/* The fixed-size and variable-size helpers that look a cell up by name. */
static void nvmem_cell_read_helpers_test(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	u8 raw[NVMEM_KUNIT_SIZE];
	u16 v16;
	u32 v32;
	u64 v64;
	u8 v8;

	nvmem_kunit_fill_pattern(raw, 0, sizeof(raw));

	KUNIT_ASSERT_EQ(test, nvmem_cell_read_u8(fx->consumer, "u8", &v8), 0);
	KUNIT_EXPECT_EQ(test, v8, raw[1]);
	/* The fixed-size helpers copy the bytes in CPU order. */
	KUNIT_ASSERT_EQ(test, nvmem_cell_read_u16(fx->consumer, "u16", &v16), 0);
	KUNIT_EXPECT_MEMEQ(test, &v16, &raw[2], sizeof(v16));
	KUNIT_ASSERT_EQ(test, nvmem_cell_read_u32(fx->consumer, "u32", &v32), 0);
	KUNIT_EXPECT_MEMEQ(test, &v32, &raw[4], sizeof(v32));
	KUNIT_ASSERT_EQ(test, nvmem_cell_read_u64(fx->consumer, "u64", &v64), 0);
	KUNIT_EXPECT_MEMEQ(test, &v64, &raw[8], sizeof(v64));

	/* The variable ones read little endian and zero-extend. */
	KUNIT_ASSERT_EQ(test, nvmem_cell_read_variable_le_u32(fx->consumer,
							      "var3", &v32), 0);
	KUNIT_EXPECT_EQ(test, v32, get_unaligned_le24(&raw[24]));
	KUNIT_ASSERT_EQ(test, nvmem_cell_read_variable_le_u64(fx->consumer,
							      "var3", &v64), 0);
	KUNIT_EXPECT_EQ(test, v64, (u64)get_unaligned_le24(&raw[24]));
	KUNIT_ASSERT_EQ(test, nvmem_cell_read_variable_le_u64(fx->consumer,
							      "u64", &v64), 0);
	KUNIT_EXPECT_EQ(test, v64, get_unaligned_le64(&raw[8]));

	/* Sizes that do not fit are refused. */
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u16(fx->consumer, "u32", &v16),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_variable_le_u32(fx->consumer,
							      "u64", &v32),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u8(fx->consumer, "none", &v8),
			-ENOENT);
}

/* Bit fields: reads shift and mask, a write keeps the neighbouring bits. */
static void nvmem_cell_bits_test(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	struct nvmem_cell *cell;
	u8 raw[NVMEM_KUNIT_SIZE], nibble = 0x9, *buf;
	u16 expected;
	size_t len;

	nvmem_kunit_fill_pattern(raw, 0, sizeof(raw));

	cell = nvmem_kunit_cell_get(test, fx->consumer, "bits9");
	buf = nvmem_cell_read(cell, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, len, 2);
	expected = (get_unaligned_le16(&raw[16]) >> 3) & GENMASK(8, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf), expected);
	kfree(buf);

	cell = nvmem_kunit_cell_get(test, fx->consumer, "nibble");
	buf = nvmem_cell_read(cell, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, len, 1);
	KUNIT_EXPECT_EQ(test, buf[0], (raw[20] >> 2) & 0xf);
	kfree(buf);

	KUNIT_ASSERT_EQ(test, nvmem_cell_write(cell, &nibble, 1), 1);
	KUNIT_EXPECT_EQ(test, fx->stats->storage[20],
			(raw[20] & ~GENMASK(5, 2)) | (nibble << 2));
	buf = nvmem_cell_read(cell, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, buf[0], nibble);
	kfree(buf);
	nvmem_kunit_expect_pattern(test, fx->stats->storage + 21, 21, 3);
	KUNIT_EXPECT_EQ(test, fx->stats->storage[19], raw[19]);
}

/**
 * struct nvmem_kunit_field - a bit-field cell at NVMEM_KUNIT_FIELD_OFFSET
 * @bit_offset: first bit of the field in the cell
 * @nbits: width of the field
 */
struct nvmem_kunit_field {
	unsigned int bit_offset;
	unsigned int nbits;
};

#define NVMEM_KUNIT_FIELD_OFFSET	40
#define NVMEM_KUNIT_FIELD_RANDOM	16

/* Fields starting on a byte boundary and inside a byte, over 1 to 3 bytes. */
static const struct nvmem_kunit_field nvmem_kunit_fields[] = {
	{ 0, 4 }, { 3, 4 }, { 0, 8 },
	{ 0, 12 }, { 3, 9 }, { 5, 7 }, { 4, 12 },
	{ 0, 20 }, { 6, 15 }, { 2, 22 }, { 10, 9 },
};

static void nvmem_kunit_field_desc(const struct nvmem_kunit_field *field,
				   char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "bit_offset %u, nbits %u",
		 field->bit_offset, field->nbits);
}

KUNIT_ARRAY_PARAM(nvmem_kunit_field, nvmem_kunit_fields,
		  nvmem_kunit_field_desc);

/*
 * Writes @value to the field over storage filled with @background, through
 * @cell with a buffer of exactly the field's bytes if given (KASAN sees a read
 * past it), else through nvmem_device_cell_write() with a buffer of the
 * cell's size; every bit of the buffer counts as the value's. Checks the
 * storage bit by bit: the field holds the low nbits bits of the value, every
 * other bit of the cell's bytes and the bytes around the cell are untouched.
 * Then reads the value back. Returns false on the first mismatch, which it
 * reports.
 */
static bool nvmem_kunit_field_write(struct kunit *test,
				    struct nvmem_device *nvmem,
				    struct nvmem_cell *cell, u8 *storage,
				    struct nvmem_cell_info *info,
				    u32 value, u8 background)
{
	const unsigned int cell_bytes = DIV_ROUND_UP(info->bit_offset +
						     info->nbits, BITS_PER_BYTE);
	const unsigned int len = cell ? BITS_TO_BYTES(info->nbits) : cell_bytes;
	u32 mask = GENMASK(info->nbits - 1, 0), got;
	u8 *raw = storage + info->offset, buf[4] = {};
	unsigned int pos, want;
	bool in_field;
	int ret;

	memset(storage, background, NVMEM_KUNIT_SIZE);
	put_unaligned_le32(value, buf);
	if (cell) {
		u8 *exact = kunit_kmalloc(test, len, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, exact);
		memcpy(exact, buf, len);
		ret = nvmem_cell_write(cell, exact, len);
		kunit_kfree(test, exact);
	} else {
		ret = nvmem_device_cell_write(nvmem, info, buf);
	}
	KUNIT_EXPECT_EQ_MSG(test, ret, (int)len, "value %#x", value);
	if (ret != (int)len)
		return false;

	for (pos = 0; pos < cell_bytes * BITS_PER_BYTE; pos++) {
		in_field = pos >= info->bit_offset &&
			   pos < info->bit_offset + info->nbits;
		want = in_field ? (value >> (pos - info->bit_offset)) & 1 :
				  background & 1;
		if (!!(raw[pos / BITS_PER_BYTE] & BIT(pos % BITS_PER_BYTE)) !=
		    want) {
			KUNIT_FAIL(test,
				   "value %#x over %#04x: bit %u of the cell is %u, want %u (%s)",
				   value, background, pos, !want, want,
				   in_field ? "field" : "neighbour");
			return false;
		}
	}
	if (raw[-1] != background || raw[cell_bytes] != background) {
		KUNIT_FAIL(test, "value %#x over %#04x: a byte around the cell changed",
			   value, background);
		return false;
	}

	memset(buf, 0, sizeof(buf));
	ret = nvmem_device_cell_read(nvmem, info, buf);
	KUNIT_EXPECT_EQ(test, ret, (int)cell_bytes);
	got = get_unaligned_le32(buf);
	KUNIT_EXPECT_EQ_MSG(test, got, value & mask, "value %#x over %#04x",
			    value, background);

	return got == (value & mask);
}

/*
 * Bit-field writes change the field's bits and nothing else, whatever the
 * value and the neighbouring bits: every single-bit value, all ones (with
 * the bits above the field set too, which must be ignored) and random
 * values, over storage of all zeroes through a cell handle and over storage
 * of all ones through nvmem_device_cell_write().
 */
static void nvmem_cell_bits_write_test(struct kunit *test)
{
	const struct nvmem_kunit_field *field = test->param_value;
	struct nvmem_cell_info info = {
		.name = "field",
		.offset = NVMEM_KUNIT_FIELD_OFFSET,
		.bit_offset = field->bit_offset,
		.nbits = field->nbits,
	};
	u32 values[32 + 1 + NVMEM_KUNIT_FIELD_RANDOM];
	struct nvmem_kunit_pdata pdata;
	unsigned int i, nvalues = 0;
	struct nvmem_device *nvmem;
	struct device *consumer;
	struct nvmem_cell *cell;
	struct rnd_state rnd;

	for (i = 0; i < field->nbits; i++)
		values[nvalues++] = BIT(i);
	values[nvalues++] = U32_MAX;
	prandom_seed_state(&rnd, field->bit_offset * 100 + field->nbits);
	for (i = 0; i < NVMEM_KUNIT_FIELD_RANDOM; i++)
		values[nvalues++] = prandom_u32_state(&rnd) &
				    GENMASK(field->nbits - 1, 0);

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.cells = &info;
	pdata.ncells = 1;
	nvmem_kunit_add_provider(test, &pdata);
	consumer = nvmem_kunit_consumer(test);
	nvmem_kunit_add_lookups(test, pdata.name, consumer, &info, 1);
	nvmem = nvmem_kunit_device_get(test, consumer, pdata.name);
	cell = nvmem_kunit_cell_get(test, consumer, info.name);

	for (i = 0; i < nvalues; i++)
		if (!nvmem_kunit_field_write(test, nvmem, cell,
					     pdata.stats->storage, &info,
					     values[i], 0x00))
			break;
	for (i = 0; i < nvalues; i++)
		if (!nvmem_kunit_field_write(test, nvmem, NULL,
					     pdata.stats->storage, &info,
					     values[i], 0xff))
			break;
}

/*
 * Whole-cell writes reach the storage; a wrong length is refused, for a
 * bit field too.
 */
static void nvmem_cell_write_test(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	struct nvmem_cell *cell, *bits;
	u8 data[16], *buf;
	size_t len;
	int writes;

	memset(data, 0xc3, sizeof(data));
	cell = nvmem_kunit_cell_get(test, fx->consumer, "blob");
	KUNIT_ASSERT_EQ(test, nvmem_cell_write(cell, data, sizeof(data)),
			(int)sizeof(data));
	KUNIT_EXPECT_MEMEQ(test, fx->stats->storage + 32, data, sizeof(data));
	nvmem_kunit_expect_pattern(test, fx->stats->storage + 48, 48, 16);

	buf = nvmem_cell_read(cell, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, len, sizeof(data));
	KUNIT_EXPECT_MEMEQ(test, buf, data, sizeof(data));
	kfree(buf);

	writes = atomic_read(&fx->stats->writes);
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(cell, data, sizeof(data) - 1),
			-EINVAL);
	/* bits9 spans 2 bytes: 3 is neither its bytes nor its bits' bytes */
	bits = nvmem_kunit_cell_get(test, fx->consumer, "bits9");
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(bits, data, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->stats->writes), writes);
}

/*
 * Keepout areas read as their fill value without calling the provider
 * there, and writes skip them.
 */
static void nvmem_keepout_test(struct kunit *test)
{
	static const struct nvmem_keepout keepout[] = {
		{ .start = 8, .end = 16, .value = 0xaa },
		{ .start = 32, .end = 40, .value = 0x55 },
	};
	u8 buf[NVMEM_KUNIT_SIZE], ones[NVMEM_KUNIT_SIZE];
	struct nvmem_kunit_pdata pdata;
	struct nvmem_device *nvmem;
	struct device *consumer;

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.keepout = keepout;
	pdata.nkeepout = ARRAY_SIZE(keepout);
	nvmem_kunit_add_provider(test, &pdata);
	consumer = nvmem_kunit_consumer(test);
	nvmem = nvmem_kunit_device_get(test, consumer, pdata.name);

	KUNIT_ASSERT_EQ(test, nvmem_device_read(nvmem, 0, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 0, 8);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 8, 0xaa, 8));
	nvmem_kunit_expect_pattern(test, buf + 16, 16, 16);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 32, 0x55, 8));
	nvmem_kunit_expect_pattern(test, buf + 40, 40, 24);

	/* Entirely inside a keepout: the provider is not asked at all. */
	atomic_set(&pdata.stats->reads, 0);
	KUNIT_ASSERT_EQ(test, nvmem_device_read(nvmem, 10, 4, buf), 4);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0xaa, 4));
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), 0);

	memset(ones, 0xff, sizeof(ones));
	KUNIT_ASSERT_EQ(test, nvmem_device_write(nvmem, 0, sizeof(ones), ones),
			(int)sizeof(ones));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(pdata.stats->storage, 0xff, 8));
	nvmem_kunit_expect_pattern(test, pdata.stats->storage + 8, 8, 8);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(pdata.stats->storage + 16, 0xff, 16));
	nvmem_kunit_expect_pattern(test, pdata.stats->storage + 32, 32, 8);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(pdata.stats->storage + 40, 0xff, 24));

	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->keepout_hits), 0);
}

/*
 * Bit-field cells next to and inside a keepout area take the keepout's
 * fill value for the bits in it, as a whole-byte read does; writing them
 * leaves the keepout area alone.
 */
static void nvmem_keepout_bits_test(struct kunit *test)
{
	static const struct nvmem_keepout keepout = {
		.start = 8, .end = 16, .value = 0xa5,
	};
	/* Bits 4-11 of bytes 7-8: the upper 4 from the keepout's first byte */
	struct nvmem_cell_info before = { .offset = 7, .bytes = 2,
					  .bit_offset = 4, .nbits = 8 };
	struct nvmem_cell_info inside = { .offset = 10, .bytes = 1,
					  .bit_offset = 1, .nbits = 5 };
	/* Bits 6-11 of bytes 15-16: the lower 2 from the keepout's last byte */
	struct nvmem_cell_info after = { .offset = 15, .bytes = 2,
					 .bit_offset = 6, .nbits = 6 };
	u8 raw[NVMEM_KUNIT_SIZE], buf[2], val[2] = { 0x1f };
	struct nvmem_kunit_pdata pdata;
	struct nvmem_device *nvmem;
	u16 expected;

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.keepout = &keepout;
	pdata.nkeepout = 1;
	nvmem_kunit_add_provider(test, &pdata);
	nvmem = nvmem_kunit_device_get(test, nvmem_kunit_consumer(test),
				       pdata.name);
	nvmem_kunit_fill_pattern(raw, 0, sizeof(raw));
	memset(&raw[keepout.start], keepout.value, keepout.end - keepout.start);

	KUNIT_ASSERT_EQ(test, nvmem_device_cell_read(nvmem, &before, buf), 2);
	expected = (get_unaligned_le16(&raw[7]) >> 4) & GENMASK(7, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf), expected);

	KUNIT_ASSERT_EQ(test, nvmem_device_cell_read(nvmem, &after, buf), 2);
	expected = (get_unaligned_le16(&raw[15]) >> 6) & GENMASK(5, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf), expected);

	/* Entirely inside the keepout: the provider is not asked. */
	atomic_set(&pdata.stats->reads, 0);
	KUNIT_ASSERT_EQ(test, nvmem_device_cell_read(nvmem, &inside, buf), 1);
	KUNIT_EXPECT_EQ(test, buf[0], (keepout.value >> 1) & GENMASK(4, 0));
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), 0);
	KUNIT_EXPECT_EQ(test, nvmem_device_cell_write(nvmem, &inside, val), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->writes), 0);

	/*
	 * Only the field's bits outside the keepout reach the storage. The
	 * write takes a buffer of the cell's bytes, the field in its low bits.
	 */
	val[0] = 0x3c;
	KUNIT_EXPECT_EQ(test, nvmem_device_cell_write(nvmem, &before, val), 2);
	KUNIT_EXPECT_EQ(test, pdata.stats->storage[7],
			(u8)((raw[7] & GENMASK(3, 0)) | (val[0] << 4)));
	nvmem_kunit_expect_pattern(test, pdata.stats->storage + 8, 8, 8);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->keepout_hits), 0);
}

/* Ad-hoc cells through a device handle, including a bit field. */
static void nvmem_device_cell_read_write_test(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	struct nvmem_cell_info whole = { .offset = 40, .bytes = 4 };
	struct nvmem_cell_info bits = { .offset = 44, .bytes = 1,
					.bit_offset = 1, .nbits = 3 };
	struct nvmem_device *nvmem;
	u8 raw[NVMEM_KUNIT_SIZE], buf[4], val;

	nvmem_kunit_fill_pattern(raw, 0, sizeof(raw));
	nvmem = nvmem_kunit_device_get(test, fx->consumer, fx->pdata.name);

	KUNIT_ASSERT_EQ(test, nvmem_device_cell_read(nvmem, &whole, buf), 4);
	KUNIT_EXPECT_MEMEQ(test, buf, &raw[40], 4);
	KUNIT_ASSERT_EQ(test, nvmem_device_cell_read(nvmem, &bits, buf), 1);
	KUNIT_EXPECT_EQ(test, buf[0], (raw[44] >> 1) & 0x7);

	memset(buf, 0x3c, sizeof(buf));
	KUNIT_ASSERT_EQ(test, nvmem_device_cell_write(nvmem, &whole, buf), 4);
	KUNIT_EXPECT_MEMEQ(test, fx->stats->storage + 40, buf, 4);

	val = 0x5;
	KUNIT_ASSERT_EQ(test, nvmem_device_cell_write(nvmem, &bits, &val), 1);
	KUNIT_EXPECT_EQ(test, fx->stats->storage[44],
			(raw[44] & ~GENMASK(3, 1)) | (val << 1));
}

KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_put_device, put_device,
			    struct device *);

/*
 * devm_nvmem_device_put() and devm_nvmem_cell_put() drop their handle's
 * reference at once and take it out of the consumer's devres, so that
 * nothing drops it again when the consumer's devres goes; handles not put
 * are dropped then. A devres group of the consumer stands in for its
 * unbind. The references are counted on the nvmem device itself.
 */
static void nvmem_devm_put_test(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	struct device *consumer = fx->consumer, *dev;
	struct nvmem_device *nvmem;
	struct nvmem_cell *cell;
	unsigned int refs;
	void *group;
	u8 buf[4];
	int ret;

	dev = device_find_child_by_name(&fx->pdev->dev, fx->pdata.name);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_put_device, dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	refs = kref_read(&dev->kobj.kref);

	group = devres_open_group(consumer, NULL, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, group);
	nvmem = devm_nvmem_device_get(consumer, fx->pdata.name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);
	cell = devm_nvmem_cell_get(consumer, "u32");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cell);
	devres_close_group(consumer, group);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), refs + 2);
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 4, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 4, sizeof(buf));

	devm_nvmem_cell_put(consumer, cell);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), refs + 1);
	devm_nvmem_device_put(consumer, nvmem);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), refs);
	/* Nothing left to put a second time */
	KUNIT_EXPECT_EQ(test, devres_release_group(consumer, group), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), refs);

	group = devres_open_group(consumer, NULL, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, group);
	nvmem = devm_nvmem_device_get(consumer, fx->pdata.name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);
	cell = devm_nvmem_cell_get(consumer, "u32");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cell);
	devres_close_group(consumer, group);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), refs + 2);
	KUNIT_EXPECT_EQ(test, devres_release_group(consumer, group), 2);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), refs);
}

/**
 * struct nvmem_kunit_events - nvmem notifications about one device
 * @nb: registered with nvmem_register_notifier()
 * @name: device the NVMEM_ADD/NVMEM_REMOVE counts are about
 * @add: NVMEM_ADD events for @name
 * @remove: NVMEM_REMOVE events for @name
 * @cell_add: NVMEM_CELL_ADD events, any device
 * @cell_remove: NVMEM_CELL_REMOVE events, any device
 * @stats: if set, @name's provider's, read at NVMEM_REMOVE
 * @in_callback_at_remove: calls inside that provider when NVMEM_REMOVE came,
 *	which nvmem_unregister() sends first
 * @read_at_remove: if set, NVMEM_REMOVE for @name reads this device, as a
 *	consumer that saves the content on its way out would
 * @remove_ret: what that read returned
 * @remove_data: what it read
 */
struct nvmem_kunit_events {
	struct notifier_block nb;
	const char *name;
	atomic_t add;
	atomic_t remove;
	atomic_t cell_add;
	atomic_t cell_remove;
	struct nvmem_kunit_stats *stats;
	int in_callback_at_remove;
	struct nvmem_device *read_at_remove;
	int remove_ret;
	u8 remove_data[4];
};

static int nvmem_kunit_notify(struct notifier_block *nb, unsigned long event,
			      void *data)
{
	struct nvmem_kunit_events *ev = container_of(nb, typeof(*ev), nb);

	switch (event) {
	case NVMEM_ADD:
		if (!strcmp(nvmem_dev_name(data), ev->name))
			atomic_inc(&ev->add);
		break;
	case NVMEM_REMOVE:
		if (strcmp(nvmem_dev_name(data), ev->name))
			break;
		atomic_inc(&ev->remove);
		if (ev->stats)
			ev->in_callback_at_remove =
				atomic_read(&ev->stats->in_callback);
		if (ev->read_at_remove)
			ev->remove_ret = nvmem_device_read(ev->read_at_remove, 0,
							   sizeof(ev->remove_data),
							   ev->remove_data);
		break;
	case NVMEM_CELL_ADD:
		atomic_inc(&ev->cell_add);
		break;
	case NVMEM_CELL_REMOVE:
		atomic_inc(&ev->cell_remove);
		break;
	}

	return NOTIFY_OK;
}

static struct nvmem_kunit_events *nvmem_kunit_watch(struct kunit *test,
						    const char *name)
{
	struct nvmem_kunit_events *ev;
	int ret;

	ev = kunit_kzalloc(test, sizeof(*ev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ev);
	ev->name = name;
	ev->nb.notifier_call = nvmem_kunit_notify;

	ret = nvmem_register_notifier(&ev->nb);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_unregister_notifier,
					&ev->nb);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return ev;
}

/* NVMEM_ADD and NVMEM_REMOVE fire once per device, cells likewise. */
static void nvmem_notifier_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_events *ev;
	struct platform_device *pdev;

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.cells = nvmem_kunit_cells;
	pdata.ncells = ARRAY_SIZE(nvmem_kunit_cells);
	ev = nvmem_kunit_watch(test, pdata.name);

	pdev = nvmem_kunit_add_provider(test, &pdata);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->add), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->remove), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->cell_add),
			(int)ARRAY_SIZE(nvmem_kunit_cells));

	nvmem_kunit_unbind(test, pdev);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->add), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->remove), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->cell_remove),
			(int)ARRAY_SIZE(nvmem_kunit_cells));
}

static struct kunit_case nvmem_core_cases[] = {
	KUNIT_CASE(nvmem_register_unregister_test),
	KUNIT_CASE(nvmem_device_read_write_test),
	KUNIT_CASE(nvmem_device_beyond_size_test),
	KUNIT_CASE(nvmem_cell_config_cells_test),
	KUNIT_CASE(nvmem_cell_table_test),
	KUNIT_CASE(nvmem_cell_read_helpers_test),
	KUNIT_CASE(nvmem_cell_bits_test),
	KUNIT_CASE_PARAM(nvmem_cell_bits_write_test,
			 nvmem_kunit_field_gen_params),
	KUNIT_CASE(nvmem_cell_write_test),
	KUNIT_CASE(nvmem_keepout_test),
	KUNIT_CASE(nvmem_keepout_bits_test),
	KUNIT_CASE(nvmem_device_cell_read_write_test),
	KUNIT_CASE(nvmem_devm_put_test),
	KUNIT_CASE(nvmem_notifier_test),
	{}
};

static struct kunit_suite nvmem_core_suite = {
	.name = "nvmem_core",
	.init = nvmem_kunit_init,
	.test_cases = nvmem_core_cases,
};

/* sysfs, as user space sees it */

KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_kern_unmount, kern_unmount,
			    struct vfsmount *);
/* The case runs in a kthread: close at once, not from task work. */
KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_fput, __fput_sync, struct file *);

/*
 * Opens the sysfs file at @path, relative to the root of sysfs, as user
 * space would, and returns it or the error. Built-in cases run before
 * anything mounts sysfs, so the case mounts its own instance.
 */
static struct file *nvmem_kunit_try_open_path(struct kunit *test,
					      const char *path, int flags)
{
	struct file_system_type *sysfs;
	struct vfsmount *mnt;
	struct file *file;
	int ret;

	if (!IS_ENABLED(CONFIG_NVMEM_SYSFS))
		kunit_skip(test, "needs CONFIG_NVMEM_SYSFS");

	/* sysfs is never a module: get_fs_type() takes no reference on it. */
	sysfs = get_fs_type("sysfs");
	KUNIT_ASSERT_NOT_NULL(test, sysfs);
	mnt = kern_mount(sysfs);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_kern_unmount, mnt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	file = file_open_root_mnt(mnt, path, flags, 0);
	if (IS_ERR(file))
		return file;
	ret = kunit_add_action_or_reset(test, nvmem_kunit_fput, file);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return file;
}

/*
 * Opens a sysfs file of the nvmem device @nvmem_name, @name relative to its
 * directory, and returns it or the error.
 */
static struct file *nvmem_kunit_try_open_sysfs(struct kunit *test,
					       const char *nvmem_name,
					       const char *name, int flags)
{
	struct file *file;
	char *path;

	path = kasprintf(GFP_KERNEL, "bus/nvmem/devices/%s/%s", nvmem_name,
			 name);
	KUNIT_ASSERT_NOT_NULL(test, path);
	file = nvmem_kunit_try_open_path(test, path, flags);
	kfree(path);

	return file;
}

static struct file *nvmem_kunit_open_sysfs(struct kunit *test,
					   const char *nvmem_name,
					   const char *name, int flags)
{
	struct file *file = nvmem_kunit_try_open_sysfs(test, nvmem_name, name,
						       flags);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "%s/%s: %pe", nvmem_name,
			       name, file);

	return file;
}

/* The path of @info's sysfs file in its device's directory */
static void nvmem_kunit_cell_file_name(char *name, size_t size,
				       const struct nvmem_cell_info *info)
{
	snprintf(name, size, "cells/%s@%x,%x", info->name, info->offset,
		 info->bit_offset);
}

static struct file *nvmem_kunit_open_cell_file(struct kunit *test,
					       const char *nvmem_name,
					       const struct nvmem_cell_info *info)
{
	char name[64];

	nvmem_kunit_cell_file_name(name, sizeof(name), info);

	return nvmem_kunit_open_sysfs(test, nvmem_name, name, O_RDONLY);
}

static ssize_t nvmem_kunit_read_file(struct file *file, u8 *buf, size_t len)
{
	loff_t pos = 0;

	return kernel_read(file, buf, len, &pos);
}

/* Bad input */

/* Without reg_write(), in-kernel writes fail without reaching the provider. */
static void nvmem_no_reg_write_test(struct kunit *test)
{
	struct nvmem_kunit_fixture *fx;
	struct nvmem_device *nvmem;
	struct nvmem_cell *cell;
	u8 buf[4] = {};

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	nvmem_kunit_default_pdata(test, &fx->pdata);
	fx->pdata.no_reg_write = true;
	fx->pdata.cells = nvmem_kunit_cells;
	fx->pdata.ncells = ARRAY_SIZE(nvmem_kunit_cells);
	nvmem_kunit_add_provider(test, &fx->pdata);
	fx->consumer = nvmem_kunit_consumer(test);
	nvmem_kunit_add_lookups(test, fx->pdata.name, fx->consumer,
				nvmem_kunit_cells, ARRAY_SIZE(nvmem_kunit_cells));
	nvmem = nvmem_kunit_device_get(test, fx->consumer, fx->pdata.name);
	cell = nvmem_kunit_cell_get(test, fx->consumer, "u32");

	/*
	 * Such a device is read-only, but in-kernel writers are told that the
	 * callback is missing, as upstream tells them.
	 */
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 0, 4, buf), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(cell, buf, 4), -EOPNOTSUPP);
	nvmem_kunit_expect_pattern(test, fx->pdata.stats->storage, 0,
				   NVMEM_KUNIT_SIZE);

	/* Reads still work. */
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 0, 4, buf), 4);
	nvmem_kunit_expect_pattern(test, buf, 0, 4);
}

/* Without reg_read(), in-kernel reads fail without reaching the provider. */
static void nvmem_no_reg_read_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct nvmem_device *nvmem;
	struct device *consumer;
	struct nvmem_cell *cell;
	u8 buf[4] = { 1, 2, 3, 4 };

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.no_reg_read = true;
	pdata.cells = nvmem_kunit_cells;
	pdata.ncells = ARRAY_SIZE(nvmem_kunit_cells);
	nvmem_kunit_add_provider(test, &pdata);
	consumer = nvmem_kunit_consumer(test);
	nvmem_kunit_add_lookups(test, pdata.name, consumer, nvmem_kunit_cells,
				ARRAY_SIZE(nvmem_kunit_cells));
	nvmem = nvmem_kunit_device_get(test, consumer, pdata.name);
	cell = nvmem_kunit_cell_get(test, consumer, "u32");

	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 0, 4, buf), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_cell_read_err(cell), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->reads), 0);

	/* Writes still work. */
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 0, 4, buf), 4);
	KUNIT_EXPECT_MEMEQ(test, pdata.stats->storage, buf, 4);
}

/* A read-only device refuses cell writes with -EPERM; the provider sees none. */
static void nvmem_read_only_test(struct kunit *test)
{
	struct nvmem_cell_info info = { .offset = 4, .bytes = 4 };
	struct nvmem_kunit_pdata pdata;
	struct nvmem_device *nvmem;
	struct device *consumer;
	struct nvmem_cell *cell;
	u8 buf[4] = {};

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.read_only = true;
	pdata.cells = nvmem_kunit_cells;
	pdata.ncells = ARRAY_SIZE(nvmem_kunit_cells);
	nvmem_kunit_add_provider(test, &pdata);
	consumer = nvmem_kunit_consumer(test);
	nvmem_kunit_add_lookups(test, pdata.name, consumer, nvmem_kunit_cells,
				ARRAY_SIZE(nvmem_kunit_cells));
	nvmem = nvmem_kunit_device_get(test, consumer, pdata.name);
	cell = nvmem_kunit_cell_get(test, consumer, "u32");

	/* A permission, refused with the errno of nvmem_device_write() */
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(cell, buf, 4), -EPERM);
	/* and before the arguments are looked at */
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(cell, buf, 2), -EPERM);
	KUNIT_EXPECT_EQ(test, nvmem_device_cell_write(nvmem, &info, buf),
			-EPERM);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->writes), 0);
	nvmem_kunit_expect_pattern(test, pdata.stats->storage, 0,
				   NVMEM_KUNIT_SIZE);
}

/*
 * nvmem_device_write() refuses a read-only device like the sysfs file does,
 * with -EPERM, and the provider never sees the write.
 */
static void nvmem_read_only_device_write_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct nvmem_device *nvmem;
	u8 buf[4] = {};

	nvmem_kunit_default_pdata(test, &pdata);
	pdata.read_only = true;
	nvmem_kunit_add_provider(test, &pdata);
	nvmem = nvmem_kunit_device_get(test, nvmem_kunit_consumer(test),
				       pdata.name);

	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 4, sizeof(buf), buf),
			-EPERM);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->writes), 0);
	nvmem_kunit_expect_pattern(test, pdata.stats->storage, 0,
				   NVMEM_KUNIT_SIZE);

	/* Reads are not affected. */
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 4, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 4, sizeof(buf));
}

/*
 * force_ro makes a writable device read-only for nvmem_device_write() too,
 * and clearing it makes it writable again.
 */
static void nvmem_force_ro_device_write_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct nvmem_device *nvmem;
	struct file *force_ro;
	u8 buf[4] = { 1, 2, 3, 4 };
	loff_t pos = 0;

	nvmem_kunit_default_pdata(test, &pdata);
	nvmem_kunit_add_provider(test, &pdata);
	nvmem = nvmem_kunit_device_get(test, nvmem_kunit_consumer(test),
				       pdata.name);
	force_ro = nvmem_kunit_open_sysfs(test, pdata.name, "force_ro",
					  O_WRONLY);

	KUNIT_ASSERT_EQ(test, kernel_write(force_ro, "1", 1, &pos), 1);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 4, sizeof(buf), buf),
			-EPERM);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->writes), 0);
	nvmem_kunit_expect_pattern(test, pdata.stats->storage, 0,
				   NVMEM_KUNIT_SIZE);

	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_write(force_ro, "x", 1, &pos), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 4, sizeof(buf), buf),
			-EPERM);
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_write(force_ro, "0", 1, &pos), 1);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 4, sizeof(buf), buf),
			(int)sizeof(buf));
	KUNIT_EXPECT_MEMEQ(test, pdata.stats->storage + 4, buf, sizeof(buf));
}

/*
 * A cell's sysfs file is read-only and as long as the cell: it cannot be
 * opened for writing, and reads stop at its end.
 */
static void nvmem_cell_sysfs_bad_input_test(struct kunit *test)
{
	const struct nvmem_cell_info *info = &nvmem_kunit_cells[2];
	struct nvmem_kunit_fixture *fx = nvmem_kunit_setup(test);
	char name[64];
	struct file *file;
	loff_t pos;
	u8 buf[16];

	nvmem_kunit_cell_file_name(name, sizeof(name), info);
	file = nvmem_kunit_try_open_sysfs(test, fx->pdata.name, name, O_WRONLY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(file), -EACCES);

	file = nvmem_kunit_open_cell_file(test, fx->pdata.name, info);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_read_file(file, buf, sizeof(buf)),
			(ssize_t)info->bytes);
	nvmem_kunit_expect_pattern(test, buf, info->offset, info->bytes);
	pos = info->bytes;
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, sizeof(buf), &pos), 0);
	pos = info->bytes + 1;
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, sizeof(buf), &pos), 0);
	pos = 1;
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, sizeof(buf), &pos),
			(ssize_t)info->bytes - 1);
	nvmem_kunit_expect_pattern(test, buf, info->offset + 1, info->bytes - 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->stats->writes), 0);
}

/* A notifier that was never registered cannot be unregistered. */
static void nvmem_notifier_bad_input_test(struct kunit *test)
{
	struct notifier_block nb = {};

	KUNIT_EXPECT_EQ(test, nvmem_unregister_notifier(&nb), -ENOENT);
}

/* nvmem_register() error paths */

/**
 * enum nvmem_kunit_fault - what makes a nvmem_register() call fail
 * @NVMEM_KUNIT_NO_PARENT: no config->dev
 * @NVMEM_KUNIT_NO_CALLBACKS: neither reg_read() nor reg_write()
 * @NVMEM_KUNIT_KEEPOUT_UNSORTED: keepout areas out of order
 * @NVMEM_KUNIT_KEEPOUT_INVERTED: a keepout area that ends before it starts
 * @NVMEM_KUNIT_COMPAT_NO_BASE: compat without base_dev
 * @NVMEM_KUNIT_COMPAT_TAKEN: the compat "eeprom" file already exists
 * @NVMEM_KUNIT_CELL_BAD: a config->cells entry off the stride
 * @NVMEM_KUNIT_TABLE_CELL_BAD: a cell table entry off the stride
 * @NVMEM_KUNIT_NAME_TAKEN: the device name is taken: device_add() fails
 * @NVMEM_KUNIT_SYSFS_CELLS: two cells with the same sysfs name: creating
 *	the cells' sysfs group fails after device_add()
 *
 * Listed in the order nvmem_register() gets to them. Every fault after
 * the compat step is tried with compat, config cells and a cell table all
 * set up, so the unwinding has something to undo.
 *
 * NVMEM_KUNIT_COMPAT_TAKEN, NVMEM_KUNIT_NAME_TAKEN and NVMEM_KUNIT_SYSFS_CELLS
 * (and nvmem_register_error_handle_test(), which uses the last) make sysfs
 * refuse a file that exists. sysfs_warn_dup() then prints "sysfs: cannot
 * create duplicate filename" with a stack dump, and for the taken name
 * kobject_add_internal() adds a "failed for ... with -EEXIST" line. The
 * driver core does that by design for every duplicate; it is the expected
 * failure under test, not a bug, and the case's result is what counts.
 */
enum nvmem_kunit_fault {
	NVMEM_KUNIT_NO_PARENT,
	NVMEM_KUNIT_NO_CALLBACKS,
	NVMEM_KUNIT_KEEPOUT_UNSORTED,
	NVMEM_KUNIT_KEEPOUT_INVERTED,
	NVMEM_KUNIT_COMPAT_NO_BASE,
	NVMEM_KUNIT_COMPAT_TAKEN,
	NVMEM_KUNIT_CELL_BAD,
	NVMEM_KUNIT_TABLE_CELL_BAD,
	NVMEM_KUNIT_NAME_TAKEN,
	NVMEM_KUNIT_SYSFS_CELLS,
};

/**
 * struct nvmem_kunit_reg_fault - one nvmem_register() failure
 * @fault: what is wrong
 * @err: the error nvmem_register() must return
 * @desc: test description
 */
struct nvmem_kunit_reg_fault {
	enum nvmem_kunit_fault fault;
	int err;
	const char *desc;
};

static const struct nvmem_kunit_reg_fault nvmem_kunit_reg_faults[] = {
	{ NVMEM_KUNIT_NO_PARENT, -EINVAL, "no parent device" },
	{ NVMEM_KUNIT_NO_CALLBACKS, -EINVAL, "no callbacks" },
	{ NVMEM_KUNIT_KEEPOUT_UNSORTED, -ERANGE, "keepouts unsorted" },
	{ NVMEM_KUNIT_KEEPOUT_INVERTED, -EINVAL, "keepout inverted" },
	{ NVMEM_KUNIT_COMPAT_NO_BASE, -EINVAL, "compat without base_dev" },
	{ NVMEM_KUNIT_COMPAT_TAKEN, -EEXIST, "compat file exists" },
	{ NVMEM_KUNIT_CELL_BAD, -EINVAL, "bad config cell" },
	{ NVMEM_KUNIT_TABLE_CELL_BAD, -EINVAL, "bad cell table entry" },
	{ NVMEM_KUNIT_NAME_TAKEN, -EEXIST, "name taken" },
	{ NVMEM_KUNIT_SYSFS_CELLS, -EEXIST, "sysfs cells fail" },
};

static void nvmem_kunit_reg_fault_desc(const struct nvmem_kunit_reg_fault *f,
				       char *desc)
{
	strscpy(desc, f->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nvmem_kunit_reg_fault, nvmem_kunit_reg_faults,
		  nvmem_kunit_reg_fault_desc);

#define NVMEM_KUNIT_REG_NAME	"nvmem-kunit-regerr"
#define NVMEM_KUNIT_IDA_NAME	"nvmem-kunit-ida"

static const struct nvmem_keepout nvmem_kunit_keepout_unsorted[] = {
	{ .start = 16, .end = 20 },
	{ .start = 8, .end = 12 },
};

static const struct nvmem_keepout nvmem_kunit_keepout_inverted[] = {
	{ .start = 20, .end = 16 },
};

/* Same name, offset and bit offset: the same file in the cells' sysfs group. */
static const struct nvmem_cell_info nvmem_kunit_cells_dup[] = {
	{ .name = "dup", .offset = 0, .bytes = 4 },
	{ .name = "dup", .offset = 0, .bytes = 4 },
};

/* Cells that fit the stride of 4 used by the nvmem_register() tests. */
static const struct nvmem_cell_info nvmem_kunit_cells_aligned[] = {
	{ .name = "cfg", .offset = 0, .bytes = 4 },
	{ .name = "tbl0", .offset = 4, .bytes = 4 },
	{ .name = "tbl1", .offset = 8, .bytes = 4 },
};

/* The first cell is fine, so there is one to remove when the second fails. */
static const struct nvmem_cell_info nvmem_kunit_cells_bad[] = {
	{ .name = "fine", .offset = 0, .bytes = 4 },
	{ .name = "unaligned", .offset = 2, .bytes = 4 },
};

/**
 * struct nvmem_kunit_reg_ctx - state of a nvmem_register() error test
 * @prov: a provider that lives in test memory (no driver)
 * @parent: config->dev
 * @base_dev: config->base_dev for compat
 * @table: cell table for NVMEM_KUNIT_REG_NAME
 * @config: a config that registers fine, before the fault is applied
 */
struct nvmem_kunit_reg_ctx {
	struct nvmem_kunit_provider prov;
	struct device *parent;
	struct device *base_dev;
	struct nvmem_cell_table table;
	struct nvmem_config config;
};

static struct nvmem_kunit_reg_ctx *nvmem_kunit_reg_setup(struct kunit *test)
{
	struct nvmem_kunit_reg_ctx *ctx;
	int ret;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->prov.stats = kunit_kzalloc(test, sizeof(*ctx->prov.stats),
					GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->prov.stats);
	ctx->prov.data = kunit_kmalloc(test, NVMEM_KUNIT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->prov.data);
	ctx->prov.size = NVMEM_KUNIT_SIZE;
	ctx->prov.magic = NVMEM_KUNIT_MAGIC;

	ctx->parent = kunit_device_register(test, "nvmem-kunit-parent");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->parent);
	ctx->base_dev = kunit_device_register(test, "nvmem-kunit-base");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->base_dev);

	ctx->table.nvmem_name = NVMEM_KUNIT_REG_NAME;
	ctx->table.cells = &nvmem_kunit_cells_aligned[1];
	ctx->table.ncells = 2;
	nvmem_add_cell_table(&ctx->table);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_del_cell_table,
					&ctx->table);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ctx->config = (struct nvmem_config) {
		.dev = ctx->parent,
		.name = NVMEM_KUNIT_REG_NAME,
		.id = NVMEM_DEVID_NONE,
		.owner = THIS_MODULE,
		.size = NVMEM_KUNIT_SIZE,
		.stride = 4,
		.reg_read = nvmem_kunit_reg_read,
		.reg_write = nvmem_kunit_reg_write,
		.priv = &ctx->prov,
		.compat = true,
		.base_dev = ctx->base_dev,
		.cells = nvmem_kunit_cells_aligned,
		.ncells = 1,
	};

	return ctx;
}

/* Registers @config and has it unregistered when the test ends. */
static struct nvmem_device *nvmem_kunit_register(struct kunit *test,
						 const struct nvmem_config *config)
{
	struct nvmem_device *nvmem;
	int ret;

	nvmem = nvmem_register(config);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_unregister, nvmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return nvmem;
}

/*
 * Registers @config where that must fail and returns the error, 0 if it
 * did not fail. A device that registers against expectation is unregistered
 * right away: left registered it would point at test memory freed when the
 * case ends, and the next lookup or unregistration of its name, in a later
 * case, would touch that memory.
 */
static int nvmem_kunit_register_err(const struct nvmem_config *config)
{
	struct nvmem_device *nvmem;

	nvmem = nvmem_register(config);
	if (IS_ERR(nvmem))
		return PTR_ERR(nvmem);

	nvmem_unregister(nvmem);

	return 0;
}

/*
 * Registers and unregisters a device named after the next free nvmem id.
 * Ids are allocated lowest first, so two calls give the same name unless
 * something in between took an id and kept it (a leaked nvmem_device).
 */
static const char *nvmem_kunit_probe_id(struct kunit *test,
					struct nvmem_kunit_reg_ctx *ctx)
{
	struct nvmem_config config = {
		.dev = ctx->parent,
		.name = NVMEM_KUNIT_IDA_NAME,
		.id = NVMEM_DEVID_AUTO,
		.size = NVMEM_KUNIT_SIZE,
		.reg_read = nvmem_kunit_reg_read,
		.priv = &ctx->prov,
	};
	struct nvmem_device *nvmem;
	const char *name;

	nvmem = nvmem_register(&config);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);
	name = kunit_kstrdup(test, nvmem_dev_name(nvmem), GFP_KERNEL);
	nvmem_unregister(nvmem);
	KUNIT_ASSERT_NOT_NULL(test, name);

	return name;
}

/* Breaks ctx->config as @fault says, registering any device in the way. */
static void nvmem_kunit_apply_fault(struct kunit *test,
				    struct nvmem_kunit_reg_ctx *ctx,
				    enum nvmem_kunit_fault fault,
				    struct nvmem_device **blocker)
{
	struct nvmem_config *config = &ctx->config;
	struct nvmem_config other = *config;

	switch (fault) {
	case NVMEM_KUNIT_NO_PARENT:
		config->dev = NULL;
		break;
	case NVMEM_KUNIT_NO_CALLBACKS:
		config->reg_read = NULL;
		config->reg_write = NULL;
		break;
	case NVMEM_KUNIT_KEEPOUT_UNSORTED:
		config->keepout = nvmem_kunit_keepout_unsorted;
		config->nkeepout = ARRAY_SIZE(nvmem_kunit_keepout_unsorted);
		break;
	case NVMEM_KUNIT_KEEPOUT_INVERTED:
		config->keepout = nvmem_kunit_keepout_inverted;
		config->nkeepout = ARRAY_SIZE(nvmem_kunit_keepout_inverted);
		break;
	case NVMEM_KUNIT_COMPAT_NO_BASE:
		config->base_dev = NULL;
		break;
	case NVMEM_KUNIT_COMPAT_TAKEN:
		/* Same base_dev, so the same "eeprom" file. */
		other.name = "nvmem-kunit-compat";
		other.cells = NULL;
		other.ncells = 0;
		*blocker = nvmem_kunit_register(test, &other);
		break;
	case NVMEM_KUNIT_CELL_BAD:
		config->cells = nvmem_kunit_cells_bad;
		config->ncells = ARRAY_SIZE(nvmem_kunit_cells_bad);
		break;
	case NVMEM_KUNIT_TABLE_CELL_BAD:
		ctx->table.cells = nvmem_kunit_cells_bad;
		ctx->table.ncells = ARRAY_SIZE(nvmem_kunit_cells_bad);
		break;
	case NVMEM_KUNIT_NAME_TAKEN:
		other.compat = false;
		other.cells = NULL;
		other.ncells = 0;
		/* Not the table cells either: register under a free name. */
		ctx->table.ncells = 0;
		*blocker = nvmem_kunit_register(test, &other);
		ctx->table.ncells = 2;
		break;
	case NVMEM_KUNIT_SYSFS_CELLS:
		config->cells = nvmem_kunit_cells_dup;
		config->ncells = ARRAY_SIZE(nvmem_kunit_cells_dup);
		break;
	}
}

/*
 * Each failure of nvmem_register() returns the right error and undoes
 * everything: no device announced, every cell added is removed again,
 * the parent's reference, the nvmem id, the name and the compat file are
 * all released (the same config registers fine right after), and KASAN
 * sees no access to freed memory.
 */
static void nvmem_register_error_test(struct kunit *test)
{
	const struct nvmem_kunit_reg_fault *f = test->param_value;
	struct nvmem_kunit_reg_ctx *ctx = nvmem_kunit_reg_setup(test);
	struct nvmem_device *nvmem, *blocker = NULL;
	struct nvmem_config good = ctx->config;
	struct nvmem_kunit_events *ev;
	const char *id_before;
	unsigned int parent_refs;
	int ret;

	if (f->fault == NVMEM_KUNIT_SYSFS_CELLS && !IS_ENABLED(CONFIG_NVMEM_SYSFS))
		kunit_skip(test, "needs CONFIG_NVMEM_SYSFS");

	nvmem_kunit_apply_fault(test, ctx, f->fault, &blocker);
	id_before = nvmem_kunit_probe_id(test, ctx);
	parent_refs = kref_read(&ctx->parent->kobj.kref);
	ev = nvmem_kunit_watch(test, NVMEM_KUNIT_REG_NAME);

	ret = nvmem_kunit_register_err(&ctx->config);
	KUNIT_ASSERT_LT(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ret, f->err);

	KUNIT_EXPECT_EQ(test, atomic_read(&ev->add), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->remove), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->cell_add),
			atomic_read(&ev->cell_remove));
	KUNIT_EXPECT_EQ(test, kref_read(&ctx->parent->kobj.kref), parent_refs);
	KUNIT_EXPECT_STREQ(test, nvmem_kunit_probe_id(test, ctx), id_before);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(ctx->prov.stats), 0);

	/* Nothing of the failed device is in the way of a good one. */
	if (blocker)
		kunit_release_action(test, nvmem_kunit_unregister, blocker);
	ctx->table.cells = &nvmem_kunit_cells_aligned[1];
	ctx->table.ncells = 2;
	/* The blocker of NVMEM_KUNIT_NAME_TAKEN had the same name. */
	atomic_set(&ev->remove, 0);
	nvmem = nvmem_register(&good);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->add), 1);
	nvmem_unregister(nvmem);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->remove), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->cell_add),
			atomic_read(&ev->cell_remove));
}

/**
 * struct nvmem_kunit_snatcher - takes a handle while a device registers
 * @nb: registered on the nvmem bus
 * @bus: the nvmem bus
 * @name: device to take a handle to
 * @nvmem: the handle, once taken
 *
 * A consumer can find a device as soon as device_add() has put it on the
 * bus, before nvmem_register() is done with it. The bus notifier stands in
 * for such a consumer, at the worst possible time.
 */
struct nvmem_kunit_snatcher {
	struct notifier_block nb;
	const struct bus_type *bus;
	const char *name;
	struct nvmem_device *nvmem;
};

static int nvmem_kunit_snatch(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct nvmem_kunit_snatcher *sn = container_of(nb, typeof(*sn), nb);
	struct nvmem_device *nvmem;

	if (action != BUS_NOTIFY_ADD_DEVICE || sn->nvmem ||
	    strcmp(dev_name(data), sn->name))
		return NOTIFY_DONE;

	nvmem = nvmem_device_find((void *)sn->name, device_match_name);
	if (!IS_ERR(nvmem))
		sn->nvmem = nvmem;

	return NOTIFY_OK;
}

static void nvmem_kunit_snatcher_stop(void *data)
{
	struct nvmem_kunit_snatcher *sn = data;

	bus_unregister_notifier(sn->bus, &sn->nb);
	if (sn->nvmem)
		nvmem_device_put(sn->nvmem);
}

/* The nvmem bus, from a device registered on it for the purpose. */
static const struct bus_type *nvmem_kunit_bus(struct kunit *test,
					      struct nvmem_kunit_reg_ctx *ctx)
{
	const struct bus_type *bus;
	struct nvmem_device *nvmem;
	struct device *dev;

	nvmem = nvmem_kunit_register(test, &ctx->config);
	dev = device_find_child_by_name(ctx->parent, nvmem_dev_name(nvmem));
	KUNIT_ASSERT_NOT_NULL(test, dev);
	bus = dev->bus;
	put_device(dev);
	kunit_release_action(test, nvmem_kunit_unregister, nvmem);

	return bus;
}

/*
 * A consumer takes a handle to the device while nvmem_register() runs,
 * and registration fails after device_add(). The handle must fail with
 * -ENODEV, not reach the provider, and be safe to put afterwards.
 */
static void nvmem_register_error_handle_test(struct kunit *test)
{
	struct nvmem_kunit_reg_ctx *ctx = nvmem_kunit_reg_setup(test);
	struct nvmem_kunit_snatcher *sn;
	u8 buf[4];
	int ret;

	if (!IS_ENABLED(CONFIG_NVMEM_SYSFS))
		kunit_skip(test, "needs CONFIG_NVMEM_SYSFS");

	sn = kunit_kzalloc(test, sizeof(*sn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sn);
	sn->bus = nvmem_kunit_bus(test, ctx);
	sn->name = NVMEM_KUNIT_REG_NAME;
	sn->nb.notifier_call = nvmem_kunit_snatch;
	ret = bus_register_notifier(sn->bus, &sn->nb);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_snatcher_stop, sn);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ctx->config.cells = nvmem_kunit_cells_dup;
	ctx->config.ncells = ARRAY_SIZE(nvmem_kunit_cells_dup);
	ret = nvmem_kunit_register_err(&ctx->config);
	KUNIT_ASSERT_LT(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ret, -EEXIST);
	KUNIT_ASSERT_NOT_NULL(test, sn->nvmem);

	KUNIT_EXPECT_EQ(test, nvmem_device_read(sn->nvmem, 0, 4, buf), -ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(ctx->prov.stats), 0);

	/* The last reference: KASAN checks that nothing uses it after. */
	kunit_release_action(test, nvmem_kunit_snatcher_stop, sn);
}

/* The line level whose setting fails: none, 0 (unprotect), 1 (protect). */
static const int nvmem_kunit_wp_faults[] = { -1, 0, 1 };

static void nvmem_kunit_wp_fault_desc(const int *level, char *desc)
{
	static const char * const what[] = {
		"no failure", "lifting the protection fails",
		"restoring the protection fails",
	};

	strscpy(desc, what[*level + 1], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nvmem_kunit_wp_fault, nvmem_kunit_wp_faults,
		  nvmem_kunit_wp_fault_desc);

#if IS_ENABLED(CONFIG_GPIOLIB)
#define NVMEM_KUNIT_WP_CHIP	"nvmem-kunit-wp"

/**
 * struct nvmem_kunit_wp - a GPIO chip of one line, the write protection
 * @chip: the chip
 * @fail_level: the level that the line refuses to take (-EIO), -1 for none
 * @level: the line's level
 * @changes: how often the level was set
 */
struct nvmem_kunit_wp {
	struct gpio_chip chip;
	int fail_level;
	int level;
	int changes;
};

static int nvmem_kunit_wp_set(struct gpio_chip *chip, unsigned int offset,
			      int level)
{
	struct nvmem_kunit_wp *wp = gpiochip_get_data(chip);

	if (level == wp->fail_level)
		return -EIO;

	wp->level = level;
	wp->changes++;

	return 0;
}

/* Requesting the line sets it high: that always works. */
static int nvmem_kunit_wp_output(struct gpio_chip *chip, unsigned int offset,
				 int level)
{
	struct nvmem_kunit_wp *wp = gpiochip_get_data(chip);

	wp->level = level;

	return 0;
}

KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_gpiochip_remove, gpiochip_remove,
			    struct gpio_chip *);
KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_gpiod_remove_lookup,
			    gpiod_remove_lookup_table,
			    struct gpiod_lookup_table *);

/*
 * A write lifts the write protection, writes and restores it. When the
 * protection cannot be lifted the provider must not be written; when it
 * cannot be restored the write has happened, but its caller is told.
 */
static void nvmem_wp_gpio_error_test(struct kunit *test)
{
	int fail_level = *(const int *)test->param_value;
	u8 buf[4] = { 0xde, 0xad, 0xbe, 0xef };
	struct gpiod_lookup_table *lookup;
	struct nvmem_config config = {};
	struct nvmem_kunit_pdata pdata;
	struct nvmem_kunit_provider *prov;
	struct nvmem_device *nvmem;
	struct nvmem_kunit_wp *wp;
	struct device *parent;
	int ret, want;

	wp = kunit_kzalloc(test, sizeof(*wp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, wp);
	wp->chip.label = NVMEM_KUNIT_WP_CHIP;
	wp->chip.ngpio = 1;
	wp->chip.base = -1;
	wp->chip.can_sleep = true;
	wp->chip.set_rv = nvmem_kunit_wp_set;
	wp->chip.direction_output = nvmem_kunit_wp_output;
	wp->fail_level = -1;
	KUNIT_ASSERT_EQ(test, gpiochip_add_data(&wp->chip, wp), 0);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_gpiochip_remove,
					&wp->chip);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* The line is the parent's "wp" GPIO, as nvmem_register() asks. */
	parent = kunit_device_register(test, "nvmem-kunit-wp-parent");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, parent);
	lookup = kunit_kzalloc(test, struct_size(lookup, table, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lookup);
	lookup->dev_id = dev_name(parent);
	lookup->table[0] = GPIO_LOOKUP(NVMEM_KUNIT_WP_CHIP, 0, "wp",
				       GPIO_ACTIVE_HIGH);
	gpiod_add_lookup_table(lookup);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_gpiod_remove_lookup,
					lookup);
	KUNIT_ASSERT_EQ(test, ret, 0);

	nvmem_kunit_default_pdata(test, &pdata);
	prov = nvmem_kunit_provider_alloc(parent, &pdata);
	KUNIT_ASSERT_NOT_NULL(test, prov);
	nvmem_kunit_fill_config(&config, &pdata);
	config.dev = parent;
	config.priv = prov;
	nvmem = nvmem_kunit_register(test, &config);
	KUNIT_ASSERT_EQ(test, wp->level, 1);

	wp->fail_level = fail_level;
	ret = nvmem_device_write(nvmem, 8, sizeof(buf), buf);
	want = fail_level < 0 ? (int)sizeof(buf) : -EIO;
	KUNIT_EXPECT_EQ(test, ret, want);
	KUNIT_EXPECT_EQ(test, atomic_read(&pdata.stats->writes),
			fail_level == 0 ? 0 : 1);
	/* Lifted and restored; not lifted; lifted and left so. */
	KUNIT_EXPECT_EQ(test, wp->changes, fail_level < 0 ? 2 : fail_level);
	KUNIT_EXPECT_EQ(test, wp->level, fail_level == 1 ? 0 : 1);
	if (fail_level == 0)
		nvmem_kunit_expect_pattern(test, prov->data, 0, prov->size);
}
#else
static void nvmem_wp_gpio_error_test(struct kunit *test)
{
	kunit_skip(test, "needs GPIOLIB");
}
#endif

/* Stride and word size: a device with a stride of 4 and a word size of 2 */

static struct nvmem_kunit_reg_ctx *nvmem_kunit_word_setup(struct kunit *test)
{
	struct nvmem_kunit_reg_ctx *ctx = nvmem_kunit_reg_setup(test);

	ctx->config.word_size = 2;
	nvmem_kunit_fill_pattern(ctx->prov.data, 0, NVMEM_KUNIT_SIZE);
	nvmem_kunit_register(test, &ctx->config);

	return ctx;
}

/**
 * struct nvmem_kunit_bad_info - a cell that nvmem_device_cell_read() and
 *	nvmem_device_cell_write() refuse
 * @info: the cell
 * @err: what both return
 * @calls: provider calls the read makes
 * @desc: test description
 */
struct nvmem_kunit_bad_info {
	struct nvmem_cell_info info;
	int err;
	int calls;
	const char *desc;
};

/*
 * The core checks a cell's alignment, but leaves its bounds to the provider
 * (see nvmem_device_beyond_size_test()): those fail with the provider's
 * error. The last field is 5 bytes from offset 60, its 6 raw bytes end
 * past the device.
 */
static const struct nvmem_kunit_bad_info nvmem_kunit_bad_infos[] = {
	{ { .offset = 2, .bytes = 4 }, -EINVAL, 0, "offset off the stride" },
	{ { .offset = 6, .bytes = 1, .bit_offset = 1, .nbits = 3 }, -EINVAL, 0,
	  "bit field off the stride" },
	{ { .offset = 4, .bytes = 3, .raw_len = 3 }, -EINVAL, 0,
	  "raw_len off the word size" },
	{ { .offset = NVMEM_KUNIT_SIZE, .bytes = 4 }, -EIO, 1,
	  "beyond the device" },
	{ { .offset = NVMEM_KUNIT_SIZE - 4, .bytes = 1, .bit_offset = 20,
	    .nbits = 20 }, -EIO, 1, "bit field past the end" },
};

static void nvmem_kunit_bad_info_desc(const struct nvmem_kunit_bad_info *p,
				      char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nvmem_kunit_bad_info, nvmem_kunit_bad_infos,
		  nvmem_kunit_bad_info_desc);

/*
 * nvmem_device_cell_read() and nvmem_device_cell_write() refuse bad cell
 * info with the errors in nvmem_kunit_bad_infos[], write nothing, and take
 * no device at all with -EINVAL. How many calls a refused write makes is
 * not checked: a bit field's write may read the cell first and fail there.
 */
static void nvmem_device_cell_bad_info_test(struct kunit *test)
{
	const struct nvmem_kunit_bad_info *p = test->param_value;
	struct nvmem_kunit_reg_ctx *ctx = nvmem_kunit_word_setup(test);
	struct nvmem_cell_info info = p->info;
	struct nvmem_device *nvmem;
	/* Room for the largest cell's raw bytes */
	u8 buf[8] = {};

	nvmem = nvmem_kunit_device_get(test, ctx->parent, NVMEM_KUNIT_REG_NAME);

	KUNIT_EXPECT_EQ(test, nvmem_device_cell_read(nvmem, &info, buf),
			(ssize_t)p->err);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->prov.stats->reads), p->calls);
	KUNIT_EXPECT_EQ(test, nvmem_device_cell_write(nvmem, &info, buf),
			p->err);
	if (!p->calls)
		KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(ctx->prov.stats), 0);
	nvmem_kunit_expect_pattern(test, ctx->prov.data, 0, NVMEM_KUNIT_SIZE);

	KUNIT_EXPECT_EQ(test, nvmem_device_cell_read(NULL, &info, buf),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, nvmem_device_cell_write(NULL, &info, buf),
			-EINVAL);
}

/*
 * The nvmem file refuses an offset off the stride and a length under the
 * word size with -EINVAL, without calling the provider, and rounds a
 * longer length down to whole words.
 */
static void nvmem_sysfs_stride_test(struct kunit *test)
{
	struct nvmem_kunit_reg_ctx *ctx = nvmem_kunit_word_setup(test);
	struct nvmem_kunit_stats *stats = ctx->prov.stats;
	u8 buf[8], data[7];
	struct file *file;
	loff_t pos;

	file = nvmem_kunit_open_sysfs(test, NVMEM_KUNIT_REG_NAME, "nvmem",
				      O_RDWR);

	pos = 2;
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, 4, &pos), -EINVAL);
	pos = 4;
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, 1, &pos), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&stats->reads), 0);
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, 7, &pos), 6);
	KUNIT_EXPECT_EQ(test, pos, 10);
	nvmem_kunit_expect_pattern(test, buf, 4, 6);
	/* sysfs cuts the read at the end of the device first. */
	pos = NVMEM_KUNIT_SIZE - 4;
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, sizeof(buf), &pos), 4);
	nvmem_kunit_expect_pattern(test, buf, NVMEM_KUNIT_SIZE - 4, 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&stats->reads), 2);

	memset(data, 0x5a, sizeof(data));
	pos = 2;
	KUNIT_EXPECT_EQ(test, kernel_write(file, data, 4, &pos), -EINVAL);
	pos = 8;
	KUNIT_EXPECT_EQ(test, kernel_write(file, data, 1, &pos), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&stats->writes), 0);
	KUNIT_EXPECT_EQ(test, kernel_write(file, data, sizeof(data), &pos), 6);
	KUNIT_EXPECT_EQ(test, pos, 14);
	KUNIT_EXPECT_EQ(test, atomic_read(&stats->writes), 1);
	nvmem_kunit_expect_pattern(test, ctx->prov.data, 0, 8);
	KUNIT_EXPECT_MEMEQ(test, ctx->prov.data + 8, data, 6);
	nvmem_kunit_expect_pattern(test, ctx->prov.data + 14, 14,
				   NVMEM_KUNIT_SIZE - 14);
}

static struct kunit_case nvmem_bad_input_cases[] = {
	KUNIT_CASE(nvmem_no_reg_write_test),
	KUNIT_CASE(nvmem_no_reg_read_test),
	KUNIT_CASE(nvmem_read_only_test),
	KUNIT_CASE(nvmem_read_only_device_write_test),
	KUNIT_CASE(nvmem_force_ro_device_write_test),
	KUNIT_CASE(nvmem_cell_sysfs_bad_input_test),
	KUNIT_CASE(nvmem_notifier_bad_input_test),
	KUNIT_CASE_PARAM(nvmem_register_error_test,
			 nvmem_kunit_reg_fault_gen_params),
	KUNIT_CASE(nvmem_register_error_handle_test),
	KUNIT_CASE_PARAM(nvmem_wp_gpio_error_test,
			 nvmem_kunit_wp_fault_gen_params),
	KUNIT_CASE_PARAM(nvmem_device_cell_bad_info_test,
			 nvmem_kunit_bad_info_gen_params),
	KUNIT_CASE(nvmem_sysfs_stride_test),
	{}
};

static struct kunit_suite nvmem_bad_input_suite = {
	.name = "nvmem_core_bad_input",
	.init = nvmem_kunit_init,
	.test_cases = nvmem_bad_input_cases,
};

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
 * Stands in for a provider driver's module, which a built-in suite does not
 * have: the case sets its state as rmmod would.
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
static void nvmem_unbind_module_going_test(struct kunit *test)
{
	kunit_skip(test, "needs MODULE_UNLOAD");
}
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

/* Device tree: layouts */

#if IS_ENABLED(CONFIG_NVMEM_LAYOUTS) && IS_ENABLED(CONFIG_OF_FLATTREE)
/* nvmem_kunit_layout.dts, linked in by the Makefile */
extern const u8 __dtb_nvmem_kunit_layout_begin[];

/*
 * The node at @path (its names, child after child, with no leading slash)
 * of nvmem_kunit_layout.dts, a tree of its own. It is unflattened once and
 * kept, with the nodes asked for: devices that point at its nodes may be
 * released after the case that made them has ended.
 */
static struct device_node *nvmem_kunit_detached_node(struct kunit *test,
						     const char *path)
{
	static struct device_node *root;
	struct device_node *np, *parent;
	char *names, *name;

	if (!root) {
		const void *blob = __dtb_nvmem_kunit_layout_begin;

		KUNIT_ASSERT_NOT_NULL(test, of_fdt_unflatten_tree(blob, NULL,
								  &root));
	}

	names = kunit_kstrdup(test, path, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, names);
	np = of_node_get(root);
	while ((name = strsep(&names, "/"))) {
		parent = np;
		np = of_get_child_by_name(parent, name);
		of_node_put(parent);
		KUNIT_ASSERT_NOT_NULL(test, np);
	}

	return np;
}
#endif

#if IS_ENABLED(CONFIG_NVMEM_LAYOUTS) && IS_ENABLED(CONFIG_OF_FLATTREE) && \
	IS_ENABLED(CONFIG_MODULE_UNLOAD)
/* The provider node of nvmem_kunit_layout.dts, with the test layout. */
static struct device_node *nvmem_kunit_layout_provider(struct kunit *test)
{
	static struct device_node *provider;

	if (!provider)
		provider = nvmem_kunit_detached_node(test, "provider");

	return provider;
}

/* Adds one to every byte: shows that the layout's callback ran. */
static int nvmem_kunit_layout_post_process(void *priv, const char *id,
					   int index, unsigned int offset,
					   void *buf, size_t bytes)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < bytes; i++)
		p[i]++;

	return 0;
}

/* The cell the test layout adds. */
static const struct nvmem_cell_info nvmem_kunit_layout_cell = {
	.name = "layout-u32", .offset = 4, .bytes = 4,
	.read_post_process = nvmem_kunit_layout_post_process,
};

/* What the layout's cell reads on a fresh device. */
static u32 nvmem_kunit_layout_cell_value(void)
{
	u8 buf[4];

	nvmem_kunit_fill_pattern(buf, nvmem_kunit_layout_cell.offset,
				 sizeof(buf));
	nvmem_kunit_layout_post_process(NULL, NULL, 0, 0, buf, sizeof(buf));

	return get_unaligned_le32(buf);
}

/*
 * Adds the layout's cell, on the layout node's child "cell" if it has one:
 * lookups by phandle find the cell through that node.
 */
static int nvmem_kunit_layout_add_cells(struct nvmem_layout *layout)
{
	struct nvmem_cell_info info = nvmem_kunit_layout_cell;
	int ret;

	/* the cell, once added, holds the node's reference */
	info.np = of_get_child_by_name(layout->dev.of_node, "cell");
	ret = nvmem_add_one_cell(layout->nvmem, &info);
	if (ret)
		of_node_put(info.np);

	return ret;
}

static int nvmem_kunit_layout_probe(struct nvmem_layout *layout)
{
	layout->add_cells = nvmem_kunit_layout_add_cells;

	return nvmem_layout_register(layout);
}

static void nvmem_kunit_layout_remove(struct nvmem_layout *layout)
{
	nvmem_layout_unregister(layout);
}

static const struct of_device_id nvmem_kunit_layout_of_match[] = {
	{ .compatible = "test,nvmem-layout" },
	{}
};

static struct nvmem_layout_driver nvmem_kunit_layout_driver = {
	.driver = {
		.name = "nvmem-kunit-layout",
		.of_match_table = nvmem_kunit_layout_of_match,
	},
	.probe = nvmem_kunit_layout_probe,
	.remove = nvmem_kunit_layout_remove,
};

/*
 * Stands in for the layout driver's module: a built-in suite has no module
 * of its own whose references it could count. The driver registers as
 * built-in, since the driver core would link it to this module in sysfs,
 * and claims the module only while the case runs.
 */
static struct module nvmem_kunit_layout_module = {
	.state = MODULE_STATE_LIVE,
	.name = "nvmem_kunit_layout",
	.refcnt = ATOMIC_INIT(1),	/* MODULE_REF_BASE: no reference */
};

static void nvmem_kunit_layout_driver_stop(void *data)
{
	nvmem_kunit_layout_driver.driver.owner = NULL;
	nvmem_layout_driver_unregister(&nvmem_kunit_layout_driver);
}

static int nvmem_kunit_layout_init(struct kunit *test)
{
	int ret;

	ret = nvmem_kunit_init(test);
	if (ret)
		return ret;

	ret = __nvmem_layout_driver_register(&nvmem_kunit_layout_driver, NULL);
	if (ret)
		return ret;
	nvmem_kunit_layout_driver.driver.owner = &nvmem_kunit_layout_module;

	return kunit_add_action_or_reset(test, nvmem_kunit_layout_driver_stop,
					 NULL);
}

/*
 * A cell of a layout that a consumer gets through a lookup table works, and
 * since the lookup pinned no module, putting it leaves the layout module's
 * reference count alone.
 */
static void nvmem_layout_lookup_cell_put_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct device *consumer;
	struct nvmem_cell *cell;
	int refs;
	u32 val;

	nvmem_kunit_default_pdata(test, &pdata);
	nvmem_kunit_add_provider_of(test, &pdata,
				    nvmem_kunit_layout_provider(test));
	consumer = nvmem_kunit_consumer(test);
	nvmem_kunit_add_lookups(test, pdata.name, consumer,
				&nvmem_kunit_layout_cell, 1);
	refs = module_refcount(&nvmem_kunit_layout_module);

	cell = nvmem_cell_get(consumer, nvmem_kunit_layout_cell.name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cell);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u32(consumer,
						  nvmem_kunit_layout_cell.name,
						  &val), 0);
	KUNIT_EXPECT_EQ(test, val, nvmem_kunit_layout_cell_value());
	nvmem_cell_put(cell);

	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module), refs);
}

/* The layout device of the provider's nvmem device, with a reference. */
static struct device *nvmem_kunit_layout_dev(struct kunit *test,
					     struct platform_device *pdev,
					     const char *name)
{
	struct device *nvmem_dev, *layout_dev;

	nvmem_dev = device_find_child_by_name(&pdev->dev, name);
	KUNIT_ASSERT_NOT_NULL(test, nvmem_dev);
	layout_dev = device_find_any_child(nvmem_dev);
	put_device(nvmem_dev);
	KUNIT_ASSERT_NOT_NULL(test, layout_dev);

	return layout_dev;
}

/*
 * The layout's cells call into its module, and stay on the device when the
 * layout is unbound: the device pins the module from the layout's probe
 * until it is released, after the last handle to it, with its cells.
 */
static void nvmem_layout_pins_module_test(struct kunit *test)
{
	int refs = module_refcount(&nvmem_kunit_layout_module);
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct device *consumer, *layout_dev;
	struct nvmem_cell *cell;
	size_t len;
	u8 *buf;

	nvmem_kunit_default_pdata(test, &pdata);
	pdev = nvmem_kunit_add_provider_of(test, &pdata,
					   nvmem_kunit_layout_provider(test));
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module),
			refs + 1);

	consumer = nvmem_kunit_consumer(test);
	nvmem_kunit_add_lookups(test, pdata.name, consumer,
				&nvmem_kunit_layout_cell, 1);
	cell = nvmem_kunit_cell_get(test, consumer,
				    nvmem_kunit_layout_cell.name);

	layout_dev = nvmem_kunit_layout_dev(test, pdev, pdata.name);
	device_release_driver(layout_dev);
	KUNIT_EXPECT_FALSE(test, device_is_bound(layout_dev));
	put_device(layout_dev);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module),
			refs + 1);
	buf = nvmem_cell_read(cell, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf),
			nvmem_kunit_layout_cell_value());
	kfree(buf);

	nvmem_kunit_unbind(test, pdev);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module),
			refs + 1);
	kunit_release_action(test, nvmem_kunit_cell_put, cell);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module), refs);
}

#if IS_ENABLED(CONFIG_OF_OVERLAY)
/*
 * A layout's cell found by phandle pins the layout's module for as long as
 * the handle lives, on top of the device's own reference, and reads through
 * the module's read_post_process(), as does its sysfs file, also once the
 * layout is unbound.
 */
static void nvmem_dt_layout_module_cell_test(struct kunit *test)
{
	int refs = module_refcount(&nvmem_kunit_layout_module);
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct device_node *np;
	struct device *layout_dev;
	struct nvmem_cell *cell;
	struct file *file;
	int i, ret;
	u8 buf[4];

	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, nvmem_kunit_overlay),
			0);
	np = of_find_node_by_path("/nvmem-kunit/module-provider");
	KUNIT_ASSERT_NOT_NULL(test, np);
	of_node_put_kunit(test, np);
	nvmem_kunit_default_pdata(test, &pdata);
	pdev = nvmem_kunit_add_provider_of(test, &pdata, np);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module),
			refs + 1);

	np = of_find_node_by_path("/nvmem-kunit/module-consumer");
	KUNIT_ASSERT_NOT_NULL(test, np);
	of_node_put_kunit(test, np);
	cell = of_nvmem_cell_get(np, "layout");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cell);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_cell_put, cell);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module),
			refs + 2);

	/* Through the handle and the sysfs file, before and after the unbind */
	for (i = 0; i < 2; i++) {
		size_t len;
		u8 *val = nvmem_cell_read(cell, &len);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, val);
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(val),
				nvmem_kunit_layout_cell_value());
		kfree(val);
		file = nvmem_kunit_open_cell_file(test, pdata.name,
						  &nvmem_kunit_layout_cell);
		KUNIT_EXPECT_EQ(test, nvmem_kunit_read_file(file, buf,
							    sizeof(buf)),
				sizeof(buf));
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf),
				nvmem_kunit_layout_cell_value());
		kunit_release_action(test, nvmem_kunit_fput, file);

		layout_dev = nvmem_kunit_layout_dev(test, pdev, pdata.name);
		device_release_driver(layout_dev);
		KUNIT_EXPECT_FALSE(test, device_is_bound(layout_dev));
		put_device(layout_dev);
	}

	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module),
			refs + 2);
	kunit_release_action(test, nvmem_kunit_cell_put, cell);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module),
			refs + 1);
	nvmem_kunit_unbind(test, pdev);
	KUNIT_EXPECT_EQ(test, module_refcount(&nvmem_kunit_layout_module), refs);
}
#else
static void nvmem_dt_layout_module_cell_test(struct kunit *test)
{
	kunit_skip(test, "needs OF_OVERLAY");
}
#endif

/* A second driver for the test layout's node, with a cell of its own. */
static const struct nvmem_cell_info nvmem_kunit_layout2_cell = {
	.name = "layout2-u8", .offset = 1, .bytes = 1,
};

/* Calls of the second driver's probe and add_cells(), and probe's result */
static int nvmem_kunit_layout2_probes, nvmem_kunit_layout2_added;
static int nvmem_kunit_layout2_probe_err;

static int nvmem_kunit_layout2_add_cells(struct nvmem_layout *layout)
{
	nvmem_kunit_layout2_added++;

	return nvmem_add_one_cell(layout->nvmem, &nvmem_kunit_layout2_cell);
}

static int nvmem_kunit_layout2_probe(struct nvmem_layout *layout)
{
	nvmem_kunit_layout2_probes++;
	layout->add_cells = nvmem_kunit_layout2_add_cells;
	nvmem_kunit_layout2_probe_err = nvmem_layout_register(layout);

	return nvmem_kunit_layout2_probe_err;
}

static struct nvmem_layout_driver nvmem_kunit_layout2_driver = {
	.driver = {
		.name = "nvmem-kunit-layout2",
		.of_match_table = nvmem_kunit_layout_of_match,
	},
	.probe = nvmem_kunit_layout2_probe,
	.remove = nvmem_kunit_layout_remove,
};

KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_layout2_driver_stop,
			    nvmem_layout_driver_unregister,
			    struct nvmem_layout_driver *);

/*
 * The device keeps the cells of the layout driver that laid it out first,
 * whose module it pins. Another driver for the same node, which binds once
 * the first is unbound, must not add cells that nothing pins.
 */
static void nvmem_layout_second_driver_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct device *layout_dev;
	int ret;

	nvmem_kunit_default_pdata(test, &pdata);
	pdev = nvmem_kunit_add_provider_of(test, &pdata,
					   nvmem_kunit_layout_provider(test));
	layout_dev = nvmem_kunit_layout_dev(test, pdev, pdata.name);
	device_release_driver(layout_dev);
	KUNIT_ASSERT_FALSE(test, device_is_bound(layout_dev));

	/* Registering the driver binds it to the unbound layout, or tries. */
	nvmem_kunit_layout2_probes = 0;
	nvmem_kunit_layout2_added = 0;
	ret = __nvmem_layout_driver_register(&nvmem_kunit_layout2_driver, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_layout2_driver_stop,
					&nvmem_kunit_layout2_driver);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, nvmem_kunit_layout2_probes, 1);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_layout2_probe_err, -EBUSY);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_layout2_added, 0);
	KUNIT_EXPECT_FALSE_MSG(test, device_is_bound(layout_dev),
			       "the second layout driver is bound");
	put_device(layout_dev);
}

/*
 * nvmem_layout_register() is exported, for layout drivers' probe: called
 * for a layout that no driver is bound to, it fails and adds no cell.
 */
static void nvmem_layout_register_unbound_test(struct kunit *test)
{
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct device *layout_dev;
	struct nvmem_layout *layout;

	nvmem_kunit_default_pdata(test, &pdata);
	pdev = nvmem_kunit_add_provider_of(test, &pdata,
					   nvmem_kunit_layout_provider(test));
	layout_dev = nvmem_kunit_layout_dev(test, pdev, pdata.name);
	device_release_driver(layout_dev);
	KUNIT_ASSERT_FALSE(test, device_is_bound(layout_dev));

	layout = container_of(layout_dev, struct nvmem_layout, dev);
	layout->add_cells = nvmem_kunit_layout2_add_cells;
	nvmem_kunit_layout2_added = 0;
	KUNIT_EXPECT_EQ(test, nvmem_layout_register(layout), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_layout2_added, 0);
	put_device(layout_dev);
}

/*
 * A layout whose cells' sysfs files cannot be made: it adds two cells of the
 * same name, offset and bit offset, whose files clash.
 */
static int nvmem_kunit_layout_dup_add_cells(struct nvmem_layout *layout)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(nvmem_kunit_cells_dup); i++) {
		ret = nvmem_add_one_cell(layout->nvmem,
					 &nvmem_kunit_cells_dup[i]);
		if (ret)
			return ret;
	}

	return 0;
}

static int nvmem_kunit_layout_dup_probe(struct nvmem_layout *layout)
{
	layout->add_cells = nvmem_kunit_layout_dup_add_cells;

	return nvmem_layout_register(layout);
}

static const struct of_device_id nvmem_kunit_layout_dup_of_match[] = {
	{ .compatible = "test,nvmem-layout-dup" },
	{}
};

static struct nvmem_layout_driver nvmem_kunit_layout_dup_driver = {
	.driver = {
		.name = "nvmem-kunit-layout-dup",
		.of_match_table = nvmem_kunit_layout_dup_of_match,
	},
	.probe = nvmem_kunit_layout_dup_probe,
	.remove = nvmem_kunit_layout_remove,
};

/**
 * struct nvmem_kunit_cell_snatcher - a consumer that gets a cell once it is added
 * @nb: on the nvmem notifier chain, for NVMEM_CELL_ADD
 * @consumer: the device whose lookup of @con_id is tried
 * @con_id: the cell to get
 * @cell: the handle, once got
 *
 * The notifications of a layout's cells come from the layout's probe, while
 * nvmem_layout_register() runs: the snatcher stands in for a consumer that
 * gets a handle at that moment. It looks the cell up by a lookup table:
 * of_nvmem_cell_get() of a layout's cell from here would wait for the
 * layout's probe, which holds the layout device's lock.
 */
struct nvmem_kunit_cell_snatcher {
	struct notifier_block nb;
	struct device *consumer;
	const char *con_id;
	struct nvmem_cell *cell;
};

static int nvmem_kunit_snatch_cell(struct notifier_block *nb,
				   unsigned long event, void *data)
{
	struct nvmem_kunit_cell_snatcher *sn = container_of(nb, typeof(*sn), nb);
	struct nvmem_cell *cell;

	if (event != NVMEM_CELL_ADD || sn->cell)
		return NOTIFY_DONE;

	cell = nvmem_cell_get(sn->consumer, sn->con_id);
	if (IS_ERR(cell))
		return NOTIFY_DONE;
	sn->cell = cell;

	return NOTIFY_OK;
}

static void nvmem_kunit_cell_snatcher_stop(void *data)
{
	struct nvmem_kunit_cell_snatcher *sn = data;

	nvmem_unregister_notifier(&sn->nb);
	if (sn->cell)
		nvmem_cell_put(sn->cell);
}

/*
 * A layout whose cells' sysfs files cannot be created keeps its cells: a
 * consumer may have got one between add_cells() and the failure, here from
 * the cell's NVMEM_CELL_ADD notification. The layout binds, the handle and
 * a new lookup read the cell, and the cells have no files. Without the fix
 * nvmem_layout_register() frees the cells under the handle, and the read
 * through it is a use-after-free that KASAN reports.
 */
static void nvmem_layout_sysfs_fails_test(struct kunit *test)
{
	const struct nvmem_cell_info *info = &nvmem_kunit_cells_dup[0];
	struct nvmem_kunit_cell_snatcher *sn;
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct device *layout_dev;
	struct file *file;
	u8 *buf, want[4];
	char name[64];
	size_t len;
	u32 val;
	int ret;

	if (!IS_ENABLED(CONFIG_NVMEM_SYSFS))
		kunit_skip(test, "needs CONFIG_NVMEM_SYSFS");

	/*
	 * No cells before the layout's, so that nvmem_register() creates no
	 * cells' group and the layout's registration makes the files.
	 */
	nvmem_kunit_default_pdata(test, &pdata);
	pdev = nvmem_kunit_add_provider_of(test, &pdata,
					   nvmem_kunit_detached_node(test,
								     "provider-dup"));
	layout_dev = nvmem_kunit_layout_dev(test, pdev, pdata.name);
	KUNIT_ASSERT_FALSE(test, device_is_bound(layout_dev));

	sn = kunit_kzalloc(test, sizeof(*sn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sn);
	sn->consumer = nvmem_kunit_consumer(test);
	sn->con_id = info->name;
	nvmem_kunit_add_lookups(test, pdata.name, sn->consumer, info, 1);
	sn->nb.notifier_call = nvmem_kunit_snatch_cell;
	KUNIT_ASSERT_EQ(test, nvmem_register_notifier(&sn->nb), 0);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_cell_snatcher_stop,
					sn);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* Binds the layout: add_cells(), then the clashing files. */
	ret = __nvmem_layout_driver_register(&nvmem_kunit_layout_dup_driver,
					     NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_layout2_driver_stop,
					&nvmem_kunit_layout_dup_driver);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL_MSG(test, sn->cell,
				  "no handle taken while the layout registered");

	buf = nvmem_cell_read(sn->cell, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, len, info->bytes);
	nvmem_kunit_expect_pattern(test, buf, info->offset, info->bytes);
	kfree(buf);

	KUNIT_EXPECT_TRUE_MSG(test, device_is_bound(layout_dev),
			      "the layout's probe failed");
	put_device(layout_dev);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u32(sn->consumer, info->name,
						  &val), 0);
	nvmem_kunit_fill_pattern(want, info->offset, sizeof(want));
	KUNIT_EXPECT_EQ(test, val, get_unaligned_le32(want));

	/* The path the case is about: the files could not be created. */
	nvmem_kunit_cell_file_name(name, sizeof(name), info);
	file = nvmem_kunit_try_open_sysfs(test, pdata.name, name, O_RDONLY);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(file), -ENOENT);
}
#else
static int nvmem_kunit_layout_init(struct kunit *test)
{
	return nvmem_kunit_init(test);
}

static void nvmem_layout_lookup_cell_put_test(struct kunit *test)
{
	kunit_skip(test, "needs NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
}

static void nvmem_layout_pins_module_test(struct kunit *test)
{
	kunit_skip(test, "needs NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
}

static void nvmem_dt_layout_module_cell_test(struct kunit *test)
{
	kunit_skip(test, "needs NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
}

static void nvmem_layout_second_driver_test(struct kunit *test)
{
	kunit_skip(test, "needs NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
}

static void nvmem_layout_register_unbound_test(struct kunit *test)
{
	kunit_skip(test, "needs NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
}

static void nvmem_layout_sysfs_fails_test(struct kunit *test)
{
	kunit_skip(test, "needs NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
}
#endif

/* Device tree: lookups by phandle */

/* How a consumer gets a handle: through its node or its device, or devm. */
enum nvmem_kunit_getter {
	NVMEM_KUNIT_GET_OF,
	NVMEM_KUNIT_GET_DEV,
	NVMEM_KUNIT_GET_DEVM,
};

static const char * const nvmem_kunit_cell_getters[] = {
	[NVMEM_KUNIT_GET_OF] = "of_nvmem_cell_get",
	[NVMEM_KUNIT_GET_DEV] = "nvmem_cell_get",
	[NVMEM_KUNIT_GET_DEVM] = "devm_nvmem_cell_get",
};

static const char * const nvmem_kunit_device_getters[] = {
	[NVMEM_KUNIT_GET_OF] = "of_nvmem_device_get",
	[NVMEM_KUNIT_GET_DEV] = "nvmem_device_get",
	[NVMEM_KUNIT_GET_DEVM] = "devm_nvmem_device_get",
};

static void nvmem_kunit_getter_desc(const char * const *name, char *desc)
{
	strscpy(desc, *name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nvmem_kunit_cell_getter, nvmem_kunit_cell_getters,
		  nvmem_kunit_getter_desc);
KUNIT_ARRAY_PARAM(nvmem_kunit_device_getter, nvmem_kunit_device_getters,
		  nvmem_kunit_getter_desc);

#if IS_ENABLED(CONFIG_OF_OVERLAY)
/**
 * struct nvmem_kunit_of - a provider and a consumer described in a device tree
 * @pdata: the provider's platform data
 * @pdev: the provider, bound to the /nvmem-kunit/provider node
 * @consumer_np: the /nvmem-kunit/consumer node
 * @consumer: a device on that node
 */
struct nvmem_kunit_of {
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct device_node *consumer_np;
	struct device *consumer;
};

static struct device_node *nvmem_kunit_of_node(struct kunit *test,
					       const char *path)
{
	struct device_node *np = of_find_node_by_path(path);

	KUNIT_ASSERT_NOT_NULL(test, np);
	of_node_put_kunit(test, np);

	return np;
}

/*
 * Applies nvmem_kunit_overlay.dtso (removed when the case ends, after
 * everything the case made afterwards), binds the provider to its node and
 * makes a consumer device on the consumer node.
 */
static struct nvmem_kunit_of *nvmem_kunit_of_setup(struct kunit *test)
{
	struct device_node *provider_np;
	struct nvmem_kunit_of *of;

	of = kunit_kzalloc(test, sizeof(*of), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, of);
	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, nvmem_kunit_overlay),
			0);

	provider_np = nvmem_kunit_of_node(test, "/nvmem-kunit/provider");
	nvmem_kunit_default_pdata(test, &of->pdata);
	of->pdev = nvmem_kunit_add_provider_of(test, &of->pdata, provider_np);
	of->consumer_np = nvmem_kunit_of_node(test, "/nvmem-kunit/consumer");
	of->consumer = nvmem_kunit_consumer(test);
	device_set_node(of->consumer, of_fwnode_handle(of->consumer_np));

	return of;
}

static enum nvmem_kunit_getter nvmem_kunit_getter(struct kunit *test,
						  const char * const *names)
{
	return (const char * const *)test->param_value - names;
}

/*
 * The cell @id of the consumer, got the case's way; a handle that is not
 * devm-managed is put when the case ends.
 */
static struct nvmem_cell *nvmem_kunit_of_cell(struct kunit *test,
					      struct nvmem_kunit_of *of,
					      const char *id)
{
	struct nvmem_cell *cell;
	int ret;

	switch (nvmem_kunit_getter(test, nvmem_kunit_cell_getters)) {
	case NVMEM_KUNIT_GET_OF:
		cell = of_nvmem_cell_get(of->consumer_np, id);
		break;
	case NVMEM_KUNIT_GET_DEV:
		cell = nvmem_cell_get(of->consumer, id);
		break;
	default:
		return devm_nvmem_cell_get(of->consumer, id);
	}
	if (IS_ERR(cell))
		return cell;

	ret = kunit_add_action_or_reset(test, nvmem_kunit_cell_put, cell);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return cell;
}

/* The same for the device "eeprom" of the consumer. */
static struct nvmem_device *nvmem_kunit_of_device(struct kunit *test,
						  struct nvmem_kunit_of *of)
{
	struct nvmem_device *nvmem;
	int ret;

	switch (nvmem_kunit_getter(test, nvmem_kunit_device_getters)) {
	case NVMEM_KUNIT_GET_OF:
		nvmem = of_nvmem_device_get(of->consumer_np, "eeprom");
		break;
	case NVMEM_KUNIT_GET_DEV:
		nvmem = nvmem_device_get(of->consumer, "eeprom");
		break;
	default:
		return devm_nvmem_device_get(of->consumer, "eeprom");
	}
	if (IS_ERR(nvmem))
		return nvmem;

	ret = kunit_add_action_or_reset(test, nvmem_kunit_device_put, nvmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return nvmem;
}

/*
 * A cell found by phandle reads the provider's bytes; after the provider
 * unbinds it fails with -ENODEV without calling it, a new lookup defers, and
 * once the provider binds again a new handle reads while the old one still
 * fails.
 */
static void nvmem_dt_cell_get_test(struct kunit *test)
{
	struct nvmem_kunit_of *of = nvmem_kunit_of_setup(test);
	struct nvmem_cell *cell, *fresh;
	size_t len;
	u8 *buf;

	cell = nvmem_kunit_of_cell(test, of, "u32");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cell);
	buf = nvmem_cell_read(cell, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, len, 4);
	nvmem_kunit_expect_pattern(test, buf, 4, 4);
	kfree(buf);

	nvmem_kunit_unbind(test, of->pdev);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_cell_read_err(cell), -ENODEV);
	KUNIT_EXPECT_EQ(test, atomic_read(&of->pdata.stats->reads), 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvmem_kunit_of_cell(test, of, "u32")),
			-EPROBE_DEFER);

	KUNIT_ASSERT_EQ(test, device_attach(&of->pdev->dev), 1);
	fresh = nvmem_kunit_of_cell(test, of, "u32");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fresh);
	buf = nvmem_cell_read(fresh, &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	nvmem_kunit_expect_pattern(test, buf, 4, 4);
	kfree(buf);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_cell_read_err(cell), -ENODEV);
}

/* The same for the device found through the "nvmem" phandle. */
static void nvmem_dt_device_get_test(struct kunit *test)
{
	struct nvmem_kunit_of *of = nvmem_kunit_of_setup(test);
	struct nvmem_device *nvmem, *fresh;
	u8 buf[8];

	nvmem = nvmem_kunit_of_device(test, of);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nvmem);
	KUNIT_ASSERT_EQ(test, nvmem_device_read(nvmem, 8, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 8, sizeof(buf));

	nvmem_kunit_unbind(test, of->pdev);
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 8, sizeof(buf), buf),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(nvmem, 8, sizeof(buf), buf),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(of->pdata.stats), 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvmem_kunit_of_device(test, of)),
			-EPROBE_DEFER);

	KUNIT_ASSERT_EQ(test, device_attach(&of->pdev->dev), 1);
	fresh = nvmem_kunit_of_device(test, of);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fresh);
	KUNIT_ASSERT_EQ(test, nvmem_device_read(fresh, 8, sizeof(buf), buf),
			(int)sizeof(buf));
	nvmem_kunit_expect_pattern(test, buf, 8, sizeof(buf));
	KUNIT_EXPECT_EQ(test, nvmem_device_read(nvmem, 8, sizeof(buf), buf),
			-ENODEV);
}

/* The value of @bytes little-endian pattern bytes at @offset. */
static u64 nvmem_kunit_pattern_le(unsigned int offset, size_t bytes)
{
	u8 buf[8] = {};

	nvmem_kunit_fill_pattern(buf, offset, bytes);

	return get_unaligned_le64(buf);
}

/*
 * The read helpers find cells by name through nvmem-cell-names, check the
 * size and decode the value; each takes and puts its own handle, so after
 * the unbind each lookup defers.
 */
static void nvmem_dt_read_helpers_test(struct kunit *test)
{
	struct nvmem_kunit_of *of = nvmem_kunit_of_setup(test);
	struct device *dev = of->consumer;
	struct nvmem_device *nvmem;
	u8 v8;
	u16 v16;
	u32 v32;
	u64 v64;

	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u8(dev, "u8", &v8), 0);
	KUNIT_EXPECT_EQ(test, v8, nvmem_kunit_pattern_le(1, 1));
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u16(dev, "u16", &v16), 0);
	KUNIT_EXPECT_EQ(test, v16, nvmem_kunit_pattern_le(2, 2));
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u32(dev, "u32", &v32), 0);
	KUNIT_EXPECT_EQ(test, v32, nvmem_kunit_pattern_le(4, 4));
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u64(dev, "u64", &v64), 0);
	KUNIT_EXPECT_EQ(test, v64, nvmem_kunit_pattern_le(8, 8));
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_variable_le_u32(dev, "u16", &v32),
			0);
	KUNIT_EXPECT_EQ(test, v32, nvmem_kunit_pattern_le(2, 2));
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_variable_le_u64(dev, "u32", &v64),
			0);
	KUNIT_EXPECT_EQ(test, v64, nvmem_kunit_pattern_le(4, 4));
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u8(dev, "bits", &v8), 0);
	KUNIT_EXPECT_EQ(test, v8, (nvmem_kunit_pattern(0x10) >> 2) & 0x7);
	/* The wrong size for the cell */
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u16(dev, "u32", &v16), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_variable_le_u32(dev, "u64", &v32),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u32(dev, "none", &v32), -ENOENT);
	nvmem = of_nvmem_device_get(of->consumer_np, "none");
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvmem), -ENOENT);
	if (!IS_ERR(nvmem))
		nvmem_device_put(nvmem);

	nvmem_kunit_unbind(test, of->pdev);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u8(dev, "u8", &v8), -EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_u64(dev, "u64", &v64),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, nvmem_cell_read_variable_le_u32(dev, "u16", &v32),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, nvmem_kunit_calls(of->pdata.stats), 9);
}

/* A U-Boot environment of @size bytes: CRC32, then "name=value" strings */
static u8 *nvmem_kunit_u_boot_env(struct kunit *test, size_t size)
{
	static const char vars[] = "bootdelay=3\0ethaddr=00:11:22:33:44:fe\0";
	u8 *env;

	env = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env);
	memcpy(env + 4, vars, sizeof(vars));
	put_unaligned_le32(crc32_le(~0, env + 4, size - 4) ^ ~0, env);

	return env;
}

/*
 * A real layout driver, u-boot-env, parses an environment that the case
 * wrote into the provider, and a consumer reads the MAC address cell by
 * phandle through the layout's read_post_process(), which turns the text
 * into six bytes and adds the index of the phandle's argument; after the
 * unbind it fails with -ENODEV.
 */
static void nvmem_dt_u_boot_env_test(struct kunit *test)
{
	static const u8 mac[2][ETH_ALEN] = {
		{ 0x00, 0x11, 0x22, 0x33, 0x44, 0xfe },
		{ 0x00, 0x11, 0x22, 0x33, 0x44, 0xff },
	};
	struct device_node *provider_np, *consumer_np;
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct nvmem_cell *cell[2];
	u8 zero[ETH_ALEN] = {};
	size_t len;
	int i, ret;
	u8 *buf;

	if (!IS_BUILTIN(CONFIG_NVMEM_LAYOUT_U_BOOT_ENV))
		kunit_skip(test, "needs NVMEM_LAYOUT_U_BOOT_ENV=y");
	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, nvmem_kunit_overlay),
			0);
	nvmem_kunit_default_pdata(test, &pdata);
	pdata.image = nvmem_kunit_u_boot_env(test, pdata.size);
	pdata.image_len = pdata.size;
	provider_np = nvmem_kunit_of_node(test, "/nvmem-kunit/u-boot-env");
	pdev = nvmem_kunit_add_provider_of(test, &pdata, provider_np);
	consumer_np = nvmem_kunit_of_node(test, "/nvmem-kunit/uboot-consumer");

	for (i = 0; i < 2; i++) {
		cell[i] = of_nvmem_cell_get(consumer_np, i ? "mac1" : "mac0");
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cell[i]);
		ret = kunit_add_action_or_reset(test, nvmem_kunit_cell_put,
						cell[i]);
		KUNIT_ASSERT_EQ(test, ret, 0);

		buf = nvmem_cell_read(cell[i], &len);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
		KUNIT_EXPECT_EQ(test, len, ETH_ALEN);
		KUNIT_EXPECT_MEMEQ(test, buf, mac[i], ETH_ALEN);
		kfree(buf);
	}
	/* The layout's callback cannot be undone: such cells are read-only. */
	KUNIT_EXPECT_EQ(test, nvmem_cell_write(cell[0], zero, ETH_ALEN), -EINVAL);

	nvmem_kunit_unbind(test, pdev);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, nvmem_kunit_cell_read_err(cell[i]),
				-ENODEV);
}

/*
 * An environment with a wrong CRC gives no cells: a lookup of one defers,
 * as for a layout not bound yet, and the device still reads. With the
 * CRC put right and the provider bound again, the same lookup works.
 */
static void nvmem_dt_u_boot_env_bad_crc_test(struct kunit *test)
{
	struct device_node *provider_np, *consumer_np;
	struct nvmem_kunit_pdata pdata;
	struct platform_device *pdev;
	struct nvmem_device *nvmem;
	struct nvmem_cell *cell;
	u8 *env, buf[8];

	if (!IS_BUILTIN(CONFIG_NVMEM_LAYOUT_U_BOOT_ENV))
		kunit_skip(test, "needs NVMEM_LAYOUT_U_BOOT_ENV=y");
	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, nvmem_kunit_overlay),
			0);
	nvmem_kunit_default_pdata(test, &pdata);
	env = nvmem_kunit_u_boot_env(test, pdata.size);
	env[0] ^= 0xff;		/* the CRC's low byte */
	pdata.image = env;
	pdata.image_len = pdata.size;
	provider_np = nvmem_kunit_of_node(test, "/nvmem-kunit/u-boot-env");
	pdev = nvmem_kunit_add_provider_of(test, &pdata, provider_np);
	consumer_np = nvmem_kunit_of_node(test, "/nvmem-kunit/uboot-consumer");

	cell = of_nvmem_cell_get(consumer_np, "mac0");
	KUNIT_EXPECT_EQ(test, PTR_ERR(cell), -EPROBE_DEFER);
	if (!IS_ERR(cell))
		nvmem_cell_put(cell);

	nvmem = nvmem_kunit_device_get(test, nvmem_kunit_consumer(test),
				       pdata.name);
	KUNIT_ASSERT_EQ(test, nvmem_device_read(nvmem, 0, sizeof(buf), buf),
			(int)sizeof(buf));
	KUNIT_EXPECT_MEMEQ(test, buf, env, sizeof(buf));
	kunit_release_action(test, nvmem_kunit_device_put, nvmem);

	nvmem_kunit_unbind(test, pdev);
	env[0] ^= 0xff;
	KUNIT_ASSERT_EQ(test, device_attach(&pdev->dev), 1);
	cell = of_nvmem_cell_get(consumer_np, "mac0");
	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(cell), "%pe", cell);
	if (!IS_ERR(cell))
		nvmem_cell_put(cell);
}

#if IS_ENABLED(CONFIG_NVMEM_LAYOUTS)
/**
 * struct nvmem_kunit_lookup_on_del - a cell lookup while a device goes
 * @nb: on the nvmem bus, for BUS_NOTIFY_DEL_DEVICE
 * @bus: the nvmem bus
 * @nvmem_np: the node of the nvmem device whose removal triggers the lookup
 * @consumer_np: the node whose cell "clash" is looked up
 * @lookups: how often the lookup ran
 * @on_bus: whether the device could still be found on the bus then
 * @err: what the lookup returned, 0 for a cell
 */
struct nvmem_kunit_lookup_on_del {
	struct notifier_block nb;
	const struct bus_type *bus;
	struct device_node *nvmem_np;
	struct device_node *consumer_np;
	int lookups;
	bool on_bus;
	int err;
};

static int nvmem_kunit_lookup_on_del(struct notifier_block *nb,
				     unsigned long action, void *data)
{
	struct nvmem_kunit_lookup_on_del *ctx =
		container_of(nb, struct nvmem_kunit_lookup_on_del, nb);
	struct device *dev = data, *found;
	struct nvmem_cell *cell;

	if (action != BUS_NOTIFY_DEL_DEVICE || dev->of_node != ctx->nvmem_np)
		return NOTIFY_DONE;

	found = bus_find_device_by_of_node(ctx->bus, ctx->nvmem_np);
	ctx->on_bus = found == dev;
	put_device(found);
	cell = of_nvmem_cell_get(ctx->consumer_np, "clash");
	ctx->lookups++;
	ctx->err = PTR_ERR_OR_ZERO(cell);
	if (!IS_ERR(cell))
		nvmem_cell_put(cell);

	return NOTIFY_OK;
}

static void nvmem_kunit_lookup_on_del_stop(void *data)
{
	struct nvmem_kunit_lookup_on_del *ctx = data;

	bus_unregister_notifier(ctx->bus, &ctx->nb);
}

static int nvmem_kunit_clash_read(void *priv, unsigned int offset, void *val,
				  size_t bytes)
{
	memset(val, 0, bytes);

	return 0;
}

/* Registers an nvmem device on @np, a node with a layout no driver binds. */
static struct nvmem_device *nvmem_kunit_register_on(struct device *parent,
						    const char *name,
						    struct device_node *np)
{
	struct nvmem_config config = {
		.dev = parent,
		.of_node = np,
		.name = name,
		.id = NVMEM_DEVID_NONE,
		.size = NVMEM_KUNIT_SIZE,
		.read_only = true,
		.reg_read = nvmem_kunit_clash_read,
	};

	return nvmem_register(&config);
}

/*
 * A layout whose device_add() fails leaves no dangling pointer behind. The
 * layout of the second device takes the name of the first one's (the nodes
 * have the same path, one in the live tree and one in a tree of its own),
 * so its device_add() fails, and while nvmem_register() takes the device
 * off the bus again, a bus notifier looks up a cell of its layout: the
 * lookup must find a layout that is not bound, and defer. The clash makes
 * sysfs warn of a duplicate name, with a stack dump. Without the fix the
 * lookup reads the freed layout, which only KASAN reports: the freed
 * memory still says that no driver is bound.
 */
static void nvmem_dt_layout_add_fails_test(struct kunit *test)
{
	struct nvmem_kunit_lookup_on_del *ctx;
	struct nvmem_device *first, *second;
	struct device *parent, *dev;
	int ret;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, nvmem_kunit_overlay),
			0);
	ctx->nvmem_np = nvmem_kunit_of_node(test, "/nvmem-kunit/clash");
	ctx->consumer_np = nvmem_kunit_of_node(test,
					       "/nvmem-kunit/clash-consumer");
	parent = nvmem_kunit_consumer(test);

	first = nvmem_kunit_register_on(parent, "nvmem-kunit-clash0",
					nvmem_kunit_detached_node(test,
								  "nvmem-kunit/clash"));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, first);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_unregister, first);
	KUNIT_ASSERT_EQ(test, ret, 0);
	dev = device_find_child_by_name(parent, nvmem_dev_name(first));
	KUNIT_ASSERT_NOT_NULL(test, dev);
	ctx->bus = dev->bus;
	put_device(dev);

	ctx->nb.notifier_call = nvmem_kunit_lookup_on_del;
	KUNIT_ASSERT_EQ(test, bus_register_notifier(ctx->bus, &ctx->nb), 0);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_lookup_on_del_stop,
					ctx);
	KUNIT_ASSERT_EQ(test, ret, 0);

	second = nvmem_kunit_register_on(parent, "nvmem-kunit-clash1",
					 ctx->nvmem_np);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(second), -EEXIST);
	if (!IS_ERR(second))
		nvmem_unregister(second);
	KUNIT_ASSERT_EQ(test, ctx->lookups, 1);
	/* The lookup found the device, and so its layout: it was not too late. */
	KUNIT_EXPECT_TRUE(test, ctx->on_bus);
	KUNIT_EXPECT_EQ(test, ctx->err, -EPROBE_DEFER);
}

#if IS_ENABLED(CONFIG_MODULE_UNLOAD)
#define NVMEM_KUNIT_RACE_CYCLES	20

/**
 * struct nvmem_kunit_lookup_race - lookups of a layout's cell while the
 *	layout's driver is unbound and freed, as unloading its module does
 * @test: the case
 * @consumer_np: the node whose cell "race" is looked up
 * @lock: held by the thread for each lookup, and by the case while it
 *	registers or unregisters the nvmem device: only the layout's driver
 *	comes and goes under the lookups
 * @wq: where the case waits for a lookup to find the cell
 * @refs: one for the case, one for the thread until it is done
 * @done: completed when the thread stops looking up
 * @task: the thread, referenced until nvmem_kunit_lookup_race_stop()
 * @stop: tells the thread to stop
 * @unbinds_started: unbinds begun
 * @unbinds_done: unbinds whose driver has been freed
 * @found: lookups that gave a cell
 * @deferred: lookups that gave -EPROBE_DEFER
 * @overlapped: lookups during which an unbind ran
 * @bad_err: the first other result of a lookup, 0 if none
 *
 * Not test-managed memory, as for struct nvmem_kunit_race.
 */
struct nvmem_kunit_lookup_race {
	struct kunit *test;
	struct device_node *consumer_np;
	struct mutex lock;	/* a lookup, or the device coming or going */
	wait_queue_head_t wq;
	refcount_t refs;
	struct completion done;
	struct task_struct *task;
	bool stop;
	atomic_t unbinds_started;
	atomic_t unbinds_done;
	atomic_t found;
	unsigned long deferred;
	unsigned long overlapped;
	int bad_err;
};

static void nvmem_kunit_lookup_race_put(struct nvmem_kunit_lookup_race *race)
{
	if (!refcount_dec_and_test(&race->refs))
		return;

	of_node_put(race->consumer_np);
	kfree(race);
}

static int nvmem_kunit_lookup_race_fn(void *data)
{
	struct nvmem_kunit_lookup_race *race = data;
	struct nvmem_cell *cell;
	int done, ret;

	/* As for the readers of the race above: KASAN fails the case. */
	current->kunit_test = race->test;

	while (!READ_ONCE(race->stop)) {
		mutex_lock(&race->lock);
		done = atomic_read_acquire(&race->unbinds_done);
		cell = of_nvmem_cell_get(race->consumer_np, "race");
		ret = PTR_ERR_OR_ZERO(cell);
		if (!ret)
			nvmem_cell_put(cell);
		/* An unbind begun before the lookup ended, done after it began */
		smp_mb();
		if (atomic_read(&race->unbinds_started) > done)
			race->overlapped++;
		if (ret == -EPROBE_DEFER)
			race->deferred++;
		else if (ret && !race->bad_err)
			race->bad_err = ret;
		mutex_unlock(&race->lock);

		if (!ret) {
			atomic_inc(&race->found);
			wake_up_all(&race->wq);
		}
		cond_resched();
	}

	/* The case may end once @done completes: it must not be failed after. */
	current->kunit_test = NULL;
	complete_all(&race->done);
	nvmem_kunit_lookup_race_put(race);

	return 0;
}

/*
 * Stops the thread, with a bounded wait as nvmem_kunit_race_stop() does; a
 * thread that does not stop keeps the race.
 */
static void nvmem_kunit_lookup_race_stop(void *data)
{
	struct nvmem_kunit_lookup_race *race = data;

	WRITE_ONCE(race->stop, true);
	if (!wait_for_completion_timeout(&race->done,
					 msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS))) {
		WRITE_ONCE(race->task->kunit_test, NULL);
		KUNIT_FAIL(race->test, "the lookup thread did not stop");
	}
	put_task_struct(race->task);
}

static const struct of_device_id nvmem_kunit_layout_race_of_match[] = {
	{ .compatible = "test,nvmem-layout-race" },
	{}
};

/*
 * The module of the race's layout drivers, as nvmem_kunit_layout_module is
 * for the stand-in layout: a module of its own, whose references no other
 * case can have upset.
 */
static struct module nvmem_kunit_layout_race_module = {
	.state = MODULE_STATE_LIVE,
	.name = "nvmem_kunit_layout_race",
	.refcnt = ATOMIC_INIT(1),	/* MODULE_REF_BASE: no reference */
};

/*
 * One cycle: a new driver for the layout, and an nvmem device on @np whose
 * layout the driver binds; once a lookup has found the cell, the driver is
 * unregistered, which unbinds the layout, and freed, as unloading a layout
 * module does. Then the device goes, while no lookup runs.
 */
static bool nvmem_kunit_lookup_race_cycle(struct kunit *test,
					  struct nvmem_kunit_lookup_race *race,
					  struct device *parent,
					  struct device_node *np)
{
	int found = atomic_read(&race->found);
	struct nvmem_layout_driver *drv;
	struct nvmem_device *nvmem;
	long left;
	int ret;

	drv = kzalloc(sizeof(*drv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, drv);
	drv->driver.name = "nvmem-kunit-layout-race";
	drv->driver.of_match_table = nvmem_kunit_layout_race_of_match;
	drv->probe = nvmem_kunit_layout_probe;
	drv->remove = nvmem_kunit_layout_remove;
	/* Built-in, then owned: see nvmem_kunit_layout_module. */
	ret = __nvmem_layout_driver_register(drv, NULL);
	if (ret) {
		kfree(drv);
		KUNIT_FAIL(test, "cannot register the layout driver: %d", ret);
		return false;
	}
	drv->driver.owner = &nvmem_kunit_layout_race_module;

	mutex_lock(&race->lock);
	nvmem = nvmem_kunit_register_on(parent, "nvmem-kunit-race", np);
	mutex_unlock(&race->lock);
	if (IS_ERR(nvmem)) {
		nvmem_layout_driver_unregister(drv);
		kfree(drv);
		KUNIT_FAIL(test, "cannot register the device: %pe", nvmem);
		return false;
	}

	left = wait_event_timeout(race->wq, atomic_read(&race->found) > found,
				  msecs_to_jiffies(NVMEM_KUNIT_TIMEOUT_MS));

	atomic_inc(&race->unbinds_started);
	nvmem_layout_driver_unregister(drv);
	kfree(drv);
	/* Pairs with the acquire in nvmem_kunit_lookup_race_fn() */
	smp_mb__before_atomic();
	atomic_inc(&race->unbinds_done);

	mutex_lock(&race->lock);
	nvmem_unregister(nvmem);
	mutex_unlock(&race->lock);

	if (!left)
		KUNIT_FAIL(test, "no lookup found the cell of the bound layout");

	return left;
}

KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_lookup_race_release,
			    nvmem_kunit_lookup_race_put,
			    struct nvmem_kunit_lookup_race *);

/*
 * of_nvmem_cell_get() pins the module of the layout's driver while the
 * driver is unbound and freed, as unloading the module does: a thread
 * looks the layout's cell up in a loop while the case binds the layout
 * with a new driver and unregisters and frees it, again and again. Each
 * lookup must find the cell or defer. Lookups during which an unbind ran
 * are counted, so the case knows it ran the race; whether one of them
 * reads the driver in the instant before it goes is up to the scheduler.
 * Without the fix, one that does reads the freed driver's owner, which
 * KASAN reports.
 */
static void nvmem_layout_lookup_unbind_race_test(struct kunit *test)
{
	struct nvmem_kunit_lookup_race *race;
	struct device *parent;
	struct device_node *np;
	int i, ret;

	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, nvmem_kunit_overlay),
			0);
	np = nvmem_kunit_of_node(test, "/nvmem-kunit/race");
	parent = nvmem_kunit_consumer(test);

	race = kzalloc(sizeof(*race), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, race);
	race->test = test;
	mutex_init(&race->lock);
	init_waitqueue_head(&race->wq);
	init_completion(&race->done);
	refcount_set(&race->refs, 1);
	/* The case's reference, dropped after the thread is stopped */
	ret = kunit_add_action_or_reset(test, nvmem_kunit_lookup_race_release,
					race);
	KUNIT_ASSERT_EQ(test, ret, 0);
	race->consumer_np = of_find_node_by_path("/nvmem-kunit/race-consumer");
	KUNIT_ASSERT_NOT_NULL(test, race->consumer_np);

	race->task = kthread_create(nvmem_kunit_lookup_race_fn, race,
				    "nvmem-kunit-lookup");
	KUNIT_ASSERT_FALSE(test, IS_ERR(race->task));
	get_task_struct(race->task);
	refcount_inc(&race->refs);
	ret = kunit_add_action_or_reset(test, nvmem_kunit_lookup_race_stop,
					race);
	KUNIT_ASSERT_EQ(test, ret, 0);
	wake_up_process(race->task);

	for (i = 0; i < NVMEM_KUNIT_RACE_CYCLES; i++)
		if (!nvmem_kunit_lookup_race_cycle(test, race, parent, np))
			break;

	kunit_release_action(test, nvmem_kunit_lookup_race_stop, race);
	kunit_info(test, "%d unbinds; lookups: %d found the cell, %lu deferred, %lu ran during an unbind\n",
		   i, atomic_read(&race->found), race->deferred,
		   race->overlapped);
	KUNIT_EXPECT_EQ(test, race->bad_err, 0);
	KUNIT_EXPECT_GT_MSG(test, race->overlapped, 0,
			    "no lookup ran during an unbind");
}
#else
static void nvmem_layout_lookup_unbind_race_test(struct kunit *test)
{
	kunit_skip(test, "needs MODULE_UNLOAD");
}
#endif
#else
static void nvmem_dt_layout_add_fails_test(struct kunit *test)
{
	kunit_skip(test, "needs NVMEM_LAYOUTS");
}

static void nvmem_layout_lookup_unbind_race_test(struct kunit *test)
{
	kunit_skip(test, "needs NVMEM_LAYOUTS");
}
#endif
#else
static void nvmem_dt_cell_get_test(struct kunit *test)
{
	kunit_skip(test, "needs OF_OVERLAY");
}

static void nvmem_dt_device_get_test(struct kunit *test)
{
	kunit_skip(test, "needs OF_OVERLAY");
}

static void nvmem_dt_read_helpers_test(struct kunit *test)
{
	kunit_skip(test, "needs OF_OVERLAY");
}

static void nvmem_dt_u_boot_env_test(struct kunit *test)
{
	kunit_skip(test, "needs OF_OVERLAY");
}

static void nvmem_dt_u_boot_env_bad_crc_test(struct kunit *test)
{
	kunit_skip(test, "needs OF_OVERLAY");
}

static void nvmem_dt_layout_add_fails_test(struct kunit *test)
{
	kunit_skip(test, "needs OF_OVERLAY");
}

static void nvmem_layout_lookup_unbind_race_test(struct kunit *test)
{
	kunit_skip(test, "needs OF_OVERLAY");
}
#endif

static struct kunit_case nvmem_dt_cases[] = {
	KUNIT_CASE_PARAM(nvmem_dt_cell_get_test,
			 nvmem_kunit_cell_getter_gen_params),
	KUNIT_CASE_PARAM(nvmem_dt_device_get_test,
			 nvmem_kunit_device_getter_gen_params),
	KUNIT_CASE(nvmem_dt_read_helpers_test),
	KUNIT_CASE(nvmem_dt_u_boot_env_test),
	KUNIT_CASE(nvmem_dt_u_boot_env_bad_crc_test),
	KUNIT_CASE(nvmem_dt_layout_add_fails_test),
	KUNIT_CASE(nvmem_layout_lookup_cell_put_test),
	KUNIT_CASE(nvmem_layout_pins_module_test),
	KUNIT_CASE(nvmem_dt_layout_module_cell_test),
	KUNIT_CASE(nvmem_layout_second_driver_test),
	KUNIT_CASE(nvmem_layout_register_unbound_test),
	KUNIT_CASE(nvmem_layout_sysfs_fails_test),
	KUNIT_CASE_SLOW(nvmem_layout_lookup_unbind_race_test),
	{}
};

static struct kunit_suite nvmem_dt_suite = {
	.name = "nvmem_core_dt",
	.init = nvmem_kunit_layout_init,
	.test_cases = nvmem_dt_cases,
};

kunit_test_suites(&nvmem_core_suite, &nvmem_bad_input_suite,
		  &nvmem_unbind_suite, &nvmem_dt_suite);

MODULE_DESCRIPTION("KUnit tests for the nvmem core");
MODULE_LICENSE("GPL");
