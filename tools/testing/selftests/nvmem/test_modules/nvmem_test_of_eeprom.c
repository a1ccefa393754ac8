// SPDX-License-Identifier: GPL-2.0
/*
 * An EEPROM described in the device tree, for the nvmem selftests.
 *
 * Layouts find their driver through the provider's device tree node, which
 * an EEPROM on the i2c-stub SMBus simulator does not have. This module adds
 * one under the root of a live tree that firmware did not populate (x86
 * with CONFIG_OF has an empty root),
 *
 *	nvmem-test-eeprom {
 *		compatible = "atmel,24c02";
 *		nvmem-layout {
 *			compatible = "<layout>";
 *		};
 *	};
 *
 * and creates a 24c02 on that node on the i2c-stub adapter. Unloading the
 * module removes both.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/i2c.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/string.h>

static int adapter = -1;
module_param(adapter, int, 0444);
MODULE_PARM_DESC(adapter, "Number of the i2c-stub adapter");

static unsigned short addr = 0x50;
module_param(addr, ushort, 0444);
MODULE_PARM_DESC(addr, "Address of the EEPROM");

static char *layout = "onie,tlv-layout";
module_param(layout, charp, 0444);
MODULE_PARM_DESC(layout, "Compatible of the EEPROM's nvmem-layout node");

static struct of_changeset nvmem_test_ocs;
/* of_changeset_create_node() gives the caller a reference on each node. */
static struct device_node *nvmem_test_np, *nvmem_test_layout_np;
static struct i2c_adapter *nvmem_test_adap;
static struct i2c_client *nvmem_test_client;

static void nvmem_test_put_nodes(void)
{
	of_changeset_destroy(&nvmem_test_ocs);
	of_node_put(nvmem_test_layout_np);
	of_node_put(nvmem_test_np);
}

static int nvmem_test_add_nodes(void)
{
	struct device_node *root __free(device_node) = of_find_node_by_path("/");
	int ret;

	/* Nodes under a populated root would get platform devices too. */
	if (!root || of_have_populated_dt())
		return -ENODEV;

	nvmem_test_np = of_changeset_create_node(&nvmem_test_ocs, root,
						 "nvmem-test-eeprom");
	if (!nvmem_test_np)
		return -ENOMEM;
	nvmem_test_layout_np = of_changeset_create_node(&nvmem_test_ocs,
							nvmem_test_np,
							"nvmem-layout");
	if (!nvmem_test_layout_np)
		return -ENOMEM;
	ret = of_changeset_add_prop_string(&nvmem_test_ocs, nvmem_test_np,
					   "compatible", "atmel,24c02");
	if (ret)
		return ret;
	ret = of_changeset_add_prop_string(&nvmem_test_ocs,
					   nvmem_test_layout_np,
					   "compatible", layout);
	if (ret)
		return ret;

	/*
	 * The node is the I2C client's, and no platform device may be made
	 * for it under the root: mark it populated, as
	 * of_i2c_register_device() does for the clients it creates.
	 * i2c_unregister_device() clears the flag. Without it, the platform
	 * device outlived the module and the next load failed on its name.
	 */
	of_node_set_flag(nvmem_test_np, OF_POPULATED);

	return of_changeset_apply(&nvmem_test_ocs);
}

static int __init nvmem_test_of_eeprom_init(void)
{
	struct i2c_board_info info = { I2C_BOARD_INFO("24c02", addr) };
	int ret;

	nvmem_test_adap = i2c_get_adapter(adapter);
	if (!nvmem_test_adap) {
		pr_err("no I2C adapter %d\n", adapter);
		return -ENODEV;
	}
	/* Never put an EEPROM on a real bus. */
	if (strcmp(nvmem_test_adap->name, "SMBus stub driver")) {
		pr_err("I2C adapter %d is not i2c-stub's\n", adapter);
		ret = -EINVAL;
		goto err_put_adap;
	}

	of_changeset_init(&nvmem_test_ocs);
	ret = nvmem_test_add_nodes();
	if (ret) {
		pr_err("cannot add the device tree nodes: %d\n", ret);
		goto err_put_nodes;
	}

	info.of_node = nvmem_test_np;
	nvmem_test_client = i2c_new_client_device(nvmem_test_adap, &info);
	if (IS_ERR(nvmem_test_client)) {
		ret = PTR_ERR(nvmem_test_client);
		pr_err("cannot create the EEPROM: %d\n", ret);
		goto err_revert;
	}
	return 0;

err_revert:
	of_changeset_revert(&nvmem_test_ocs);
err_put_nodes:
	nvmem_test_put_nodes();
err_put_adap:
	i2c_put_adapter(nvmem_test_adap);
	return ret;
}
module_init(nvmem_test_of_eeprom_init);

static void __exit nvmem_test_of_eeprom_exit(void)
{
	i2c_unregister_device(nvmem_test_client);
	/* held so far: i2c-stub cannot go and free the client first */
	i2c_put_adapter(nvmem_test_adap);
	of_changeset_revert(&nvmem_test_ocs);
	nvmem_test_put_nodes();
}
module_exit(nvmem_test_of_eeprom_exit);

MODULE_DESCRIPTION("EEPROM with a device tree node for the nvmem selftests");
MODULE_LICENSE("GPL");
