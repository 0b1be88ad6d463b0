/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The private socket is open to every local user (mode 0666). Users other
 * than root flood it with connections, which they hold, each having sent its
 * authentication and a call; root's calls are answered meanwhile and after,
 * zoned keeps no more of a user's connections than its limits (zoned(8),
 * "Connection limits") and SIGTERM still ends it. */

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* zoned's limits, as zoned(8) states them. */
#define CONNECTIONS_PER_UID_MAX 128U
#define CONNECTIONS_MAX 1024U

/* Generous: the machine runs other jobs. */
#define ANSWER_TIMEOUT_MS 60000
#define FLOOD_TIMEOUT_MS 120000

/* ---- the flooding client: this program again, as another uid ----
 *   test-private-flood --flood PATH COUNT
 * opens COUNT connections to PATH (as many as its RLIMIT_NOFILE lets it), sends on each the
 * authentication, BEGIN and a ListZones call in one write, says "opened N failed F", and holds
 * them. On a line on stdin it waits until zoned answered or closed each one and says "admitted
 * A closed C pending P"; at EOF on stdin it exits. */

/* The authentication as our uid, BEGIN and a ListZones call. */
static GByteArray *flood_request(void) {
        GByteArray *out = g_byte_array_new();

        harness_raw_auth(out);
        harness_raw_append_call(out, 1, ZONED_MANAGER_IFACE, "ListZones");
        return out;
}

/* A connection that sent request; -errno if zoned did not take it within the connect timeout. */
static int flood_connect(const char *path, const GByteArray *request) {
        int fd = harness_raw_connect(path);

        if (fd < 0)
                return fd;
        (void) fcntl(fd, F_SETFL, O_NONBLOCK);
        (void) !write(fd, request->data, request->len); /* zoned may have closed it already */
        return fd;
}

/* Waits until every connection was answered (admitted) or closed by zoned. */
static void flood_count(GArray *fds) {
        g_autofree struct pollfd *p = g_new0(struct pollfd, fds->len);
        gint64 deadline = g_get_monotonic_time() + (gint64) FLOOD_TIMEOUT_MS * 1000;
        unsigned admitted = 0, closed = 0, pending = fds->len;

        for (guint i = 0; i < fds->len; i++)
                p[i] = (struct pollfd) { .fd = g_array_index(fds, int, i), .events = POLLIN };
        while (pending > 0 && g_get_monotonic_time() < deadline) {
                if (poll(p, fds->len, 1000) < 0)
                        break;
                for (guint i = 0; i < fds->len; i++) {
                        char buf[4096];
                        ssize_t k;

                        if (p[i].fd < 0 || !p[i].revents)
                                continue;
                        k = read(p[i].fd, buf, sizeof(buf));
                        if (k < 0 && errno == EAGAIN)
                                continue;
                        if (k > 0)
                                admitted++;
                        else
                                closed++;
                        p[i].fd = -1; /* decided; an admitted one stays open */
                        pending--;
                }
        }
        printf("admitted %u closed %u pending %u\n", admitted, closed, pending);
        fflush(stdout);
}

static int flood_main(const char *path, unsigned count) {
        g_autoptr(GByteArray) request = flood_request();
        g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
        struct rlimit rl;
        unsigned failed = 0;
        char line[64];

        (void) signal(SIGPIPE, SIG_IGN);
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
        for (unsigned i = 0; i < count; i++) {
                int fd = flood_connect(path, request);

                if (fd == -EMFILE)
                        break;
                if (fd < 0)
                        failed++;
                else
                        g_array_append_val(fds, fd);
        }
        printf("opened %u failed %u\n", fds->len, failed);
        fflush(stdout);
        if (fgets(line, sizeof(line), stdin))
                flood_count(fds);
        while (fgets(line, sizeof(line), stdin))
                ;
        return 0;
}

/*   test-private-flood --unread PATH COUNT
 * opens one connection and sends COUNT Introspect calls on it (each answer is some kilobytes),
 * never reading an answer: what zoned cannot write, it must not pile up. Says "sent N" once it
 * sent them all or zoned stopped reading for a while, and exits at EOF on stdin. */
static int unread_main(const char *path, unsigned count) {
        g_autoptr(GByteArray) request = flood_request(), calls = g_byte_array_new();
        gint64 stalled = 0;
        gsize done = 0;
        char line[64];
        int fd;

        (void) signal(SIGPIPE, SIG_IGN);
        for (unsigned i = 0; i < count; i++)
                harness_raw_append_call(calls, i + 2, "org.freedesktop.DBus.Introspectable", "Introspect");
        fd = flood_connect(path, request);
        g_assert_cmpint(fd, >=, 0);
        while (done < calls->len) {
                ssize_t k = write(fd, calls->data + done, calls->len - done);

                if (k > 0) {
                        done += k;
                        stalled = 0;
                        continue;
                }
                if (k < 0 && errno != EAGAIN)
                        break;
                if (stalled == 0)
                        stalled = g_get_monotonic_time();
                else if (g_get_monotonic_time() - stalled > 2 * G_USEC_PER_SEC)
                        break; /* zoned stopped reading */
                g_usleep(10000);
        }
        printf("sent %" G_GSIZE_FORMAT " of %u bytes\n", done, calls->len);
        fflush(stdout);
        while (fgets(line, sizeof(line), stdin))
                ;
        close(fd);
        return 0;
}

/* ---- the test's side ---- */

typedef struct Flooder {
        pid_t pid;
        FILE *in;  /* its stdin */
        FILE *out; /* its stdout */
} Flooder;

/* Starts a flooder (mode "--flood" or "--unread") as uid (and gid) uid. */
static Flooder flooder_start_mode(Harness *h, const char *mode, uid_t uid, unsigned count) {
        g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
        g_autofree char *path = g_build_filename(h->runtime_dir, "bus", NULL);
        g_autofree char *n = g_strdup_printf("%u", count);
        const char *const argv[] = { self, mode, path, n, NULL };
        int in[2], out[2];
        Flooder f;

        g_assert_no_errno(pipe2(in, O_CLOEXEC));
        g_assert_no_errno(pipe2(out, O_CLOEXEC));
        f.pid = fork();
        g_assert_cmpint(f.pid, >=, 0);
        if (f.pid == 0) {
                /* Only async-signal-safe calls: the test has threads. */
                if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
                    setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0)
                        _exit(126);
                execv(self, (char **) argv);
                _exit(127);
        }
        close(in[0]);
        close(out[1]);
        f.in = fdopen(in[1], "w");
        f.out = fdopen(out[0], "r");
        g_assert_nonnull(f.in);
        g_assert_nonnull(f.out);
        return f;
}

static Flooder flooder_start(Harness *h, uid_t uid, unsigned count) {
        return flooder_start_mode(h, "--flood", uid, count);
}

/* Its next line (bounded by its own deadlines; a dead flooder gives EOF). */
static char *flooder_line(Flooder *f) {
        char line[256];

        if (!fgets(line, sizeof(line), f->out))
                g_error("flooder %d ended early", (int) f->pid);
        return g_strdup(g_strstrip(line));
}

static unsigned flooder_opened(Flooder *f) {
        g_autofree char *line = flooder_line(f);
        unsigned opened, failed;

        if (sscanf(line, "opened %u failed %u", &opened, &failed) != 2)
                g_error("flooder said '%s'", line);
        g_test_message("flooder %d: %s", (int) f->pid, line);
        return opened;
}

/* How many of its connections zoned kept. */
static unsigned flooder_admitted(Flooder *f) {
        g_autofree char *line = NULL;
        unsigned admitted, closed, pending;

        fputs("count\n", f->in);
        fflush(f->in);
        line = flooder_line(f);
        if (sscanf(line, "admitted %u closed %u pending %u", &admitted, &closed, &pending) != 3)
                g_error("flooder said '%s'", line);
        g_test_message("flooder %d: %s", (int) f->pid, line);
        if (pending > 0)
                g_error("zoned neither answered nor closed %u connections of flooder %d in %d s", pending,
                        (int) f->pid, FLOOD_TIMEOUT_MS / 1000);
        return admitted;
}

static void flooder_stop(Flooder *f) {
        int status;

        fclose(f->in);
        fclose(f->out);
        g_assert_cmpint(waitpid(f->pid, &status, 0), ==, f->pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The most connections a flooder can open, each one fd. */
static unsigned flood_size(unsigned wanted) {
        struct rlimit rl;

        g_assert_no_errno(getrlimit(RLIMIT_NOFILE, &rl));
        return (unsigned) MIN((rlim_t) wanted, rl.rlim_max > 64 ? rl.rlim_max - 64 : 0);
}

/* Root gets answers: zonectl over a new connection, and GDBus over another. */
static void assert_root_answered(Harness *h, const char *when) {
        g_autofree char *address = g_strconcat("--address=", h->private_address, NULL);
        g_autoptr(GDBusConnection) c = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(HarnessRun) list = { 0 };
        g_autofree char *what = g_strdup_printf("zonectl list as root %s", when);

        harness_zonectl_full(h, &list,
                             &(HarnessSpawn) { .argv = (const char *const[]) { address, "list", NULL },
                                               .timeout_ms = ANSWER_TIMEOUT_MS });
        harness_assert_run(&list, 0, what);
        c = g_dbus_connection_new_for_address_sync(
                h->private_address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
        g_assert_no_error(error);
        reply = g_dbus_connection_call_sync(c, NULL, ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, "ListZones",
                                            NULL, G_VARIANT_TYPE("(a(sssso))"), G_DBUS_CALL_FLAGS_NONE,
                                            ANSWER_TIMEOUT_MS, NULL, &error);
        g_assert_no_error(error);
}

/* SIGTERM ends zoned, within the harness' bound, while the flood holds. */
static void assert_sigterm_ends_zoned(Harness *h) {
        harness_stop_zoned(h, SIGTERM);
        if (h->leaks->len)
                g_error("%s", h->leaks->str);
}

/* One user, thousands of connections. */
static void test_one_uid(Harness *h, gconstpointer data) {
        Flooder f;
        unsigned n = flood_size(6000), opened, admitted;

        if (harness_skipped(h))
                return;
        g_assert_cmpuint(n, >, 2 * CONNECTIONS_PER_UID_MAX);
        f = flooder_start(h, 65534, n);
        opened = flooder_opened(&f);
        assert_root_answered(h, "while uid 65534 holds its connections");
        admitted = flooder_admitted(&f);
        g_assert_cmpuint(opened, >, CONNECTIONS_PER_UID_MAX);
        g_assert_cmpuint(admitted, >, 0);
        if (admitted > CONNECTIONS_PER_UID_MAX)
                g_error("zoned kept %u of the %u connections of uid 65534, more than %u", admitted, opened,
                        CONNECTIONS_PER_UID_MAX);
        assert_root_answered(h, "while uid 65534 holds its connections, counted");
        flooder_stop(&f);
        assert_root_answered(h, "after uid 65534 hung up");
        f = flooder_start(h, 65534, n);
        (void) flooder_opened(&f);
        assert_sigterm_ends_zoned(h);
        flooder_stop(&f);
}

/* Many users, each below its own limit, together above the limit of all. */
static void test_many_uids(Harness *h, gconstpointer data) {
        enum {
                USERS = 10
        };
        Flooder f[USERS];
        unsigned n = flood_size(CONNECTIONS_PER_UID_MAX + 32), total = 0;

        if (harness_skipped(h))
                return;
        g_assert_cmpuint(USERS * MIN(n, CONNECTIONS_PER_UID_MAX), >, CONNECTIONS_MAX);
        for (unsigned i = 0; i < USERS; i++)
                f[i] = flooder_start(h, 70001 + i, n);
        for (unsigned i = 0; i < USERS; i++)
                (void) flooder_opened(&f[i]);
        assert_root_answered(h, "while ten users hold their connections");
        for (unsigned i = 0; i < USERS; i++) {
                unsigned admitted = flooder_admitted(&f[i]);

                g_assert_cmpuint(admitted, <=, CONNECTIONS_PER_UID_MAX);
                total += admitted;
        }
        if (total > CONNECTIONS_MAX)
                g_error("zoned kept %u connections of users other than root, more than %u", total,
                        CONNECTIONS_MAX);
        g_assert_cmpuint(total, >, 0);
        assert_root_answered(h, "while ten users hold their connections, counted");
        assert_sigterm_ends_zoned(h);
        for (unsigned i = 0; i < USERS; i++)
                flooder_stop(&f[i]);
}

static guint64 zoned_rss_kib(Harness *h) {
        g_autofree char *rss = harness_proc_status_field(h->zoned_pid, "VmRSS");

        g_assert_nonnull(rss);
        return g_ascii_strtoull(rss, NULL, 10);
}

/* A client that sends calls and never reads the answers: zoned stops reading it rather than
 * holding its answers (the old way: hundreds of MiB for one connection), and SIGTERM ends zoned,
 * which no longer waits to write them out. */
static void test_unread(Harness *h, gconstpointer data) {
        enum {
                CALLS = 20000,
                CONNECTIONS = 2
        };
        Flooder f[CONNECTIONS];
        guint64 before, after;

        if (harness_skipped(h))
                return;
        before = zoned_rss_kib(h);
        for (unsigned i = 0; i < CONNECTIONS; i++)
                f[i] = flooder_start_mode(h, "--unread", 65534, CALLS);
        for (unsigned i = 0; i < CONNECTIONS; i++) {
                g_autofree char *line = flooder_line(&f[i]);
                g_test_message("flooder %d: %s", (int) f[i].pid, line);
        }
        assert_root_answered(h, "while uid 65534 does not read");
        after = zoned_rss_kib(h);
        g_test_message("zoned's VmRSS: %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB after",
                       before, after);
        if (g_getenv("ZONED_TEST_SANITIZED"))
                g_test_message(
                        "zoned's growth is not bounded in a sanitizer build: ASan's shadow memory and "
                        "quarantine make its RSS no measure of what zoned holds");
        else if (after > before + 64 * 1024)
                g_error("zoned grew by %" G_GUINT64_FORMAT " KiB holding answers nobody reads",
                        after - before);
        assert_sigterm_ends_zoned(h);
        for (unsigned i = 0; i < CONNECTIONS; i++)
                flooder_stop(&f[i]);
}

int main(int argc, char *argv[]) {
        if (argc == 4 && g_str_equal(argv[1], "--flood"))
                return flood_main(argv[2], (unsigned) g_ascii_strtoull(argv[3], NULL, 10));
        if (argc == 4 && g_str_equal(argv[1], "--unread"))
                return unread_main(argv[2], (unsigned) g_ascii_strtoull(argv[3], NULL, 10));
        harness_init(&argc, &argv);
        HARNESS_TEST("/private-flood/one-uid", test_one_uid, HARNESS_PRIVATE_SOCKET | HARNESS_ZONECTL);
        HARNESS_TEST("/private-flood/many-uids", test_many_uids, HARNESS_PRIVATE_SOCKET | HARNESS_ZONECTL);
        HARNESS_TEST("/private-flood/unread", test_unread, HARNESS_PRIVATE_SOCKET | HARNESS_ZONECTL);
        return g_test_run();
}
