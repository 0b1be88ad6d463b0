/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capabilities.h"
#include "device-policy.h"
#include "machine-id.h"
#include "macro.h"
#include "notify.h"
#include "zone-enter.h"
#include "zone-mounts.h"
#include "zone-spawn.h"

/* The pid namespace can only be had at clone(); the others the child unshares itself, so that
 * clone() returns at once and the supervisor makes the v1 cgroups while the child makes its
 * namespaces and mounts. */
#define ZONE_CLONE_FLAGS (CLONE_NEWNS | CLONE_NEWPID)
#define ZONE_UNSHARE_FLAGS (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
/* One line of error text from the child. */
#define SPAWN_MESSAGE_MAX 1024
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct ZoneChild {
        const LaunchPlan *plan;
        const CgroupSet *cgroups;
        const SyscallFilter *filter;
        const char *root;
        int sock;
        int netns;            /* made ahead (ZonePrepared), or -EBADF */
        bool born_in_unified; /* clone3(CLONE_INTO_CGROUP) put it into the zone's cgroup2 cgroup */
        bool console_open; /* fds 0-2 are the zone's console: errors are shown there too */
} ZoneChild;

/* The child's only way to report: one line over the socket, then exit. */
_noreturn_ static void child_fail(ZoneChild *c, int error, const char *what) {
        char msg[SPAWN_MESSAGE_MAX];

        snprintf(msg, sizeof(msg), "ERROR=%s: %s", what, strerror(error < 0 ? -error : error));
        (void) zone_fd_send(c->sock, msg, -EBADF);
        if (c->console_open)
                dprintf(STDERR_FILENO, "%s\n", msg + strlen("ERROR="));
        _exit(EXIT_FAILURE);
}

static int child_reset_signals(ZoneChild *c) {
        sigset_t all;

        /* The supervisor blocks the signals it reads from a signalfd; the init must not inherit that. */
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&all);
        return sigprocmask(SIG_SETMASK, &all, NULL) < 0 ? -errno : 0;
}

static int child_parent_death_signal(ZoneChild *c) {
        struct pollfd p = { .fd = c->sock, .events = POLLIN };

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                return -errno;
        /* getppid() is 0 in a new pid namespace, so it cannot tell whether the supervisor died
         * before prctl(): its end of our socket closing can. */
        if (poll(&p, 1, 0) < 0)
                return -errno;
        return p.revents & (POLLHUP | POLLERR) ? -ESRCH : 0;
}

/* A message of the supervisor: "<key>=<errno>", with an fd attached or not. */
static int child_receive(ZoneChild *c, const char *key, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        size_t l = strlen(key);
        char text[64];
        ssize_t n;
        int e;

        n = zone_fd_receive(c->sock, text, sizeof(text), &fd);
        if (n < 0)
                return (int) n;
        if (n == 0)
                return -ESRCH;
        if (strncmp(text, key, l) != 0 || text[l] != '=' || sscanf(text + l + 1, "%i", &e) != 1)
                return -EPROTO;
        if (e != 0)
                return -e;
        if (ret_fd)
                *ret_fd = TAKE_FD(fd);
        return 0;
}

/* The supervisor creates the zone's v1 cgroups while the child mounts (it was born in the cgroup2
 * one), then says "CGROUPS=<errno>"; the child moves itself into them before its cgroup namespace
 * is made and before anything it executes can fork. The child is single-threaded, which
 * cgroup_set_join() needs. Until then the kernel memory of its mounts is charged to the
 * supervisor's v1 memory cgroup: a few KiB per boot, of the zone's fixed set-up. */
static int child_join_cgroups(ZoneChild *c) {
        int r;

        r = child_receive(c, "CGROUPS", NULL);
        if (r < 0)
                return r;
        return cgroup_set_join(c->cgroups, c->born_in_unified);
}

/* "DEVICES=<errno>": the device policy is on the zone's cgroups. Nothing is executed before. */
static int child_wait_devices(ZoneChild *c) {
        return child_receive(c, "DEVICES", NULL);
}

static int child_unshare_cgroup(ZoneChild *c) {
        return unshare(CLONE_NEWCGROUP) < 0 ? -errno : 0;
}

static int child_unshare(ZoneChild *c) {
        /* Before /sys and mqueue are mounted: they show the network and IPC namespace of their mounter. */
        if (c->netns < 0)
                return unshare(ZONE_UNSHARE_FLAGS) < 0 ? -errno : 0;
        if (unshare(ZONE_UNSHARE_FLAGS & ~CLONE_NEWNET) < 0 || setns(c->netns, CLONE_NEWNET) < 0)
                return -errno;
        c->netns = safe_close(c->netns);
        return 0;
}

static int child_make_private(ZoneChild *c) {
        return zone_mount_make_private();
}

static int child_mount_root(ZoneChild *c) {
        return zone_mount_root(c->plan);
}

static int child_mount_proc(ZoneChild *c) {
        return zone_mount_proc(c->root);
}

static int child_mount_sys(ZoneChild *c) {
        return zone_mount_sys(c->root);
}

static int child_mount_cgroup(ZoneChild *c) {
        /* Without a cgroup2 hierarchy on the host (a pure v1 host) the init mounts what it wants:
         * it may, in its own cgroup namespace. */
        if (!cgroup_set_has_unified(c->cgroups))
                return 0;
        return zone_mount_cgroup2(c->root);
}

static int child_mount_dev(ZoneChild *c) {
        return zone_mount_dev(c->root);
}

static int child_mask_proc(ZoneChild *c) {
        return zone_mount_mask_proc(c->root);
}

static int child_mount_devpts(ZoneChild *c) {
        return zone_mount_devpts(c->root);
}

static int child_console(ZoneChild *c) {
        _cleanup_close_ int master = -EBADF;
        int r;

        r = zone_mount_console(c->root, &master);
        if (r < 0)
                return r;
        return zone_fd_send(c->sock, "PTY", master);
}

static int child_mount_run_tmp(ZoneChild *c) {
        return zone_mount_run_tmp(c->root);
}

static int child_pivot_root(ZoneChild *c) {
        return zone_pivot_root(c->root);
}

static int child_notify_socket(ZoneChild *c) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* In the zone's own /run (a tmpfs of the zone): nothing of the host is bound into it. */
        if (mkdir(NOTIFY_SOCKET_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;
        r = notify_socket_open(NOTIFY_SOCKET_PATH, &fd);
        if (r < 0)
                return r;
        return zone_fd_send(c->sock, "NOTIFY", fd);
}

static int child_machine_id(ZoneChild *c) {
        if (!c->plan->machine_id)
                return 0;
        return machine_id_write_if_unset("/etc/machine-id", c->plan->machine_id);
}

static int child_hostname(ZoneChild *c) {
        const char *h = c->plan->hostname ?: c->plan->name;

        return sethostname(h, strlen(h)) < 0 ? -errno : 0;
}

static int child_loopback(ZoneChild *c) {
        _cleanup_close_ int fd = -EBADF;
        struct ifreq ifr = {};

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        strncpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name) - 1);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

static int child_open_console(ZoneChild *c) {
        _cleanup_close_ int fd = -EBADF;

        if (setsid() < 0)
                return -errno;
        /* Opened inside the zone: nothing from the host stays open in it. */
        fd = open("/dev/console", O_RDWR | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, TIOCSCTTY, 0) < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                if (dup2(fd, i) < 0)
                        return -errno;
        c->console_open = true;
        return 0;
}

static int child_drop_capabilities(ZoneChild *c) {
        return capabilities_drop_bounding();
}

static int child_close_fds(ZoneChild *c) {
        /* Everything but stdio and the (O_CLOEXEC) socket to the supervisor. */
        if (c->sock > 3 && close_range(3, (unsigned) c->sock - 1, 0) < 0)
                return -errno;
        if (close_range((unsigned) c->sock + 1, ~0U, 0) < 0)
                return -errno;
        return 0;
}

static int child_syscall_filter(ZoneChild *c) {
        /* Last: from here on the child only reports (sendmsg) and executes the init. */
        return syscall_filter_apply(c->filter);
}

static bool env_has(char **env, const char *key) {
        size_t n = strlen(key);

        for (char **e = env; e && *e; e++)
                if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
                        return true;
        return false;
}

static char **child_environment(const LaunchPlan *plan) {
        char **env = strv_copy(plan->init_env);

        if (!env)
                return NULL;
        if (!env_has(env, "PATH") && strv_extend(&env, DEFAULT_PATH) < 0)
                return strv_free(env);
        if (!env_has(env, "TERM") && strv_extend(&env, "TERM=linux") < 0)
                return strv_free(env);
        if (strv_extend(&env, "NOTIFY_SOCKET=" NOTIFY_SOCKET_PATH) < 0)
                return strv_free(env);
        if (plan->machine_id) {
                char uuid[37], *e;

                if (machine_id_to_uuid(plan->machine_id, uuid) < 0 ||
                    asprintf(&e, "container_uuid=%s", uuid) < 0)
                        return strv_free(env);
                if (strv_extend(&env, e) < 0) {
                        free(e);
                        return strv_free(env);
                }
                free(e);
        }
        return env;
}

static const struct {
        const char *what;
        int (*run)(ZoneChild *c);
} child_steps[] = {
        { "Failed to reset signals", child_reset_signals },
        { "Failed to set the parent death signal", child_parent_death_signal },
        { "Failed to create the zone's namespaces", child_unshare },
        { "Failed to make the mount tree private", child_make_private },
        { "Failed to mount the zone's root file system", child_mount_root },
        { "Failed to mount /proc", child_mount_proc },
        { "Failed to mount /sys", child_mount_sys },
        { "Failed to mount /dev", child_mount_dev },
        { "Failed to mask /proc entries", child_mask_proc },
        { "Failed to mount /dev/pts", child_mount_devpts },
        { "Failed to set up the console", child_console },
        { "Failed to mount /run and /tmp", child_mount_run_tmp },
        { "Failed to join the zone's cgroups", child_join_cgroups },
        { "Failed to set the host name", child_hostname },
        { "Failed to bring up the loopback interface", child_loopback },
        { "Failed to confine the zone to its devices", child_wait_devices },
        { "Failed to unshare the cgroup namespace", child_unshare_cgroup },
        { "Failed to mount /sys/fs/cgroup", child_mount_cgroup },
        { "Failed to change into the zone's root", child_pivot_root },
        { "Failed to create the notify socket " NOTIFY_SOCKET_PATH, child_notify_socket },
        { "Failed to write /etc/machine-id", child_machine_id },
        { "Failed to open the console", child_open_console },
        { "Failed to drop capabilities", child_drop_capabilities },
        { "Failed to close file descriptors", child_close_fds },
        { "Failed to install the system call filter", child_syscall_filter },
};

_noreturn_ static void child_run(ZoneChild *c) {
        char what[SPAWN_MESSAGE_MAX];
        char **env;

        for (size_t i = 0; i < ELEMENTSOF(child_steps); i++) {
                int r = child_steps[i].run(c);
                if (r < 0)
                        child_fail(c, r, child_steps[i].what);
        }
        env = child_environment(c->plan);
        if (!env)
                child_fail(c, -ENOMEM, "Failed to build the environment");
        execve(c->plan->init_argv[0], c->plan->init_argv, env);
        snprintf(what, sizeof(what), "Failed to execute %s", c->plan->init_argv[0]);
        child_fail(c, -errno, what);
}

static pid_t raw_clone(unsigned long flags) {
        /* Without a new stack, clone() behaves like fork() with namespace flags. glibc has no
         * wrapper for that; the argument order differs on s390. */
#if defined(__s390__) || defined(__CRIS__)
        return (pid_t) syscall(SYS_clone, 0, flags, 0, 0, 0);
#else
        return (pid_t) syscall(SYS_clone, flags, 0, 0, 0, 0);
#endif
}

/* Like raw_clone(), but the child is born in the cgroup2 cgroup cgroup_fd: joining it later
 * through cgroup.procs would wait for an RCU grace period. Returns -ENOSYS where the kernel
 * cannot (before 5.7). */
static pid_t clone_into_cgroup(unsigned long flags, int cgroup_fd) {
#if defined(SYS_clone3) && defined(CLONE_INTO_CGROUP)
        struct clone_args args = {
                .flags = (flags & ~(unsigned long) CSIGNAL) | CLONE_INTO_CGROUP,
                .exit_signal = flags & CSIGNAL,
                .cgroup = (uint64_t) cgroup_fd,
        };
        pid_t pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));

        if (pid < 0 && (errno == ENOSYS || errno == E2BIG))
                return -ENOSYS;
        return pid < 0 ? -errno : pid;
#else
        return -ENOSYS;
#endif
}

/* What the child waits for while it makes its namespaces and mounts, in the order it needs them:
 * the v1 cgroups, and the device policy on its cgroups. */
static int send_cgroups_devices(int sock, const CgroupSet *cgroups, int *device_program) {
        char text[64];
        int r, q;

        q = cgroup_set_create(cgroups, false);
        snprintf(text, sizeof(text), "CGROUPS=%i", q < 0 ? -q : 0);
        r = zone_fd_send(sock, text, -EBADF);
        if (r < 0 || q < 0)
                return r; /* the child gives up on CGROUPS= and says why */
        r = cgroup_set_confine_devices(cgroups, device_program);
        snprintf(text, sizeof(text), "DEVICES=%i", r < 0 ? -r : 0);
        return zone_fd_send(sock, text, -EBADF);
}

int zone_prepared_make(ZonePrepared *p) {
        _cleanup_close_ int own = -EBADF;
        int fd;

        if (p->device_program < 0) {
                fd = device_policy_load_program();
                if (fd >= 0)
                        p->device_program = fd;
        }
        if (p->netns >= 0)
                return 0;
        own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (own < 0 || unshare(CLONE_NEWNET) < 0)
                return 0;
        fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        /* Back home: only the fd keeps the new one. */
        if (setns(own, CLONE_NEWNET) < 0) {
                safe_close(fd);
                return -errno;
        }
        p->netns = fd < 0 ? -EBADF : fd;
        return 0;
}

void zone_prepared_done(ZonePrepared *p) {
        safe_close(p->device_program);
        safe_close(p->netns);
        *p = ZONE_PREPARED_NULL;
}

int zone_spawn(const LaunchPlan *plan, const CgroupSet *cgroups, const SyscallFilter *filter,
               ZonePrepared *prepared, pid_t *ret_pid, int *ret_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        _cleanup_close_ int cgroup_fd = -EBADF;
        bool born_in_unified = false;
        pid_t pid = -ENOSYS;
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;

        cgroup_fd = cgroup_set_open_unified(cgroups);
        if (cgroup_fd >= 0) {
                pid = clone_into_cgroup(ZONE_CLONE_FLAGS | SIGCHLD, cgroup_fd);
                born_in_unified = pid >= 0;
        } else if (cgroup_fd != -ENOMEDIUM)
                return cgroup_fd;
        if (pid == -ENOSYS) {
                pid = raw_clone(ZONE_CLONE_FLAGS | SIGCHLD);
                if (pid < 0)
                        pid = -errno;
        }
        if (pid < 0)
                return pid;
        if (pid == 0) {
                ZoneChild c = {
                        .plan = plan,
                        .cgroups = cgroups,
                        .filter = filter,
                        .root = plan->rootfs,
                        .sock = pair[1],
                        .netns = prepared->netns,
                        .born_in_unified = born_in_unified,
                };

                pair[0] = safe_close(pair[0]);
                child_run(&c);
        }

        pair[1] = safe_close(pair[1]);
        /* The child has it now: a network namespace serves one boot. */
        prepared->netns = safe_close(prepared->netns);
        r = send_cgroups_devices(pair[0], cgroups, &prepared->device_program);
        /* A failure to make the cgroups or the device policy the child reports like any other
         * setup error. A child that failed before it got here has said why and exited (EPIPE): its end
         * is seen through SIGCHLD. One we cannot talk to would wait for a message forever. */
        if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        *ret_pid = pid;
        *ret_fd = TAKE_FD(pair[0]);
        return 0;
}

void spawn_message_done(SpawnMessage *m) {
        safe_close(m->fd);
        free(m->error);
        *m = (SpawnMessage) { .fd = -EBADF };
}

int zone_spawn_receive(int fd, SpawnMessage *ret) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        char text[SPAWN_MESSAGE_MAX];
        struct iovec iov = { .iov_base = text, .iov_len = sizeof(text) - 1 };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        SpawnMessage m = { .fd = -EBADF };
        ssize_t n;

        *ret = m;
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0)
                return -errno;
        if (n == 0)
                return 0;
        text[n] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                    c->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(&m.fd, CMSG_DATA(c), sizeof(int));
        if (streq(text, "PTY"))
                m.kind = SPAWN_PTY;
        else if (streq(text, "NOTIFY"))
                m.kind = SPAWN_NOTIFY;
        else if (strncmp(text, "ERROR=", 6) == 0) {
                m.kind = SPAWN_ERROR;
                m.error = strdup(text + 6);
                if (!m.error) {
                        spawn_message_done(&m);
                        return -ENOMEM;
                }
        } else
                m.kind = SPAWN_UNKNOWN;
        if ((m.kind == SPAWN_PTY || m.kind == SPAWN_NOTIFY) != (m.fd >= 0)) {
                /* A message without its fd, or an fd nobody expects. */
                spawn_message_done(&m);
                return -EBADMSG;
        }
        *ret = m;
        return 1;
}
