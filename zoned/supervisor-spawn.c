/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "log.h"
#include "supervisor-spare.h"
#include "supervisor-spawn.h"

/* What zoned keeps of a supervisor it started, for its child source. */
typedef struct SupervisorProcess {
        Manager *manager;
        char *unique_plan; /* a plan path no other boot will use (a spare's), or NULL */
} SupervisorProcess;

static void supervisor_process_free(void *userdata) {
        SupervisorProcess *p = userdata;

        g_free(p->unique_plan);
        g_free(p);
}

static int on_supervisor_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        SupervisorProcess *p = userdata;
        Manager *m = p->manager;

        /* Only reaps: a zone's state comes from its control socket. */
        if (si->si_code != CLD_EXITED || (si->si_status != 0 && si->si_status != 1))
                log_warning("Supervisor %i ended with code %i status %i.", (int) si->si_pid, si->si_code,
                            si->si_status);
        /* A supervisor removes its plan when its zone has stopped; one that died early did not. A
         * zone's own plan path is the next boot's too (it may be written already), a spare's is
         * never used again. */
        if (p->unique_plan)
                (void) unlink(p->unique_plan);
        spare_supervisor_exited(m, si->si_pid);
        g_ptr_array_remove(m->reapers, s);
        return 0;
}

static void spawn_attr_freep(posix_spawnattr_t **a) {
        if (*a)
                (void) posix_spawnattr_destroy(*a);
}

static void spawn_actions_freep(posix_spawn_file_actions_t **a) {
        if (*a)
                (void) posix_spawn_file_actions_destroy(*a);
}

/* posix_spawn() (vfork-like in glibc): on the path of every boot without a spare, and zoned is big
 * enough that fork() copying its page tables, and the copy-on-write faults after it, cost a good
 * part of a millisecond. The supervisor gets its own session (a terminal hang-up or zoned's exit
 * does not reach it), an empty signal mask, SIGPIPE at its default (zoned ignores it; only an
 * ignored disposition would survive the exec), /dev/null as stdin, the control socket (if any) as
 * fd 3, and no other fd of zoned's. */
static int spawn_process(const char *path, char *const argv[], int control_fd, pid_t *ret) {
        posix_spawnattr_t attr_storage;
        posix_spawn_file_actions_t actions_storage;
        _cleanup_(spawn_attr_freep) posix_spawnattr_t *attr = NULL;
        _cleanup_(spawn_actions_freep) posix_spawn_file_actions_t *actions = NULL;
        sigset_t none, pipe_only;
        int r;

        sigemptyset(&none);
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);

        r = posix_spawnattr_init(&attr_storage);
        if (r != 0)
                return -r;
        attr = &attr_storage;
        r = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        if (r == 0)
                r = posix_spawnattr_setsigmask(attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(attr, &pipe_only);
        if (r != 0)
                return -r;

        r = posix_spawn_file_actions_init(&actions_storage);
        if (r != 0)
                return -r;
        actions = &actions_storage;
        /* control_fd is O_CLOEXEC and never 3 (the caller made sure), so dup2 gives a fresh fd 3. */
        r = control_fd >= 0 ? posix_spawn_file_actions_adddup2(actions, control_fd, 3) : 0;
        if (r == 0)
                r = posix_spawn_file_actions_addopen(actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawn_file_actions_addclosefrom_np(actions, control_fd >= 0 ? 4 : 3);
        if (r != 0)
                return -r;

        r = posix_spawn(ret, path, actions, attr, argv, environ);
        return -r;
}

static int spawn_supervisor(const char *path, const char *plan_path, bool spare, int control_fd,
                            pid_t *ret) {
        _cleanup_free_ char *plan_arg = NULL;
        char *argv[] = { (char *) "zoned-supervisor", NULL, (char *) "--control-fd=3", NULL, NULL };

        if (asprintf(&plan_arg, "--plan=%s", plan_path) < 0)
                return -ENOMEM;
        argv[1] = plan_arg;
        if (spare)
                argv[3] = (char *) "--spare";
        return spawn_process(path, argv, control_fd, ret);
}

int supervisor_spawn_clean_up(Manager *m, const char *cgroup, pid_t *ret_pid) {
        _cleanup_free_ char *arg = NULL;

        if (asprintf(&arg, "--clean-up=%s", cgroup) < 0)
                return -ENOMEM;
        return spawn_process(m->supervisor_path, (char *const[]) { (char *) "zoned-supervisor", arg, NULL },
                             -EBADF, ret_pid);
}

int supervisor_spawn(Manager *m, const char *plan_path, bool spare, pid_t *ret_pid, int *ret_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        sd_event_source *child = NULL;
        SupervisorProcess *process;
        pid_t pid;
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        if (pair[1] == 3) {
                /* dup2(3, 3) would keep O_CLOEXEC: move it out of the way first. */
                int fd = fcntl(pair[1], F_DUPFD_CLOEXEC, 4);
                if (fd < 0)
                        return -errno;
                safe_close(pair[1]);
                pair[1] = fd;
        }
        r = spawn_supervisor(m->supervisor_path, plan_path, spare, pair[1], &pid);
        if (r < 0)
                return r;
        pair[1] = safe_close(pair[1]);

        process = g_new0(SupervisorProcess, 1);
        process->manager = m;
        if (spare_supervisor_plan_is_unique(m, plan_path))
                process->unique_plan = g_strdup(plan_path);
        r = sd_event_add_child(m->event, &child, pid, WEXITED, on_supervisor_exit, process);
        if (r < 0) {
                supervisor_process_free(process);
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        /* Only fails for a source that does not exist. */
        (void) sd_event_source_set_destroy_callback(child, supervisor_process_free);
        /* The reaper belongs to the manager: it outlives the zone's link if the socket closes first. */
        g_ptr_array_add(m->reapers, child);
        if (ret_pid)
                *ret_pid = pid;
        *ret_fd = TAKE_FD(pair[0]);
        return 0;
}
