// SPDX-License-Identifier: GPL-2.0
/*
 * An nvmem consumer for the nvmem selftests.
 *
 * It takes an nvmem device handle and an nvmem cell handle on a provider
 * named through debugfs and holds them until it is unloaded, so that user
 * space can drive the consumer read paths while the provider is unbound.
 *
 * /sys/kernel/debug/nvmem-test-consumer/
 *   acquire     write the name of an nvmem device to take new handles on
 *               it; the current handles become the old ones
 *   device      read the nvmem device through nvmem_device_read()
 *   cell        read the test cell through nvmem_cell_read()
 *   old_device  the same through the previous handles
 *   old_cell
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/platform_device.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define NVMEM_TEST_CON_ID	"test"
#define NVMEM_TEST_CELL_NAME	"nvmem-test-cell"

static unsigned int cell_offset = 16;
module_param(cell_offset, uint, 0444);
MODULE_PARM_DESC(cell_offset, "Offset of the test cell in the nvmem device");

static unsigned int cell_size = 8;
module_param(cell_size, uint, 0444);
MODULE_PARM_DESC(cell_size, "Size of the test cell in bytes");

struct nvmem_test_handles {
	struct nvmem_device *nvmem;
	struct nvmem_cell *cell;
};

static struct platform_device *nvmem_test_pdev;
static struct dentry *nvmem_test_dir;
/* Readers hold it shared, acquire and unload hold it exclusive. */
static DECLARE_RWSEM(nvmem_test_lock);
static struct nvmem_test_handles nvmem_test_cur;
static struct nvmem_test_handles nvmem_test_old;

static void nvmem_test_put(struct nvmem_test_handles *h)
{
	if (h->cell)
		nvmem_cell_put(h->cell);
	if (h->nvmem)
		nvmem_device_put(h->nvmem);
	h->cell = NULL;
	h->nvmem = NULL;
}

static int nvmem_test_get(const char *name, struct nvmem_test_handles *h)
{
	struct device *dev = &nvmem_test_pdev->dev;
	struct nvmem_cell_lookup lookup = {
		.cell_name = NVMEM_TEST_CELL_NAME,
		.dev_id = dev_name(dev),
		.con_id = NVMEM_TEST_CON_ID,
	};
	struct nvmem_cell_info info = {
		.name = NVMEM_TEST_CELL_NAME,
		.offset = cell_offset,
		.bytes = cell_size,
	};
	struct nvmem_device *nvmem;
	struct nvmem_cell *cell;
	int ret;

	nvmem = nvmem_device_get(dev, name);
	if (IS_ERR(nvmem))
		return PTR_ERR(nvmem);

	ret = nvmem_add_one_cell(nvmem, &info);
	if (ret)
		goto err_put_device;

	/* The lookup only lives until the cell is found. */
	lookup.nvmem_name = nvmem_dev_name(nvmem);
	nvmem_add_cell_lookups(&lookup, 1);
	cell = nvmem_cell_get(dev, NVMEM_TEST_CON_ID);
	nvmem_del_cell_lookups(&lookup, 1);
	if (IS_ERR(cell)) {
		ret = PTR_ERR(cell);
		goto err_put_device;
	}

	h->nvmem = nvmem;
	h->cell = cell;

	return 0;

err_put_device:
	nvmem_device_put(nvmem);
	return ret;
}

static ssize_t nvmem_test_acquire_write(struct file *file,
					const char __user *ubuf,
					size_t count, loff_t *ppos)
{
	struct nvmem_test_handles h = { };
	char *name;
	int ret;

	if (count > NAME_MAX)
		return -EINVAL;

	name = memdup_user_nul(ubuf, count);
	if (IS_ERR(name))
		return PTR_ERR(name);

	ret = nvmem_test_get(strim(name), &h);
	kfree(name);
	if (ret)
		return ret;

	scoped_guard(rwsem_write, &nvmem_test_lock) {
		nvmem_test_put(&nvmem_test_old);
		nvmem_test_old = nvmem_test_cur;
		nvmem_test_cur = h;
	}

	return count;
}

static ssize_t nvmem_test_device_read(struct file *file, char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct nvmem_test_handles *h = file->private_data;
	size_t size;
	int ret;

	guard(rwsem_read)(&nvmem_test_lock);

	if (!h->nvmem)
		return -ENXIO;

	size = nvmem_dev_size(h->nvmem);
	if (*ppos < 0)
		return -EINVAL;
	if (*ppos >= size)
		return 0;
	count = min3(count, size - (size_t)*ppos, PAGE_SIZE);

	u8 *buf __free(kfree) = kmalloc(count, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	ret = nvmem_device_read(h->nvmem, *ppos, count, buf);
	if (ret < 0)
		return ret;

	if (copy_to_user(ubuf, buf, ret))
		return -EFAULT;
	*ppos += ret;

	return ret;
}

static ssize_t nvmem_test_cell_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct nvmem_test_handles *h = file->private_data;
	size_t len;

	guard(rwsem_read)(&nvmem_test_lock);

	if (!h->cell)
		return -ENXIO;

	u8 *buf __free(kfree) = nvmem_cell_read(h->cell, &len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations nvmem_test_acquire_fops = {
	.owner = THIS_MODULE,
	.write = nvmem_test_acquire_write,
};

static const struct file_operations nvmem_test_device_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmem_test_device_read,
	.llseek = default_llseek,
};

static const struct file_operations nvmem_test_cell_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmem_test_cell_read,
	.llseek = default_llseek,
};

static int __init nvmem_test_consumer_init(void)
{
	nvmem_test_pdev = platform_device_register_simple(KBUILD_MODNAME,
							  PLATFORM_DEVID_NONE,
							  NULL, 0);
	if (IS_ERR(nvmem_test_pdev))
		return PTR_ERR(nvmem_test_pdev);

	nvmem_test_dir = debugfs_create_dir("nvmem-test-consumer", NULL);
	debugfs_create_file("acquire", 0200, nvmem_test_dir, NULL,
			    &nvmem_test_acquire_fops);
	debugfs_create_file("device", 0400, nvmem_test_dir, &nvmem_test_cur,
			    &nvmem_test_device_fops);
	debugfs_create_file("cell", 0400, nvmem_test_dir, &nvmem_test_cur,
			    &nvmem_test_cell_fops);
	debugfs_create_file("old_device", 0400, nvmem_test_dir,
			    &nvmem_test_old, &nvmem_test_device_fops);
	debugfs_create_file("old_cell", 0400, nvmem_test_dir, &nvmem_test_old,
			    &nvmem_test_cell_fops);

	return 0;
}
module_init(nvmem_test_consumer_init);

static void __exit nvmem_test_consumer_exit(void)
{
	debugfs_remove_recursive(nvmem_test_dir);

	scoped_guard(rwsem_write, &nvmem_test_lock) {
		nvmem_test_put(&nvmem_test_old);
		nvmem_test_put(&nvmem_test_cur);
	}

	platform_device_unregister(nvmem_test_pdev);
}
module_exit(nvmem_test_consumer_exit);

MODULE_DESCRIPTION("nvmem consumer for the nvmem selftests");
MODULE_LICENSE("GPL");
