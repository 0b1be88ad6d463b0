/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting a process in a running zone: the caller, the helper that enters, the process. See
 * zone-attach.h. */

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capabilities.h"
#include "fd-pass.h"
#include "pty-util.h"
#include "zone-attach.h"
#include "zone-enter.h"
#include "zone-leader.h"

#define ATTACH_MESSAGE_MAX 1024

/* Where the helper keeps what it needs; 0-2 are the process's stdio (closed until the pty, with
 * pty). Everything else is closed. */
enum {
        HELPER_FD_SOCK = 3, /* messages to the caller: PTY=, ERROR=, NOUSER= */
        HELPER_FD_GO,       /* read end of the pipe on which the caller lets the process go on */
        HELPER_FD_PIDFD,    /* the leader */
        _HELPER_FD_MAX,
};

void zone_attached_done(ZoneAttached *a) {
        safe_close(a->pty_master);
        free(a->pty_path);
        free(a->error);
        *a = ZONE_ATTACHED_NULL;
}

/* ---- the process ---- */

/* fork() with CLONE_PARENT: the child is the caller's, not the helper's. As for the supervisor's
 * init, glibc does not know of this clone: the child uses no thread functions (nor raise()). */
static pid_t clone_parent(void) {
#if defined(__s390__) || defined(__CRIS__)
        return (pid_t) syscall(SYS_clone, 0, CLONE_PARENT, 0, 0, 0);
#else
        return (pid_t) syscall(SYS_clone, CLONE_PARENT, 0, 0, 0, 0);
#endif
}

_noreturn_ static void process_run(const ZoneAttach *a, const ZoneUser *u, char **env) {
        sigset_t none;
        char go = 0;

        /* Stopped, the caller sees our pid (we are its child), moves us into the zone's cgroups and
         * then lets us go on: by a byte on the pipe, whose write end the zone cannot reach. */
        (void) kill(getpid(), SIGSTOP);
        if (read(HELPER_FD_GO, &go, 1) != 1 || go != 'g')
                _exit(EXIT_FAILURE);
        (void) close(HELPER_FD_GO);
        /* Never in the caller's session: its controlling terminal could be opened as /dev/tty. */
        if (setsid() < 0)
                _exit(EXIT_FAILURE);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        a->run(u, env, a->userdata);
}

/* ---- the helper ---- */

_noreturn_ static void helper_fail(int sock, const char *key, int error, const char *what) {
        char msg[ATTACH_MESSAGE_MAX];

        snprintf(msg, sizeof(msg), "%s=%i %s", key, -abs(error), what);
        (void) fd_send(sock, msg, -EBADF);
        _exit(EXIT_FAILURE);
}

/* The process's stdio to 0-2, what the helper needs to its places, every other fd closed. */
static int helper_keep_fds(const ZoneAttach *a, int sock, int go) {
        int from[6], to[6], n = 0;

        for (int i = 0; i < 3 && !a->pty; i++) {
                from[n] = a->stdio[i];
                to[n++] = i;
        }
        from[n] = sock;
        to[n++] = HELPER_FD_SOCK;
        from[n] = go;
        to[n++] = HELPER_FD_GO;
        from[n] = a->pidfd;
        to[n++] = HELPER_FD_PIDFD;
        /* Copies above all the places first, so that no place is taken before it was read. */
        for (int i = 0; i < n; i++) {
                from[i] = fcntl(from[i], F_DUPFD_CLOEXEC, _HELPER_FD_MAX);
                if (from[i] < 0)
                        return -errno;
        }
        for (int i = 0; i < n; i++)
                if (dup3(from[i], to[i], to[i] < 3 ? 0 : O_CLOEXEC) < 0)
                        return -errno;
        if (a->pty && close_range(0, 2, 0) < 0)
                return -errno;
        return close_range(_HELPER_FD_MAX, ~0U, 0) < 0 ? -errno : 0;
}

static int fd_move_above_stdio(int fd) {
        int moved;

        if (fd > STDERR_FILENO)
                return fd;
        moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        safe_close(fd);
        return moved < 0 ? -errno : moved;
}

/* A pty of the zone, as the user (who then owns the slave): the master to the caller, the slave
 * on 0-2. */
static int helper_pty(const ZoneAttach *a) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        _cleanup_free_ char *path = NULL, *msg = NULL;
        int r;

        r = zone_pty_open(&master, &slave, &path);
        if (r < 0)
                return r;
        master = fd_move_above_stdio(TAKE_FD(master));
        slave = fd_move_above_stdio(TAKE_FD(slave));
        if (master < 0 || slave < 0)
                return master < 0 ? master : slave;
        if (a->winsize)
                (void) ioctl(slave, TIOCSWINSZ, a->winsize);
        if (asprintf(&msg, "PTY=%s", path) < 0)
                return -ENOMEM;
        r = fd_send(HELPER_FD_SOCK, msg, master);
        if (r < 0)
                return r;
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return -errno;
        return 0;
}

/* Into the zone's namespaces and root, with no more powers than the zone's own (*ret_caps: its
 * init's bounding set, as its brand and file made it) and what it takes to get in: the default
 * set of a zone, which has what setns(), chroot and becoming a user need. The bounding set is the
 * zone's once inside. */
static int helper_enter(const ZoneAttach *a, uint64_t *ret_caps, const char **ret_what) {
        uint64_t caps, entering;
        int r;

        *ret_what = "Cannot read the zone's capabilities";
        r = zone_leader_capabilities(a->leader, HELPER_FD_PIDFD, &caps);
        if (r < 0)
                return r;
        entering = caps | capabilities_default_mask();
        *ret_what = "Cannot drop to the zone's capabilities";
        r = capabilities_restrict_to(entering);
        if (r < 0)
                return r;
        *ret_what = "Cannot enter the zone's namespaces";
        r = zone_enter_namespaces(a->leader, HELPER_FD_PIDFD, ZONE_ENTER_NAMESPACES);
        if (r < 0)
                return r;
        (void) close(HELPER_FD_PIDFD);
        /* Joining a user namespace gives a full set of capabilities in it, bounding set included. */
        *ret_what = "Cannot drop to the zone's capabilities";
        r = capabilities_restrict_to(entering);
        if (r < 0)
                return r;
        /* While we still have CAP_SYS_ADMIN: the filter does not set no_new_privs. */
        *ret_what = "Cannot install the zone's system call filter";
        r = syscall_filter_apply(a->filter);
        if (r < 0)
                return r;
        /* With CAP_SETPCAP still: nothing run in the zone (setuid programs included) may gain
         * more than the zone's set. */
        *ret_what = "Cannot drop to the zone's capabilities";
        r = capabilities_drop_bounding_to(caps);
        if (r < 0)
                return r;
        *ret_caps = caps;
        return 0;
}

_noreturn_ static void helper_run(const ZoneAttach *a, pid_t caller, int sock, int go) {
        _cleanup_(zone_user_done) ZoneUser u = {};
        _cleanup_strv_free_ char **env = NULL;
        const char *what = NULL, *user = a->user ?: "root";
        char text[ATTACH_MESSAGE_MAX];
        uint64_t caps = 0;
        pid_t pid;
        int r;

        /* First: the zone must never be able to look into a copy of the caller's memory. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                helper_fail(sock, "ERROR", errno, "Cannot make the helper undumpable");
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != caller)
                _exit(EXIT_FAILURE);
        r = helper_keep_fds(a, sock, go);
        if (r < 0)
                helper_fail(sock, "ERROR", r, "Cannot close file descriptors");
        r = helper_enter(a, &caps, &what);
        if (r < 0)
                helper_fail(HELPER_FD_SOCK, "ERROR", r, what);

        r = zone_user_lookup("/", user, &u);
        if (r == -ESRCH) {
                snprintf(text, sizeof(text), "The zone has no user \"%s\"", user);
                helper_fail(HELPER_FD_SOCK, "NOUSER", r, text);
        }
        if (r < 0)
                helper_fail(HELPER_FD_SOCK, "ERROR", r, "Cannot look up the user");
        r = zone_user_environment_merge(&u, a->term, a->env, &env);
        if (r < 0)
                helper_fail(HELPER_FD_SOCK, "ERROR", r, "Invalid environment");
        if (a->become) {
                r = zone_user_become(&u);
                if (r < 0)
                        helper_fail(HELPER_FD_SOCK, "ERROR", r, "Cannot become the user");
                /* A change of uid resets it to the kernel's suid_dumpable. */
                if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                        helper_fail(HELPER_FD_SOCK, "ERROR", errno, "Cannot make the helper undumpable");
        }
        /* Root (or a user that keeps capabilities) has no more than the zone's now. */
        r = capabilities_restrict_to(caps);
        if (r < 0)
                helper_fail(HELPER_FD_SOCK, "ERROR", r, "Cannot drop to the zone's capabilities");
        what = "Cannot prepare the program";
        if (a->prepare && (r = a->prepare(&u, a->userdata, &what)) < 0)
                helper_fail(HELPER_FD_SOCK, "ERROR", r, what);
        if (a->pty && (r = helper_pty(a)) < 0)
                helper_fail(HELPER_FD_SOCK, "ERROR", r, "Cannot allocate a pty in the zone");
        if (chdir(u.home) < 0)
                (void) chdir("/");

        /* The process gets nothing to talk to the caller with but the go pipe. */
        (void) close(HELPER_FD_SOCK);
        pid = clone_parent();
        if (pid == 0)
                process_run(a, &u, env);
        _exit(pid < 0 ? MIN(errno, 255) : EXIT_SUCCESS);
}

/* ---- the caller ---- */

/* Until the helper has exited and the process, our child as well, stopped (or died, or was
 * continued by someone else: it then waits for the go all the same). */
static int wait_helper_and_process(pid_t helper, int *ret_helper_status, siginfo_t *ret_process) {
        bool helper_done = false;

        *ret_process = (siginfo_t) {};
        for (;;) {
                siginfo_t si = {};

                if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WCONTINUED) < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == ECHILD ? 0 : -errno;
                }
                if (si.si_pid == helper) {
                        helper_done = true;
                        *ret_helper_status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
                        /* Without a process if it failed before the clone. */
                        if (*ret_helper_status != 0 || ret_process->si_pid > 0)
                                return 0;
                } else if (si.si_pid > 0 && ret_process->si_pid == 0) {
                        *ret_process = si;
                        if (helper_done)
                                return 0;
                }
        }
}

/* What the helper said before it exited. Returns its error, if it told one. */
static int read_helper_messages(int sock, ZoneAttached *ret) {
        int error = 0;

        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                char text[ATTACH_MESSAGE_MAX], *end;
                ssize_t n = fd_receive(sock, text, sizeof(text), 0, &fd);
                long e;

                if (n <= 0)
                        return error;
                if (strncmp(text, "PTY=", 4) == 0 && fd >= 0 && zone_pty_is_master(fd) &&
                    ret->pty_master < 0) {
                        ret->pty_master = TAKE_FD(fd);
                        free(ret->pty_path);
                        ret->pty_path = strdup(text + 4);
                        if (!ret->pty_path)
                                return -ENOMEM;
                        continue;
                }
                if (strncmp(text, "ERROR=", 6) != 0 && strncmp(text, "NOUSER=", 7) != 0)
                        return -EPROTO;
                ret->no_such_user = text[0] == 'N';
                e = strtol(strchr(text, '=') + 1, &end, 10);
                error = e < 0 && e > -4096 ? (int) e : -EPROTO;
                free(ret->error);
                ret->error = strdup(*end == ' ' ? end + 1 : end);
        }
}

static bool process_alive(const siginfo_t *si) {
        return si->si_pid > 0 && si->si_code != CLD_EXITED && si->si_code != CLD_KILLED &&
               si->si_code != CLD_DUMPED;
}

/* The process stopped itself: into the zone's cgroups, then on. */
static int release_process(const ZoneAttach *a, const siginfo_t *si, int go) {
        int r;

        if (!process_alive(si))
                return -ESRCH; /* killed before it started: by the zone, say */
        r = zone_enter_cgroups(a->leader, a->pidfd, si->si_pid);
        if (r < 0)
                return r;
        if (kill(si->si_pid, SIGCONT) < 0)
                return -errno;
        return write(go, "g", 1) == 1 ? 0 : -EPIPE;
}

int zone_attach(const ZoneAttach *a, ZoneAttached *ret) {
        _cleanup_close_pair_ int sock[2] = { -EBADF, -EBADF }, go[2] = { -EBADF, -EBADF };
        _cleanup_(zone_attached_done) ZoneAttached z = ZONE_ATTACHED_NULL;
        int helper_status = 0, r, q;
        pid_t caller = getpid(), helper;
        siginfo_t process;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) < 0 || pipe2(go, O_CLOEXEC) < 0)
                return -errno;
        helper = fork();
        if (helper < 0)
                return -errno;
        if (helper == 0)
                helper_run(a, caller, sock[1], go[0]);
        sock[1] = safe_close(sock[1]);
        go[0] = safe_close(go[0]);

        r = wait_helper_and_process(helper, &helper_status, &process);
        q = read_helper_messages(sock[0], &z);
        if (r >= 0 && q < 0)
                r = q;
        if (r >= 0 && helper_status != 0)
                r = helper_status < 128 ? -helper_status : -EINTR;
        if (r >= 0 && process.si_pid <= 0)
                r = -ESRCH;
        if (r >= 0)
                r = release_process(a, &process, go[1]);
        if (r < 0) {
                if (process_alive(&process)) {
                        (void) kill(process.si_pid, SIGKILL);
                        (void) waitpid(process.si_pid, NULL, 0);
                }
                ret->error = TAKE_PTR(z.error);
                ret->no_such_user = z.no_such_user;
                return r;
        }
        z.pid = process.si_pid;
        *ret = z;
        z = ZONE_ATTACHED_NULL;
        return 0;
}
