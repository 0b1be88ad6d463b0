/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Host id ranges for the zones' user namespaces. Every private zone gets UID_RANGE_SIZE ids
 * (uids and gids alike) from zoned's pool, shared with no other zone, with nothing that
 * /etc/subuid or /etc/subgid hand out, and with nothing that another manager's containers map
 * (their /proc/PID/uid_map). The functions are pure: the files are parameters, so that unit
 * tests use fixtures. */

#define UID_RANGE_SIZE UINT32_C(65536)
/* A nesting zone's: its own 65536 ids, and 63 ranges of 65536 for the zones of a zoned (or another
 * manager) inside it, whose maps must lie within the ids its own user namespace maps. */
#define NESTING_UID_RANGE_SIZE (UID_RANGE_SIZE * 64)
/* The most a zone file's UIDRange= may say: a multiple of UID_RANGE_SIZE up to this. */
#define UID_RANGE_SIZE_MAX (UID_RANGE_SIZE * 16384)
/* systemd's container range, where systemd-nspawn -U picks too. */
#define UID_POOL_FIRST_DEFAULT UINT32_C(524288)
#define UID_POOL_LAST_DEFAULT UINT32_C(1879048191)

/* 64 bits: a subuid line or a uid_map may reach past (uid_t) -1. */
typedef struct UidRange {
        uint64_t start;
        uint64_t size;
} UidRange;

/* The ids zoned hands out, first..last inclusive. */
typedef struct UidPool {
        uint32_t first;
        uint32_t last;
} UidPool;

/* "FIRST-LAST" in decimal. -EINVAL unless it holds at least one aligned range of UID_RANGE_SIZE,
 * above the host's root and below (uid_t) -1. */
int uid_pool_parse(const char *s, UidPool *ret);

bool uid_range_overlaps(const UidRange *a, const UidRange *b);
/* Whether a zone's range lies wholly inside the pool. */
bool uid_pool_contains(const UidPool *pool, const UidRange *r);

/* Appends (to an array of UidRange) the ranges a subuid(5) or subgid(5) file hands out
 * ("user:first:count" lines). A file that does not exist hands out none; lines of another form
 * are skipped, as shadow's tools skip them. */
int uid_ranges_add_subid_file(GArray *ranges, const char *path);

/* Appends what the processes under proc (a directory laid out like /proc) map in their uid_map
 * and gid_map, as ids of our user namespace; the identity map of the initial namespace is no
 * range. Processes that end meanwhile are skipped; each user namespace is read once, and our own
 * not at all (read from inside it, its maps show our parent's ids, which are no ids of ours). */
int uid_ranges_add_proc_maps(GArray *ranges, const char *proc);

/* Whether size is one a zone's range may have: a multiple of UID_RANGE_SIZE, at most
 * UID_RANGE_SIZE_MAX. */
bool uid_range_size_is_valid(uint32_t size);

/* The first id of the lowest range of size ids (uid_range_size_is_valid()), aligned to
 * UID_RANGE_SIZE, inside the pool and overlapping none of taken (an array of UidRange). -ENOSPC
 * when there is none. */
int uid_range_allocate(const UidPool *pool, const GArray *taken, uint32_t size, uint32_t *ret_shift);

/* The pool of a zoned that runs in a user namespace other than the host's (in a zone, or in
 * another manager's container), from its uid_map and gid_map texts: of the ids mapped in both,
 * the longest run, less the first UID_RANGE_SIZE ids (the container's own users). 1: the maps are
 * the initial namespace's identity (the host: no pool from them); 0 and *ret set; -ENOSPC: the
 * namespace maps too few ids for one range beyond its own users (*ret_ids: how many it maps). */
int uid_pool_from_maps(const char *uid_map, const char *gid_map, UidPool *ret, uint64_t *ret_ids);
