/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bus-errors.h"
#include "fd-pass.h"
#include "log.h"
#include "pty-util.h"
#include "supervisor-link.h"
#include "worker.h"
#include "zone-attach.h"
#include "zone-leader.h"
#include "zone-pty.h"

#define PTY_MESSAGE_MAX 1024
/* TERM of a login: what systemd gives containers' gettys. */
#define LOGIN_TERM "vt220"

typedef struct PtyJob {
        sd_bus_message *call;
        char *zone_name;
        pid_t leader;
        int pidfd;
        int sock[2]; /* [0] zoned's end, [1] the helper's */
        bool login;
        char *user;
        char *path;
        char **argv;
        char **env;
        char **exec_argv; /* in the helper: what to run, the path to execute last */
} PtyJob;

static PtyJob *pty_job_free(PtyJob *j) {
        if (!j)
                return NULL;
        sd_bus_message_unref(j->call);
        free(j->zone_name);
        safe_close(j->pidfd);
        safe_close(j->sock[0]);
        safe_close(j->sock[1]);
        free(j->user);
        free(j->path);
        strv_free(j->argv);
        strv_free(j->env);
        strv_free(j->exec_argv);
        free(j);
        return NULL;
}

static void pty_job_freep(PtyJob **j) {
        pty_job_free(*j);
}

/* ---- the console ---- */

static void console_reply(int result, const char *status, int *fd, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (result >= 0 && *fd < 0)
                result = -EBADMSG;
        if (result < 0) {
                sd_bus_error_set_errnof(&error, result, "Cannot attach to the console: %s",
                                        status ?: strerror(-result));
                r = sd_bus_reply_method_error(call, &error);
        } else
                r = sd_bus_reply_method_return(call, "h", *fd);
        if (r < 0)
                log_debug_errno(r, "Failed to answer a console request: %m");
}

int zone_open_console(Zone *z, sd_bus_message *call, sd_bus_error *error) {
        int r;

        if (!z->link || z->state == ZONE_STOPPED || z->state == ZONE_FAILED)
                return sd_bus_error_setf(error, ZONED_ERROR_NOT_RUNNING, "Zone %s is not running.", z->name);
        r = supervisor_link_call(z->link, "console", NULL, console_reply, call);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot reach the supervisor of zone %s: %m",
                                               z->name);
        sd_bus_message_ref(call);
        return 0;
}

/* ---- logins and shells: the worker, on the host, which starts them through zone_attach() ---- */

_noreturn_ static void fail_to(int sock, int error, const char *what) {
        char msg[PTY_MESSAGE_MAX];

        snprintf(msg, sizeof(msg), "ERROR=%i %s: %s", -abs(error), what, strerror(abs(error)));
        (void) fd_send(sock, msg, -EBADF);
        _exit(EXIT_FAILURE);
}

static bool is_busybox(const char *path) {
        _cleanup_free_ char *target = realpath(path, NULL);

        return target && streq(basename(target), "busybox");
}

/* What shows a "<hostname> login:" prompt in this zone, first found wins. */
static int pick_login(char ***ret) {
        static const char *const agetty[] = { "agetty", "--noclear",         "--keep-baud",
                                              "-",      "115200,38400,9600", LOGIN_TERM,
                                              NULL };
        static const char *const bb_getty[] = { "getty", "-L", "115200,38400,9600", "-", LOGIN_TERM, NULL };
        static const char *const login[] = { "login", NULL };
        static const struct {
                const char *path;
                const char *const *argv;
        } table[] = {
                { "/sbin/agetty", agetty },      { "/usr/sbin/agetty", agetty }, { "/sbin/getty", bb_getty },
                { "/usr/sbin/getty", bb_getty }, { "/bin/login", login },        { "/usr/bin/login", login },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                const char *const *argv = table[i].argv;
                char **l;

                if (access(table[i].path, X_OK) < 0)
                        continue;
                /* A getty that is not busybox's is util-linux's agetty. */
                if (argv == bb_getty && !is_busybox(table[i].path))
                        argv = agetty;
                l = strv_copy((char *const *) argv);
                if (!l || strv_extend(&l, table[i].path) < 0) /* the path to execute goes last */
                        return strv_free(l), -ENOMEM;
                *ret = l;
                return 0;
        }
        return -ENOENT;
}

/* argv + the path to execute as its last element. */
static int pick_shell(PtyJob *j, const ZoneUser *u, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *path = isempty(j->path) ? u->shell : j->path;

        if (j->argv && j->argv[0])
                l = strv_copy(j->argv);
        else {
                _cleanup_free_ char *arg0 = NULL, *copy = strdup(path);

                if (!copy)
                        return -ENOMEM;
                /* No path given: the user's shell as a login shell, "-sh". */
                if (asprintf(&arg0, "%s%s", isempty(j->path) ? "-" : "",
                             isempty(j->path) ? basename(copy) : path) < 0)
                        return -ENOMEM;
                l = new0(char *, 1);
                if (l && strv_extend(&l, arg0) < 0)
                        l = strv_free(l);
        }
        if (!l || strv_extend(&l, path) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

/* In zone_attach()'s helper, in the zone, as the user: what to run. */
static int pty_prepare(const ZoneUser *u, void *userdata, const char **ret_error) {
        PtyJob *j = userdata;
        int r;

        r = j->login ? pick_login(&j->exec_argv) : pick_shell(j, u, &j->exec_argv);
        if (r < 0)
                *ret_error = j->login ? "No getty or login program in the zone" : "Out of memory";
        return r;
}

/* The program: a session on the pty (its stdin), then execve. Reports a failure on sync_fd. */
_noreturn_ static void exec_on_pty(int sync_fd, char **argv, char **env) {
        size_t n = strv_length(argv);
        char *path = argv[n - 1];
        int r;

        argv[n - 1] = NULL;
        r = zone_pty_make_controlling(STDIN_FILENO);
        if (r >= 0) {
                execve(path, argv, env);
                r = -errno;
        }
        (void) !write(sync_fd, &r, sizeof(r));
        _exit(127);
}

/* zone_attach()'s process, in the zone and its cgroups: starts the program and exits with 0 or the
 * errno of its failure, so that the zone's init becomes the program's parent. */
_noreturn_ static void pty_run(const ZoneUser *u, char **env, void *userdata) {
        PtyJob *j = userdata;
        int sync_pipe[2], err = 0;
        pid_t pid;

        if (pipe2(sync_pipe, O_CLOEXEC) < 0)
                _exit(MIN(errno, 255));
        pid = fork();
        if (pid < 0)
                _exit(MIN(errno, 255));
        if (pid == 0)
                exec_on_pty(sync_pipe[1], j->exec_argv, env);
        safe_close(sync_pipe[1]);
        /* EOF: it was executed; else its error. */
        if (read(sync_pipe[0], &err, sizeof(err)) != sizeof(err) || err >= 0)
                _exit(EXIT_SUCCESS);
        _exit(MIN(-err, 255));
}

/* Nothing of zoned's is kept here: the pidfd of the leader and the socket to zoned move to 3 and 4
 * and everything else above stderr (the log) is closed. */
static int pty_job_close_fds(PtyJob *j) {
        int pidfd, sock;

        j->sock[0] = safe_close(j->sock[0]);
        pidfd = fcntl(j->pidfd, F_DUPFD_CLOEXEC, 5);
        sock = fcntl(j->sock[1], F_DUPFD_CLOEXEC, 5);
        if (pidfd < 0 || sock < 0 || dup3(pidfd, 3, O_CLOEXEC) < 0 || dup3(sock, 4, O_CLOEXEC) < 0)
                return -errno;
        j->pidfd = 3;
        j->sock[1] = 4;
        return close_range(5, ~0U, 0) < 0 ? -errno : 0;
}

static int pty_job_run(void *userdata) {
        _cleanup_(syscall_filter_done) SyscallFilter filter = {};
        _cleanup_(zone_attached_done) ZoneAttached z = ZONE_ATTACHED_NULL;
        _cleanup_free_ char *msg = NULL;
        PtyJob *j = userdata;
        int r, status;

        r = pty_job_close_fds(j);
        if (r < 0)
                fail_to(j->sock[1], r, "Cannot close zoned's file descriptors");
        /* From the host's files, before anything of ours is in the zone. */
        r = zone_syscall_filter_load(j->leader, &filter);
        if (r < 0)
                fail_to(j->sock[1], r, "Cannot read the zone's system call filter");
        r = zone_attach(&(ZoneAttach) { .leader = j->leader,
                                        .pidfd = j->pidfd,
                                        .filter = &filter,
                                        /* A getty runs as root and makes its own session. */
                                        .user = j->login || isempty(j->user) ? "root" : j->user,
                                        .become = !j->login,
                                        .pty = true,
                                        .term = j->login ? LOGIN_TERM : NULL,
                                        .env = j->env,
                                        .prepare = pty_prepare,
                                        .run = pty_run,
                                        .userdata = j },
                        &z);
        if (r < 0)
                fail_to(j->sock[1], r,
                        z.no_such_user ? "No such user in the zone" : (z.error ?: "Cannot enter the zone"));
        while (waitpid(z.pid, &status, 0) < 0)
                if (errno != EINTR)
                        fail_to(j->sock[1], errno, "Cannot wait for the program to start");
        if (!WIFEXITED(status))
                fail_to(j->sock[1], EINTR, "Cannot start the program");
        if (WEXITSTATUS(status) != 0)
                fail_to(j->sock[1], WEXITSTATUS(status), "Cannot execute the program");
        if (asprintf(&msg, "PTY=%s", z.pty_path) < 0)
                fail_to(j->sock[1], ENOMEM, "Out of memory");
        return fd_send(j->sock[1], msg, z.pty_master);
}

/* ---- logins and shells: zoned's side ---- */

static void pty_job_reply(PtyJob *j, int result) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_close_ int master = -EBADF;
        char text[PTY_MESSAGE_MAX];
        ssize_t n;
        int r;

        n = fd_receive(j->sock[0], text, sizeof(text), 0, &master);
        if (n > 0 && strncmp(text, "PTY=", 4) == 0 && master >= 0 && zone_pty_is_master(master)) {
                r = sd_bus_reply_method_return(j->call, "hs", master, text + 4);
                if (r < 0)
                        log_debug_errno(r, "Failed to send a pty of zone %s: %m", j->zone_name);
                return;
        }
        if (n > 0 && strncmp(text, "ERROR=", 6) == 0) {
                char *end;
                long e = strtol(text + 6, &end, 10);

                if (e == -ESRCH || e == -EINVAL)
                        sd_bus_error_setf(&error, SD_BUS_ERROR_INVALID_ARGS, "Zone %s: %s", j->zone_name,
                                          end + 1);
                else
                        sd_bus_error_set_errnof(&error, e < 0 ? (int) e : EIO, "Zone %s: %s", j->zone_name,
                                                end + 1);
        } else
                sd_bus_error_set_errnof(&error, result < 0 ? result : -EIO,
                                        "Cannot start a process in zone %s.", j->zone_name);
        r = sd_bus_reply_method_error(j->call, &error);
        if (r < 0)
                log_debug_errno(r, "Failed to answer a terminal request for zone %s: %m", j->zone_name);
}

static void pty_job_done(Worker *w, int result, void *userdata) {
        PtyJob *j = userdata;

        /* The helper has exited: what it sent is in the socket. */
        pty_job_reply(j, result);
        pty_job_free(j);
        worker_free(w);
}

/* Takes j, also on failure. */
static int pty_job_start(Zone *z, sd_bus_message *call, PtyJob *j_arg, sd_bus_error *error) {
        _cleanup_(pty_job_freep) PtyJob *j = j_arg;
        Worker *w;
        int r;

        if (!z->link || z->state != ZONE_RUNNING || z->leader == 0)
                return sd_bus_error_setf(error, ZONED_ERROR_NOT_RUNNING, "Zone %s is not running.", z->name);
        j->call = sd_bus_message_ref(call);
        j->leader = (pid_t) z->leader;
        j->zone_name = strdup(z->name);
        if (!j->zone_name)
                return -ENOMEM;
        r = zone_leader_open(j->leader, &j->pidfd);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot open the init of zone %s: %m", z->name);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, j->sock) < 0)
                return sd_bus_error_set_errnof(error, errno, "Cannot create a socket: %m");
        r = worker_spawn(z->manager->event, "Starting a process on a pty", pty_job_run, j, pty_job_done, j,
                         &w);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot fork: %m");
        j->sock[1] = safe_close(j->sock[1]);
        TAKE_PTR(j); /* pty_job_done frees it */
        return 0;
}

static PtyJob *pty_job_new(void) {
        PtyJob *j = new0(PtyJob, 1);

        if (j)
                *j = (PtyJob) { .pidfd = -EBADF, .sock = { -EBADF, -EBADF } };
        return j;
}

int zone_open_login(Zone *z, sd_bus_message *call, sd_bus_error *error) {
        PtyJob *j = pty_job_new();

        if (!j)
                return -ENOMEM;
        j->login = true;
        return pty_job_start(z, call, j, error);
}

static bool env_is_valid(char **env) {
        for (char **e = env; e && *e; e++)
                if (**e == '=' || !strchr(*e, '=') || strchr(*e, '\n'))
                        return false;
        return true;
}

int zone_open_shell(Zone *z, sd_bus_message *call, const char *user, const char *path, char **argv,
                    char **env, sd_bus_error *error) {
        PtyJob *j;

        if (!isempty(path) && path[0] != '/')
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The path \"%s\" is not absolute.", path);
        if (!env_is_valid(env))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The environment must be a list of KEY=VALUE.");
        j = pty_job_new();
        if (!j)
                return -ENOMEM;
        j->user = strdup(strempty(user));
        j->path = strdup(strempty(path));
        j->argv = strv_copy(argv);
        j->env = strv_copy(env);
        if (!j->user || !j->path || (argv && !j->argv) || (env && !j->env)) {
                pty_job_free(j);
                return -ENOMEM;
        }
        return pty_job_start(z, call, j, error);
}
