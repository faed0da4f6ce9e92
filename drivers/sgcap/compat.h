/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sgcap - kernel API differences between the supported kernels (6.1, the
 * oldest the test bed boots and dkms.conf's BUILD_EXCLUSIVE_KERNEL_MIN, and
 * later), one commented shim each, named after the release that changed the
 * API. The SGCAP_HAVE_* feature tests are made by ../../Kbuild: they grep
 * the headers built against rather than compare version numbers, because
 * distribution kernels carry backports.
 */
#ifndef _SGCAP_COMPAT_H
#define _SGCAP_COMPAT_H

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>

/*
 * Linux 6.2 moved dma_buf_vmap() to the dynamic locking rules: since then
 * it expects the caller to hold the reservation lock and
 * dma_buf_vmap_unlocked() is the variant that takes it. Before 6.2,
 * dma_buf_vmap() took the dma-buf's own mutex and had no _unlocked variant.
 */
#ifdef SGCAP_HAVE_DMA_BUF_VMAP_UNLOCKED
static inline int sgcap_dma_buf_vmap_unlocked(struct dma_buf *dmabuf,
					      struct iosys_map *map)
{
	return dma_buf_vmap_unlocked(dmabuf, map);
}

static inline void sgcap_dma_buf_vunmap_unlocked(struct dma_buf *dmabuf,
						 struct iosys_map *map)
{
	dma_buf_vunmap_unlocked(dmabuf, map);
}
#else
static inline int sgcap_dma_buf_vmap_unlocked(struct dma_buf *dmabuf,
					      struct iosys_map *map)
{
	return dma_buf_vmap(dmabuf, map);
}

static inline void sgcap_dma_buf_vunmap_unlocked(struct dma_buf *dmabuf,
						 struct iosys_map *map)
{
	dma_buf_vunmap(dmabuf, map);
}
#endif

/*
 * Linux 6.4 made the driver core treat struct bus_type as const: struct
 * device.bus (commit d492cc2573a0), bus_register() and the bus attribute
 * callbacks (commit 75cff725d956). Before, bus_register() wrote to the bus,
 * so it cannot be const there. sgcap_bus_type is the bus type this kernel's
 * driver core works with: the type struct device.bus points to.
 */
#define sgcap_bus_type __typeof__(*((struct device *)NULL)->bus)

/*
 * Linux 6.13 made symbol namespaces string literals (commit cdd30ebb1b9f,
 * "module: Convert symbol namespace to string literal"): MODULE_IMPORT_NS()
 * takes "DMA_BUF" and no longer stringifies a bare DMA_BUF. Use
 * MODULE_IMPORT_NS(SGCAP_NS_DMA_BUF); before 6.13 the macro expands to the
 * bare name, which the old MODULE_IMPORT_NS() stringifies.
 */
#ifdef SGCAP_HAVE_MODULE_IMPORT_NS_STRING
#define SGCAP_NS_DMA_BUF "DMA_BUF"
#else
#define SGCAP_NS_DMA_BUF DMA_BUF
#endif

/*
 * Not shimmed because every supported kernel agrees:
 * - struct iosys_map replaced struct dma_buf_map in 5.18 (commit
 *   7938f4218168, "dma-buf-map: Rename to iosys-map").
 * - class_create() lost its struct module argument in 6.4 (commit
 *   1aaba11da9aa); sgcap registers misc devices and creates no class.
 * - get_random_u32_below() appeared in 6.2 and is backported to 6.1.y.
 * - vm_flags_set() (6.3) is not needed: remap_pfn_range() sets the flags
 *   of a dma-buf mapping (VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP).
 * - dma_set_max_seg_size() returns void since 6.12, int before: the result
 *   is not used.
 */

#endif /* _SGCAP_COMPAT_H */
