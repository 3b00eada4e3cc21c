/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user server: the DMA table (the client's memory as the device sees
 * it) and the DMA data path.
 *
 * The table is sorted by iova and written only by the thread handling the
 * connection, between the dma_change BEGIN and END callbacks (during which
 * the device promises not to translate); rte_vfio_user_dma_translate()
 * reads it without a lock, on the per-packet path. A table that has to
 * grow is replaced by a copy and the old one is kept until destroy, so a
 * stale reader never reads freed memory. dma_lock serializes
 * rte_vfio_user_dma_table() with changes.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "vfio_user_server_internal.h"

#define VFIO_USER_DMA_TAB_MIN 16u

static inline struct vfio_user_dma_tab *
vfio_user_dma_tab_get(const struct rte_vfio_user_server *srv)
{
	return __atomic_load_n(&srv->dma_tab, __ATOMIC_ACQUIRE);
}

static inline uint32_t
vfio_user_dma_nr_get(const struct rte_vfio_user_server *srv)
{
	return __atomic_load_n(&srv->dma_nr, __ATOMIC_ACQUIRE);
}

/* Index of the first entry with iova > addr (0..n). */
static uint32_t
vfio_user_dma_upper(const struct vfio_user_dma_entry *e, uint32_t n, uint64_t addr)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (e[mid].iova <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does [iova, last] lie inside e (last inclusive, so no overflow)? */
static inline bool
vfio_user_dma_contains(const struct vfio_user_dma_entry *e, uint64_t iova, uint64_t last)
{
	return iova >= e->iova && last <= e->iova + (e->size - 1);
}

/*
 * [iova, last] starts in e[idx] and goes on past it: a pointer when the
 * range lies in mappings adjacent both in guest memory and here (as the
 * DMA window lays them out), at most VFIO_USER_SRV_DMA_SPAN_MAX of them, each
 * with an fd and prot; NULL otherwise.
 */
static void *
vfio_user_dma_span(const struct vfio_user_dma_entry *e, uint32_t n, uint32_t idx, uint64_t iova,
		   uint64_t last, uint32_t prot)
{
	const struct vfio_user_dma_entry *c, *nx;
	uint32_t i;

	if (iova > e[idx].iova + (e[idx].size - 1))
		return NULL; /* not even the start is mapped */
	for (i = idx;; i++) {
		c = &e[i];
		if (c->vaddr == NULL || (c->prot & prot) != prot)
			return NULL;
		if (last <= c->iova + (c->size - 1))
			break;
		if (i + 1 >= n || i + 1 - idx >= VFIO_USER_SRV_DMA_SPAN_MAX)
			return NULL;
		/* no wrap: DMA_MAP refuses mappings reaching 2^64 */
		nx = &e[i + 1];
		if (nx->iova != c->iova + c->size || nx->vaddr != RTE_PTR_ADD(c->vaddr, c->size))
			return NULL;
	}
	return RTE_PTR_ADD(e[idx].vaddr, iova - e[idx].iova);
}

void *
rte_vfio_user_dma_translate(struct rte_vfio_user_server *srv, uint64_t iova, uint64_t len,
			    uint32_t prot)
{
	const struct vfio_user_dma_tab *tab;
	const struct vfio_user_dma_entry *e;
	uint64_t last;
	uint32_t n, hint, idx;

	if (unlikely(srv == NULL || len == 0))
		return NULL;
	last = iova + (len - 1);
	if (unlikely(last < iova))
		return NULL;
	n = vfio_user_dma_nr_get(srv);
	tab = vfio_user_dma_tab_get(srv);
	if (unlikely(n == 0 || tab == NULL))
		return NULL;
	hint = __atomic_load_n(&srv->dma_hint, __ATOMIC_RELAXED);
	if (likely(hint < n && vfio_user_dma_contains(&tab->e[hint], iova, last))) {
		idx = hint;
	} else {
		idx = vfio_user_dma_upper(tab->e, n, iova);
		if (idx == 0)
			return NULL;
		idx--;
		if (!vfio_user_dma_contains(&tab->e[idx], iova, last))
			return vfio_user_dma_span(tab->e, n, idx, iova, last, prot);
		__atomic_store_n(&srv->dma_hint, idx, __ATOMIC_RELAXED);
	}
	e = &tab->e[idx];
	if (unlikely(e->vaddr == NULL || (e->prot & prot) != prot))
		return NULL;
	return RTE_PTR_ADD(e->vaddr, iova - e->iova);
}

/* Copy between guest memory and buf across adjacent mappings. */
static int
vfio_user_dma_copy(struct rte_vfio_user_server *srv, uint64_t iova, void *buf, uint64_t len,
		   bool write)
{
	uint32_t need = write ? RTE_VFIO_USER_DMA_WRITE : RTE_VFIO_USER_DMA_READ;
	const struct vfio_user_dma_tab *tab;
	uint8_t *p = buf;
	uint32_t n, idx;

	if (srv == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (iova + (len - 1) < iova)
		return -EFAULT;
	n = vfio_user_dma_nr_get(srv);
	tab = vfio_user_dma_tab_get(srv);
	if (n == 0 || tab == NULL)
		return -EFAULT;
	while (len > 0) {
		const struct vfio_user_dma_entry *e;
		uint64_t avail, chunk;
		void *va;

		idx = vfio_user_dma_upper(tab->e, n, iova);
		if (idx == 0)
			return -EFAULT;
		e = &tab->e[idx - 1];
		if (iova > e->iova + (e->size - 1) || e->vaddr == NULL || (e->prot & need) != need)
			return -EFAULT;
		avail = e->size - (iova - e->iova);
		chunk = RTE_MIN(avail, len);
		va = RTE_PTR_ADD(e->vaddr, iova - e->iova);
		if (write) {
			memcpy(va, p, chunk);
			/* What was written is dirty, even if a later chunk fails. */
			rte_vfio_user_dma_mark_dirty(srv, iova, chunk);
		} else
			memcpy(p, va, chunk);
		p += chunk;
		len -= chunk;
		iova += chunk; /* no wrap while len > 0: checked above */
	}
	return 0;
}

int
rte_vfio_user_dma_read(struct rte_vfio_user_server *srv, uint64_t iova, void *buf, uint64_t len)
{
	return vfio_user_dma_copy(srv, iova, buf, len, false);
}

int
rte_vfio_user_dma_write(struct rte_vfio_user_server *srv, uint64_t iova, const void *buf,
			uint64_t len)
{
	/* The buffer is only read when writing guest memory. */
	return vfio_user_dma_copy(srv, iova, (void *)(uintptr_t)buf, len, true);
}

int
rte_vfio_user_dma_table(struct rte_vfio_user_server *srv, struct rte_vfio_user_dma_map *maps,
			uint32_t max)
{
	const struct vfio_user_dma_tab *tab;
	uint32_t n, i;

	if (srv == NULL)
		return -EINVAL;
	if (maps == NULL)
		max = 0;
	pthread_mutex_lock(&srv->dma_lock);
	n = vfio_user_dma_nr_get(srv);
	tab = vfio_user_dma_tab_get(srv);
	for (i = 0; i < n && i < max; i++) {
		maps[i].iova = tab->e[i].iova;
		maps[i].size = tab->e[i].size;
		maps[i].vaddr = tab->e[i].vaddr;
		maps[i].prot = tab->e[i].prot;
	}
	pthread_mutex_unlock(&srv->dma_lock);
	return (int)RTE_MIN(n, (uint32_t)INT32_MAX);
}

static void
vfio_user_dma_event(struct rte_vfio_user_server *srv, enum rte_vfio_user_dma_event ev)
{
	if (srv->ops.dma_change != NULL)
		srv->ops.dma_change(srv->arg, ev);
}

/*
 * The DMA window. Behind a vIOMMU, QEMU maps the guest's memory page by
 * page as the guest maps it, and a ring or a buffer contiguous in guest
 * addresses spans several mappings: placed at dma_win + iova, they are
 * contiguous here too, and rte_vfio_user_dma_translate() takes them as one
 * range. Each mapping replaces its part of the reservation (MAP_FIXED: the
 * window is ours alone) and gives it back when unmapped.
 */
#define VFIO_USER_WIN_MAP_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
#define VFIO_USER_WIN_ALIGN (UINT64_C(1) << 30)

/* Where a mapping of [iova, iova + size) goes, or NULL: anywhere. */
static void *
vfio_user_dma_win_slot(struct rte_vfio_user_server *srv, uint64_t iova, uint64_t size)
{
	void *w;

	if (srv->dma_win_lost || iova > VFIO_USER_SRV_DMA_WINDOW ||
	    size > VFIO_USER_SRV_DMA_WINDOW - iova)
		return NULL;
	if (srv->dma_win == NULL) {
		uintptr_t a;

		/*
		 * Aligned to 1 GiB, so that a mapping of hugetlbfs memory
		 * (2 MiB or 1 GiB pages) at window + iova is aligned as the
		 * kernel requires whenever its iova is: the excess is given back.
		 */
		w = mmap(NULL, (size_t)(VFIO_USER_SRV_DMA_WINDOW + VFIO_USER_WIN_ALIGN), PROT_NONE,
			 VFIO_USER_WIN_MAP_FLAGS, -1, 0);
		if (w == MAP_FAILED) {
			VFIO_USER_LOG(DEBUG, "%s: no DMA window (%s): mappings go anywhere",
				      srv->path, strerror(errno));
			return NULL;
		}
		a = RTE_ALIGN_CEIL((uintptr_t)w, (uintptr_t)VFIO_USER_WIN_ALIGN);
		if (a > (uintptr_t)w)
			munmap(w, a - (uintptr_t)w);
		munmap((void *)(a + (uintptr_t)VFIO_USER_SRV_DMA_WINDOW),
		       (uintptr_t)w + (uintptr_t)VFIO_USER_WIN_ALIGN - a);
		srv->dma_win = (void *)a;
	}
	return RTE_PTR_ADD(srv->dma_win, iova);
}

/* Give [va, va + size) back to the window's reservation. */
static void
vfio_user_dma_win_put(struct rte_vfio_user_server *srv, void *va, uint64_t size)
{
	if (mmap(va, (size_t)size, PROT_NONE, VFIO_USER_WIN_MAP_FLAGS | MAP_FIXED, -1, 0) !=
	    MAP_FAILED)
		return;
	/* A hole that another mapping may take: the window is no longer ours whole. */
	VFIO_USER_LOG(
		ERR, "%s: DMA window: %p + 0x%" PRIx64 " not reserved again (%s): window abandoned",
		srv->path, va, size, strerror(errno));
	munmap(va, (size_t)size);
	srv->dma_win_lost = true;
}

/* The table is empty: return the window (a lost one stays as it is). */
static void
vfio_user_dma_win_release(struct rte_vfio_user_server *srv)
{
	if (srv->dma_win != NULL && !srv->dma_win_lost &&
	    munmap(srv->dma_win, (size_t)VFIO_USER_SRV_DMA_WINDOW) < 0)
		VFIO_USER_LOG(ERR, "%s: DMA window: munmap: %s", srv->path, strerror(errno));
	srv->dma_win = NULL;
}

static void
vfio_user_dma_entry_unmap(struct rte_vfio_user_server *srv, struct vfio_user_dma_entry *e)
{
	if (e->vaddr != NULL && e->in_win)
		vfio_user_dma_win_put(srv, e->vaddr, e->size);
	else if (e->vaddr != NULL && munmap(e->vaddr, e->size) < 0)
		VFIO_USER_LOG(ERR, "munmap(iova 0x%" PRIx64 ", size 0x%" PRIx64 "): %s", e->iova,
			      e->size, strerror(errno));
	e->vaddr = NULL;
	e->in_win = false;
}

/* Unmap everything (client gone, or UNMAP_ALL). */
void
vfio_user_dma_clear(struct rte_vfio_user_server *srv)
{
	struct vfio_user_dma_tab *tab = vfio_user_dma_tab_get(srv);
	uint32_t n = vfio_user_dma_nr_get(srv), i;

	if (n == 0)
		return;
	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_BEGIN);
	pthread_mutex_lock(&srv->dma_lock);
	__atomic_store_n(&srv->dma_nr, 0, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++)
		vfio_user_dma_entry_unmap(srv, &tab->e[i]);
	vfio_user_dma_win_release(srv);
	pthread_mutex_unlock(&srv->dma_lock);
	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_END);
}

void
vfio_user_dma_free(struct rte_vfio_user_server *srv)
{
	struct vfio_user_dma_tab *t, *next;

	t = srv->dma_tab;
	if (t != NULL)
		t->retired = srv->dma_retired;
	else
		t = srv->dma_retired;
	for (; t != NULL; t = next) {
		next = t->retired;
		free(t);
	}
	srv->dma_tab = NULL;
	srv->dma_retired = NULL;
	vfio_user_dma_win_release(srv); /* the table was emptied on disconnect */
}

/* Insert e at pos (table sorted, no overlap: checked by the caller). */
static int
vfio_user_dma_insert(struct rte_vfio_user_server *srv, uint32_t pos,
		     const struct vfio_user_dma_entry *e)
{
	struct vfio_user_dma_tab *tab = srv->dma_tab, *ntab = NULL;
	uint32_t n = srv->dma_nr;

	if (tab == NULL || n == tab->cap) {
		uint64_t cap = tab == NULL ? VFIO_USER_DMA_TAB_MIN : 2ull * tab->cap;
		uint64_t most = RTE_MAX(srv->max_dma_maps, n + 1);

		cap = RTE_MIN(cap, most);
		ntab = malloc(sizeof(*ntab) + cap * sizeof(ntab->e[0]));
		if (ntab == NULL)
			return -ENOMEM;
		ntab->cap = (uint32_t)cap;
		ntab->retired = NULL;
		if (n > 0)
			memcpy(ntab->e, tab->e, n * sizeof(tab->e[0]));
	}

	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_BEGIN);
	pthread_mutex_lock(&srv->dma_lock);
	if (ntab != NULL) {
		if (tab != NULL) {
			tab->retired = srv->dma_retired;
			srv->dma_retired = tab;
		}
		__atomic_store_n(&srv->dma_tab, ntab, __ATOMIC_RELEASE);
		tab = ntab;
	}
	memmove(&tab->e[pos + 1], &tab->e[pos], (n - pos) * sizeof(tab->e[0]));
	tab->e[pos] = *e;
	__atomic_store_n(&srv->dma_nr, n + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&srv->dma_lock);
	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_END);
	return 0;
}

/* Remove entries [first, end) (0 < end - first <= n), one table change. */
static void
vfio_user_dma_remove(struct rte_vfio_user_server *srv, uint32_t first, uint32_t end)
{
	struct vfio_user_dma_tab *tab = srv->dma_tab;
	uint32_t n = srv->dma_nr, i;

	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_BEGIN);
	pthread_mutex_lock(&srv->dma_lock);
	for (i = first; i < end; i++)
		vfio_user_dma_entry_unmap(srv, &tab->e[i]);
	memmove(&tab->e[first], &tab->e[end], (n - end) * sizeof(tab->e[0]));
	__atomic_store_n(&srv->dma_nr, n - (end - first), __ATOMIC_RELEASE);
	if (n == end - first)
		vfio_user_dma_win_release(srv);
	pthread_mutex_unlock(&srv->dma_lock);
	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_END);
}

/*
 * The entries a DMA_UNMAP of [addr, last] removes: [*first, *end), every
 * mapping lying entirely inside the range (none is fine: *first == *end).
 * @return 0, or -EINVAL when the range cuts a mapping (one that starts
 *   before addr and reaches it, or reaches past last): then nothing is
 *   removed, as with Linux's VFIO_TYPE1v2_IOMMU.
 */
static int
vfio_user_dma_unmap_span(const struct vfio_user_dma_entry *e, uint32_t n, uint64_t addr,
			 uint64_t last, uint32_t *first, uint32_t *end)
{
	uint32_t lo, hi;

	*first = 0;
	*end = 0;
	if (n == 0)
		return 0;
	/* e[lo - 1] is the last mapping starting at or before addr. */
	lo = vfio_user_dma_upper(e, n, addr);
	if (lo > 0 && e[lo - 1].iova + (e[lo - 1].size - 1) >= addr) {
		if (e[lo - 1].iova != addr)
			return -EINVAL; /* starts before the range */
		lo--;
	}
	/* e[hi - 1] is the last mapping starting at or before last. */
	hi = vfio_user_dma_upper(e, n, last);
	if (hi > lo && e[hi - 1].iova + (e[hi - 1].size - 1) > last)
		return -EINVAL; /* ends after the range */
	*first = lo;
	*end = RTE_MAX(lo, hi);
	return 0;
}

static const char *
vfio_user_file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFSOCK:
		return "socket";
	case S_IFIFO:
		return "pipe or FIFO";
	case S_IFDIR:
		return "directory";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	default:
		return "special file";
	}
}

int
vfio_user_dma_map(struct rte_vfio_user_server *srv, const struct vfio_user_dma_map *m, int fd)
{
	struct vfio_user_dma_entry ent;
	const struct vfio_user_dma_tab *tab;
	uint32_t n, pos;
	void *at = NULL;
	int ret, prot = PROT_NONE;

	memset(&ent, 0, sizeof(ent));
	ent.iova = m->addr;
	ent.size = m->size;
	if (m->flags & VFIO_USER_DMA_FLAG_READ) {
		ent.prot |= RTE_VFIO_USER_DMA_READ;
		prot |= PROT_READ;
	}
	if (m->flags & VFIO_USER_DMA_FLAG_WRITE) {
		ent.prot |= RTE_VFIO_USER_DMA_WRITE;
		prot |= PROT_WRITE;
	}

	tab = srv->dma_tab;
	n = srv->dma_nr;
	pos = n > 0 ? vfio_user_dma_upper(tab->e, n, m->addr) : 0;
	if (pos > 0) {
		const struct vfio_user_dma_entry *prev = &tab->e[pos - 1];

		if (prev->iova == ent.iova && prev->size == ent.size && prev->prot == ent.prot &&
		    (prev->vaddr != NULL) == (fd >= 0))
			return 0; /* identical remap */
		if (prev->iova + (prev->size - 1) >= m->addr)
			return -EEXIST;
	}
	if (pos < n && m->addr + (m->size - 1) >= tab->e[pos].iova)
		return -EEXIST;
	if (n >= srv->max_dma_maps) {
		VFIO_USER_LOG_REFUSED(
			srv, VFIO_USER_REFUSED_DMA_LIMIT,
			"DMA_MAP refused: the client has reached its limit of %u mappings"
			" (max_dma_maps)",
			srv->max_dma_maps);
		return -ENOSPC;
	}

	if (fd >= 0) {
		struct stat st;
		void *va;
		int seals;

		if (fstat(fd, &st) < 0)
			return -errno;
		if (!S_ISREG(st.st_mode)) {
			VFIO_USER_LOG_REFUSED(
				srv, VFIO_USER_REFUSED_DMA_FD,
				"DMA_MAP refused: the memory fd is a %s, not a regular"
				" file",
				vfio_user_file_type(st.st_mode));
			return -EPERM;
		}
		/*
		 * Memory that may shrink under our mappings would make the next
		 * device access to it raise SIGBUS.
		 */
		seals = fcntl(fd, F_GET_SEALS);
		if (!(srv->flags & RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY) &&
		    (seals < 0 || !(seals & F_SEAL_SHRINK))) {
			VFIO_USER_LOG_REFUSED(
				srv, VFIO_USER_REFUSED_DMA_SEAL,
				"DMA_MAP refused: the memory fd is not sealed against"
				" shrinking (F_SEAL_SHRINK): give the VM QEMU's"
				" memory-backend-memfd (seal=on, its default, also with"
				" hugetlb=on), or have the application trust its clients'"
				" memory (RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY)");
			return -EPERM;
		}
		/* The size once sealed (the client may have shrunk it before sealing). */
		if (fstat(fd, &st) < 0)
			return -errno;
		if (st.st_size < 0 || m->size > (uint64_t)st.st_size ||
		    m->offset > (uint64_t)st.st_size - m->size)
			return -EINVAL;
		if (m->size > SIZE_MAX)
			return -ENOMEM;
		/*
		 * Mapped inaccessible, then opened up: in a process that locks
		 * its future memory (mlockall(MCL_FUTURE), as testpmd does by
		 * default) mmap() would fault in and lock the whole range here,
		 * on the control thread: every page of the guest's RAM allocated
		 * and pinned for good, and the reply delayed by hundreds of ms
		 * per GiB (seconds under load, past QEMU's 5 s). A PROT_NONE
		 * mapping is not populated, nor is a shared one made accessible
		 * by mprotect(): pages come in (locked, then) as the device
		 * touches them.
		 */
		at = vfio_user_dma_win_slot(srv, m->addr, m->size);
		va = mmap(at, (size_t)m->size, PROT_NONE, MAP_SHARED | (at != NULL ? MAP_FIXED : 0),
			  fd, (off_t)m->offset);
		if (va == MAP_FAILED && at != NULL && errno == EINVAL) {
			/* e.g. huge pages at an iova they are not aligned to: anywhere. */
			vfio_user_dma_win_put(srv, at, m->size);
			at = NULL;
			va = mmap(NULL, (size_t)m->size, PROT_NONE, MAP_SHARED, fd,
				  (off_t)m->offset);
		}
		if (va == MAP_FAILED) {
			ret = -errno;
			if (at != NULL)
				vfio_user_dma_win_put(srv, at, m->size);
			goto fail;
		}
		if (prot != PROT_NONE && mprotect(va, (size_t)m->size, prot) < 0) {
			/*
			 * Refused (a read-only fd, a write seal): mmap() itself
			 * tells why, with the errno clients know.
			 */
			if (at != NULL)
				vfio_user_dma_win_put(srv, va, m->size);
			else
				munmap(va, (size_t)m->size);
			at = NULL;
			va = mmap(NULL, (size_t)m->size, prot, MAP_SHARED, fd, (off_t)m->offset);
			if (va == MAP_FAILED) {
				ret = -errno;
				goto fail;
			}
		}
		ent.vaddr = va;
		ent.in_win = at != NULL;
	}
	ret = vfio_user_dma_insert(srv, pos, &ent);
	if (ret < 0) {
		vfio_user_dma_entry_unmap(srv, &ent);
		goto fail;
	}
	VFIO_USER_LOG(DEBUG, "%s: DMA map iova 0x%" PRIx64 " size 0x%" PRIx64 " prot %u%s",
		      srv->path, ent.iova, ent.size, ent.prot,
		      fd < 0		 ? " (no fd)" :
			      ent.in_win ? "" :
					   " (outside the DMA window)");
	return 0;

fail:
	if (srv->dma_nr == 0)
		vfio_user_dma_win_release(srv);
	return ret;
}

int
vfio_user_dma_unmap(struct rte_vfio_user_server *srv, const struct vfio_user_dma_unmap *u)
{
	uint32_t first, end;
	uint64_t last;
	int ret;

	if (u->flags & VFIO_USER_DMA_UNMAP_FLAG_ALL) {
		vfio_user_dma_clear(srv);
		return 0;
	}
	/* The decoder checked size > 0 and that the range does not wrap. */
	last = u->addr + (u->size - 1);
	ret = vfio_user_dma_unmap_span(srv->dma_tab != NULL ? srv->dma_tab->e : NULL, srv->dma_nr,
				       u->addr, last, &first, &end);
	if (ret < 0) {
		VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_DMA_CUT,
				      "DMA_UNMAP of [0x%" PRIx64 ", 0x%" PRIx64
				      "] refused: it cuts a mapping in two (only whole"
				      " mappings are unmapped)",
				      u->addr, last);
		return ret;
	}
	if (end > first)
		vfio_user_dma_remove(srv, first, end);
	VFIO_USER_LOG(DEBUG,
		      "%s: DMA unmap [0x%" PRIx64 ", 0x%" PRIx64
		      "]: %u mapping(s) removed, %u left",
		      srv->path, u->addr, last, end - first, srv->dma_nr);
	return 0;
}
