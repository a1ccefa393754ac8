// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the nvmem core: the test provider driver and the helpers
 * the suites share (nvmem_kunit.h). The suites are in nvmem_kunit_*.c, all
 * of them built into one module, nvmem_kunit_test.
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
#include <kunit/platform_device.h>
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/notifier.h>
#include <linux/of.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "nvmem_kunit.h"

#define NVMEM_KUNIT_DRV_NAME	"nvmem-kunit-provider"
#define NVMEM_KUNIT_CONSUMER	"nvmem-kunit-consumer"

/* The known content of a fresh device: every byte depends on its offset. */
u8 nvmem_kunit_pattern(unsigned int offset)
{
	return (u8)(offset * 37 + 11);
}

void nvmem_kunit_fill_pattern(u8 *buf, unsigned int offset, size_t len)
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

int nvmem_kunit_reg_read(void *priv, unsigned int offset, void *val,
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

int nvmem_kunit_reg_write(void *priv, unsigned int offset, void *val,
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

struct nvmem_kunit_provider *
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

void nvmem_kunit_fill_config(struct nvmem_config *config,
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

int nvmem_kunit_init(struct kunit *test)
{
	return kunit_platform_driver_register(test, &nvmem_kunit_driver);
}

/* Provider and consumer helpers */

void nvmem_kunit_default_pdata(struct kunit *test,
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
struct platform_device *
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

struct platform_device *
nvmem_kunit_add_provider(struct kunit *test,
			 const struct nvmem_kunit_pdata *pdata)
{
	return nvmem_kunit_add_provider_of(test, pdata, NULL);
}

void nvmem_kunit_unbind(struct kunit *test, struct platform_device *pdev)
{
	device_release_driver(&pdev->dev);
	KUNIT_ASSERT_FALSE(test, device_is_bound(&pdev->dev));
}

struct device *nvmem_kunit_consumer(struct kunit *test)
{
	struct device *dev;

	dev = kunit_device_register(test, NVMEM_KUNIT_CONSUMER);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);

	return dev;
}

void nvmem_kunit_device_put(void *in)
{
	nvmem_device_put(in);
}

void nvmem_kunit_cell_put(void *in)
{
	nvmem_cell_put(in);
}

void nvmem_kunit_unregister(void *in)
{
	nvmem_unregister(in);
}

void nvmem_kunit_del_cell_table(void *in)
{
	nvmem_del_cell_table(in);
}

KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_unregister_notifier,
			    nvmem_unregister_notifier, struct notifier_block *);

/* A device handle that is put when the test ends, unless put before. */
struct nvmem_device *nvmem_kunit_device_get(struct kunit *test,
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

struct nvmem_cell *nvmem_kunit_cell_get(struct kunit *test,
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
void nvmem_kunit_add_lookups(struct kunit *test, const char *nvmem_name,
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
const struct nvmem_cell_info nvmem_kunit_cells[] = {
	{ .name = "u8", .offset = 1, .bytes = 1 },
	{ .name = "u16", .offset = 2, .bytes = 2 },
	{ .name = "u32", .offset = 4, .bytes = 4 },
	{ .name = "u64", .offset = 8, .bytes = 8 },
	{ .name = "bits9", .offset = 16, .bytes = 2, .bit_offset = 3, .nbits = 9 },
	{ .name = "nibble", .offset = 20, .bytes = 1, .bit_offset = 2, .nbits = 4 },
	{ .name = "var3", .offset = 24, .bytes = 3 },
	{ .name = "blob", .offset = 32, .bytes = 16 },
};

/* A provider with nvmem_kunit_cells[] in its config, and a consumer. */
struct nvmem_kunit_fixture *nvmem_kunit_setup(struct kunit *test)
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
int nvmem_kunit_calls(struct nvmem_kunit_stats *stats)
{
	return atomic_read(&stats->reads) + atomic_read(&stats->writes);
}

/* The error of a cell read that should fail; 0 (and no leak) if it did not. */
int nvmem_kunit_cell_read_err(struct nvmem_cell *cell)
{
	void *buf = nvmem_cell_read(cell, NULL);

	if (IS_ERR(buf))
		return PTR_ERR(buf);

	kfree(buf);

	return 0;
}

void nvmem_kunit_expect_pattern(struct kunit *test, const u8 *buf,
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
void nvmem_kunit_expect_not_found(struct kunit *test, const char *name)
{
	struct nvmem_device *nvmem;

	nvmem = nvmem_device_find((void *)name, device_match_name);
	if (!IS_ERR_OR_NULL(nvmem))
		nvmem_device_put(nvmem);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(nvmem), -EPROBE_DEFER);
}

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

struct nvmem_kunit_events *nvmem_kunit_watch(struct kunit *test,
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

/* sysfs, as user space sees it */

KUNIT_DEFINE_ACTION_WRAPPER(nvmem_kunit_kern_unmount, kern_unmount,
			    struct vfsmount *);
/* The case runs in a kthread: close at once, not from task work. */
void nvmem_kunit_fput(void *in)
{
	__fput_sync(in);
}

/*
 * Opens the sysfs file at @path, relative to the root of sysfs, as user
 * space would, and returns it or the error. Built-in cases run before
 * anything mounts sysfs, so the case mounts its own instance.
 */
struct file *nvmem_kunit_try_open_path(struct kunit *test,
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
struct file *nvmem_kunit_try_open_sysfs(struct kunit *test,
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

struct file *nvmem_kunit_open_sysfs(struct kunit *test,
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
void nvmem_kunit_cell_file_name(char *name, size_t size,
				const struct nvmem_cell_info *info)
{
	snprintf(name, size, "cells/%s@%x,%x", info->name, info->offset,
		 info->bit_offset);
}

struct file *nvmem_kunit_open_cell_file(struct kunit *test,
					const char *nvmem_name,
					const struct nvmem_cell_info *info)
{
	char name[64];

	nvmem_kunit_cell_file_name(name, sizeof(name), info);

	return nvmem_kunit_open_sysfs(test, nvmem_name, name, O_RDONLY);
}

ssize_t nvmem_kunit_read_file(struct file *file, u8 *buf, size_t len)
{
	loff_t pos = 0;

	return kernel_read(file, buf, len, &pos);
}

/* Same name, offset and bit offset: the same file in the cells' sysfs group. */
const struct nvmem_cell_info nvmem_kunit_cells_dup[] = {
	{ .name = "dup", .offset = 0, .bytes = 4 },
	{ .name = "dup", .offset = 0, .bytes = 4 },
};

/* Registers @config and has it unregistered when the test ends. */
struct nvmem_device *nvmem_kunit_register(struct kunit *test,
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

MODULE_DESCRIPTION("KUnit tests for the nvmem core");
MODULE_LICENSE("GPL");
