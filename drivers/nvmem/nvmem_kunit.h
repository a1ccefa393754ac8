/* SPDX-License-Identifier: GPL-2.0 */
/* The test provider and helpers the nvmem KUnit suites share. */
#ifndef _NVMEM_KUNIT_H
#define _NVMEM_KUNIT_H

#include <kunit/test.h>
#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/notifier.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/wait.h>

struct device;
struct device_node;
struct file;
struct platform_device;

#define NVMEM_KUNIT_SIZE	64
#define NVMEM_KUNIT_MAGIC	0x6e766d6bU
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

/*
 * NVMEM_KUNIT_SKIP_CASE - define a case that skips, saying what it needs
 *
 * For a case whose body needs an option the suites build without: it uses
 * what exists only with the option (struct module's refcnt, the linked-in
 * device-tree blobs, the GPIO consumer API), so the body is compiled out
 * and this stands in. kunit/of.h's helpers skip too, but only where the
 * body compiles without the option.
 */
#define NVMEM_KUNIT_SKIP_CASE(name, needs)		\
static void name(struct kunit *test)			\
{							\
	kunit_skip(test, "needs " needs);		\
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

u8 nvmem_kunit_pattern(unsigned int offset);
void nvmem_kunit_fill_pattern(u8 *buf, unsigned int offset, size_t len);
int nvmem_kunit_reg_read(void *priv, unsigned int offset, void *val,
			 size_t bytes);
int nvmem_kunit_reg_write(void *priv, unsigned int offset, void *val,
			  size_t bytes);
struct nvmem_kunit_provider *
nvmem_kunit_provider_alloc(struct device *dev,
			   const struct nvmem_kunit_pdata *pdata);
void nvmem_kunit_fill_config(struct nvmem_config *config,
			     const struct nvmem_kunit_pdata *pdata);
int nvmem_kunit_init(struct kunit *test);
void nvmem_kunit_default_pdata(struct kunit *test,
			       struct nvmem_kunit_pdata *pdata);
struct platform_device *
nvmem_kunit_add_provider_of(struct kunit *test,
			    const struct nvmem_kunit_pdata *pdata,
			    struct device_node *np);
struct platform_device *
nvmem_kunit_add_provider(struct kunit *test,
			 const struct nvmem_kunit_pdata *pdata);
void nvmem_kunit_unbind(struct kunit *test, struct platform_device *pdev);
struct device *nvmem_kunit_consumer(struct kunit *test);
void nvmem_kunit_device_put(void *in);
void nvmem_kunit_cell_put(void *in);
void nvmem_kunit_unregister(void *in);
void nvmem_kunit_del_cell_table(void *in);
struct nvmem_device *nvmem_kunit_device_get(struct kunit *test,
					    struct device *consumer,
					    const char *name);
struct nvmem_cell *nvmem_kunit_cell_get(struct kunit *test,
					struct device *consumer,
					const char *con_id);
void nvmem_kunit_add_lookups(struct kunit *test, const char *nvmem_name,
			     struct device *consumer,
			     const struct nvmem_cell_info *cells,
			     size_t ncells);
extern const struct nvmem_cell_info nvmem_kunit_cells[8];
struct nvmem_kunit_fixture *nvmem_kunit_setup(struct kunit *test);
int nvmem_kunit_calls(struct nvmem_kunit_stats *stats);
int nvmem_kunit_cell_read_err(struct nvmem_cell *cell);
void nvmem_kunit_expect_pattern(struct kunit *test, const u8 *buf,
				unsigned int offset, size_t len);
void nvmem_kunit_expect_not_found(struct kunit *test, const char *name);
struct nvmem_kunit_events *nvmem_kunit_watch(struct kunit *test,
					     const char *name);
void nvmem_kunit_fput(void *in);
struct file *nvmem_kunit_try_open_path(struct kunit *test,
				       const char *path, int flags);
struct file *nvmem_kunit_try_open_sysfs(struct kunit *test,
					const char *nvmem_name,
					const char *name, int flags);
struct file *nvmem_kunit_open_sysfs(struct kunit *test,
				    const char *nvmem_name,
				    const char *name, int flags);
void nvmem_kunit_cell_file_name(char *name, size_t size,
				const struct nvmem_cell_info *info);
struct file *nvmem_kunit_open_cell_file(struct kunit *test,
					const char *nvmem_name,
					const struct nvmem_cell_info *info);
ssize_t nvmem_kunit_read_file(struct file *file, u8 *buf, size_t len);
extern const struct nvmem_cell_info nvmem_kunit_cells_dup[2];
struct nvmem_device *nvmem_kunit_register(struct kunit *test,
					  const struct nvmem_config *config);

#endif /* _NVMEM_KUNIT_H */
