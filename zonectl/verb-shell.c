/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shell: run a command inside a running zone and exit with its status. On a
 * terminal the command gets a pty of the zone's own devpts, which zonectl
 * forwards (raw mode, window size, ^] three times detaches); otherwise
 * stdin/stdout/stderr are passed straight through, so pipes work. */

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capabilities.h"
#include "cli-error.h"
#include "pty-forward.h"
#include "zone-enter.h"
#include "zone-info.h"
#include "zonectl.h"

static volatile pid_t forward_to = 0;

static void forward_signal(int sig) {
        if (forward_to > 0)
                (void) kill(forward_to, sig);
}

/* Like system(): ^C and ^\ on the terminal reach the command, which decides;
 * SIGTERM and SIGHUP sent to zonectl are passed on to it. */
static void setup_signals(bool parent) {
        struct sigaction ignore = { .sa_handler = SIG_IGN }, deflt = { .sa_handler = SIG_DFL },
                         forward = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };

        (void) sigaction(SIGINT, parent ? &ignore : &deflt, NULL);
        (void) sigaction(SIGQUIT, parent ? &ignore : &deflt, NULL);
        (void) sigaction(SIGTERM, parent ? &forward : &deflt, NULL);
        (void) sigaction(SIGHUP, parent ? &forward : &deflt, NULL);
}

/* The leader of a running zone, with a pidfd that is known to be that leader. */
static int open_leader(Client *c, const char *name, pid_t *ret_leader, int *ret_pidfd) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(zone_info_done) ZoneInfo before = ZONE_INFO_NULL, after = ZONE_INFO_NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int pidfd = -EBADF;
        int r;

        r = zone_get_path(c, name, &path, &error);
        if (r >= 0)
                r = zone_info_fetch(c, path, &before, &error);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot look up zone \"%s\"", name);
        if (!streq_ptr(before.state, "running") || before.leader == 0)
                return cli_error_errno(ESRCH, "zone \"%s\" is not running", name);
        r = zone_leader_open((pid_t) before.leader, &pidfd);
        if (r < 0)
                return cli_error_errno(r, "cannot open the leader of zone \"%s\": %m", name);
        /* Same leader after the pidfd was opened: the pid was not reused in between. */
        r = zone_info_fetch(c, path, &after, &error);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot look up zone \"%s\"", name);
        if (!streq_ptr(after.state, "running") || after.leader != before.leader)
                return cli_error_errno(ESRCH, "zone \"%s\" is not running", name);
        *ret_leader = (pid_t) before.leader;
        *ret_pidfd = TAKE_FD(pidfd);
        return 0;
}

static int child_setup(const char *name, pid_t leader, int pidfd, ZoneUser *user, char ***env) {
        const char *user_name = arg_user ?: "root";
        int r;

        /* The zone's cgroups first, while the host's cgroup mounts and cgroup namespace are still ours. */
        r = zone_enter_cgroups(leader, pidfd);
        if (r < 0)
                return cli_error_errno(r, "cannot join the cgroups of zone \"%s\": %m", name);
        r = zone_enter_namespaces(leader, pidfd, ZONE_ENTER_NAMESPACES & ~CLONE_NEWPID);
        if (r < 0)
                return cli_error_errno(r, "cannot enter zone \"%s\": %m", name);

        r = zone_user_lookup("/", user_name, user);
        if (r == -ESRCH)
                return cli_error_errno(r, "zone \"%s\" has no user \"%s\"", name, user_name);
        if (r < 0)
                return cli_error_errno(r, "cannot look up user \"%s\" in zone \"%s\": %m", user_name, name);
        r = zone_user_environment(user, getenv("TERM"), env);
        if (r < 0)
                return cli_error_errno(r, "cannot set up the environment in zone \"%s\": %m", name);
        r = zone_user_become(user);
        if (r < 0)
                return cli_error_errno(r, "cannot become user \"%s\" in zone \"%s\": %m", user_name, name);
        if (chdir(user->home) < 0)
                (void) chdir("/");
        return 0;
}

/* A pty of the zone (opened as the user, who then owns the slave) as our terminal; the master goes
 * to zonectl over sock. */
static int child_take_pty(const char *name, int sock) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        _cleanup_free_ char *path = NULL;
        struct winsize ws;
        int r;

        r = zone_pty_open(&master, &slave, &path);
        if (r < 0)
                return cli_error_errno(r, "cannot allocate a pty in zone \"%s\": %m", name);
        /* The command starts with our terminal's size: zonectl's forwarder sets
         * it on the master too, but only once it got the master, which may be
         * after the command asked. Our stdin is still the user's terminal. */
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0)
                (void) ioctl(slave, TIOCSWINSZ, &ws);
        r = zone_fd_send(sock, path, master);
        if (r < 0)
                return cli_error_errno(r, "cannot pass the pty on: %m");
        r = zone_pty_make_controlling(TAKE_FD(slave));
        if (r < 0)
                return cli_error_errno(r, "cannot make %s the terminal of the command: %m", path);
        return 0;
}

/* First thing in the zone's PID namespace, where root in the zone can ptrace us: no more power
 * than the zone's own (its capabilities, its system call filter; capabilities.h). */
static int child_confine(const char *name, const SyscallFilter *filter) {
        int r;

        r = capabilities_restrict_to_zone();
        if (r < 0)
                return cli_error_errno(r, "cannot drop capabilities for zone \"%s\": %m", name);
        r = syscall_filter_apply(filter);
        if (r < 0)
                return cli_error_errno(r, "cannot install the system call filter of zone \"%s\": %m", name);
        return 0;
}

static _noreturn_ void run_child(const char *name, pid_t leader, int pidfd, int pty_sock, const SyscallFilter *filter,
                                 char **command) {
        _cleanup_(zone_user_done) ZoneUser user = {};
        _cleanup_strv_free_ char **env = NULL;
        int r;

        setup_signals(false);
        if (child_confine(name, filter) < 0)
                _exit(EXIT_FAILURE);
        r = child_setup(name, leader, pidfd, &user, &env);
        if (r < 0)
                _exit(EXIT_FAILURE);
        safe_close(pidfd);
        if (pty_sock >= 0) {
                if (child_take_pty(name, pty_sock) < 0)
                        _exit(EXIT_FAILURE);
                safe_close(pty_sock);
        }

        /* execvp() searches the PATH of the environment in force: the zone's. */
        environ = env;
        execvp(command[0], command);
        r = errno;
        cli_error_errno(r, "cannot execute \"%s\" in zone \"%s\": %m", command[0], name);
        /* As a shell would: 127 for a command that is not there, 126 for one that cannot run. */
        _exit(r == ENOENT ? 127 : 126);
}

static int wait_child(pid_t pid) {
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return EXIT_FAILURE;
}

/* Forwards our terminal to the command's pty until it exits (or we detach: then it is hung up). */
static void forward_pty(const char *name, pid_t pid, int sock) {
        _cleanup_close_ int master = -EBADF, child_fd = -EBADF;
        char path[256];
        int r;

        if (zone_fd_receive(sock, path, sizeof(path), &master) <= 0 || master < 0)
                return; /* the child said why */
        child_fd = (int) syscall(SYS_pidfd_open, pid, 0);
        r = pty_forward(master, child_fd, PTY_FORWARD_RESIZE);
        if (r < 0)
                cli_error_errno(r, "lost the terminal of the command in zone \"%s\": %m", name);
        if (r == PTY_FORWARD_DETACHED)
                fprintf(stderr, "\nDetached from the command in zone %s, hanging it up.\n", name);
        if (r != PTY_FORWARD_EXITED && r != PTY_FORWARD_HANGUP) {
                master = safe_close(master);
                (void) kill(pid, SIGHUP);
        }
}

int verb_shell(int argc, char *argv[], Client *c) {
        static char *default_command[] = { (char *) "/bin/sh", NULL };
        char **command = arg_command && arg_command[0] ? arg_command : default_command;
        const char *name = argv[1];
        _cleanup_close_ int pidfd = -EBADF, own_pidns = -EBADF;
        _cleanup_close_pair_ int pty_pair[2] = { -EBADF, -EBADF };
        _cleanup_(syscall_filter_done) SyscallFilter filter = {};
        bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        pid_t leader = 0, pid;
        int r;

        r = open_leader(c, name, &leader, &pidfd);
        if (r < 0)
                return r;
        /* The zone's system call filter, from the host's files: the command runs under it too. */
        r = zone_syscall_filter_load(leader, &filter);
        if (r < 0)
                return cli_error_errno(r, "cannot read the system call filter of zone \"%s\": %m", name);
        /* Nothing of ours goes into the zone: the bus connection is closed before. */
        client_close(c);

        own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (own_pidns < 0)
                return cli_error_errno(errno, "cannot open our own pid namespace: %m");
        /* The pid namespace applies to children: enter it here, fork, do the rest in the child. */
        r = zone_enter_namespaces(leader, pidfd, CLONE_NEWPID);
        if (r < 0)
                return cli_error_errno(r, "cannot enter the pid namespace of zone \"%s\": %m", name);
        if (tty && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pty_pair) < 0)
                return cli_error_errno(errno, "cannot create a socket: %m");
        fflush(NULL);
        setup_signals(true);
        pid = fork();
        if (pid < 0)
                return cli_error_errno(errno, "cannot fork: %m");
        if (pid == 0) {
                pty_pair[0] = safe_close(pty_pair[0]);
                run_child(name, leader, pidfd, pty_pair[1], &filter, command);
        }
        /* Back to our own: nothing else zonectl starts (nor a sanitizer's helper) belongs in the zone. */
        (void) setns(own_pidns, CLONE_NEWPID);
        forward_to = pid;
        if (tty) {
                pty_pair[1] = safe_close(pty_pair[1]);
                forward_pty(name, pid, pty_pair[0]);
        }
        r = wait_child(pid);
        if (r < 0)
                return cli_error_errno(r, "cannot wait for the command in zone \"%s\": %m", name);
        return r;
}
