// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the nvmem core, suite nvmem_core_bad_input: what the core
 * does with bad input from providers, consumers and user space, and the error
 * paths of nvmem_register(). The test provider and the helpers are in
 * nvmem_kunit.c.
 */

#include <kunit/device.h>
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/string.h>

#include "nvmem_kunit.h"

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
NVMEM_KUNIT_SKIP_CASE(nvmem_wp_gpio_error_test, "GPIOLIB");
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

kunit_test_suite(nvmem_bad_input_suite);
