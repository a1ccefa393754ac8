// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the nvmem core, suite nvmem_core: registration, device
 * and cell reads and writes, lookups, bit-field cells, keepout areas and
 * notifiers. The test provider and the helpers are in nvmem_kunit.c.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/platform_device.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "nvmem_kunit.h"

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

kunit_test_suite(nvmem_core_suite);
