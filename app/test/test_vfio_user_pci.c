/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Unit tests of the emulated PCI configuration space (vfio_user_pci.c):
 * header layout, capability chain, BAR sizing, write masks, events, reset
 * and the rejection of bad inputs.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "vfio_user_pci.h"

#define T_VENDOR 0x8086
#define T_DEVICE 0x1889
#define T_SUBVENDOR 0x1af4
#define T_SUBDEVICE 0x1100
#define T_REVISION 0x05
#define T_CLASS 0x020000

/* Large (about 20 KiB each): keep them off the stack. */
static struct vfio_user_pci pci;
static struct vfio_user_pci pci2;
static uint8_t snap[VFIO_USER_PCI_CFG_SIZE];
static uint8_t whole[VFIO_USER_PCI_CFG_SIZE];

static const struct rte_vfio_user_pci_id test_id = {
	.vendor_id = T_VENDOR,
	.device_id = T_DEVICE,
	.subsys_vendor_id = T_SUBVENDOR,
	.subsys_id = T_SUBDEVICE,
	.revision = T_REVISION,
	.class_code = T_CLASS,
};

static uint32_t
rd(struct vfio_user_pci *p, uint32_t off, uint32_t size)
{
	uint8_t b[4] = {0};
	uint32_t v = 0, i;

	if (vfio_user_pci_cfg_access(p, off, b, size, false, NULL) != 0)
		return 0xdeadbeef;
	for (i = 0; i < size; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static uint32_t
rd8(uint32_t off)
{
	return rd(&pci, off, 1);
}

static uint32_t
rd16(uint32_t off)
{
	return rd(&pci, off, 2);
}

static uint32_t
rd32(uint32_t off)
{
	return rd(&pci, off, 4);
}

/* Write size bytes of v at off; returns the events raised (or ~0 on error). */
static uint32_t
wr(struct vfio_user_pci *p, uint32_t off, uint32_t v, uint32_t size)
{
	uint8_t b[4];
	uint32_t ev = 0, i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	if (vfio_user_pci_cfg_access(p, off, b, size, true, &ev) != 0)
		return ~0u;
	return ev;
}

static uint32_t
wr8(uint32_t off, uint32_t v)
{
	return wr(&pci, off, v, 1);
}

/* A vendor-specific capability: 1 length byte + 5 data bytes. */
static const uint8_t vndr_body[6] = {8, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t vndr_wmask[6] = {0, 0, 0xff, 0x0f, 0, 0};

static uint16_t vndr_off, msix_off, exp_off;

/*
 * A script of configuration space accesses, each row naming what it checks:
 * a read whose value (under mask) must be val, a write of val whose events
 * must be ev, bits the device model sets (or a byte it stores) itself, the
 * MSI-X enable state.
 * Offsets are from the start of the space or of a capability of setup_dev().
 */
enum cfg_op {
	CFG_RD,
	CFG_WR,
	CFG_SET,
	CFG_PUT,
	CFG_MSIX
};
enum cfg_base {
	AT_0,
	AT_VNDR,
	AT_MSIX,
	AT_EXP
};

struct cfg_step {
	const char *name;
	enum cfg_op op;
	uint8_t size; /* bytes accessed (CFG_SET: one) */
	enum cfg_base base;
	uint16_t off;
	uint32_t val; /* read: expected (under mask); write/set: written; MSI-X: enabled */
	uint32_t mask_ev; /* read: mask; write: the events expected */
};

#define RD(sz, b, o, v, nm) \
	{ \
		nm, CFG_RD, sz, b, o, v, UINT32_MAX \
	}
#define RDM(sz, b, o, m, v, nm) \
	{ \
		nm, CFG_RD, sz, b, o, v, m \
	}
#define WR(sz, b, o, v, ev, nm) \
	{ \
		nm, CFG_WR, sz, b, o, v, ev \
	}
#define SET(b, o, v, nm) \
	{ \
		nm, CFG_SET, 1, b, o, v, 0 \
	}
#define PUT(b, o, v, nm) \
	{ \
		nm, CFG_PUT, 1, b, o, v, 0 \
	}
#define MSIX_ON(on, nm) \
	{ \
		nm, CFG_MSIX, 0, AT_0, 0, on, 0 \
	}

static int
cfg_run(struct vfio_user_pci *p, const struct cfg_step *s, unsigned int n)
{
	const uint16_t base[] = {
		[AT_0] = 0, [AT_VNDR] = vndr_off, [AT_MSIX] = msix_off, [AT_EXP] = exp_off};
	unsigned int i;

	for (i = 0; i < n; i++, s++) {
		uint32_t off = base[s->base] + s->off, v;

		switch (s->op) {
		case CFG_RD:
			v = rd(p, off, s->size);
			TEST_ASSERT_EQUAL(
				v & s->mask_ev, s->val,
				"step %u \"%s\": %u-byte read at 0x%x: 0x%x (under 0x%x), "
				"expected 0x%x",
				i, s->name, s->size, off, v & s->mask_ev, s->mask_ev, s->val);
			break;
		case CFG_WR:
			v = wr(p, off, s->val, s->size);
			TEST_ASSERT_EQUAL(
				v, s->mask_ev,
				"step %u \"%s\": %u-byte write of 0x%x at 0x%x: events 0x%x, "
				"expected 0x%x",
				i, s->name, s->size, s->val, off, v, s->mask_ev);
			break;
		case CFG_SET:
			p->cfg[off] |= (uint8_t)s->val;
			break;
		case CFG_PUT:
			p->cfg[off] = (uint8_t)s->val;
			break;
		case CFG_MSIX:
			TEST_ASSERT_EQUAL(vfio_user_pci_msix_enabled(p), s->val != 0,
					  "step %u \"%s\": MSI-X enabled %d", i, s->name,
					  vfio_user_pci_msix_enabled(p));
			break;
		}
	}
	return TEST_SUCCESS;
}

/*
 * The device most tests use: BAR0 32-bit 16 KiB (MSI-X table at 0x2000,
 * PBA at 0x3000), BAR1 32-bit prefetchable 64 KiB, BAR2/3 64-bit 16 KiB,
 * BAR4 I/O 32 bytes, BAR5 absent, ROM 64 KiB; a vendor capability, MSI-X
 * with 64 vectors and PCI Express.
 */
static int
setup_dev(void)
{
	vfio_user_pci_init(&pci, &test_id, true);
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci, 0, 0x4000, 0), "BAR0");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci, 1, 0x10000, RTE_VFIO_USER_BAR_PREFETCH),
			    "BAR1");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci, 2, 0x4000, RTE_VFIO_USER_BAR_MEM64),
			    "BAR2");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci, 4, 32, RTE_VFIO_USER_BAR_IO), "BAR4");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci, 6, 0x10000, 0), "ROM");
	TEST_ASSERT_SUCCESS(vfio_user_pci_cap_add(&pci, 0x09, vndr_body, sizeof(vndr_body),
						  vndr_wmask, &vndr_off),
			    "vendor cap");
	TEST_ASSERT_SUCCESS(vfio_user_pci_msix_cap_add(&pci, 64, 0, 0x2000, 0, 0x3000, &msix_off),
			    "MSI-X cap");
	TEST_ASSERT_SUCCESS(vfio_user_pci_exp_cap_add(&pci, &exp_off), "PCIe cap");
	return TEST_SUCCESS;
}

static int
setup_sealed(void)
{
	if (setup_dev() != TEST_SUCCESS)
		return TEST_FAILED;
	vfio_user_pci_seal(&pci);
	return TEST_SUCCESS;
}

static int
test_header(void)
{
	static const struct cfg_step steps[] = {
		RD(2, AT_0, 0x00, T_VENDOR, "vendor id"),
		RD(2, AT_0, 0x02, T_DEVICE, "device id"),
		RD(4, AT_0, 0x00, (T_DEVICE << 16) | T_VENDOR, "ids dword"),
		RD(2, AT_0, 0x04, 0, "command at reset"),
		RD(2, AT_0, 0x06, 0, "status without capabilities"),
		RD(1, AT_0, 0x08, T_REVISION, "revision"),
		RD(1, AT_0, 0x09, 0x00, "prog-if"),
		RD(1, AT_0, 0x0a, 0x00, "subclass"),
		RD(1, AT_0, 0x0b, 0x02, "base class"),
		RD(4, AT_0, 0x08, (T_CLASS << 8) | T_REVISION, "class/revision dword"),
		RD(1, AT_0, 0x0e, 0, "header type 0, single function"),
		RD(1, AT_0, 0x0f, 0, "BIST"),
		RD(2, AT_0, 0x2c, T_SUBVENDOR, "subsystem vendor"),
		RD(2, AT_0, 0x2e, T_SUBDEVICE, "subsystem id"),
		RD(4, AT_0, 0x30, 0, "ROM"),
		RD(1, AT_0, 0x34, 0, "no capability pointer yet"),
		RD(1, AT_0, 0x3c, 0, "interrupt line"),
		RD(1, AT_0, 0x3d, 1, "interrupt pin INTA"),
	};
	uint32_t i;

	vfio_user_pci_init(&pci, &test_id, true);
	TEST_ASSERT_SUCCESS(cfg_run(&pci, steps, RTE_DIM(steps)), "header");
	for (i = 0x10; i < 0x28; i += 4)
		TEST_ASSERT_EQUAL(rd32(i), 0, "undeclared BAR at 0x%x", i);

	/* The whole space in one read (as QEMU does); ext space is zero. */
	memset(whole, 0xa5, sizeof(whole));
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci, 0, whole, sizeof(whole), false, NULL),
			    "read all");
	TEST_ASSERT_EQUAL(whole[0], T_VENDOR & 0xff, "whole read: vendor");
	TEST_ASSERT_EQUAL(whole[0x0b], 0x02, "whole read: class");
	for (i = 0x100; i < VFIO_USER_PCI_CFG_SIZE; i++)
		TEST_ASSERT_EQUAL(whole[i], 0, "extended space at 0x%x", i);

	/* Without INTx the pin is 0; class code is cut to 24 bits. */
	{
		struct rte_vfio_user_pci_id id = test_id;

		id.class_code = 0xff010203;
		vfio_user_pci_init(&pci, &id, false);
	}
	TEST_ASSERT_EQUAL(rd8(0x3d), 0, "no interrupt pin");
	TEST_ASSERT_EQUAL(rd32(0x08), (0x010203u << 8) | T_REVISION, "class code 24 bits");
	return TEST_SUCCESS;
}

static int
test_cap_chain(void)
{
	uint32_t ptr, hops = 0;
	const uint8_t want_ids[3] = {0x09, 0x11, 0x10};
	const uint16_t *want_off[3] = {&vndr_off, &msix_off, &exp_off};

	TEST_ASSERT_EQUAL(rd16(0x06) & 0x10, 0x10, "status CAP_LIST");
	TEST_ASSERT_EQUAL(rd8(0x34), 0x40, "capability pointer");
	ptr = rd8(0x34);
	while (ptr != 0) {
		TEST_ASSERT(hops < 3, "chain too long (loop?) at 0x%x", ptr);
		TEST_ASSERT(ptr >= 0x40 && ptr < 0x100 && (ptr & 3) == 0,
			    "capability at bad offset 0x%x", ptr);
		TEST_ASSERT_EQUAL(rd8(ptr), want_ids[hops], "cap id #%u", hops);
		TEST_ASSERT_EQUAL(ptr, *want_off[hops], "cap offset #%u", hops);
		ptr = rd8(ptr + 1);
		hops++;
	}
	TEST_ASSERT_EQUAL(hops, 3, "capabilities in the chain");

	/* Vendor capability body copied after the header. */
	TEST_ASSERT_EQUAL(vndr_off, 0x40, "first capability at 0x40");
	TEST_ASSERT_EQUAL(rd8(vndr_off + 2), 8, "vendor cap length byte");
	TEST_ASSERT_EQUAL(rd32(vndr_off + 4), 0x55443322, "vendor cap body");
	TEST_ASSERT_EQUAL(msix_off, 0x48, "MSI-X after the vendor cap");
	TEST_ASSERT_EQUAL(exp_off, 0x54, "PCIe after the 12-byte MSI-X");

	/* MSI-X: 64 vectors, table BAR0 + 0x2000, PBA BAR0 + 0x3000. */
	TEST_ASSERT_EQUAL(rd16(msix_off + 2), 63, "MSI-X control");
	TEST_ASSERT_EQUAL(rd32(msix_off + 4), 0x2000, "MSI-X table");
	TEST_ASSERT_EQUAL(rd32(msix_off + 8), 0x3000, "MSI-X PBA");
	TEST_ASSERT(!vfio_user_pci_msix_enabled(&pci), "MSI-X off at reset");

	/* PCI Express v2 endpoint. */
	TEST_ASSERT_EQUAL(rd16(exp_off + 0x02), 0x0002, "PCIe v2 endpoint");
	TEST_ASSERT_EQUAL(rd32(exp_off + 0x04) & 0x10000007u, 0x10000000u,
			  "DEVCAP: FLR, 128-byte payload");
	TEST_ASSERT_EQUAL(rd16(exp_off + 0x08) & 0x80e0, 0, "DEVCTL: MPS 128, no FLR");
	TEST_ASSERT_EQUAL(rd32(exp_off + 0x0c) & 0x3ff, 0x11, "LNKCAP x1 2.5 GT/s");
	TEST_ASSERT_EQUAL(rd16(exp_off + 0x12) & 0x3ff, 0x11, "LNKSTA x1 2.5 GT/s");
	TEST_ASSERT_EQUAL(rd32(exp_off + 0x14), 0, "SLTCAP");
	TEST_ASSERT_EQUAL(rd32(exp_off + 0x24), 0, "DEVCAP2");
	TEST_ASSERT_EQUAL(rd16(exp_off + 0x28), 0, "DEVCTL2");
	TEST_ASSERT_EQUAL(rd8(exp_off + 0x3c), 0, "nothing after PCIe cap");
	TEST_ASSERT_EQUAL(rd32(0x100), 0, "no extended capability");
	return TEST_SUCCESS;
}

static int
test_bar_sizing(void)
{
	static const struct cfg_step sizing[] = {
		/* All ones: read back the size masks with the type bits. */
		RD(4, AT_0, 0x10, 0x0, "BAR0 at reset"),
		RD(4, AT_0, 0x14, 0x8, "BAR1 at reset (prefetch)"),
		RD(4, AT_0, 0x18, 0x4, "BAR2 at reset (64-bit)"),
		RD(4, AT_0, 0x20, 0x1, "BAR4 at reset (I/O)"),
		WR(4, AT_0, 0x10, 0xffffffff, 0, "BAR0 write"),
		RD(4, AT_0, 0x10, 0xffffc000, "BAR0 32-bit 16 KiB"),
		WR(4, AT_0, 0x14, 0xffffffff, 0, "BAR1 sizing write"),
		RD(4, AT_0, 0x14, 0xffff0008, "BAR1 prefetch 64 KiB"),
		WR(4, AT_0, 0x18, 0xffffffff, 0, "BAR2 low sizing write"),
		WR(4, AT_0, 0x1c, 0xffffffff, 0, "BAR2 high sizing write"),
		RD(4, AT_0, 0x18, 0xffffc004, "BAR2 64-bit low"),
		RD(4, AT_0, 0x1c, 0xffffffff, "BAR2 64-bit high"),
		WR(4, AT_0, 0x20, 0xffffffff, 0, "BAR4 sizing write"),
		RD(4, AT_0, 0x20, 0xffffffe1, "BAR4 I/O 32 bytes"),
		WR(4, AT_0, 0x24, 0xffffffff, 0, "BAR5 sizing write"),
		RD(4, AT_0, 0x24, 0, "BAR5 absent"),
		WR(4, AT_0, 0x30, 0xffffffff, 0, "ROM sizing write"),
		RD(4, AT_0, 0x30, 0xffff0001, "ROM 64 KiB + enable"),
		WR(4, AT_0, 0x30, 0xfffff800, 0, "ROM sizing write, disabled"),
		RD(4, AT_0, 0x30, 0xffff0000, "ROM sizing, disabled"),
		/* Addresses read back aligned to the size. */
		WR(4, AT_0, 0x10, 0xfebc1234, 0, "BAR0 address write"),
		RD(4, AT_0, 0x10, 0xfebc0000, "BAR0 address"),
		WR(4, AT_0, 0x14, 0xc0012345, 0, "BAR1 address write"),
		RD(4, AT_0, 0x14, 0xc0010008, "BAR1 address"),
		WR(4, AT_0, 0x18, 0x12345678, 0, "BAR2 address low write"),
		WR(4, AT_0, 0x1c, 0x00000001, 0, "BAR2 address high write"),
		RD(4, AT_0, 0x18, 0x12344004, "BAR2 address low"),
		RD(4, AT_0, 0x1c, 0x1, "BAR2 address high"),
		WR(4, AT_0, 0x20, 0xc05f, 0, "BAR4 I/O address write"),
		RD(4, AT_0, 0x20, 0xc041, "BAR4 I/O address"),
		WR(4, AT_0, 0x30, 0xfeb00001, 0, "ROM address write, enabled"),
		RD(4, AT_0, 0x30, 0xfeb00001, "ROM address, enabled"),
		/* Byte writes go through the same masks. */
		WR(1, AT_0, 0x11, 0xff, 0, "BAR0 byte 1 write"),
		RD(4, AT_0, 0x10, 0xfebcc000, "BAR0 byte 1 written"),
		WR(1, AT_0, 0x10, 0xff, 0, "BAR0 byte 0 write"),
		RD(4, AT_0, 0x10, 0xfebcc000, "BAR0 byte 0 read-only"),
	};
	static const struct cfg_step large[] = {
		/* A large 64-bit BAR: the low dword has only type bits. */
		WR(4, AT_0, 0x10, 0xffffffff, 0, "8 GiB low sizing write"),
		WR(4, AT_0, 0x14, 0xffffffff, 0, "8 GiB high sizing write"),
		WR(4, AT_0, 0x18, 0xffffffff, 0, "16 B BAR sizing write"),
		WR(4, AT_0, 0x1c, 0xffffffff, 0, "4 B I/O BAR sizing write"),
		RD(4, AT_0, 0x10, 0x0000000c, "8 GiB low"),
		RD(4, AT_0, 0x14, 0xfffffffe, "8 GiB high"),
		RD(4, AT_0, 0x18, 0xfffffff0, "16 B BAR"),
		RD(4, AT_0, 0x1c, 0xfffffffd, "4 B I/O BAR"),
	};
	static const struct cfg_step cleared[] = {
		/* Clearing the 64-bit BAR clears both dwords and frees slot 1. */
		RD(4, AT_0, 0x10, 0, "cleared low"),
		RD(4, AT_0, 0x14, 0, "cleared high"),
		WR(4, AT_0, 0x14, 0xffffffff, 0, "cleared high sizing write"),
		RD(4, AT_0, 0x14, 0, "cleared high read-only"),
	};

	TEST_ASSERT_SUCCESS(cfg_run(&pci, sizing, RTE_DIM(sizing)), "BAR sizing");
	vfio_user_pci_init(&pci2, &test_id, false);
	TEST_ASSERT_SUCCESS(
		vfio_user_pci_set_bar(&pci2, 0, 1ull << 33,
				      RTE_VFIO_USER_BAR_MEM64 | RTE_VFIO_USER_BAR_PREFETCH),
		"8 GiB BAR");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 2, 16, 0), "16 B BAR");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 3, 4, RTE_VFIO_USER_BAR_IO),
			    "4 B I/O BAR");
	TEST_ASSERT_SUCCESS(cfg_run(&pci2, large, RTE_DIM(large)), "large BAR");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 0, 0, 0), "clear BAR0");
	TEST_ASSERT_SUCCESS(cfg_run(&pci2, cleared, RTE_DIM(cleared)), "cleared BAR");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 1, 4096, 0), "slot 1 free again");
	return TEST_SUCCESS;
}

static int
test_read_only(void)
{
	/* Identity, class, header type, cap pointer, pin: not writable. */
	static const struct cfg_step header[] = {
		WR(4, AT_0, 0x00, 0xffffffff, 0, "ids write"),
		WR(4, AT_0, 0x08, 0xffffffff, 0, "class write"),
		WR(4, AT_0, 0x0c, 0xffffffff, 0, "cache line/header type write"),
		WR(4, AT_0, 0x2c, 0xffffffff, 0, "subsystem write"),
		WR(4, AT_0, 0x34, 0xffffffff, 0, "capability pointer write"),
		WR(4, AT_0, 0x38, 0xffffffff, 0, "reserved dword write"),
		WR(4, AT_0, 0x3c, 0xffffffff, 0, "interrupt line/pin write"),
		RD(4, AT_0, 0x00, (T_DEVICE << 16) | T_VENDOR, "ids"),
		RD(4, AT_0, 0x08, (T_CLASS << 8) | T_REVISION, "class"),
		RD(4, AT_0, 0x0c, 0x000000ff, "only the cache line size is writable"),
		RD(4, AT_0, 0x2c, (T_SUBDEVICE << 16) | T_SUBVENDOR, "subsystem"),
		RD(1, AT_0, 0x34, 0x40, "capability pointer"),
		RD(4, AT_0, 0x38, 0, "reserved dword"),
		RD(4, AT_0, 0x3c, 0x000001ff, "interrupt line writable, pin not"),
	};
	/* Capability bodies: only the bits of their write masks change. */
	static const struct cfg_step caps[] = {
		RD(2, AT_VNDR, 0, 0x4809, "vendor cap header"),
		RD(4, AT_VNDR, 4, 0x55443fff, "vendor cap: masked bytes only"),
		WR(4, AT_VNDR, 4, 0, 0, "vendor cap body write"),
		RD(4, AT_VNDR, 4, 0x55443000, "vendor cap: masked bits cleared"),
		WR(4, AT_MSIX, 0, 0x3fffffff, 0, "MSI-X header write (enable bit 0)"),
		WR(4, AT_MSIX, 4, 0xffffffff, 0, "MSI-X table write"),
		WR(4, AT_MSIX, 8, 0xffffffff, 0, "MSI-X PBA write"),
		RD(2, AT_MSIX, 0, 0x5411, "MSI-X header"),
		RD(2, AT_MSIX, 2, 63, "MSI-X table size"),
		RD(4, AT_MSIX, 4, 0x2000, "MSI-X table"),
		RD(4, AT_MSIX, 8, 0x3000, "MSI-X PBA"),
	};
	static const struct cfg_step exp_writes[] = {
		WR(4, AT_EXP, 0x00, 0xffffffff, 0, "PCIe header write"),
		WR(4, AT_EXP, 0x04, 0xffffffff, 0, "DEVCAP write"),
		WR(4, AT_EXP, 0x0c, 0xffffffff, 0, "LNKCAP write"),
		WR(4, AT_EXP, 0x24, 0xffffffff, 0, "DEVCAP2 write"),
		WR(4, AT_EXP, 0x28, 0xffffffff, 0, "DEVCTL2/STA2 write"),
	};
	static const struct cfg_step exp_reads[] = {
		RD(4, AT_EXP, 0x00, 0x00020010, "PCIe header + flags"),
		RD(4, AT_EXP, 0x0c, 0x11, "LNKCAP read-only"),
		RD(4, AT_EXP, 0x24, 0, "DEVCAP2 read-only"),
		RD(4, AT_EXP, 0x28, 0, "DEVCTL2/STA2 zero"),
		/* Free space after the caps and the extended space ignore writes. */
		WR(4, AT_0, 0xfc, 0xffffffff, 0, "free space write"),
		WR(4, AT_0, 0x100, 0xffffffff, 0, "extended header write"),
		WR(4, AT_0, 0xffc, 0xffffffff, 0, "last dword write"),
		RD(4, AT_0, 0xfc, 0, "free space"),
		RD(4, AT_0, 0x100, 0, "extended header"),
		RD(4, AT_0, 0xffc, 0, "last dword"),
	};
	uint32_t i, before, after;

	TEST_ASSERT_SUCCESS(cfg_run(&pci, header, RTE_DIM(header)), "header");
	for (i = vndr_off; i < vndr_off + 8u; i++)
		TEST_ASSERT_EQUAL(wr8(i, 0xff), 0, "vendor cap byte 0x%x write", i);
	TEST_ASSERT_SUCCESS(cfg_run(&pci, caps, RTE_DIM(caps)), "capabilities");
	before = rd32(exp_off + 0x04);
	TEST_ASSERT_SUCCESS(cfg_run(&pci, exp_writes, RTE_DIM(exp_writes)), "PCIe writes");
	after = rd32(exp_off + 0x04);
	TEST_ASSERT_EQUAL(after, before, "DEVCAP read-only");
	TEST_ASSERT_SUCCESS(cfg_run(&pci, exp_reads, RTE_DIM(exp_reads)), "PCIe and free space");

	/* A whole-space write of all ones changes only writable bits. */
	vfio_user_pci_init(&pci2, &test_id, true);
	memcpy(snap, pci2.cfg, sizeof(snap));
	memset(whole, 0xff, sizeof(whole));
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci2, 0, whole, sizeof(whole), true, NULL),
			    "write all");
	for (i = 0; i < VFIO_USER_PCI_CFG_SIZE; i++) {
		if (i == 0x04 || i == 0x05 || i == 0x0c || i == 0x3c)
			continue;
		TEST_ASSERT_EQUAL(pci2.cfg[i], snap[i], "byte 0x%x changed", i);
	}
	TEST_ASSERT_EQUAL(rd(&pci2, 0x04, 2), 0x0547, "command");
	return TEST_SUCCESS;
}

static int
test_command(void)
{
	static const struct cfg_step steps[] = {
		WR(2, AT_0, 0x04, 0xffff, VFIO_USER_PCI_EV_CMD, "CMD event"),
		RD(2, AT_0, 0x04, 0x0547, "command write mask"),
		WR(2, AT_0, 0x04, 0xffff, 0, "no change, no event"),
		WR(1, AT_0, 0x05, 0x00, VFIO_USER_PCI_EV_CMD, "byte write of command high"),
		RD(2, AT_0, 0x04, 0x0047, "INTx disable, SERR cleared"),
		/* A dword write at 0x04 also touches the status. */
		WR(4, AT_0, 0x04, 0x00000006, VFIO_USER_PCI_EV_CMD, "dword write"),
		RD(4, AT_0, 0x04, 0x00100006, "memory + master"),
		WR(2, AT_0, 0x06, 0xffff, 0, "status write: no CMD"),
	};

	return cfg_run(&pci, steps, RTE_DIM(steps));
}

static int
test_status_w1c(void)
{
	/* The device model sets error bits; the client clears them. */
	static const struct cfg_step steps[] = {
		SET(AT_0, 0x07, 0xf9, "error bits set by the device"),
		SET(AT_0, 0x06, 0x08, "interrupt status (read-only) set by the device"),
		RD(2, AT_0, 0x06, 0xf918, "status as set"),
		WR(2, AT_0, 0x06, 0x0000, 0, "status write of 0"),
		RD(2, AT_0, 0x06, 0xf918, "writing 0 keeps the bits"),
		WR(2, AT_0, 0x06, 0x8100, 0, "status write of two bits"),
		RD(2, AT_0, 0x06, 0x7818, "two bits cleared"),
		WR(2, AT_0, 0x06, 0xffff, 0, "status write of all ones"),
		RD(2, AT_0, 0x06, 0x0018, "error bits cleared, CAP_LIST/INTx status kept"),
		SET(AT_EXP, 0x0a, 0x3f, "DEVSTA bits set by the device"),
		WR(2, AT_EXP, 0x0a, 0x0005, 0, "DEVSTA write of two bits"),
		RD(2, AT_EXP, 0x0a, 0x3a, "DEVSTA w1c"),
		WR(2, AT_EXP, 0x0a, 0xffff, 0, "DEVSTA write of all ones"),
		RD(2, AT_EXP, 0x0a, 0x30, "DEVSTA read-only bits kept"),
	};

	return cfg_run(&pci, steps, RTE_DIM(steps));
}

static int
test_msix(void)
{
	static const struct cfg_step steps[] = {
		WR(2, AT_MSIX, 2, 0x8000, VFIO_USER_PCI_EV_MSIX, "enable"),
		MSIX_ON(1, "enabled"),
		RD(2, AT_MSIX, 2, 0x803f, "table size kept"),
		WR(2, AT_MSIX, 2, 0x8000, 0, "same value: no event"),
		WR(1, AT_MSIX, 3, 0xc0, VFIO_USER_PCI_EV_MSIX, "mask all"),
		MSIX_ON(0, "masked"),
		RD(2, AT_MSIX, 2, 0xc03f, "mask bit set"),
		WR(1, AT_MSIX, 2, 0xff, 0, "low byte: no event"),
		RD(2, AT_MSIX, 2, 0xc03f, "low byte read-only"),
		WR(4, AT_MSIX, 0, 0x80000000, VFIO_USER_PCI_EV_MSIX, "unmask with a dword write"),
		MSIX_ON(1, "enabled again"),
		WR(2, AT_MSIX, 2, 0x0000, VFIO_USER_PCI_EV_MSIX, "disable"),
		MSIX_ON(0, "disabled"),
		WR(2, AT_MSIX, 2, 0x4000, VFIO_USER_PCI_EV_MSIX, "mask while disabled"),
		MSIX_ON(0, "still disabled"),
	};

	TEST_ASSERT_SUCCESS(cfg_run(&pci, steps, RTE_DIM(steps)), "MSI-X control");
	/* Without MSI-X nothing is enabled and no event is raised. */
	vfio_user_pci_init(&pci2, &test_id, false);
	TEST_ASSERT(!vfio_user_pci_msix_enabled(&pci2), "no MSI-X");
	return TEST_SUCCESS;
}

static int
test_flr(void)
{
	static const struct cfg_step steps[] = {
		RD(2, AT_EXP, 0x08, 0x2810, "DEVCTL defaults"),
		WR(2, AT_EXP, 0x08, 0x0000, 0, "no FLR"),
		RD(2, AT_EXP, 0x08, 0x0000, "DEVCTL cleared"),
		WR(2, AT_EXP, 0x08, 0xffff, VFIO_USER_PCI_EV_FLR, "FLR"),
		RD(2, AT_EXP, 0x08, 0x78ff, "FLR reads 0, writable bits set, unsupported 0"),
		WR(1, AT_EXP, 0x09, 0x80, VFIO_USER_PCI_EV_FLR, "FLR by a byte write"),
		RD(2, AT_EXP, 0x08, 0x00ff, "FLR bit 0 again"),
		WR(1, AT_EXP, 0x08, 0xff, 0, "low byte: no FLR"),
		/* FLR in a dword write that also clears DEVSTA bits. */
		PUT(AT_EXP, 0x0a, 0x01, "a DEVSTA bit set by the device"),
		WR(4, AT_EXP, 0x08, 0x00018000, VFIO_USER_PCI_EV_FLR, "dword FLR"),
		RD(4, AT_EXP, 0x08, 0, "DEVCTL and DEVSTA after"),
	};
	uint32_t devctl = exp_off + 0x08;
	uint32_t ev;

	TEST_ASSERT_SUCCESS(cfg_run(&pci, steps, RTE_DIM(steps)), "DEVCTL writes");

	/* FLR inside a whole-space write (read, modify, write back). */
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci, 0, whole, sizeof(whole), false, NULL),
			    "read all");
	whole[devctl + 1] |= 0x80;
	ev = 0;
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci, 0, whole, sizeof(whole), true, &ev),
			    "write all");
	TEST_ASSERT_EQUAL(ev, VFIO_USER_PCI_EV_FLR, "FLR from a whole write");
	TEST_ASSERT_EQUAL(rd16(devctl) & 0x8000, 0, "FLR bit 0");

	/* Events accumulate into what the caller passed. */
	ev = VFIO_USER_PCI_EV_CMD;
	whole[0] = 0x00;
	whole[1] = 0x80;
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci, devctl, whole, 2, true, &ev), "write");
	TEST_ASSERT_EQUAL(ev, VFIO_USER_PCI_EV_CMD | VFIO_USER_PCI_EV_FLR, "ORed in");

	/* Without a PCIe capability the same bytes raise nothing. */
	vfio_user_pci_init(&pci2, &test_id, false);
	TEST_ASSERT_EQUAL(wr(&pci2, devctl, 0xffff, 2), 0, "no PCIe: no FLR");
	return TEST_SUCCESS;
}

static int
test_reset(void)
{
	static const struct cfg_step change[] = {
		WR(2, AT_0, 0x04, 0x0007, VFIO_USER_PCI_EV_CMD, "command write"),
		WR(4, AT_0, 0x10, 0xfebc0000, 0, "BAR0 address write"),
		WR(4, AT_0, 0x18, 0xffffffff, 0, "BAR2 low write"),
		WR(4, AT_0, 0x1c, 0x00000002, 0, "BAR2 high write"),
		WR(4, AT_0, 0x30, 0xfeb00001, 0, "ROM address write"),
		WR(1, AT_0, 0x3c, 11, 0, "interrupt line write"),
		WR(1, AT_0, 0x0c, 16, 0, "cache line size write"),
		WR(2, AT_MSIX, 2, 0xc000, VFIO_USER_PCI_EV_MSIX, "MSI-X enable + mask write"),
		WR(2, AT_EXP, 0x08, 0x00e0, 0, "DEVCTL write"),
		WR(2, AT_EXP, 0x10, 0x0043, 0, "LNKCTL write"),
		SET(AT_0, 0x07, 0x80, "an error bit set by the device"),
	};
	static const struct cfg_step after[] = {
		RD(2, AT_0, 0x04, 0, "command 0"),
		RD(4, AT_0, 0x10, 0, "BAR0 0"),
		RD(4, AT_0, 0x18, 0x4, "BAR2 type bits only"),
		RD(4, AT_0, 0x1c, 0, "BAR2 high 0"),
		RD(4, AT_0, 0x30, 0, "ROM 0"),
		RD(2, AT_MSIX, 2, 63, "MSI-X disabled"),
		MSIX_ON(0, "MSI-X off"),
		RD(2, AT_EXP, 0x08, 0x2810, "DEVCTL defaults"),
		/* Masks still apply after a reset. */
		WR(4, AT_0, 0x10, 0xffffffff, 0, "BAR0 sizing write after reset"),
		RD(4, AT_0, 0x10, 0xffffc000, "sizing after reset"),
	};

	memcpy(snap, pci.cfg, sizeof(snap));
	TEST_ASSERT(pci.sealed, "sealed");
	TEST_ASSERT_EQUAL(memcmp(snap, pci.reset_cfg, sizeof(snap)), 0, "snapshot = state at seal");
	TEST_ASSERT_SUCCESS(cfg_run(&pci, change, RTE_DIM(change)), "changes");
	TEST_ASSERT(memcmp(snap, pci.cfg, sizeof(snap)) != 0, "changed");

	vfio_user_pci_reset(&pci);
	TEST_ASSERT_EQUAL(memcmp(snap, pci.cfg, sizeof(snap)), 0, "state at seal restored");
	TEST_ASSERT_SUCCESS(cfg_run(&pci, after, RTE_DIM(after)), "after the reset");

	/* Nothing can be declared once sealed. */
	TEST_ASSERT_EQUAL(vfio_user_pci_set_bar(&pci, 5, 4096, 0), -EBUSY, "set_bar after seal");
	return TEST_SUCCESS;
}

static int
test_bad_access(void)
{
	static const struct {
		uint32_t offset, count;
	} bad[] = {
		{4095, 2},
		{0, 4097},
		{4096, 1},
		{4096, 0},
		{0, 0},
		{1, UINT32_MAX},
		{4095, UINT32_MAX},
		{UINT32_MAX, 1},
		{UINT32_MAX, 2},
		{0x80000000u, 0x80000000u},
		{2048, 2049},
	};
	uint32_t i, ev;
	int w;

	for (i = 0; i < RTE_DIM(bad); i++) {
		for (w = 0; w < 2; w++) {
			memcpy(snap, pci.cfg, sizeof(snap));
			memset(whole, 0x5a, sizeof(whole));
			ev = 0;
			TEST_ASSERT_EQUAL(vfio_user_pci_cfg_access(&pci, bad[i].offset, whole,
								   bad[i].count, w != 0, &ev),
					  -EINVAL, "offset %u count %u write %d", bad[i].offset,
					  bad[i].count, w);
			TEST_ASSERT_EQUAL(ev, 0, "no event on error");
			TEST_ASSERT_EQUAL(whole[0], 0x5a, "buffer untouched");
			TEST_ASSERT_EQUAL(memcmp(snap, pci.cfg, sizeof(snap)), 0,
					  "state untouched");
		}
	}
	TEST_ASSERT_EQUAL(vfio_user_pci_cfg_access(&pci, 0, NULL, 4, false, NULL), -EINVAL,
			  "NULL buffer");

	/* The edges themselves are fine. */
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci, 4095, whole, 1, false, NULL),
			    "last byte");
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci, 4092, whole, 4, true, NULL),
			    "last dword");
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci, 1, whole, 4095, false, NULL),
			    "unaligned long read");
	TEST_ASSERT_EQUAL(whole[0], T_VENDOR >> 8, "unaligned read data");
	TEST_ASSERT_SUCCESS(vfio_user_pci_cfg_access(&pci, 3, whole, 3, false, NULL),
			    "unaligned odd read");
	TEST_ASSERT_EQUAL(whole[0], T_DEVICE >> 8, "device id high");
	TEST_ASSERT_EQUAL(whole[1], 0, "command low");
	return TEST_SUCCESS;
}

static int
test_cap_errors(void)
{
	uint8_t body[254];
	uint16_t off = 0xbeef, last = 0, count;
	uint32_t ptr, hops;
	int ret;

	memset(body, 0x77, sizeof(body));
	vfio_user_pci_init(&pci2, &test_id, false);
	TEST_ASSERT_EQUAL(vfio_user_pci_cap_add(&pci2, 0x09, NULL, 4, NULL, &off), -EINVAL,
			  "NULL body with a length");
	TEST_ASSERT_EQUAL(vfio_user_pci_cap_add(&pci2, 0xff, body, 2, NULL, &off), -EINVAL,
			  "id 0xff");
	TEST_ASSERT_EQUAL(vfio_user_pci_cap_add(&pci2, 0x11, body, 10, NULL, &off), -EINVAL,
			  "raw MSI-X");
	TEST_ASSERT_EQUAL(vfio_user_pci_cap_add(&pci2, 0x10, body, 58, NULL, &off), -EINVAL,
			  "raw PCIe");
	TEST_ASSERT_EQUAL(vfio_user_pci_cap_add(&pci2, 0x09, body, 254, NULL, &off), -ENOSPC,
			  "longer than the space");
	TEST_ASSERT_EQUAL(off, 0xbeef, "offset untouched on error");
	TEST_ASSERT_EQUAL(rd(&pci2, 0x34, 1), 0, "no cap linked");
	TEST_ASSERT_EQUAL(rd(&pci2, 0x06, 2), 0, "no CAP_LIST");

	/* The largest that fits: 0x40 + 2 + 190 = 0x100. */
	TEST_ASSERT_SUCCESS(vfio_user_pci_cap_add(&pci2, 0x09, body, 190, NULL, &off), "exact fit");
	TEST_ASSERT_EQUAL(off, 0x40, "at 0x40");
	TEST_ASSERT_EQUAL(vfio_user_pci_cap_add(&pci2, 0x09, NULL, 0, NULL, NULL), -ENOSPC,
			  "space full");
	TEST_ASSERT_EQUAL(vfio_user_pci_exp_cap_add(&pci2, NULL), -ENOSPC, "no room for PCIe");
	TEST_ASSERT_EQUAL(pci2.exp_off, 0, "PCIe not recorded");

	/* Many small caps: odd lengths are padded to dwords, then ENOSPC. */
	vfio_user_pci_init(&pci2, &test_id, false);
	count = 0;
	for (;;) {
		ret = vfio_user_pci_cap_add(&pci2, 0x09, body, 1, NULL, &off);
		if (ret != 0)
			break;
		TEST_ASSERT_EQUAL(off, 0x40 + 4 * count, "cap %u offset", count);
		last = off;
		count++;
		TEST_ASSERT(count <= 48, "never full");
	}
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "too many caps");
	TEST_ASSERT_EQUAL(count, 48, "48 dword caps in 0x40..0xff");
	TEST_ASSERT_EQUAL(last, 0xfc, "last at 0xfc");
	for (ptr = rd(&pci2, 0x34, 1), hops = 0; ptr != 0 && hops <= 48;
	     ptr = rd(&pci2, ptr + 1, 1))
		hops++;
	TEST_ASSERT_EQUAL(hops, 48, "chain intact after ENOSPC");

	/* After the seal: EBUSY for every kind, nothing changes. */
	vfio_user_pci_init(&pci2, &test_id, false);
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 0, 0x4000, 0), "BAR0");
	vfio_user_pci_seal(&pci2);
	memcpy(snap, pci2.cfg, sizeof(snap));
	TEST_ASSERT_EQUAL(vfio_user_pci_cap_add(&pci2, 0x09, body, 4, NULL, &off), -EBUSY,
			  "cap_add after seal");
	TEST_ASSERT_EQUAL(vfio_user_pci_msix_cap_add(&pci2, 4, 0, 0, 0, 0x1000, &off), -EBUSY,
			  "MSI-X after seal");
	TEST_ASSERT_EQUAL(vfio_user_pci_exp_cap_add(&pci2, &off), -EBUSY, "PCIe after seal");
	TEST_ASSERT_EQUAL(memcmp(snap, pci2.cfg, sizeof(snap)), 0, "unchanged");
	return TEST_SUCCESS;
}

static int
test_msix_errors(void)
{
	static const struct {
		uint32_t nvec, table_bir, table_off, pba_bir, pba_off;
		const char *what;
	} bad[] = {
		{0, 0, 0, 0, 0x800, "0 vectors"},
		{2049, 2, 0, 0, 0, "2049 vectors"},
		/* 256 vectors = 4096 bytes: exactly BAR0; 257 is past it. */
		{257, 0, 0, 2, 0, "table past its BAR"},
		{8, 0, 0xf88, 2, 0, "table end past its BAR"},
		{8, 0, 0xfffffff8, 2, 0, "table offset wraps 32 bits"},
		{8, 0, 0, 0, 0x804, "PBA offset not 8-byte aligned"},
		{8, 0, 0x104, 2, 0, "table offset not 8-byte aligned"},
		{65, 0, 0, 2, 0x1ff8, "PBA (16 bytes for 65 vectors) past its BAR"},
		{8, 4, 0, 0, 0x800, "table in an absent BAR"},
		{8, 0, 0, 5, 0, "PBA in an absent BAR"},
		{8, 3, 0, 0, 0x800, "table in the upper half of a 64-bit BAR"},
		{8, 1, 0, 0, 0x800, "table in an I/O BAR"},
		{8, 0, 0, 1, 0x80, "PBA in an I/O BAR"},
		{8, 0, 0, 6, 0, "PBA BIR 6"},
		{8, 7, 0, 0, 0x800, "table BIR 7"},
		{8, 0, 0, 0, 0x78, "PBA overlaps the table end"},
		{65, 0, 0x100, 0, 0xf8, "PBA (16 bytes) overlaps the table start"},
		{8, 0, 0x100, 0, 0x100, "PBA at the table"},
	};
	uint16_t off;
	unsigned int i;

	vfio_user_pci_init(&pci2, &test_id, false);
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 0, 0x1000, 0), "BAR0");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 1, 256, RTE_VFIO_USER_BAR_IO), "BAR1 I/O");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 2, 0x2000, RTE_VFIO_USER_BAR_MEM64),
			    "BAR2 64-bit");

	for (i = 0; i < RTE_DIM(bad); i++)
		TEST_ASSERT_EQUAL(vfio_user_pci_msix_cap_add(&pci2, bad[i].nvec, bad[i].table_bir,
							     bad[i].table_off, bad[i].pba_bir,
							     bad[i].pba_off, &off),
				  -EINVAL, "%s", bad[i].what);
	TEST_ASSERT_EQUAL(pci2.msix_off, 0, "nothing added");
	TEST_ASSERT_EQUAL(rd(&pci2, 0x34, 1), 0, "no capability");

	/* Adjacent is fine; 64-bit BAR at index 2 is fine. */
	TEST_ASSERT_SUCCESS(vfio_user_pci_msix_cap_add(&pci2, 8, 0, 0x80, 2, 0x1ff8, &off),
			    "valid");
	TEST_ASSERT_EQUAL(rd(&pci2, off + 4, 4), 0x80, "table BIR 0");
	TEST_ASSERT_EQUAL(rd(&pci2, off + 8, 4), 0x1ffa, "PBA BIR 2");
	TEST_ASSERT_EQUAL(pci2.msix_nvec, 8, "nvec");
	TEST_ASSERT_EQUAL(vfio_user_pci_msix_cap_add(&pci2, 8, 0, 0x80, 0, 0x0, &off), -EEXIST,
			  "second MSI-X");
	/* The BARs under the MSI-X structures cannot change any more. */
	TEST_ASSERT_EQUAL(vfio_user_pci_set_bar(&pci2, 0, 0x10, 0), -EINVAL,
			  "shrink the table BAR");
	TEST_ASSERT_EQUAL(vfio_user_pci_set_bar(&pci2, 2, 0, 0), -EINVAL, "remove the PBA BAR");
	TEST_ASSERT_EQUAL(pci2.bar_size[0], 0x1000, "BAR0 kept");

	/* Adjacent the other way round, in one BAR, 2048 vectors. */
	vfio_user_pci_init(&pci2, &test_id, false);
	TEST_ASSERT_SUCCESS(
		vfio_user_pci_set_bar(&pci2, 4, 0x10000,
				      RTE_VFIO_USER_BAR_MEM64 | RTE_VFIO_USER_BAR_PREFETCH),
		"BAR4 64-bit");
	TEST_ASSERT_SUCCESS(vfio_user_pci_msix_cap_add(&pci2, 2048, 4, 0x100, 4, 0, &off),
			    "PBA just before");
	TEST_ASSERT_EQUAL(rd(&pci2, off + 2, 2), 0x7ff, "2048 vectors");
	return TEST_SUCCESS;
}

static int
test_bar_errors(void)
{
	static const struct {
		uint32_t index;
		uint64_t size;
		uint32_t flags;
		const char *what;
	} bad[] = {
		{0, 0x3000, 0, "not a power of two"},
		{0, 0x1001, RTE_VFIO_USER_BAR_MEM64, "64-bit not power of 2"},
		{5, 0x1000, RTE_VFIO_USER_BAR_MEM64, "64-bit at index 5"},
		{1, 0x1000, RTE_VFIO_USER_BAR_MEM64, "64-bit at odd index"},
		{6, 0x1000, RTE_VFIO_USER_BAR_MEM64, "64-bit ROM"},
		{0, 8, 0, "memory BAR below 16"},
		{0, 2, RTE_VFIO_USER_BAR_IO, "I/O BAR below 4"},
		{0, 512, RTE_VFIO_USER_BAR_IO, "I/O BAR above 256"},
		{0, 1ull << 32, 0, "32-bit BAR of 4 GiB"},
		{6, 1024, 0, "ROM below 2 KiB"},
		{6, 32ull << 20, 0, "ROM above 16 MiB"},
		{6, 4096, RTE_VFIO_USER_BAR_PREFETCH, "ROM with flags"},
		{0, 4096, RTE_VFIO_USER_BAR_IO | RTE_VFIO_USER_BAR_MEM64, "I/O and 64-bit"},
		{0, 64, RTE_VFIO_USER_BAR_IO | RTE_VFIO_USER_BAR_PREFETCH, "I/O and prefetch"},
		{0, 4096, 0x8, "unknown flag"},
		{7, 4096, 0, "index 7"},
		{UINT32_MAX, 4096, 0, "huge index"},
		{0, UINT64_MAX, RTE_VFIO_USER_BAR_MEM64, "all-ones size"},
	};
	uint32_t i;

	vfio_user_pci_init(&pci2, &test_id, false);
	memcpy(snap, pci2.cfg, sizeof(snap));
	for (i = 0; i < RTE_DIM(bad); i++)
		TEST_ASSERT_EQUAL(
			vfio_user_pci_set_bar(&pci2, bad[i].index, bad[i].size, bad[i].flags),
			-EINVAL, "%s", bad[i].what);
	TEST_ASSERT_EQUAL(memcmp(snap, pci2.cfg, sizeof(snap)), 0, "nothing written");

	/* Limits that are valid. */
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 0, 1ull << 63, RTE_VFIO_USER_BAR_MEM64),
			    "8 EiB 64-bit BAR");
	wr(&pci2, 0x10, 0xffffffff, 4);
	wr(&pci2, 0x14, 0xffffffff, 4);
	TEST_ASSERT_EQUAL(rd(&pci2, 0x10, 4), 0x4, "8 EiB low");
	TEST_ASSERT_EQUAL(rd(&pci2, 0x14, 4), 0x80000000, "8 EiB high");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 2, 1ull << 31, 0), "2 GiB 32-bit BAR");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 6, 16ull << 20, 0), "16 MiB ROM");

	/* Slot conflicts with 64-bit BARs. */
	TEST_ASSERT_EQUAL(vfio_user_pci_set_bar(&pci2, 1, 4096, 0), -EINVAL,
			  "upper half of BAR0 taken");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 3, 4096, 0), "BAR3");
	TEST_ASSERT_EQUAL(vfio_user_pci_set_bar(&pci2, 2, 4096, RTE_VFIO_USER_BAR_MEM64), -EINVAL,
			  "64-bit over a used slot");
	TEST_ASSERT_EQUAL(rd(&pci2, 0x18, 4), 0, "BAR2 still 32-bit");
	/* Re-declaring a BAR replaces it. */
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 2, 4096, RTE_VFIO_USER_BAR_PREFETCH),
			    "re-declare BAR2");
	TEST_ASSERT_EQUAL(rd(&pci2, 0x18, 4), 0x8, "BAR2 prefetchable now");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 0, 4096, 0), "BAR0 64-bit -> 32-bit");
	TEST_ASSERT_SUCCESS(vfio_user_pci_set_bar(&pci2, 1, 4096, 0), "BAR1 free again");
	return TEST_SUCCESS;
}

static struct unit_test_suite vfio_user_pci_suite = {
	.suite_name = "vfio-user PCI configuration space",
	.setup = NULL,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE(test_header), TEST_CASE_ST(setup_dev, NULL, test_cap_chain),
		TEST_CASE_ST(setup_dev, NULL, test_bar_sizing),
		TEST_CASE_ST(setup_dev, NULL, test_read_only),
		TEST_CASE_ST(setup_dev, NULL, test_command),
		TEST_CASE_ST(setup_dev, NULL, test_status_w1c),
		TEST_CASE_ST(setup_dev, NULL, test_msix), TEST_CASE_ST(setup_dev, NULL, test_flr),
		TEST_CASE_ST(setup_sealed, NULL, test_reset),
		TEST_CASE_ST(setup_dev, NULL, test_bad_access), TEST_CASE(test_cap_errors),
		TEST_CASE(test_msix_errors), TEST_CASE(test_bar_errors), TEST_CASES_END()}};

static int
test_vfio_user_pci(void)
{
	return unit_test_suite_runner(&vfio_user_pci_suite);
}

REGISTER_TEST_COMMAND(vfio_user_pci_autotest, test_vfio_user_pci);
