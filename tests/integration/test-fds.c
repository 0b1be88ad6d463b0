/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What zoned holds open, and how many it may: its descriptors are a fixed set (stdio, the event
 * loop's epoll, signalfd and timerfd, its bus connection and private socket, the spare
 * supervisor's control socket) and one per running zone, the control socket to its supervisor.
 * No pidfd per supervisor, whether zoned started the zone or re-adopted it, and nothing it
 * inherited. Its soft
 * RLIMIT_NOFILE is raised to the hard limit; what it starts (supervisors, and through them the
 * zones' inits, and workers) gets the usual 1024 back. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness.h"

#define N_ZONES 8
#define SAFE_NOFILE 1024
#define FDS_WAIT_MS 20000

static bool hard_limit_above_safe;

/* zoned's open descriptors, as "FD -> TARGET" lines (sockets and pipes without their inodes). */
static GPtrArray *fds_of(pid_t pid, unsigned *ret_pidfds) {
        g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int) pid);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        g_assert_nonnull(d);
        *ret_pidfds = 0;
        while ((name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                g_autofree char *link = g_file_read_link(path, NULL);

                if (!link)
                        continue; /* closed meanwhile */
                if (g_str_equal(link, "anon_inode:[pidfd]"))
                        (*ret_pidfds)++;
                g_ptr_array_add(a, g_strdup_printf("%s -> %s", name, link));
        }
        return a;
}

static char *fds_text(GPtrArray *a) {
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < a->len; i++)
                g_string_append_printf(s, "  %s\n", (const char *) a->pdata[i]);
        return g_string_free(s, FALSE);
}

/* Bounded: a spare supervisor is started 0.5 s after a boot, a worker ends after its transfer. */
static void assert_fd_count(Harness *h, guint expected, const char *when) {
        gint64 deadline = g_get_monotonic_time() + FDS_WAIT_MS * 1000;

        for (;;) {
                unsigned pidfds;
                g_autoptr(GPtrArray) a = fds_of(h->zoned_pid, &pidfds);

                if (a->len == expected && pidfds == 0)
                        return;
                if (g_get_monotonic_time() > deadline) {
                        g_autofree char *text = fds_text(a);
                        g_error("%s: zoned holds %u descriptors (%u pidfds), expected %u and no pidfd:\n%s",
                                when, a->len, pidfds, expected, text);
                }
                g_usleep(20 * 1000);
        }
}

/* The fixed set, once nothing changed for 200 ms (the import's worker has ended). */
static guint settled_fd_count(Harness *h) {
        gint64 deadline = g_get_monotonic_time() + FDS_WAIT_MS * 1000;
        guint last = 0;

        for (;;) {
                unsigned pidfds;
                g_autoptr(GPtrArray) a = fds_of(h->zoned_pid, &pidfds);

                if (a->len == last)
                        return last;
                last = a->len;
                if (g_get_monotonic_time() > deadline) {
                        g_autofree char *text = fds_text(a);
                        g_error("zoned's descriptors did not settle with no zone running:\n%s", text);
                }
                g_usleep(200 * 1000);
        }
}

/* The live unused spare supervisor (plan under <runtime>/supervisors/, not written yet), or 0. */
static pid_t find_spare(Harness *h) {
        g_autofree char *prefix = g_strconcat("--plan=", h->runtime_dir, "/supervisors/", NULL);
        g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
        const char *name;

        g_assert_nonnull(proc);
        while ((name = g_dir_read_name(proc))) {
                g_autofree char *path = g_strdup_printf("/proc/%s/cmdline", name), *text = NULL;
                gsize len = 0;

                if (!g_ascii_isdigit(name[0]) || !g_file_get_contents(path, &text, &len, NULL))
                        continue;
                for (gsize i = 0; i < len; i += strlen(text + i) + 1)
                        if (g_str_has_prefix(text + i, prefix) &&
                            !g_file_test(text + i + strlen("--plan="), G_FILE_TEST_EXISTS) &&
                            harness_pid_alive((pid_t) atoi(name)))
                                return (pid_t) atoi(name);
        }
        return 0;
}

static pid_t wait_for_spare(Harness *h) {
        gint64 deadline = g_get_monotonic_time() + FDS_WAIT_MS * 1000;
        pid_t pid;

        while ((pid = find_spare(h)) == 0) {
                if (g_get_monotonic_time() > deadline)
                        g_error("no spare supervisor within %u ms", FDS_WAIT_MS);
                g_usleep(20 * 1000);
        }
        return pid;
}

/* Soft and hard "Max open files" of pid, from /proc/PID/limits. */
static void nofile_of(pid_t pid, guint64 *ret_soft, guint64 *ret_hard) {
        g_autofree char *path = g_strdup_printf("/proc/%d/limits", (int) pid), *text = NULL;
        const char *line;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        line = strstr(text, "Max open files");
        g_assert_nonnull(line);
        g_assert_cmpint(
                sscanf(line, "Max open files %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, ret_soft, ret_hard),
                ==, 2);
}

static guint64 nofile_soft_of(pid_t pid) {
        guint64 soft, hard;

        nofile_of(pid, &soft, &hard);
        return soft;
}

/* The spare supervisor's soft limit once it runs its main(): found right after its exec, it still
 * has zoned's until it lowers it, first thing. */
static guint64 spare_nofile_soft(Harness *h) {
        gint64 deadline = g_get_monotonic_time() + FDS_WAIT_MS * 1000;
        guint64 soft;

        while ((soft = nofile_soft_of(wait_for_spare(h))) != SAFE_NOFILE &&
               g_get_monotonic_time() < deadline)
                g_usleep(20 * 1000);
        return soft;
}

static void assert_zoned_raised(Harness *h) {
        guint64 soft, hard;

        nofile_of(h->zoned_pid, &soft, &hard);
        g_assert_cmpuint(hard, >, SAFE_NOFILE);
        g_assert_cmpuint(soft, ==, hard);
}

/* A zone's supervisor and init, and the spare, have the usual soft limit. */
static void assert_zone_safe(const char *name, guint32 leader) {
        pid_t supervisor = harness_parent_of((pid_t) leader);

        if (nofile_soft_of(supervisor) != SAFE_NOFILE || nofile_soft_of((pid_t) leader) != SAFE_NOFILE)
                g_error("zone %s: soft RLIMIT_NOFILE %" G_GUINT64_FORMAT
                        " in its supervisor, %" G_GUINT64_FORMAT " in its init, expected %d",
                        name, nofile_soft_of(supervisor), nofile_soft_of((pid_t) leader), SAFE_NOFILE);
}

/* What runs on a pty through OpenZoneShell (forked from zoned by a worker) has the usual limit. */
static void assert_shell_safe(Harness *h, const char *name) {
        const char *argv[] = {
                "sh", "-c", "echo LIMIT=$(grep 'Max open files' /proc/self/limits | tr -s ' ' :)=", NULL
        };
        const char *env[] = { NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GString) got = g_string_new(NULL);
        g_autofree char *want = g_strdup_printf("LIMIT=Max:open:files:%d:", SAFE_NOFILE);
        gint64 deadline = g_get_monotonic_time() + FDS_WAIT_MS * 1000;
        int fd = -1;

        reply = harness_manager_call_fd(h, "OpenZoneShell",
                                        g_variant_new("(sss^as^as)", name, "root", "/bin/sh", argv, env),
                                        "(hs)", &fd, &error);
        g_assert_no_error(error);
        /* Until the shell has exited (EIO on the master) or the line is there. */
        while (!strstr(got->str, want)) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                char buf[512];
                ssize_t n;

                if (g_get_monotonic_time() > deadline)
                        break;
                if (poll(&p, 1, 200) <= 0)
                        continue;
                n = read(fd, buf, sizeof(buf));
                if (n <= 0)
                        break;
                g_string_append_len(got, buf, n);
        }
        close(fd);
        if (!strstr(got->str, want))
                g_error("OpenZoneShell: expected %s, the pty showed:\n%s", want, got->str);
}

static void test_per_zone(Harness *h, gconstpointer data) {
        guint32 leaders[N_ZONES];
        guint base;
        int stray;

        if (harness_skipped(h))
                return;
        if (!hard_limit_above_safe) {
                g_test_skip("The hard limit of open files is 1024 and cannot be raised here.");
                return;
        }
        assert_zoned_raised(h);
        harness_import_busybox(h);
        for (int i = 0; i < N_ZONES; i++) {
                g_autofree char *name = g_strdup_printf("z%d", i);

                g_free(harness_create_zone(h, name, "bb", false));
        }

        /* Zones that do not run cost nothing. */
        g_assert_cmpuint(spare_nofile_soft(h), ==, SAFE_NOFILE);
        base = settled_fd_count(h);

        for (int i = 0; i < N_ZONES; i++) {
                g_autofree char *name = g_strdup_printf("z%d", i);

                leaders[i] = harness_boot_zone(h, name);
                assert_zone_safe(name, leaders[i]);
        }
        assert_fd_count(h, base + N_ZONES, "with the zones it booted running");
        assert_shell_safe(h, "z0");

        /* A zoned that re-adopted them holds the same, also when it was started with a descriptor
         * that is none of its business. */
        harness_stop_zoned(h, SIGKILL);
        stray = open("/dev/null", O_RDONLY);
        g_assert_cmpint(stray, >=, 0);
        harness_start_zoned(h);
        close(stray);
        assert_zoned_raised(h);
        for (int i = 0; i < N_ZONES; i++) {
                g_autofree char *name = g_strdup_printf("z%d", i), *state = harness_zone_state(h, name);

                g_assert_cmpstr(state, ==, "running");
                g_assert_cmpuint(harness_zone_leader(h, name), ==, leaders[i]);
                assert_zone_safe(name, leaders[i]);
        }
        g_assert_cmpuint(spare_nofile_soft(h), ==, SAFE_NOFILE);
        assert_fd_count(h, base + N_ZONES, "with the zones it re-adopted running");
        assert_shell_safe(h, "z1");

        /* And gives each back when its zone stops. */
        for (int i = 0; i < N_ZONES; i++) {
                g_autofree char *name = g_strdup_printf("z%d", i);

                harness_poweroff_zone(h, name);
        }
        assert_fd_count(h, base, "after the zones stopped");
}

/* The worker zoned forked for a transfer: the child of zoned named zoned-worker, or 0. */
static pid_t find_worker(Harness *h) {
        g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/children", (int) h->zoned_pid,
                                                (int) h->zoned_pid),
                        *text = NULL;
        g_auto(GStrv) pids = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return 0;
        pids = g_strsplit(g_strstrip(text), " ", -1);
        for (char **p = pids; *p && **p; p++) {
                g_autofree char *comm_path = g_strdup_printf("/proc/%s/comm", *p), *comm = NULL;

                if (g_file_get_contents(comm_path, &comm, NULL, NULL) &&
                    g_str_equal(g_strstrip(comm), "zoned-worker"))
                        return (pid_t) g_ascii_strtoll(*p, NULL, 10);
        }
        return 0;
}

static bool worker_started(gpointer data) {
        return find_worker(data) > 0;
}

/* A worker holds nothing of zoned's while it runs (its bus connection, private socket, the
 * control sockets of the zones' supervisors, the event loop): only stdio, the stream it reads
 * and its report pipe. Else a connection zoned closed would stay open in it. */
static void test_worker(Harness *h, gconstpointer data) {
        g_autoptr(GPtrArray) fds = NULL;
        g_autofree char *transfer = NULL, *text = NULL, *result = NULL;
        unsigned pidfds, pipes = 0, others = 0;
        int write_end;
        guint32 id;
        pid_t worker;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        g_free(harness_create_zone(h, "z1", "bb", false));
        (void) harness_boot_zone(h, "z1");
        id = harness_held_transfer(h, "held", &write_end, &transfer);
        g_assert_true(harness_wait(worker_started, h, FDS_WAIT_MS));
        worker = find_worker(h);
        /* It closes them first thing: give it the moment. */
        for (gint64 deadline = g_get_monotonic_time() + FDS_WAIT_MS * 1000;;) {
                g_clear_pointer(&fds, g_ptr_array_unref);
                fds = fds_of(worker, &pidfds);
                pipes = others = 0;
                for (guint i = 0; i < fds->len; i++) {
                        const char *fd = fds->pdata[i];
                        int n = atoi(fd);

                        if (n < 3)
                                continue;
                        if (strstr(fd, "-> pipe:"))
                                pipes++;
                        else
                                others++;
                }
                if ((pipes == 2 && others == 0) || g_get_monotonic_time() > deadline)
                        break;
                g_usleep(20 * 1000);
        }
        text = fds_text(fds);
        if (pipes != 2 || others != 0)
                g_error("the worker holds more than its stream and report pipe:\n%s", text);
        close(write_end);
        result = harness_wait_transfer_removed(h, id, transfer, HARNESS_TRANSFER_TIMEOUT_MS);
        g_assert_cmpstr(result, ==, "failed");
        harness_poweroff_zone(h, "z1");
}

int main(int argc, char *argv[]) {
        struct rlimit rl;

        /* zoned starts with the usual soft limit and a higher hard one, as under systemd (where we
         * may raise the hard one). */
        g_assert_no_errno(getrlimit(RLIMIT_NOFILE, &rl));
        rl.rlim_cur = SAFE_NOFILE;
        if (rl.rlim_max <= SAFE_NOFILE) {
                rl.rlim_max = 64 * SAFE_NOFILE;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        rl.rlim_max = SAFE_NOFILE;
        }
        g_assert_no_errno(setrlimit(RLIMIT_NOFILE, &rl));
        hard_limit_above_safe = rl.rlim_max > SAFE_NOFILE;

        harness_init(&argc, &argv);
        HARNESS_TEST("/fds/per-zone", test_per_zone, HARNESS_DEFAULT);
        HARNESS_TEST("/fds/worker", test_worker, HARNESS_DEFAULT);
        return g_test_run();
}
