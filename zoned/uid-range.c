/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "macro.h"
#include "uid-range.h"

static uint64_t align_up(uint64_t v) {
        return (v + UID_RANGE_SIZE - 1) / UID_RANGE_SIZE * UID_RANGE_SIZE;
}

/* A decimal number, nothing else around it (no sign, no spaces). */
static int parse_u64(const char *s, const char *end, uint64_t *ret) {
        uint64_t v = 0;

        if (s == end)
                return -EINVAL;
        for (const char *p = s; p < end; p++) {
                uint64_t digit = (uint64_t) (*p - '0');

                if (*p < '0' || *p > '9')
                        return -EINVAL;
                if (v > (UINT64_MAX - digit) / 10)
                        return -ERANGE;
                v = v * 10 + digit;
        }
        *ret = v;
        return 0;
}

int uid_pool_parse(const char *s, UidPool *ret) {
        const char *dash = strchr(s, '-');
        uint64_t first, last;

        if (!dash || parse_u64(s, dash, &first) < 0 || parse_u64(dash + 1, dash + strlen(dash), &last) < 0)
                return -EINVAL;
        /* Never the host's root; the last id below (uid_t) -1, which is no user. */
        if (first == 0 || last >= UINT32_MAX || first > last)
                return -EINVAL;
        if (align_up(first) + UID_RANGE_SIZE - 1 > last)
                return -EINVAL;
        *ret = (UidPool) { .first = (uint32_t) first, .last = (uint32_t) last };
        return 0;
}

bool uid_range_overlaps(const UidRange *a, const UidRange *b) {
        return a->size > 0 && b->size > 0 && a->start < b->start + b->size && b->start < a->start + a->size;
}

bool uid_pool_contains(const UidPool *pool, const UidRange *r) {
        return r->size > 0 && r->start >= pool->first && r->start + r->size - 1 <= pool->last;
}

/* Clamped to the ids there are, so that no sum overflows. */
static void add_range(GArray *ranges, uint64_t start, uint64_t size) {
        const uint64_t n_ids = (uint64_t) UINT32_MAX + 1;
        UidRange r = { .start = start, .size = MIN(size, n_ids - MIN(start, n_ids)) };

        if (r.size > 0)
                g_array_append_val(ranges, r);
}

int uid_ranges_add_subid_file(GArray *ranges, const char *path) {
        g_autofree char *text = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = NULL;

        if (!g_file_get_contents(path, &text, NULL, &error))
                return g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? 0 : -EIO;
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) f = g_strsplit(*l, ":", -1);
                uint64_t start, count;

                if (g_strv_length(f) != 3 || !f[0][0] || parse_u64(f[1], f[1] + strlen(f[1]), &start) < 0 ||
                    parse_u64(f[2], f[2] + strlen(f[2]), &count) < 0)
                        continue;
                add_range(ranges, start, count);
        }
        return 0;
}

/* One line "INSIDE OUTSIDE COUNT" of a uid_map or gid_map into v; false for anything else. */
static bool parse_map_line(const char *line, uint64_t v[static 3]) {
        g_auto(GStrv) f = g_strsplit_set(line, " \t", -1);
        size_t n = 0;

        for (char **w = f; *w; w++)
                if (**w && (n >= 3 || parse_u64(*w, *w + strlen(*w), &v[n++]) < 0))
                        return false;
        return n == 3;
}

/* Lines "INSIDE OUTSIDE COUNT" of a uid_map or gid_map; the outside ids are ours. */
static void add_map_text(GArray *ranges, const char *text) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (char **l = lines; *l; l++) {
                uint64_t v[3];

                if (!parse_map_line(*l, v))
                        continue;
                if (v[0] == 0 && v[1] == 0 && v[2] == UINT32_MAX)
                        continue; /* the initial namespace's identity: the host itself */
                add_range(ranges, v[1], v[2]);
        }
}

/* Reads the user namespace's maps once: a container's processes share one. */
static bool user_namespace_seen(GHashTable *seen, const char *proc, const char *pid) {
        g_autofree char *ns = g_build_filename(proc, pid, "ns", "user", NULL);
        struct stat st;
        uint64_t key;

        if (stat(ns, &st) < 0)
                return false; /* then read the maps anyway */
        key = (uint64_t) st.st_ino ^ ((uint64_t) st.st_dev << 32);
        if (g_hash_table_contains(seen, &key))
                return true;
        g_hash_table_add(seen, g_memdup2(&key, sizeof(key)));
        return false;
}

int uid_ranges_add_proc_maps(GArray *ranges, const char *proc) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        g_autoptr(GDir) d = NULL;
        g_autoptr(GError) error = NULL;
        const char *pid;

        (void) user_namespace_seen(seen, proc, "self");
        d = g_dir_open(proc, 0, &error);
        if (!d)
                return g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? -ENOENT : -EIO;
        while ((pid = g_dir_read_name(d))) {
                if (strspn(pid, "0123456789") != strlen(pid) || user_namespace_seen(seen, proc, pid))
                        continue;
                for (const char *const *map = (const char *const[]) { "uid_map", "gid_map", NULL }; *map;
                     map++) {
                        g_autofree char *path = g_build_filename(proc, pid, *map, NULL), *text = NULL;

                        /* Gone meanwhile, or not ours to read: nothing to add. */
                        if (g_file_get_contents(path, &text, NULL, NULL))
                                add_map_text(ranges, text);
                }
        }
        return 0;
}

static gint compare_start(gconstpointer a, gconstpointer b) {
        const UidRange *x = a, *y = b;
        return x->start < y->start ? -1 : x->start > y->start;
}

bool uid_range_size_is_valid(uint32_t size) {
        return size > 0 && size % UID_RANGE_SIZE == 0 && size <= UID_RANGE_SIZE_MAX;
}

int uid_range_allocate(const UidPool *pool, const GArray *taken, uint32_t size, uint32_t *ret_shift) {
        g_autoptr(GArray) sorted = g_array_sized_new(FALSE, FALSE, sizeof(UidRange), taken->len);
        uint64_t candidate = align_up(pool->first);

        if (!uid_range_size_is_valid(size))
                return -EINVAL;
        g_array_append_vals(sorted, taken->data, taken->len);
        g_array_sort(sorted, compare_start);
        /* Sorted by start, each range either ends before the candidate, starts after it (then the
         * candidate is free), or pushes it past its end. */
        for (guint i = 0; i < sorted->len; i++) {
                const UidRange *t = &g_array_index(sorted, UidRange, i);
                UidRange c = { .start = candidate, .size = size };

                if (candidate + size - 1 > pool->last)
                        break;
                if (t->start >= candidate + size)
                        break;
                if (uid_range_overlaps(t, &c))
                        candidate = align_up(t->start + t->size);
        }
        if (candidate + size - 1 > pool->last)
                return -ENOSPC;
        *ret_shift = (uint32_t) candidate;
        return 0;
}

/* The extents "INSIDE OUTSIDE COUNT" of a map, as ranges of inside ids. 1: the identity of the
 * initial namespace. */
static int map_inside_ranges(const char *text, GArray *ranges) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (char **l = lines; *l; l++) {
                uint64_t v[3];

                if (!parse_map_line(*l, v))
                        continue;
                if (v[0] == 0 && v[1] == 0 && v[2] == UINT32_MAX)
                        return 1;
                add_range(ranges, v[0], v[2]);
        }
        return 0;
}

int uid_pool_from_maps(const char *uid_map, const char *gid_map, UidPool *ret, uint64_t *ret_ids) {
        g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(UidRange));
        g_autoptr(GArray) gids = g_array_new(FALSE, FALSE, sizeof(UidRange));
        UidRange best = {};

        int uid_identity = map_inside_ranges(uid_map, uids), gid_identity = map_inside_ranges(gid_map, gids);

        if (uid_identity > 0 && gid_identity > 0)
                return 1;
        /* The longest run of ids that are uids and gids alike. */
        for (guint i = 0; i < uids->len; i++)
                for (guint j = 0; j < gids->len; j++) {
                        const UidRange *u = &g_array_index(uids, UidRange, i),
                                       *g = &g_array_index(gids, UidRange, j);
                        uint64_t start = MAX(u->start, g->start),
                                 end = MIN(u->start + u->size, g->start + g->size);

                        if (end > start && end - start > best.size)
                                best = (UidRange) { .start = start, .size = end - start };
                }
        if (ret_ids)
                *ret_ids = best.size;
        /* Never the container's own users, whoever they are: its ids 0..65535. */
        if (best.start + best.size <= UID_RANGE_SIZE)
                return -ENOSPC;
        if (best.start < UID_RANGE_SIZE) {
                best.size -= UID_RANGE_SIZE - best.start;
                best.start = UID_RANGE_SIZE;
        }
        if (align_up(best.start) + UID_RANGE_SIZE > best.start + best.size)
                return -ENOSPC;
        *ret = (UidPool) { .first = (uint32_t) best.start, .last = (uint32_t) (best.start + best.size - 1) };
        return 0;
}
