/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shell: run a command inside a running zone and exit with its status. The command is started
 * through zone_attach() (zone-attach.h), so that the zone reaches nothing of ours through it, and
 * it never gets a terminal of the host: when our stdin and stdout are terminals it gets a pty of
 * the zone's own devpts, which zonectl forwards (raw mode, window size, ^] three times detaches);
 * otherwise our pipes go to it as they are and anything else is relayed through pipes
 * (stdio-relay.h), so that scripts and pipes work. */

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cli-error.h"
#include "pty-forward.h"
#include "stdio-relay.h"
#include "zone-attach.h"
#include "zone-info.h"
#include "zone-leader.h"
#include "zonectl.h"

static volatile pid_t forward_to = 0;

static void forward_signal(int sig) {
        if (forward_to > 0)
                (void) kill(forward_to, sig);
}

/* The command has a session of its own: what reaches us from the terminal (^C, ^\ without a pty)
 * or from others is passed on to it, which decides. A reader of our output that goes away is
 * seen as EPIPE (and passed on as such). */
static void setup_signals(void) {
        struct sigaction ignore = { .sa_handler = SIG_IGN },
                         forward = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };

        (void) sigaction(SIGINT, &forward, NULL);
        (void) sigaction(SIGQUIT, &forward, NULL);
        (void) sigaction(SIGTERM, &forward, NULL);
        (void) sigaction(SIGHUP, &forward, NULL);
        (void) sigaction(SIGPIPE, &ignore, NULL);
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

typedef struct Command {
        char **argv;
        bool pty;
} Command;

/* In the zone, in its cgroups, as the user, in a session of its own. */
static _noreturn_ void run_command(const ZoneUser *u, char **env, void *userdata) {
        Command *c = userdata;
        int r;

        if (c->pty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0) {
                r = errno;
                cli_error_errno(r, "cannot make the zone's pty the command's terminal: %m");
                _exit(126);
        }
        /* execvp() searches the PATH of the environment in force: the zone's. */
        environ = env;
        execvp(c->argv[0], c->argv);
        r = errno;
        cli_error_errno(r, "cannot execute \"%s\" in the zone: %m", c->argv[0]);
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
static void forward_pty(const char *name, pid_t pid, int master) {
        _cleanup_close_ int child_fd = (int) syscall(SYS_pidfd_open, pid, 0);
        int r;

        r = pty_forward(master, child_fd, PTY_FORWARD_RESIZE);
        if (r < 0)
                cli_error_errno(r, "lost the terminal of the command in zone \"%s\": %m", name);
        if (r == PTY_FORWARD_DETACHED)
                fprintf(stderr, "\nDetached from the command in zone %s, hanging it up.\n", name);
        if (r != PTY_FORWARD_EXITED && r != PTY_FORWARD_HANGUP) {
                master = safe_close(master);
                (void) kill(pid, SIGHUP);
        }
        safe_close(master);
}

static void relay_stdio(const char *name, pid_t pid, StdioRelay *relay) {
        _cleanup_close_ int child_fd = (int) syscall(SYS_pidfd_open, pid, 0);
        int r;

        if (child_fd < 0)
                return; /* our child: it is there until we reap it */
        r = stdio_relay_run(relay, child_fd);
        if (r < 0)
                cli_error_errno(r, "lost the input or output of the command in zone \"%s\": %m", name);
}

static int attach_error(const char *name, const char *user, int r, const ZoneAttached *z) {
        if (z->no_such_user)
                return cli_error_errno(r, "zone \"%s\" has no user \"%s\"", name, user);
        return cli_error_errno(r, "cannot start a command in zone \"%s\": %s: %m", name,
                               z->error ?: "failed");
}

int verb_shell(int argc, char *argv[], Client *c) {
        static char *default_command[] = { (char *) "/bin/sh", NULL };
        Command command = {
                .argv = arg_command && arg_command[0] ? arg_command : default_command,
                .pty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO),
        };
        const char *name = argv[1];
        _cleanup_close_ int pidfd = -EBADF;
        _cleanup_(syscall_filter_done) SyscallFilter filter = {};
        _cleanup_(zone_attached_done) ZoneAttached z = ZONE_ATTACHED_NULL;
        _cleanup_(stdio_relay_done) StdioRelay relay = STDIO_RELAY_NULL;
        struct winsize ws;
        pid_t leader = 0;
        int r;

        /* It enters the zone's namespaces itself: as another user the kernel would refuse it
         * step by step, the first refusal naming a file of the zone instead of why. */
        if (geteuid() != 0)
                return cli_error_errno(EPERM,
                                       "zonectl shell needs root: it enters the namespaces of zone \"%s\" "
                                       "itself",
                                       name);
        r = open_leader(c, name, &leader, &pidfd);
        if (r < 0)
                return r;
        /* The zone's system call filter, from the host's files: the command runs under it too. */
        r = zone_syscall_filter_load(leader, &filter);
        if (r < 0)
                return cli_error_errno(r, "cannot read the system call filter of zone \"%s\": %m", name);
        /* Nothing of ours goes into the zone: the bus connection is closed before. */
        client_close(c);
        if (!command.pty) {
                r = stdio_relay_prepare(&relay);
                if (r < 0)
                        return cli_error_errno(r, "cannot create pipes: %m");
        }

        fflush(NULL);
        setup_signals();
        r = zone_attach(
                &(ZoneAttach) {
                        .leader = leader,
                        .pidfd = pidfd,
                        .filter = &filter,
                        .user = arg_user,
                        .become = true,
                        .pty = command.pty,
                        .stdio = { relay.zone[0], relay.zone[1], relay.zone[2] },
                        /* The command starts with our terminal's size. */
                        .winsize = command.pty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0 ? &ws : NULL,
                        .term = getenv("TERM"),
                        .run = run_command,
                        .userdata = &command,
                },
                &z);
        if (r < 0)
                return attach_error(name, arg_user ?: "root", r, &z);
        forward_to = z.pid;
        if (command.pty)
                forward_pty(name, z.pid, TAKE_FD(z.pty_master));
        else {
                stdio_relay_close_zone(&relay);
                relay_stdio(name, z.pid, &relay);
                /* EOF for a command that outlives it: what comes on stdin now is not its own. */
                stdio_relay_done(&relay);
        }
        r = wait_child(z.pid);
        if (r < 0)
                return cli_error_errno(r, "cannot wait for the command in zone \"%s\": %m", name);
        return r;
}
