// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the nvmem core, suite nvmem_core_dt: the device tree half of
 * the core, its lookups and the layouts. The test provider and the helpers are
 * in nvmem_kunit.c.
 */

#include <kunit/of.h>
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/etherdevice.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/of.h>
#include <linux/of_fdt.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/platform_device.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/wait.h>

#include "nvmem_kunit.h"

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
 * of its own whose references it could count, and KUnit has nothing that
 * fakes one. The core only takes and drops references on the driver's
 * owner with try_module_get() and module_put(), which use .state and
 * .refcnt (and .name in their tracepoints), so these three fields are all
 * it needs. It is never registered with the module loader: nothing else can
 * see it, load or unload it, and it lives as long as the suite's code. The
 * driver registers as built-in, since the driver core would link it to this
 * module in sysfs, and claims the module only while the case runs.
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
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_layout_module_cell_test, "OF_OVERLAY");
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

NVMEM_KUNIT_SKIP_CASE(nvmem_layout_lookup_cell_put_test,
		      "NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
NVMEM_KUNIT_SKIP_CASE(nvmem_layout_pins_module_test,
		      "NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_layout_module_cell_test,
		      "NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
NVMEM_KUNIT_SKIP_CASE(nvmem_layout_second_driver_test,
		      "NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
NVMEM_KUNIT_SKIP_CASE(nvmem_layout_register_unbound_test,
		      "NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
NVMEM_KUNIT_SKIP_CASE(nvmem_layout_sysfs_fails_test,
		      "NVMEM_LAYOUTS, OF_FLATTREE and MODULE_UNLOAD");
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
NVMEM_KUNIT_SKIP_CASE(nvmem_layout_lookup_unbind_race_test, "MODULE_UNLOAD");
#endif
#else
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_layout_add_fails_test, "NVMEM_LAYOUTS");
NVMEM_KUNIT_SKIP_CASE(nvmem_layout_lookup_unbind_race_test, "NVMEM_LAYOUTS");
#endif
#else
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_cell_get_test, "OF_OVERLAY");
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_device_get_test, "OF_OVERLAY");
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_read_helpers_test, "OF_OVERLAY");
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_u_boot_env_test, "OF_OVERLAY");
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_u_boot_env_bad_crc_test, "OF_OVERLAY");
NVMEM_KUNIT_SKIP_CASE(nvmem_dt_layout_add_fails_test, "OF_OVERLAY");
NVMEM_KUNIT_SKIP_CASE(nvmem_layout_lookup_unbind_race_test, "OF_OVERLAY");
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

kunit_test_suite(nvmem_dt_suite);
