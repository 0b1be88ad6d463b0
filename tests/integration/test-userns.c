/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The zones' user namespace model, against a real zoned: every private zone gets a range of
 * 65536 host ids of its own, kept in its file across restarts and freed by its removal; bad
 * options, a full pool, ranges edited into conflict and a kernel that refuses user namespaces
 * are refused with named errors that change nothing. Whether a boot really is user-namespaced
 * is the supervisor's test, not this one. */

#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "harness.h"

#define RANGE 65536u
#define DEFAULT_POOL_FIRST 524288u
#define DEFAULT_POOL_LAST 1879048191u

/* Set while zoned runs this program in its place (test_unavailable): the real zoned. */
#define REAL_ZONED_ENV "ZONED_TEST_USERNS_REAL_ZONED"

/* The first id of a pool of our own, high in systemd's container range and apart for each test
 * process, so that zones of other managers (and of other test runs) do not take its ranges. */
static guint32 pool_first(void) {
        return 0x40000000u + (guint32) (getpid() % 512) * 16 * RANGE;
}

/* zoned's next start has a pool of n ranges; returns its first id. */
static guint32 set_pool(Harness *h, unsigned n) {
        g_assert_cmpuint(n, <=, 16);
        g_strfreev(h->zoned_options);
        h->zoned_options = g_new0(char *, 2);
        h->zoned_options[0] = g_strdup_printf("--uid-pool=%u-%u", pool_first(),
                                              pool_first() + n * RANGE - 1);
        return pool_first();
}

static void restart_with_pool(Harness *h, unsigned n, guint32 *ret_first) {
        harness_stop_zoned(h, SIGTERM);
        *ret_first = set_pool(h, n);
        harness_start_zoned(h);
}

/* CreateZone with the PrivateUsers option (a variant: a test may pass one of the wrong type). */
static GVariant *create_zone(Harness *h, const char *name, GVariant *private_users, GError **error) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        if (private_users)
                g_variant_builder_add(&options, "{sv}", "PrivateUsers", private_users);
        return harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", name, "bb", &options), "(o)",
                                    error);
}

static void create_zone_ok(Harness *h, const char *name, GVariant *private_users) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = create_zone(h, name, private_users, &error);

        g_assert_no_error(error);
}

static guint32 zone_u32(Harness *h, const char *name, const char *property) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, property);

        g_assert_true(g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32));
        return g_variant_get_uint32(v);
}

static bool zone_private(Harness *h, const char *name) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, "PrivateUsers");

        g_assert_true(g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN));
        return g_variant_get_boolean(v);
}

static char *zone_file(Harness *h, const char *name) {
        g_autofree char *path = g_strdup_printf("%s/%s.zone", h->config_dir, name);
        char *text = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        return text;
}

static void write_zone_file(Harness *h, const char *name, const char *text) {
        g_autofree char *path = g_strdup_printf("%s/%s.zone", h->config_dir, name);

        harness_write_file(path, text, 0644);
}

/* A private zone's range: aligned, inside the pool, and in its file. Returns UIDShift. */
static guint32 assert_private_range(Harness *h, const char *name, guint32 first, guint32 last) {
        guint32 shift = zone_u32(h, name, "UIDShift");
        g_autofree char *text = zone_file(h, name), *line = g_strdup_printf("\nUIDShift=%u\n", shift);

        g_assert_true(zone_private(h, name));
        g_assert_cmpuint(zone_u32(h, name, "UIDRange"), ==, RANGE);
        g_assert_cmpuint(shift % RANGE, ==, 0);
        g_assert_cmpuint(shift, >=, first);
        g_assert_cmpuint((guint64) shift + RANGE - 1, <=, last);
        g_assert_nonnull(strstr(text, line));
        g_assert_nonnull(strstr(text, "\nUIDRange=65536\n"));
        return shift;
}

/* Two zones get ranges apart; a restart of zoned keeps them, and zonectl shows them. */
static void test_ranges(Harness *h, gconstpointer data) {
        g_autofree char *text1 = NULL, *text2 = NULL, *show = NULL, *users = NULL;
        g_auto(HarnessRun) r = { 0 }, s = { 0 };
        guint32 a, b;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        create_zone_ok(h, "z1", NULL); /* zoned's default: private */
        create_zone_ok(h, "z2", g_variant_new_boolean(TRUE));
        a = assert_private_range(h, "z1", DEFAULT_POOL_FIRST, DEFAULT_POOL_LAST);
        b = assert_private_range(h, "z2", DEFAULT_POOL_FIRST, DEFAULT_POOL_LAST);
        g_assert_true(a + RANGE <= b || b + RANGE <= a);
        text1 = zone_file(h, "z1");

        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
        g_assert_cmpuint(zone_u32(h, "z1", "UIDShift"), ==, a);
        g_assert_cmpuint(zone_u32(h, "z2", "UIDShift"), ==, b);
        text2 = zone_file(h, "z1");
        g_assert_cmpstr(text2, ==, text1);

        harness_zonectl(h, &r, NULL, "show", "z1", "-p", "UIDShift", "-p", "UIDRange", NULL);
        harness_assert_run(&r, 0, "zonectl show z1 -p UIDShift -p UIDRange");
        show = g_strdup_printf("UIDShift=%u\nUIDRange=65536\n", a);
        g_assert_cmpstr(r.out, ==, show);
        harness_zonectl(h, &s, NULL, "status", "z2", NULL);
        harness_assert_run(&s, 0, "zonectl status z2");
        users = g_strdup_printf("      Users: its own, 0-65535 = host ids %u-%u\n", b, b + RANGE - 1);
        g_assert_nonnull(strstr(s.out, users));
}

/* --private-users=no: the host's users, no range, in the file and on the bus. */
static void test_shared(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) r = { 0 }, s = { 0 }, bad = { 0 };
        g_autofree char *text = NULL, *path = NULL;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        harness_zonectl_ok(h, NULL, "zonectl create --private-users=no", "create", "z1", "-t", "bb",
                           "--private-users=no", NULL);
        g_assert_false(zone_private(h, "z1"));
        g_assert_cmpuint(zone_u32(h, "z1", "UIDShift"), ==, 0);
        g_assert_cmpuint(zone_u32(h, "z1", "UIDRange"), ==, 0);
        text = zone_file(h, "z1");
        g_assert_nonnull(strstr(text, "\nPrivateUsers=false\n"));
        g_assert_null(strstr(text, "UIDShift"));

        harness_zonectl(h, &r, NULL, "show", "z1", "-p", "PrivateUsers", "-p", "UIDRange", NULL);
        harness_assert_run(&r, 0, "zonectl show z1");
        g_assert_cmpstr(r.out, ==, "PrivateUsers=no\nUIDRange=0\n");
        harness_zonectl(h, &s, NULL, "status", "z1", NULL);
        harness_assert_run(&s, 0, "zonectl status z1");
        g_assert_nonnull(strstr(s.out, "      Users: the host's own (PrivateUsers=no)\n"));

        /* A value that is neither is a usage error, and creates nothing. */
        harness_zonectl(h, &bad, NULL, "create", "z2", "-t", "bb", "--private-users=maybe", NULL);
        harness_assert_run(&bad, 2, "zonectl create --private-users=maybe");
        g_assert_nonnull(strstr(bad.err, "--private-users"));
        path = g_strdup_printf("%s/z2.zone", h->config_dir);
        g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static gint compare_names(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The names in a directory, sorted, as one line. */
static char *dir_names(const char *path) {
        g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        const char *n;

        g_assert_nonnull(d);
        while ((n = g_dir_read_name(d)))
                g_ptr_array_add(names, (gpointer) n);
        g_ptr_array_sort(names, compare_names);
        g_ptr_array_add(names, NULL);
        return g_strjoinv(" ", (char **) names->pdata);
}

/* A refused CreateZone of name left no file and announced no zone. */
static void assert_nothing_new(Harness *h, const char *name, const char *config_before,
                               const char *state_before) {
        g_autofree char *config = dir_names(h->config_dir), *state = dir_names(h->state_dir);
        g_autofree char *event = g_strdup_printf("ZoneNew %s ", name);

        harness_flush(h);
        g_assert_cmpstr(config, ==, config_before);
        g_assert_cmpstr(state, ==, state_before);
        g_assert_cmpint(harness_find_event(h, event), <, 0);
}

/* A PrivateUsers option of the wrong type is InvalidArgs and writes nothing. */
static void test_bad_option(Harness *h, gconstpointer data) {
        GVariant *bad[] = { g_variant_new_string("no"), g_variant_new_uint32(0), g_variant_new_string("") };
        g_autofree char *config = NULL, *state = NULL;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        config = dir_names(h->config_dir);
        state = dir_names(h->state_dir);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = create_zone(h, "z1", bad[i], &error);

                harness_assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs");
                g_assert_nonnull(strstr(error->message, "PrivateUsers"));
        }
        assert_nothing_new(h, "z1", config, state);
}

/* A full pool refuses a private zone (and writes nothing); a removal frees a range for the
 * next zone; a zone with the host's users needs none. */
static void test_exhaustion(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL, e2 = NULL;
        g_autoptr(GVariant) reply = NULL, r2 = NULL;
        g_autofree char *config = NULL, *state = NULL;
        guint32 first, a, b;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        restart_with_pool(h, 2, &first);
        create_zone_ok(h, "a", NULL);
        create_zone_ok(h, "b", NULL);
        a = assert_private_range(h, "a", first, first + 2 * RANGE - 1);
        b = assert_private_range(h, "b", first, first + 2 * RANGE - 1);
        g_assert_cmpuint(a, !=, b);

        config = dir_names(h->config_dir);
        state = dir_names(h->state_dir);
        reply = create_zone(h, "c", NULL, &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoUIDRange");
        g_test_message("%s", error->message);
        assert_nothing_new(h, "c", config, state);

        create_zone_ok(h, "shared", g_variant_new_boolean(FALSE));
        harness_zonectl_ok(h, NULL, "zonectl remove a", "remove", "a", NULL);
        create_zone_ok(h, "c", NULL);
        g_assert_cmpuint(assert_private_range(h, "c", first, first + 2 * RANGE - 1), ==, a);
        r2 = create_zone(h, "d", g_variant_new_boolean(TRUE), &e2);
        harness_assert_dbus_error(e2, "org.zoned1.Error.NoUIDRange");
}

/* A zone file from before ranges gets one when zoned loads it, written back, and keeps it; a
 * zone file that does not load keeps its range from being handed out. */
static void test_files(Harness *h, gconstpointer data) {
        g_autofree char *broken = NULL, *text = NULL;
        guint32 first, shift;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        harness_stop_zoned(h, SIGTERM);
        write_zone_file(h, "old", "[Zone]\nTemplate=bb\nBrand=busybox\nStorage=overlay\nAutoboot=false\n");
        /* The first range of the pool of two is not free for "old": the broken file has it. */
        first = set_pool(h, 2);
        broken = g_strdup_printf(
                "[Zone]\nTemplate=bb\nBrand=busybox\nColour=blue\nUIDShift=%u\nUIDRange=65536\n", first);
        write_zone_file(h, "broken", broken);
        harness_start_zoned(h);

        shift = assert_private_range(h, "old", first, first + 2 * RANGE - 1);
        g_assert_cmpuint(shift, ==, first + RANGE);
        text = zone_file(h, "old");
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
        g_assert_cmpuint(zone_u32(h, "old", "UIDShift"), ==, shift);
        {
                g_autofree char *again = zone_file(h, "old");
                g_assert_cmpstr(again, ==, text);
        }
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = create_zone(h, "new", NULL, &error);
                harness_assert_dbus_error(error, "org.zoned1.Error.NoUIDRange");
        }
}

/* A pool for the nesting test: room for a nesting zone's 64 ranges and two more, apart for each
 * test process and above the pools of pool_first(). */
#define NESTING_RANGES 64u
static void restart_with_nesting_pool(Harness *h, unsigned n, guint32 *ret_first) {
        guint32 first = 0x50000000u + (guint32) (getpid() % 64) * 128 * RANGE;

        g_assert_cmpuint(n, <=, 128);
        harness_stop_zoned(h, SIGTERM);
        g_strfreev(h->zoned_options);
        h->zoned_options = g_new0(char *, 2);
        h->zoned_options[0] = g_strdup_printf("--uid-pool=%u-%u", first, first + n * RANGE - 1);
        harness_start_zoned(h);
        *ret_first = first;
}

/* A zone whose file gets Nesting=yes after it had a plain range: with no bigger range free it
 * boots as it was; with one free its next boot moves it there, written back, and the files it
 * made before are still its own (the root is idmapped: nothing on disk moved). */
static void test_nesting_grows(Harness *h, gconstpointer data) {
        g_autofree char *text = NULL, *owner = NULL;
        guint32 first, shift;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        restart_with_nesting_pool(h, 3, &first);
        create_zone_ok(h, "n", NULL);
        shift = assert_private_range(h, "n", first, first + 3 * RANGE - 1);
        create_zone_ok(h, "m", NULL); /* the range after n's: n cannot grow where it is */
        harness_boot_zone(h, "n");
        g_free(harness_zone_sh(h, "n", "echo made >/root/before"));
        harness_poweroff_zone(h, "n");

        harness_stop_zoned(h, SIGTERM);
        text = zone_file(h, "n");
        g_assert_null(strstr(text, "Nesting"));
        {
                g_autofree char *nesting = g_strconcat(text, "Nesting=true\n", NULL);
                write_zone_file(h, "n", nesting);
        }
        harness_start_zoned(h);
        {
                g_autoptr(GVariant) nesting = harness_zone_property(h, "n", "Nesting");
                g_assert_true(g_variant_get_boolean(nesting));
        }
        harness_boot_zone(h, "n");
        g_assert_cmpuint(zone_u32(h, "n", "UIDShift"), ==, shift);
        g_assert_cmpuint(zone_u32(h, "n", "UIDRange"), ==, RANGE);
        harness_poweroff_zone(h, "n");

        restart_with_nesting_pool(h, NESTING_RANGES + 2, &first);
        harness_boot_zone(h, "n");
        g_assert_cmpuint(zone_u32(h, "n", "UIDShift"), !=, shift);
        shift = zone_u32(h, "n", "UIDShift");
        g_assert_cmpuint(zone_u32(h, "n", "UIDRange"), ==, NESTING_RANGES * RANGE);
        g_assert_cmpuint(shift % RANGE, ==, 0);
        g_assert_cmpuint(shift, >=, first);
        g_assert_cmpuint((guint64) shift + NESTING_RANGES * RANGE, <=,
                         (guint64) first + (NESTING_RANGES + 2) * RANGE);
        g_free(text);
        text = zone_file(h, "n");
        g_assert_nonnull(strstr(text, "\nUIDRange=4194304\n"));
        owner = harness_zone_sh(h, "n", "stat -c %u:%g /root/before && cat /root/before");
        g_assert_cmpstr(owner, ==, "0:0\nmade");
        harness_poweroff_zone(h, "n");
}

static void set_uid_shift(Harness *h, const char *name, guint32 shift) {
        g_autofree char *text = zone_file(h, name);
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (char **l = lines; *l; l++)
                if (g_str_has_prefix(*l, "UIDShift=")) {
                        g_free(*l);
                        *l = g_strdup_printf("UIDShift=%u", shift);
                }
        g_free(text);
        text = g_strjoinv("\n", lines);
        write_zone_file(h, name, text);
}

static void assert_boot_refused(Harness *h, const char *name, const char *error_name, const char *what) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *state = NULL;

        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", name), "()", &error);
        harness_assert_dbus_error(error, error_name);
        g_test_message("%s", error->message);
        g_assert_nonnull(strstr(error->message, what));
        state = harness_zone_state(h, name);
        g_assert_cmpstr(state, ==, "stopped");
}

/* Hand-edited ranges that overlap: the zone later in name order does not boot, the other does,
 * and the later one does once the other is removed; one below the pool (the host's users) does
 * not boot either. */
static void test_conflict(Harness *h, gconstpointer data) {
        g_autoptr(GVariant) status = NULL;
        guint32 first, a;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        restart_with_pool(h, 4, &first);
        create_zone_ok(h, "a", NULL);
        create_zone_ok(h, "b", NULL);
        create_zone_ok(h, "c", NULL);
        a = zone_u32(h, "a", "UIDShift");
        harness_stop_zoned(h, SIGTERM);
        set_uid_shift(h, "b", a + 100); /* overlaps a, unaligned */
        set_uid_shift(h, "c", RANGE);   /* below the pool */
        harness_start_zoned(h);

        assert_boot_refused(h, "b", "org.zoned1.Error.UIDRangeConflict", "overlap those of zone a");
        status = harness_zone_property(h, "b", "StatusText");
        g_assert_nonnull(strstr(g_variant_get_string(status, NULL), "overlap those of zone a"));
        assert_boot_refused(h, "c", "org.zoned1.Error.UIDRangeConflict", "below zoned's pool");
        /* The range stays as the admin wrote it: zoned does not pick for them. */
        g_assert_cmpuint(zone_u32(h, "b", "UIDShift"), ==, a + 100);
        /* A new zone gets neither a's nor b's ids. */
        create_zone_ok(h, "d", NULL);
        g_assert_cmpuint(zone_u32(h, "d", "UIDShift"), >=, a + 100 + RANGE);
        harness_boot_zone(h, "a");
        harness_poweroff_zone(h, "a");
        /* Once a is gone, b's ids are its own. */
        harness_zonectl_ok(h, NULL, "zonectl remove a", "remove", "a", NULL);
        harness_boot_zone(h, "b");
        harness_poweroff_zone(h, "b");
}

/* ---- a kernel that refuses user namespaces ---- */

/* What zoned runs as in test_unavailable: the real zoned, for which unshare() and clone() with
 * CLONE_NEWUSER fail with EPERM (as a host's system call filter or security policy may have it),
 * and clone3() is ENOSYS, whose flags a filter cannot see (callers fall back to clone()). The
 * filter is inherited by zoned's children: its probe, its supervisors. Native calls only. */
static _Noreturn void exec_zoned_without_user_namespaces(const char *zoned, char *argv[]) {
        /* The low 32 bits of the flags, where CLONE_NEWUSER is. */
        const unsigned low = offsetof(struct seccomp_data, args[0]) +
                             (__BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4);
        struct sock_filter insns[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 1, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low),
                BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = G_N_ELEMENTS(insns), .filter = insns };

        harness_exec_filtered(zoned, argv, &prog, REAL_ZONED_ENV);
}

/* BootZone of a private zone is refused with a named error and the zone left as it was; a zone
 * with the host's users still boots. */
static void test_unavailable(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL, *after = NULL, *rt = NULL;
        g_auto(HarnessRun) r = { 0 };
        guint32 shift;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        create_zone_ok(h, "private", NULL);
        create_zone_ok(h, "shared", g_variant_new_boolean(FALSE));
        shift = zone_u32(h, "private", "UIDShift");
        before = zone_file(h, "private");
        /* zoned again, as this program under the filter (main()). */
        harness_restart_zoned_as_self(h, "ZONED_TEST_ZONED", REAL_ZONED_ENV);

        assert_boot_refused(h, "private", "org.zoned1.Error.UserNamespacesUnavailable",
                            "User namespaces are unavailable");
        /* Asked again (the answer is cached): the same. */
        assert_boot_refused(h, "private", "org.zoned1.Error.UserNamespacesUnavailable", "PrivateUsers=yes");
        after = zone_file(h, "private");
        g_assert_cmpstr(after, ==, before);
        g_assert_cmpuint(zone_u32(h, "private", "UIDShift"), ==, shift);
        rt = g_build_filename(h->runtime_dir, "zones", "private", NULL);
        g_assert_false(g_file_test(rt, G_FILE_TEST_EXISTS));
        harness_zonectl(h, &r, NULL, "boot", "private", NULL);
        harness_assert_run(&r, 1, "zonectl boot private without user namespaces");
        g_assert_nonnull(strstr(r.err, "user namespaces are unavailable"));

        harness_boot_zone(h, "shared");
        harness_poweroff_zone(h, "shared");
}

/* ---- the plan the supervisor gets ---- */

static char *running_plan(Harness *h, const char *name) {
        g_autofree char *path = g_build_filename(h->runtime_dir, "zones", name, "plan", NULL);
        char *text = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        return g_steal_pointer(&text);
}

static guint64 plan_capabilities(const char *plan) {
        const char *line = strstr(plan, "\ncapabilities=0x");

        g_assert_nonnull(line);
        return g_ascii_strtoull(line + strlen("\ncapabilities=0x"), NULL, 16);
}

/* The bounding set of a running process, from /proc/PID/status. */
static guint64 bounding_set_of(guint32 pid) {
        g_autofree char *set = harness_proc_status_field((pid_t) pid, "CapBnd");

        g_assert_nonnull(set);
        return g_ascii_strtoull(set, NULL, 16);
}

/* The bounding set of what zonectl shell starts in the zone: the zone's, not a default. */
static void assert_shell_bounding_set(Harness *h, const char *name, guint64 want) {
        g_auto(HarnessRun) r = { 0 };
        const char *line;

        harness_zonectl(h, &r, NULL, "shell", name, "--", "/bin/cat", "/proc/self/status", NULL);
        harness_assert_run(&r, 0, "zonectl shell -- cat /proc/self/status");
        line = strstr(r.out, "\nCapBnd:\t");
        g_assert_nonnull(line);
        g_assert_cmphex(g_ascii_strtoull(line + strlen("\nCapBnd:\t"), NULL, 16), ==, want);
}

/* A private zone's range is in its plan; a brand's DropCapabilities= and a zone file's
 * Capabilities= make the capability set of the plan, which is the init's bounding set, and that
 * of what enters the zone. */
static void test_plan(Harness *h, gconstpointer data) {
        const guint64 chown = 1 << 0, kill = 1 << 5, net_raw = 1 << 13, sys_module = 1 << 16,
                      sys_admin = 1 << 21;
        g_autofree char *brands = g_build_filename(h->tmpdir, "brands", NULL), *brand = NULL;
        g_autofree char *plan1 = NULL, *plan2 = NULL, *plan3 = NULL, *want = NULL, *text = NULL,
                        *edited = NULL;
        guint64 caps;
        guint32 shift, leader;

        if (harness_skipped(h))
                return;
        g_assert_cmpint(g_mkdir_with_parents(brands, 0755), ==, 0);
        brand = g_build_filename(brands, "busybox.brand", NULL);
        harness_write_file(brand,
                           "[Brand]\nInit=/sbin/init\nPoweroffSignal=SIGUSR2\nRebootSignal=SIGTERM\n"
                           "HaltSignal=SIGUSR1\nDetectInit=busybox\nDropCapabilities=CAP_NET_RAW\n",
                           0644);
        harness_stop_zoned(h, SIGTERM);
        h->brands_dir = g_strdup(brands);
        h->zoned_options = g_strdupv((char *[]) { (char *) "--no-spare-supervisor", NULL });
        harness_start_zoned(h);
        harness_import_busybox(h);
        create_zone_ok(h, "private", NULL);
        create_zone_ok(h, "shared", g_variant_new_boolean(FALSE));

        shift = zone_u32(h, "private", "UIDShift");
        leader = harness_boot_zone(h, "private");
        plan1 = running_plan(h, "private");
        want = g_strdup_printf("\nuid_shift=%u\nuid_range=65536\n", shift);
        g_assert_nonnull(strstr(plan1, want));
        caps = plan_capabilities(plan1);
        g_assert_cmphex(caps & net_raw, ==, 0);
        g_assert_cmphex(caps & (sys_admin | chown | kill), ==, sys_admin | chown | kill);
        g_assert_cmphex(caps & sys_module, ==, 0);
        g_assert_cmphex(bounding_set_of(leader), ==, caps);
        assert_shell_bounding_set(h, "private", caps);
        harness_poweroff_zone(h, "private");

        harness_boot_zone(h, "shared");
        plan2 = running_plan(h, "shared");
        g_assert_null(strstr(plan2, "uid_shift="));
        g_assert_null(strstr(plan2, "uid_range="));
        harness_poweroff_zone(h, "shared");

        harness_stop_zoned(h, SIGTERM);
        text = zone_file(h, "shared");
        edited = g_strconcat(text, "Capabilities=CAP_CHOWN cap_kill\n", NULL);
        write_zone_file(h, "shared", edited);
        harness_start_zoned(h);
        leader = harness_boot_zone(h, "shared");
        plan3 = running_plan(h, "shared");
        g_assert_cmphex(plan_capabilities(plan3), ==, chown | kill);
        g_assert_cmphex(bounding_set_of(leader), ==, chown | kill);
        assert_shell_bounding_set(h, "shared", chown | kill);
        harness_poweroff_zone(h, "shared");
}

/* A --uid-pool that holds no range stops zoned at once, saying why. */
static void test_pool_option(void) {
        const char *zoned = g_getenv("ZONED_TEST_ZONED");
        const char *bad[] = { "--uid-pool=65536-131070", "--uid-pool=0-1000000", "--uid-pool=x-y",
                              "--uid-pool=524288" };

        if (!zoned || !g_file_test(zoned, G_FILE_TEST_IS_EXECUTABLE)) {
                g_test_skip("zoned is not built");
                return;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                const char *argv[] = { zoned, bad[i], "--no-system-bus", "--runtime-dir=/nonexistent",
                                       NULL };
                HarnessSpawn s = { .argv = argv, .timeout_ms = 20000 };
                g_auto(HarnessRun) r = { 0 };

                harness_run(&s, &r);
                harness_assert_run(&r, 1, bad[i]);
                g_assert_nonnull(strstr(r.err, "--uid-pool="));
        }
}

int main(int argc, char *argv[]) {
        const char *zoned = g_getenv(REAL_ZONED_ENV);

        if (zoned)
                exec_zoned_without_user_namespaces(zoned, argv);
        harness_init(&argc, &argv);
        HARNESS_TEST("/userns/ranges", test_ranges, HARNESS_ZONECTL);
        HARNESS_TEST("/userns/shared", test_shared, HARNESS_ZONECTL);
        HARNESS_TEST("/userns/bad-option", test_bad_option, HARNESS_DEFAULT);
        HARNESS_TEST("/userns/exhaustion", test_exhaustion, HARNESS_ZONECTL);
        HARNESS_TEST("/userns/files", test_files, HARNESS_DEFAULT);
        HARNESS_TEST("/userns/conflict", test_conflict, HARNESS_ZONECTL);
        HARNESS_TEST("/userns/nesting-grows", test_nesting_grows, HARNESS_ZONECTL);
        HARNESS_TEST("/userns/unavailable", test_unavailable, HARNESS_ZONECTL);
        HARNESS_TEST("/userns/plan", test_plan, HARNESS_DEFAULT);
        g_test_add_func("/userns/pool-option", test_pool_option);
        return g_test_run();
}
