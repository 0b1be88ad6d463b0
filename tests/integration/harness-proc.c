/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Processes of the integration tests: running programs to their end with
 * their output collected, long-running daemons, and the reaping of orphans
 * (the test process is a subreaper: PID 1 here does not reap, and
 * supervisors re-parent to us when zoned dies). */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "harness-internal.h"

#define RUN_DEFAULT_TIMEOUT_MS 120000
#define RUN_DRAIN_GRACE_MS 5000

static GArray *daemon_pids; /* pid_t: children the orphan reaper must not touch */

int harness_pidfd_open(pid_t pid) {
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static bool pid_is_daemon(pid_t pid) {
        for (guint i = 0; daemon_pids && i < daemon_pids->len; i++)
                if (g_array_index(daemon_pids, pid_t, i) == pid)
                        return true;
        return false;
}

void harness_forget_pid(pid_t pid) {
        for (guint i = 0; daemon_pids && i < daemon_pids->len; i++)
                if (g_array_index(daemon_pids, pid_t, i) == pid) {
                        g_array_remove_index(daemon_pids, i);
                        return;
                }
}

char **harness_child_env(const char *const *env_set) {
        char **env = g_get_environ();

        for (const char *const *e = env_set; e && *e; e++) {
                const char *eq = strchr(*e, '=');

                if (eq) {
                        g_autofree char *key = g_strndup(*e, eq - *e);
                        env = g_environ_setenv(env, key, eq + 1, TRUE);
                } else
                        env = g_environ_unsetenv(env, *e);
        }
        return env;
}

void harness_env_add(GStrvBuilder *b, const char *key, const char *value) {
        g_autofree char *kv = value ? g_strconcat(key, "=", value, NULL) : g_strdup(key);

        g_strv_builder_add(b, kv);
}

/* Between fork and exec only async-signal-safe calls: the test process has threads. */
static _Noreturn void child_exec(const char *const *argv, char **envp, int in_fd, int out_fd, int err_fd,
                                 bool as_nobody) {
        sigset_t ss;

        sigemptyset(&ss);
        (void) sigprocmask(SIG_SETMASK, &ss, NULL);
        (void) signal(SIGPIPE, SIG_DFL);
        if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
            dup2(err_fd, STDERR_FILENO) < 0)
                _exit(127);
        if (as_nobody && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
                _exit(126);
        execve(argv[0], (char **) argv, envp);
        _exit(127);
}

pid_t harness_spawn_daemon(const char *const *argv, char **envp, int out_fd) {
        return harness_spawn_daemon_full(argv, envp, out_fd, STDERR_FILENO);
}

pid_t harness_spawn_daemon_full(const char *const *argv, char **envp, int out_fd, int err_fd) {
        int null_fd;
        pid_t pid;

        null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null_fd < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(null_fd);
                return r;
        }
        if (pid == 0)
                child_exec(argv, envp, null_fd, out_fd >= 0 ? out_fd : err_fd, err_fd, false);
        close(null_fd);
        if (!daemon_pids)
                daemon_pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
        g_array_append_val(daemon_pids, pid);
        return pid;
}

int harness_wait_pid(pid_t pid, guint timeout_ms) {
        int pidfd, status;
        struct pollfd p;

        pidfd = harness_pidfd_open(pid);
        if (pidfd >= 0) {
                p = (struct pollfd) { .fd = pidfd, .events = POLLIN };
                while (poll(&p, 1, (int) timeout_ms) < 0 && errno == EINTR)
                        ;
                close(pidfd);
        }
        if (waitpid(pid, &status, WNOHANG) != pid)
                return -ETIMEDOUT;
        return status;
}

static int status_to_exit(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

void harness_run_clear(HarnessRun *r) {
        g_clear_pointer(&r->out, g_free);
        g_clear_pointer(&r->err, g_free);
        r->status = -1;
}

static void read_into(int *fd, GString *s) {
        char buf[4096];
        ssize_t n = read(*fd, buf, sizeof buf);

        if (n > 0)
                g_string_append_len(s, buf, n);
        else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(*fd);
                *fd = -1;
        }
}

static void write_from(int *fd, const char **data, size_t *left) {
        ssize_t n = write(*fd, *data, *left);

        if (n > 0) {
                *data += n;
                *left -= (size_t) n;
        }
        if (*left == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                close(*fd);
                *fd = -1;
        }
}

/* Feeds stdin, collects stdout/stderr until the child exited and both pipes
 * are at EOF (or a grace period after the exit), bounded by timeout_ms. */
static bool pump(pid_t pid, int in_fd, int out_fd, int err_fd, const char *data, GString *out, GString *err,
                 guint timeout_ms) {
        gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000, drain_deadline = 0;
        size_t left = data ? strlen(data) : 0;
        int pidfd = harness_pidfd_open(pid);
        bool exited = false, timed_out = false;

        g_assert_cmpint(pidfd, >=, 0);
        while (out_fd >= 0 || err_fd >= 0 || !exited) {
                struct pollfd p[4] = {
                        { .fd = exited ? -1 : pidfd, .events = POLLIN },
                        { .fd = out_fd, .events = POLLIN },
                        { .fd = err_fd, .events = POLLIN },
                        { .fd = in_fd, .events = POLLOUT },
                };
                gint64 now = g_get_monotonic_time(), until = drain_deadline ? drain_deadline : deadline;

                if (now >= until) {
                        timed_out = !exited;
                        break;
                }
                if (poll(p, 4, (int) ((until - now) / 1000 + 1)) < 0) {
                        g_assert_cmpint(errno, ==, EINTR);
                        continue;
                }
                if (p[0].revents) {
                        exited = true;
                        drain_deadline = g_get_monotonic_time() + RUN_DRAIN_GRACE_MS * 1000;
                }
                if (p[1].revents)
                        read_into(&out_fd, out);
                if (p[2].revents)
                        read_into(&err_fd, err);
                if (p[3].revents)
                        write_from(&in_fd, &data, &left);
        }
        close(pidfd);
        for (int *fd = (int[]) { in_fd, out_fd, err_fd, -2 }; *fd != -2; fd++)
                if (*fd >= 0)
                        close(*fd);
        return !timed_out;
}

void harness_run(const HarnessSpawn *s, HarnessRun *ret) {
        g_auto(GStrv) envp = harness_child_env(s->env_set);
        g_autoptr(GString) out = g_string_new(NULL), err = g_string_new(NULL);
        int in[2], o[2], e[2], status;
        pid_t pid;

        g_assert_true(g_path_is_absolute(s->argv[0]));
        g_assert_no_errno(pipe2(in, O_CLOEXEC));
        g_assert_no_errno(pipe2(o, O_CLOEXEC));
        g_assert_no_errno(pipe2(e, O_CLOEXEC));
        if (!s->stdin_data) {
                close(in[1]);
                in[1] = -1;
        }

        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0)
                child_exec(s->argv, envp, in[0], o[1], e[1], s->as_nobody);
        close(in[0]);
        close(o[1]);
        close(e[1]);
        for (int *fd = (int[]) { in[1], o[0], e[0], -2 }; *fd != -2; fd++)
                if (*fd >= 0)
                        g_assert_no_errno(fcntl(*fd, F_SETFL, O_NONBLOCK));

        if (!pump(pid, in[1], o[0], e[0], s->stdin_data, out, err,
                  s->timeout_ms ? s->timeout_ms : RUN_DEFAULT_TIMEOUT_MS)) {
                g_autofree char *cmd = g_strjoinv(" ", (char **) s->argv);
                (void) kill(pid, SIGKILL);
                g_test_message("'%s' did not finish in time; stdout: %s; stderr: %s", cmd, out->str,
                               err->str);
                g_test_fail();
        }
        while (waitpid(pid, &status, 0) < 0)
                g_assert_cmpint(errno, ==, EINTR);

        ret->status = status_to_exit(status);
        ret->out = g_string_free(g_steal_pointer(&out), FALSE);
        ret->err = g_string_free(g_steal_pointer(&err), FALSE);
}

void harness_assert_run(const HarnessRun *r, int status, const char *what) {
        if (r->status == status)
                return;
        g_error("%s: exit status %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s", what, r->status, status,
                r->out, r->err);
}

/* /proc/PID/stat: "pid (comm) S ppid ..."; comm may hold spaces and parentheses. */
static bool proc_stat(pid_t pid, char *ret_state, pid_t *ret_ppid, char **ret_comm) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid), *text = NULL;
        const char *open_paren, *close_paren;
        char state;
        int ppid;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return false;
        open_paren = strchr(text, '(');
        close_paren = strrchr(text, ')');
        if (!open_paren || !close_paren || sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2)
                return false;
        if (ret_state)
                *ret_state = state;
        if (ret_ppid)
                *ret_ppid = ppid;
        if (ret_comm)
                *ret_comm = g_strndup(open_paren + 1, close_paren - open_paren - 1);
        return true;
}

bool harness_pid_alive(pid_t pid) {
        char state;

        if (pid <= 0 || !proc_stat(pid, &state, NULL, NULL))
                return false;
        return state != 'Z' && state != 'X';
}

pid_t harness_parent_of(pid_t pid) {
        pid_t ppid = 0;

        if (!proc_stat(pid, NULL, &ppid, NULL))
                g_error("cannot read /proc/%d/stat", (int) pid);
        return ppid;
}

char *harness_proc_status_field(pid_t pid, const char *key) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid), *text = NULL;
        g_auto(GStrv) lines = NULL;
        size_t n = strlen(key);

        if (!g_file_get_contents(path, &text, NULL, NULL))
                g_error("cannot read %s", path);
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++)
                if (strncmp(*l, key, n) == 0 && (*l)[n] == ':')
                        return g_strstrip(g_strdup(*l + n + 1));
        return NULL;
}

bool harness_pid_userns_shift(pid_t pid, guint32 *ret_shift) {
        g_autofree char *path = g_strdup_printf("/proc/%d/uid_map", (int) pid), *text = NULL;
        unsigned inside, outside, count;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                g_error("cannot read %s", path);
        if (sscanf(text, "%u %u %u", &inside, &outside, &count) != 3)
                g_error("%s: unexpected: %s", path, text);
        if (inside == 0 && outside == 0 && count == G_MAXUINT32)
                return false;
        if (inside != 0)
                g_error("%s: the zone's uid 0 is not mapped first: %s", path, text);
        if (ret_shift)
                *ret_shift = outside;
        return true;
}

bool harness_ns_owned_by_own_userns(pid_t pid, const char *type) {
        g_autofree char *ns_path = g_strdup_printf("/proc/%d/ns/%s", (int) pid, type),
                        *user_path = g_strdup_printf("/proc/%d/ns/user", (int) pid);
        struct stat owner, user;
        int fd, owner_fd;

        fd = open(ns_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                g_error("cannot open %s: %s", ns_path, g_strerror(errno));
        owner_fd = ioctl(fd, NS_GET_USERNS);
        if (owner_fd < 0)
                g_error("NS_GET_USERNS on %s: %s", ns_path, g_strerror(errno));
        close(fd);
        g_assert_cmpint(fstat(owner_fd, &owner), ==, 0);
        close(owner_fd);
        if (stat(user_path, &user) < 0)
                g_error("cannot stat %s: %s", user_path, g_strerror(errno));
        return owner.st_dev == user.st_dev && owner.st_ino == user.st_ino;
}

bool harness_wait_init_started(pid_t pid, guint timeout_ms) {
        g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/children", (int) pid, (int) pid);
        gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

        for (;;) {
                g_autofree char *text = NULL;

                if (!g_file_get_contents(path, &text, NULL, NULL))
                        return false;
                if (*g_strstrip(text))
                        return true;
                if (g_get_monotonic_time() > deadline)
                        return false;
                /* Nothing announces it but /proc. */
                g_usleep(10 * 1000);
        }
}

/* Our descendants, by walking /proc; with ppid_of filled for every process. */
static GArray *list_descendants(void) {
        g_autoptr(GHashTable) ppid_of = g_hash_table_new(NULL, NULL);
        g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
        GArray *result = g_array_new(FALSE, FALSE, sizeof(pid_t));
        const char *de;
        bool grew = true;

        g_assert_nonnull(d);
        while ((de = g_dir_read_name(d))) {
                pid_t pid = (pid_t) g_ascii_strtoll(de, NULL, 10), ppid;

                if (pid > 0 && proc_stat(pid, NULL, &ppid, NULL))
                        g_hash_table_insert(ppid_of, GINT_TO_POINTER(pid), GINT_TO_POINTER(ppid));
        }
        g_array_append_val(result, (pid_t) { getpid() });
        while (grew) {
                GHashTableIter it;
                gpointer k, v;

                grew = false;
                g_hash_table_iter_init(&it, ppid_of);
                while (g_hash_table_iter_next(&it, &k, &v))
                        for (guint i = 0; i < result->len; i++)
                                if (g_array_index(result, pid_t, i) == GPOINTER_TO_INT(v)) {
                                        g_array_append_val(result, (pid_t) { GPOINTER_TO_INT(k) });
                                        g_hash_table_iter_remove(&it);
                                        grew = true;
                                        break;
                                }
        }
        g_array_remove_index(result, 0);
        return result;
}

void harness_reap_orphans(void) {
        g_autoptr(GArray) pids = list_descendants();

        for (guint i = 0; i < pids->len; i++) {
                pid_t pid = g_array_index(pids, pid_t, i), ppid;
                char state;

                if (pid_is_daemon(pid) || !proc_stat(pid, &state, &ppid, NULL))
                        continue;
                if (ppid == getpid() && state == 'Z')
                        (void) waitpid(pid, NULL, WNOHANG);
        }
}

char *harness_kill_descendants(void) {
        g_autoptr(GString) found = g_string_new(NULL);
        gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

        harness_reap_orphans();
        for (bool first = true;; first = false) {
                g_autoptr(GArray) pids = list_descendants();
                guint live = 0;

                for (guint i = 0; i < pids->len; i++) {
                        pid_t pid = g_array_index(pids, pid_t, i);
                        g_autofree char *comm = NULL;
                        char state;

                        if (pid_is_daemon(pid) || !proc_stat(pid, &state, NULL, &comm) || state == 'Z')
                                continue;
                        live++;
                        if (first)
                                g_string_append_printf(found, "process %d (%s) still running; ", (int) pid,
                                                       comm);
                        (void) kill(pid, SIGKILL);
                }
                harness_reap_orphans();
                if (live == 0 || g_get_monotonic_time() > deadline)
                        break;
                g_usleep(10 * 1000); /* cleanup after SIGKILL: nothing to wait on but /proc */
        }
        return found->len ? g_string_free(g_steal_pointer(&found), FALSE) : NULL;
}

_Noreturn void harness_exec_filtered(const char *path, char *argv[], const struct sock_fprog *filter,
                                     const char *unset_env) {
        g_autofree char *p = g_strdup(path); /* path may live in the environment */

        g_unsetenv(unset_env);
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, filter) < 0) {
                perror("prctl(PR_SET_SECCOMP)");
                _exit(EXIT_FAILURE);
        }
        execv(p, argv);
        perror(p);
        _exit(EXIT_FAILURE);
}
