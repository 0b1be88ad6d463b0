/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* uid-range.c: the pool option, the ranges others hand out (subuid/subgid files, the uid_map and
 * gid_map of processes, from fixture files) and the allocation of aligned ranges around them. */

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "uid-range.h"

static char *tmpdir;

static void write_file(const char *path, const char *text) {
        g_autofree char *dir = g_path_get_dirname(path);

        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static GArray *ranges_new(void) {
        return g_array_new(FALSE, FALSE, sizeof(UidRange));
}

static void take(GArray *taken, uint64_t start, uint64_t size) {
        UidRange r = { .start = start, .size = size };
        g_array_append_val(taken, r);
}

static uint32_t allocate_ok(const UidPool *pool, const GArray *taken) {
        uint32_t shift = 0;

        g_assert_cmpint(uid_range_allocate(pool, taken, UID_RANGE_SIZE, &shift), ==, 0);
        g_assert_cmpuint(shift % UID_RANGE_SIZE, ==, 0);
        g_assert_cmpuint(shift, >=, pool->first);
        g_assert_cmpuint((uint64_t) shift + UID_RANGE_SIZE - 1, <=, pool->last);
        return shift;
}

static void test_pool_parse(void) {
        UidPool p = {};

        g_assert_cmpint(uid_pool_parse("524288-1879048191", &p), ==, 0);
        g_assert_cmpuint(p.first, ==, UID_POOL_FIRST_DEFAULT);
        g_assert_cmpuint(p.last, ==, UID_POOL_LAST_DEFAULT);
        /* Exactly one aligned range. */
        g_assert_cmpint(uid_pool_parse("65536-131071", &p), ==, 0);
        g_assert_cmpint(uid_pool_parse("1-131071", &p), ==, 0);
        /* One id short of a range, after alignment. */
        g_assert_cmpint(uid_pool_parse("65536-131070", &p), ==, -EINVAL);
        g_assert_cmpint(uid_pool_parse("65537-131071", &p), ==, -EINVAL);
        g_assert_cmpint(uid_pool_parse("0-1000000", &p), ==, -EINVAL);        /* the host's root */
        g_assert_cmpint(uid_pool_parse("65536-4294967295", &p), ==, -EINVAL); /* (uid_t) -1 */
        g_assert_cmpint(uid_pool_parse("65536-4294967294", &p), ==, 0);
        g_assert_cmpint(uid_pool_parse("200000-100000", &p), ==, -EINVAL);
        g_assert_cmpint(uid_pool_parse("524288", &p), ==, -EINVAL);
        g_assert_cmpint(uid_pool_parse("524288-", &p), ==, -EINVAL);
        g_assert_cmpint(uid_pool_parse("-524288", &p), ==, -EINVAL);
        g_assert_cmpint(uid_pool_parse(" 524288-1879048191", &p), ==, -EINVAL);
        g_assert_cmpint(uid_pool_parse("524288-1879048191x", &p), ==, -EINVAL);
        g_assert_cmpint(uid_pool_parse("524288-99999999999999999999999", &p), ==, -EINVAL);
}

static void test_pool_edges(void) {
        UidPool pool = { .first = 524288, .last = 524288 + 3 * UID_RANGE_SIZE - 1 };
        g_autoptr(GArray) taken = ranges_new();
        uint32_t shift;

        /* Lowest first, one after the other, up to the last id of the pool. */
        for (unsigned i = 0; i < 3; i++) {
                shift = allocate_ok(&pool, taken);
                g_assert_cmpuint(shift, ==, 524288 + i * UID_RANGE_SIZE);
                take(taken, shift, UID_RANGE_SIZE);
        }
        g_assert_cmpint(uid_range_allocate(&pool, taken, UID_RANGE_SIZE, &shift), ==, -ENOSPC);

        /* A freed range is handed out again. */
        g_array_remove_index(taken, 1);
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 524288 + UID_RANGE_SIZE);

        /* One id short at the top: no third range. */
        pool.last--;
        g_array_set_size(taken, 0);
        take(taken, 524288, 2 * UID_RANGE_SIZE);
        g_assert_cmpint(uid_range_allocate(&pool, taken, UID_RANGE_SIZE, &shift), ==, -ENOSPC);
}

static void test_alignment(void) {
        UidPool pool = { .first = 100000, .last = 1000000 };
        g_autoptr(GArray) taken = ranges_new();

        /* An unaligned pool starts at its first aligned id, never below its first id. */
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 131072);
        /* Something taken that ends one id into a range pushes past all of that range. */
        take(taken, 120000, 131072 + 1 - 120000);
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 196608);
        /* A range ending exactly where the next begins does not. */
        g_array_set_size(taken, 0);
        take(taken, 120000, 131072 - 120000);
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 131072);
        /* Holes too small for a range are skipped; unsorted input is fine. */
        g_array_set_size(taken, 0);
        take(taken, 390000, 10);
        take(taken, 131072, 65536 + 100);
        take(taken, 262144 + 65536 - 1, 1);
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 327680 + 65536);
}

static void test_overlaps(void) {
        UidRange a = { 100, 10 }, b = { 109, 5 }, c = { 110, 5 }, empty = { 100, 0 };
        UidPool pool = { .first = 65536, .last = 196607 };

        g_assert_true(uid_range_overlaps(&a, &b));
        g_assert_true(uid_range_overlaps(&b, &a));
        g_assert_false(uid_range_overlaps(&a, &c));
        g_assert_false(uid_range_overlaps(&a, &empty));
        g_assert_true(uid_pool_contains(&pool, &(UidRange) { 65536, 65536 }));
        g_assert_true(uid_pool_contains(&pool, &(UidRange) { 131072, 65536 }));
        g_assert_false(uid_pool_contains(&pool, &(UidRange) { 131073, 65536 }));
        g_assert_false(uid_pool_contains(&pool, &(UidRange) { 1000, 65536 }));
}

static void test_subid(void) {
        g_autofree char *subuid = g_build_filename(tmpdir, "subuid", NULL);
        g_autofree char *subgid = g_build_filename(tmpdir, "subgid", NULL);
        g_autofree char *none = g_build_filename(tmpdir, "no-such-file", NULL);
        g_autoptr(GArray) taken = ranges_new();
        UidPool pool = { .first = 524288, .last = UID_POOL_LAST_DEFAULT };

        /* Shadow's own (100000:65536) lies below the pool; the others in it. */
        write_file(subuid, "alice:100000:65536\nbob:524288:65536\n\nbroken line\nx:1:2:3\nc:12:x\n");
        write_file(subgid, "alice:100000:65536\nbob:589824:1\n");
        g_assert_cmpint(uid_ranges_add_subid_file(taken, subuid), ==, 0);
        g_assert_cmpuint(taken->len, ==, 2);
        g_assert_cmpuint(g_array_index(taken, UidRange, 1).start, ==, 524288);
        g_assert_cmpuint(g_array_index(taken, UidRange, 1).size, ==, 65536);
        /* The uids alone leave the second range free... */
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 589824);
        /* ...but a zone's gids are the same numbers: one gid there takes it. */
        g_assert_cmpint(uid_ranges_add_subid_file(taken, subgid), ==, 0);
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 655360);
        /* No file: nothing handed out. */
        g_assert_cmpint(uid_ranges_add_subid_file(taken, none), ==, 0);
        g_assert_cmpuint(taken->len, ==, 4);
        /* A count past (uid_t) -1 is clamped, not wrapped. */
        write_file(subuid, "huge:4294901760:18446744073709551615\n");
        g_assert_cmpint(uid_ranges_add_subid_file(taken, subuid), ==, 0);
        g_assert_cmpuint(taken->len, ==, 5);
        g_assert_cmpuint(g_array_index(taken, UidRange, 4).size, ==, 65536);
}

static void test_proc_maps(void) {
        g_autofree char *proc = g_build_filename(tmpdir, "proc", NULL);
        g_autoptr(GArray) taken = ranges_new();
        UidPool pool = { .first = 524288, .last = UID_POOL_LAST_DEFAULT };
        struct {
                const char *file, *text;
        } files[] = {
                /* The host's processes: identity, no range. */
                { "1/uid_map", "         0          0 4294967295\n" },
                { "1/gid_map", "         0          0 4294967295\n" },
                /* Another manager's container, e.g. systemd-nspawn -U. */
                { "200/uid_map", "         0     524288      65536\n" },
                { "200/gid_map", "         0     524288      65536\n" },
                /* Its gids elsewhere than its uids, in two pieces. */
                { "300/uid_map", "0 655360 1000\n" },
                { "300/gid_map", "0 786432 10\n10 851968 1\n" },
                /* Not a process; a garbled map. */
                { "self-not-a-pid/uid_map", "0 917504 65536\n" },
                { "400/uid_map", "0 x 5\n1 2\n1 2 3 4\n" },
        };
        guint n = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
                g_autofree char *p = g_build_filename(proc, files[i].file, NULL);
                write_file(p, files[i].text);
        }
        g_assert_cmpint(uid_ranges_add_proc_maps(taken, proc), ==, 0);
        for (guint i = 0; i < taken->len; i++) {
                const UidRange *r = &g_array_index(taken, UidRange, i);
                g_test_message("taken %" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT, r->start, r->size);
                g_assert_cmpuint(r->start, !=, 0);
                g_assert_cmpuint(r->start, !=, 917504);
                n += r->start == 524288;
        }
        g_assert_cmpuint(n, ==, 2);
        g_assert_cmpuint(taken->len, ==, 5);
        /* 524288 (200), 655360 (300's uids), 786432 and 851968 (300's gids) are taken. */
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 589824);
        take(taken, 589824, UID_RANGE_SIZE);
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 720896);
        take(taken, 720896, UID_RANGE_SIZE);
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, 917504);

        g_autofree char *none = g_build_filename(tmpdir, "no-proc", NULL);
        g_assert_cmpint(uid_ranges_add_proc_maps(taken, none), ==, -ENOENT);
}

/* This machine's own /proc reads: the host's identity map is never a range. */
static void test_real_proc(void) {
        g_autoptr(GArray) taken = ranges_new();

        g_assert_cmpint(uid_ranges_add_proc_maps(taken, "/proc"), ==, 0);
        for (guint i = 0; i < taken->len; i++) {
                const UidRange *r = &g_array_index(taken, UidRange, i);
                g_assert_false(r->start == 0 && r->size == (uint64_t) UINT32_MAX);
        }
}

static void test_exhaustion(void) {
        UidPool pool = { .first = UID_POOL_FIRST_DEFAULT, .last = UID_POOL_LAST_DEFAULT };
        g_autoptr(GArray) taken = ranges_new();
        uint32_t shift;

        /* The whole default pool taken by one subuid line: nothing left. */
        take(taken, 0, (uint64_t) UID_POOL_LAST_DEFAULT + 1);
        g_assert_cmpint(uid_range_allocate(&pool, taken, UID_RANGE_SIZE, &shift), ==, -ENOSPC);
        /* All but the last range of the pool. */
        g_array_set_size(taken, 0);
        take(taken, 0, (uint64_t) UID_POOL_LAST_DEFAULT + 1 - UID_RANGE_SIZE);
        g_assert_cmpuint(allocate_ok(&pool, taken), ==, UID_POOL_LAST_DEFAULT + 1 - UID_RANGE_SIZE);
        /* The default pool holds 28664 zones. */
        g_assert_cmpuint((UID_POOL_LAST_DEFAULT + 1 - UID_POOL_FIRST_DEFAULT) / UID_RANGE_SIZE, ==, 28664);
}

/* Read from inside a container, its own processes' maps show its parent's ids: none of ours. */
static void test_proc_maps_own_namespace(void) {
        g_autofree char *proc = g_build_filename(tmpdir, "proc-nested", NULL);
        g_autofree char *self = g_build_filename(proc, "self", NULL);
        g_autoptr(GArray) taken = ranges_new();
        static const struct {
                const char *file, *text;
        } files[] = {
                { "1/uid_map", "0 4194304 4194304\n" },
                { "1/gid_map", "0 4194304 4194304\n" },
                { "1/ns/user", "ours" },
                { "70/uid_map", "0 4194304 4194304\n" },
                { "70/gid_map", "0 4194304 4194304\n" },
                { "70/ns/user", "ours, another inode" },
                { "200/uid_map", "0 65536 65536\n" },
                { "200/gid_map", "0 65536 65536\n" },
                { "200/ns/user", "a nested zone's" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
                g_autofree char *p = g_build_filename(proc, files[i].file, NULL);
                write_file(p, files[i].text);
        }
        /* Process 70 shares process 1's namespace: the same file. */
        g_autofree char *ns70 = g_build_filename(proc, "70", "ns", "user", NULL);
        g_autofree char *ns1 = g_build_filename(proc, "1", "ns", "user", NULL);
        g_assert_cmpint(g_unlink(ns70), ==, 0);
        g_assert_cmpint(link(ns1, ns70), ==, 0);
        g_assert_cmpint(symlink("1", self), ==, 0);
        g_assert_cmpint(uid_ranges_add_proc_maps(taken, proc), ==, 0);
        g_assert_cmpuint(taken->len, ==, 2);
        for (guint i = 0; i < taken->len; i++) {
                const UidRange *r = &g_array_index(taken, UidRange, i);
                g_assert_cmpuint(r->start, ==, 65536);
                g_assert_cmpuint(r->size, ==, 65536);
        }
}

static void test_pool_from_maps(void) {
        UidPool p = {};
        uint64_t ids = 0;

        g_assert_cmpint(uid_pool_from_maps("0 0 4294967295\n", "0 0 4294967295\n", &p, &ids), ==, 1);
        /* A zone without nesting: its own users only. */
        g_assert_cmpint(uid_pool_from_maps("0 524288 65536\n", "0 524288 65536\n", &p, &ids), ==, -ENOSPC);
        g_assert_cmpuint(ids, ==, 65536);
        g_assert_cmpint(uid_pool_from_maps("0 1000 1\n", "0 1000 1\n", &p, &ids), ==, -ENOSPC);
        g_assert_cmpuint(ids, ==, 1);
        /* A nesting zone. */
        g_assert_cmpint(
                uid_pool_from_maps("         0    4194304    4194304\n", "0 4194304 4194304\n", &p, &ids),
                ==, 0);
        g_assert_cmpuint(p.first, ==, 65536);
        g_assert_cmpuint(p.last, ==, 4194303);
        g_assert_cmpuint(ids, ==, 4194304);
        /* Fewer gids than uids: the ids that are both. */
        g_assert_cmpint(uid_pool_from_maps("0 4194304 4194304\n", "0 4194304 131072\n", &p, NULL), ==, 0);
        g_assert_cmpuint(p.first, ==, 65536);
        g_assert_cmpuint(p.last, ==, 131071);
        /* Two extents: the longer run, wherever it starts. */
        g_assert_cmpint(uid_pool_from_maps("0 100000 65536\n65536 300000 131072\n",
                                           "0 100000 65536\n65536 300000 131072\n", &p, NULL),
                        ==, 0);
        g_assert_cmpuint(p.first, ==, 65536);
        g_assert_cmpuint(p.last, ==, 196607);
        /* Half a range beyond the container's own users is no range. */
        g_assert_cmpint(uid_pool_from_maps("0 4194304 98304\n", "0 4194304 98304\n", &p, NULL), ==, -ENOSPC);
}

static void test_sizes(void) {
        UidPool pool = { .first = UID_POOL_FIRST_DEFAULT, .last = UID_POOL_LAST_DEFAULT };
        g_autoptr(GArray) taken = ranges_new();
        uint32_t shift = 0;

        g_assert_true(uid_range_size_is_valid(UID_RANGE_SIZE));
        g_assert_true(uid_range_size_is_valid(NESTING_UID_RANGE_SIZE));
        g_assert_true(uid_range_size_is_valid(UID_RANGE_SIZE_MAX));
        g_assert_false(uid_range_size_is_valid(0));
        g_assert_false(uid_range_size_is_valid(UID_RANGE_SIZE + 1));
        g_assert_false(uid_range_size_is_valid(UID_RANGE_SIZE_MAX + UID_RANGE_SIZE));
        g_assert_cmpint(uid_range_allocate(&pool, taken, 1000, &shift), ==, -EINVAL);
        /* A nesting zone's range goes past the ones of 65536 in its way. */
        take(taken, 524288, UID_RANGE_SIZE);
        take(taken, 524288 + 2 * UID_RANGE_SIZE, UID_RANGE_SIZE);
        g_assert_cmpint(uid_range_allocate(&pool, taken, NESTING_UID_RANGE_SIZE, &shift), ==, 0);
        g_assert_cmpuint(shift, ==, 524288 + 3 * UID_RANGE_SIZE);
        g_assert_cmpint(uid_range_allocate(&pool, taken, UID_RANGE_SIZE, &shift), ==, 0);
        g_assert_cmpuint(shift, ==, 524288 + UID_RANGE_SIZE);
}

int main(int argc, char *argv[]) {
        g_autofree char *cmd = NULL;
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-test-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/uid-range/pool-parse", test_pool_parse);
        g_test_add_func("/uid-range/pool-edges", test_pool_edges);
        g_test_add_func("/uid-range/alignment", test_alignment);
        g_test_add_func("/uid-range/overlaps", test_overlaps);
        g_test_add_func("/uid-range/subid", test_subid);
        g_test_add_func("/uid-range/proc-maps", test_proc_maps);
        g_test_add_func("/uid-range/real-proc", test_real_proc);
        g_test_add_func("/uid-range/proc-maps-own-namespace", test_proc_maps_own_namespace);
        g_test_add_func("/uid-range/pool-from-maps", test_pool_from_maps);
        g_test_add_func("/uid-range/sizes", test_sizes);
        g_test_add_func("/uid-range/exhaustion", test_exhaustion);
        r = g_test_run();
        cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
