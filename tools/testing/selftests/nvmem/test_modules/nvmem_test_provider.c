// SPDX-License-Identifier: GPL-2.0
/*
 * An nvmem provider that uses every part of nvmem_register(), for the nvmem
 * selftests.
 *
 * The module makes a platform device with the device tree node
 *
 *	nvmem-test-provider {
 *		#address-cells = <1>;
 *		#size-cells = <1>;
 *		legacy@10 {
 *			reg = <0x10 0x4>;
 *		};
 *		nvmem-layout {
 *			compatible = "<layout>";
 *			#address-cells = <1>;
 *			#size-cells = <1>;
 *			mac@20 {
 *				reg = <0x20 0x6>;
 *			};
 *		};
 *	};
 *
 * and can register under it an nvmem device of 256 bytes with a cell from
 * nvmem_config.cells, a cell table (when the table parameter names the
 * device), the legacy fixed OF cells, a layout (by default a fixed layout
 * with one cell; one that no driver binds to leaves the cells' sysfs files
 * to nvmem_register()), a keepout, the compat "eeprom" file on the platform
 * device and a write-protect GPIO, the one line of a GPIO chip of its own,
 * found through a lookup table.
 *
 * Writing 1 to <debugfs>/nvmem_test_provider/register registers the device,
 * in the writing task, so that a test can fail the allocations of the
 * registration with fail-nth; the write fails with the registration's
 * error. Writing 0 unregisters it, and so does unloading the module.
 * Registering in the module's init would not do: busybox's insmod loads the
 * module again with init_module() when finit_module() failed, and the second
 * init runs without the failure.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nvmem-provider.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/string.h>

#define NVMEM_TEST_NAME		"nvmem-test-provider"
#define NVMEM_TEST_GPIO_LABEL	"nvmem-test-gpio"
#define NVMEM_TEST_SIZE		256

static char nvmem_test_table_name[32];
module_param_string(table, nvmem_test_table_name,
		    sizeof(nvmem_test_table_name), 0644);
MODULE_PARM_DESC(table, "Name the nvmem device will get, for a cell table");

static char *layout = "fixed-layout";
module_param(layout, charp, 0444);
MODULE_PARM_DESC(layout, "Compatible of the nvmem-layout node");

static u8 nvmem_test_data[NVMEM_TEST_SIZE];

static int nvmem_test_reg_read(void *priv, unsigned int offset, void *val,
			       size_t bytes)
{
	memcpy(val, nvmem_test_data + offset, bytes);
	return 0;
}

/* Names outside the kernel's rodata, so that kstrdup_const() allocates */
static const struct nvmem_cell_info nvmem_test_config_cells[] = {
	{ .name = "config-cell", .offset = 0x0, .bytes = 4 },
};

static const struct nvmem_cell_info nvmem_test_table_cells[] = {
	{ .name = "table-cell", .offset = 0x8, .bytes = 4 },
};

static struct nvmem_cell_table nvmem_test_cell_table = {
	.cells = nvmem_test_table_cells,
	.ncells = ARRAY_SIZE(nvmem_test_table_cells),
};

static const struct nvmem_keepout nvmem_test_keepout[] = {
	{ .start = 0x40, .end = 0x44, .value = 0xaa },
};

static int nvmem_test_gpio_get_direction(struct gpio_chip *gc,
					 unsigned int offset)
{
	return GPIO_LINE_DIRECTION_OUT;
}

static int nvmem_test_gpio_direction_output(struct gpio_chip *gc,
					    unsigned int offset, int value)
{
	return 0;
}

static void nvmem_test_gpio_set(struct gpio_chip *gc, unsigned int offset,
				int value)
{
}

/*
 * gpiolib pins the owner of a requested line: while the nvmem device holds
 * its write-protect line, this module is in use, so its reference count
 * tells the test whether unregistering the device released the line.
 */
static struct gpio_chip nvmem_test_gc = {
	.label			= NVMEM_TEST_GPIO_LABEL,
	.owner			= THIS_MODULE,
	.base			= -1,
	.ngpio			= 1,
	.get_direction		= nvmem_test_gpio_get_direction,
	.direction_output	= nvmem_test_gpio_direction_output,
	.set			= nvmem_test_gpio_set,
};

static struct gpiod_lookup_table nvmem_test_wp_lookup = {
	.dev_id = NVMEM_TEST_NAME,
	.table = {
		GPIO_LOOKUP(NVMEM_TEST_GPIO_LABEL, 0, "wp", GPIO_ACTIVE_HIGH),
		{ }
	},
};

static struct of_changeset nvmem_test_ocs;
/* of_changeset_create_node() gives the caller a reference on each node. */
static struct device_node *nvmem_test_np, *nvmem_test_legacy_np;
static struct device_node *nvmem_test_layout_np, *nvmem_test_mac_np;
static struct platform_device *nvmem_test_pdev;
static struct dentry *nvmem_test_debugfs;
/* Serialises the writes to the register file */
static DEFINE_MUTEX(nvmem_test_lock);
static struct nvmem_device *nvmem_test_nvmem;

static void nvmem_test_put_nodes(void)
{
	of_changeset_destroy(&nvmem_test_ocs);
	of_node_put(nvmem_test_mac_np);
	of_node_put(nvmem_test_layout_np);
	of_node_put(nvmem_test_legacy_np);
	of_node_put(nvmem_test_np);
}

static int nvmem_test_add_cells_props(struct device_node *np)
{
	int ret;

	ret = of_changeset_add_prop_u32(&nvmem_test_ocs, np, "#address-cells", 1);
	if (ret)
		return ret;
	return of_changeset_add_prop_u32(&nvmem_test_ocs, np, "#size-cells", 1);
}

static int nvmem_test_add_reg(struct device_node *np, u32 offset, u32 bytes)
{
	const u32 reg[] = { offset, bytes };

	return of_changeset_add_prop_u32_array(&nvmem_test_ocs, np, "reg", reg,
					       ARRAY_SIZE(reg));
}

static int nvmem_test_add_nodes(void)
{
	struct device_node *root __free(device_node) = of_find_node_by_path("/");
	int ret;

	/* Nodes under a populated root would get platform devices too. */
	if (!root || of_have_populated_dt())
		return -ENODEV;

	nvmem_test_np = of_changeset_create_node(&nvmem_test_ocs, root,
						 NVMEM_TEST_NAME);
	if (!nvmem_test_np)
		return -ENOMEM;
	nvmem_test_legacy_np = of_changeset_create_node(&nvmem_test_ocs,
							nvmem_test_np,
							"legacy@10");
	if (!nvmem_test_legacy_np)
		return -ENOMEM;
	nvmem_test_layout_np = of_changeset_create_node(&nvmem_test_ocs,
							nvmem_test_np,
							"nvmem-layout");
	if (!nvmem_test_layout_np)
		return -ENOMEM;
	nvmem_test_mac_np = of_changeset_create_node(&nvmem_test_ocs,
						     nvmem_test_layout_np,
						     "mac@20");
	if (!nvmem_test_mac_np)
		return -ENOMEM;

	ret = nvmem_test_add_cells_props(nvmem_test_np);
	if (ret)
		return ret;
	ret = nvmem_test_add_reg(nvmem_test_legacy_np, 0x10, 4);
	if (ret)
		return ret;
	ret = of_changeset_add_prop_string(&nvmem_test_ocs,
					   nvmem_test_layout_np,
					   "compatible", layout);
	if (ret)
		return ret;
	ret = nvmem_test_add_cells_props(nvmem_test_layout_np);
	if (ret)
		return ret;
	ret = nvmem_test_add_reg(nvmem_test_mac_np, 0x20, 6);
	if (ret)
		return ret;

	/*
	 * The node is the platform device's below, made by hand: keep the OF
	 * code from making another one for it, as of_platform_populate()
	 * does for the devices it creates.
	 */
	of_node_set_flag(nvmem_test_np, OF_POPULATED);

	return of_changeset_apply(&nvmem_test_ocs);
}

static int nvmem_test_register(void)
{
	struct nvmem_config config = {
		.dev = &nvmem_test_pdev->dev,
		.name = "nvmem-test",
		.id = NVMEM_DEVID_AUTO,
		.owner = THIS_MODULE,
		.type = NVMEM_TYPE_EEPROM,
		.size = NVMEM_TEST_SIZE,
		.reg_read = nvmem_test_reg_read,
		.cells = nvmem_test_config_cells,
		.ncells = ARRAY_SIZE(nvmem_test_config_cells),
		.keepout = nvmem_test_keepout,
		.nkeepout = ARRAY_SIZE(nvmem_test_keepout),
		.add_legacy_fixed_of_cells = true,
		.compat = true,
		.base_dev = &nvmem_test_pdev->dev,
	};
	struct nvmem_device *nvmem;

	/* The table is looked up by name during the registration. */
	if (nvmem_test_table_name[0]) {
		nvmem_test_cell_table.nvmem_name = nvmem_test_table_name;
		nvmem_add_cell_table(&nvmem_test_cell_table);
	}

	nvmem = nvmem_register(&config);
	if (IS_ERR(nvmem)) {
		if (nvmem_test_cell_table.nvmem_name)
			nvmem_del_cell_table(&nvmem_test_cell_table);
		nvmem_test_cell_table.nvmem_name = NULL;
		/* The test reads this line. */
		pr_err("cannot register the nvmem device: %ld\n", PTR_ERR(nvmem));
		return PTR_ERR(nvmem);
	}
	nvmem_test_nvmem = nvmem;

	return 0;
}

static void nvmem_test_unregister(void)
{
	nvmem_unregister(nvmem_test_nvmem);
	nvmem_test_nvmem = NULL;
	if (nvmem_test_cell_table.nvmem_name)
		nvmem_del_cell_table(&nvmem_test_cell_table);
	nvmem_test_cell_table.nvmem_name = NULL;
}

static ssize_t nvmem_test_register_write(struct file *file,
					 const char __user *buf, size_t count,
					 loff_t *ppos)
{
	bool on;
	int ret;

	ret = kstrtobool_from_user(buf, count, &on);
	if (ret)
		return ret;

	guard(mutex)(&nvmem_test_lock);

	if (on == !!nvmem_test_nvmem)
		return on ? -EBUSY : count;
	if (on) {
		ret = nvmem_test_register();
		if (ret)
			return ret;
	} else {
		nvmem_test_unregister();
	}

	return count;
}

static const struct file_operations nvmem_test_register_fops = {
	.owner = THIS_MODULE,
	.write = nvmem_test_register_write,
};

static int __init nvmem_test_provider_init(void)
{
	struct platform_device_info info = {
		.name = NVMEM_TEST_NAME,
		.id = PLATFORM_DEVID_NONE,
	};
	int ret, i;

	for (i = 0; i < NVMEM_TEST_SIZE; i++)
		nvmem_test_data[i] = i;

	of_changeset_init(&nvmem_test_ocs);
	ret = nvmem_test_add_nodes();
	if (ret) {
		pr_err("cannot add the device tree nodes: %d\n", ret);
		goto err_put_nodes;
	}

	info.fwnode = of_fwnode_handle(nvmem_test_np);
	nvmem_test_pdev = platform_device_register_full(&info);
	if (IS_ERR(nvmem_test_pdev)) {
		ret = PTR_ERR(nvmem_test_pdev);
		pr_err("cannot create the platform device: %d\n", ret);
		goto err_revert;
	}

	ret = gpiochip_add_data(&nvmem_test_gc, NULL);
	if (ret) {
		pr_err("cannot add the GPIO chip: %d\n", ret);
		goto err_unregister_pdev;
	}
	gpiod_add_lookup_table(&nvmem_test_wp_lookup);

	nvmem_test_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("register", 0200, nvmem_test_debugfs, NULL,
			    &nvmem_test_register_fops);
	return 0;

err_unregister_pdev:
	platform_device_unregister(nvmem_test_pdev);
err_revert:
	of_changeset_revert(&nvmem_test_ocs);
err_put_nodes:
	nvmem_test_put_nodes();
	return ret;
}
module_init(nvmem_test_provider_init);

static void __exit nvmem_test_provider_exit(void)
{
	/* No write is in flight or can begin once this returns. */
	debugfs_remove(nvmem_test_debugfs);
	if (nvmem_test_nvmem)
		nvmem_test_unregister();
	gpiod_remove_lookup_table(&nvmem_test_wp_lookup);
	gpiochip_remove(&nvmem_test_gc);
	platform_device_unregister(nvmem_test_pdev);
	of_changeset_revert(&nvmem_test_ocs);
	nvmem_test_put_nodes();
}
module_exit(nvmem_test_provider_exit);

MODULE_DESCRIPTION("nvmem provider with cells of every kind for the nvmem selftests");
MODULE_LICENSE("GPL");
