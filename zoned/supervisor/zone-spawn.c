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
#include "userns.h"
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

/* Who runs a step (zone-spawn.h, userns.h). */
typedef enum ChildRole {
        ROLE_PLAIN = 1 << 0,   /* the init of a zone without a user namespace: it does every step */
        ROLE_INIT = 1 << 1,    /* the init of a zone with one, born in it: it joins the built tree */
        ROLE_BUILDER = 1 << 2, /* the host's root that builds such a zone's tree, hands it over, exits */
} ChildRole;

#define ROLE_ALL (ROLE_PLAIN | ROLE_INIT | ROLE_BUILDER)
#define ROLE_TREE (ROLE_PLAIN | ROLE_BUILDER) /* builds the tree */
#define ROLE_ZONE (ROLE_PLAIN | ROLE_INIT)    /* becomes the init */

typedef struct ZoneChild {
        ChildRole role;
        const LaunchPlan *plan;
        const CgroupSet *cgroups;
        const SyscallFilter *filter;
        const ZoneUserns *userns; /* builder: the zone's user namespace and what it owns */
        uid_t owner;          /* host uid (and gid) of the zone's root, 0 without a user namespace */
        const char *root;
        int sock;             /* init: to the supervisor; builder: to the init */
        int builder;          /* init of a zone with a user namespace: from its builder */
        int netns;            /* made ahead (ZonePrepared), or -EBADF */
        bool born_in_unified; /* clone3(CLONE_INTO_CGROUP) put it into the zone's cgroup2 cgroup */
        bool console_open; /* fds 0-2 are the zone's console: errors are shown there too */
} ZoneChild;

/* The child's only way to report: one line over the socket, then exit. A builder's line goes to the
 * init, which passes it on. */
_noreturn_ static void child_fail_message(ZoneChild *c, const char *msg) {
        (void) zone_fd_send(c->sock, msg, -EBADF);
        if (c->console_open)
                dprintf(STDERR_FILENO, "%s\n", msg + strlen("ERROR="));
        _exit(EXIT_FAILURE);
}

_noreturn_ static void child_fail(ZoneChild *c, int error, const char *what) {
        char msg[SPAWN_MESSAGE_MAX];

        snprintf(msg, sizeof(msg), "ERROR=%s: %s", what, strerror(error < 0 ? -error : error));
        child_fail_message(c, msg);
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
        /* The init of a zone with a user namespace has no rights on the host's cgroups: the
         * supervisor moved it, once its ids were mapped, and says so now. */
        if (c->role == ROLE_INIT)
                return 0;
        return cgroup_set_join(c->cgroups, c->born_in_unified);
}

static int child_become_root(ZoneChild *c) {
        int r;

        r = zone_userns_become_root();
        if (r < 0)
                return r;
        return child_parent_death_signal(c);
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
        if (c->userns)
                return zone_userns_join_owned(c->userns);
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
        const char *unmappable = NULL;
        char what[SPAWN_MESSAGE_MAX];
        int r;

        if (!c->userns)
                return zone_mount_root(c->plan);
        r = zone_mount_root_idmapped(c->plan, c->userns->user, &unmappable);
        if (r == -EOPNOTSUPP && unmappable) {
                snprintf(what, sizeof(what),
                         "The file system of %s cannot be idmapped, which a zone with a user namespace "
                         "needs (PrivateUsers=no runs a zone without)",
                         unmappable);
                child_fail(c, r, what);
        }
        return r;
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
        return zone_mount_cgroup2("/");
}

static int child_mount_dev(ZoneChild *c) {
        return zone_mount_dev(c->root, c->owner);
}

static int child_mask_proc(ZoneChild *c) {
        return zone_mount_mask_proc(c->root);
}

/* From here on the child is in the zone's root: "/". */
static int child_mount_devpts(ZoneChild *c) {
        return zone_mount_devpts("/");
}

static int child_console(ZoneChild *c) {
        _cleanup_close_ int master = -EBADF;
        int r;

        r = zone_mount_console("/", &master);
        if (r < 0)
                return r;
        return zone_fd_send(c->sock, "PTY", master);
}

static int child_mount_run_tmp(ZoneChild *c) {
        return zone_mount_run_tmp(c->root, c->owner);
}

static int child_pivot_root(ZoneChild *c) {
        return zone_pivot_root(c->root);
}

/* The builder's last step as the host's root: what the zone may not undo is mounted. It enters the
 * user namespace, which gives it a locked copy of its mount namespace, and sends that to the init. */
static int child_hand_over(ZoneChild *c) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = zone_userns_enter(c->userns);
        if (r < 0)
                return r;
        fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return zone_fd_send(c->sock, "TREE", fd);
}

/* The init takes the tree its builder made: the mount namespace and its root. The rest of the
 * zone's tree it mounts itself, as the zone's root. */
static int child_join_tree(ZoneChild *c) {
        _cleanup_close_ int fd = -EBADF;
        char text[SPAWN_MESSAGE_MAX];
        ssize_t n;

        n = zone_fd_receive(c->builder, text, sizeof(text), &fd);
        if (n < 0)
                return (int) n;
        if (n == 0)
                return -ESRCH; /* the builder died without a word */
        if (strncmp(text, "ERROR=", 6) == 0)
                child_fail_message(c, text);
        if (!streq(text, "TREE") || fd < 0)
                return -EPROTO;
        if (setns(fd, CLONE_NEWNS) < 0)
                return -errno;
        c->builder = safe_close(c->builder);
        return chdir("/") < 0 ? -errno : 0;
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
        /* The brand's or the zone file's set, if they changed the default one. */
        return capabilities_drop_bounding_to(c->plan->capabilities_set ? c->plan->capabilities
                                                                       : capabilities_default_mask());
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
        ChildRole roles;
} child_steps[] = {
        { "Failed to reset signals", child_reset_signals, ROLE_ALL },
        { "Failed to set the parent death signal", child_parent_death_signal, ROLE_ALL },
        { "Failed to create the zone's namespaces", child_unshare, ROLE_TREE },
        { "Failed to make the mount tree private", child_make_private, ROLE_TREE },
        { "Failed to mount the zone's root file system", child_mount_root, ROLE_TREE },
        /* Mounting the root of a zone with a user namespace changed our file system ids. */
        { "Failed to set the parent death signal", child_parent_death_signal, ROLE_BUILDER },
        { "Failed to mount /proc", child_mount_proc, ROLE_TREE },
        { "Failed to mount /sys", child_mount_sys, ROLE_TREE },
        { "Failed to mount /dev", child_mount_dev, ROLE_TREE },
        { "Failed to mask /proc entries", child_mask_proc, ROLE_TREE },
        { "Failed to mount /run and /tmp", child_mount_run_tmp, ROLE_TREE },
        { "Failed to join the zone's cgroups", child_join_cgroups, ROLE_ZONE },
        { "Failed to become the zone's root", child_become_root, ROLE_INIT },
        { "Failed to set the host name", child_hostname, ROLE_TREE },
        { "Failed to bring up the loopback interface", child_loopback, ROLE_TREE },
        { "Failed to change into the zone's root", child_pivot_root, ROLE_TREE },
        { "Failed to hand the zone's tree over", child_hand_over, ROLE_BUILDER },
        { "Failed to take the zone's tree", child_join_tree, ROLE_INIT },
        { "Failed to confine the zone to its devices", child_wait_devices, ROLE_ZONE },
        { "Failed to mount /dev/pts", child_mount_devpts, ROLE_ZONE },
        { "Failed to set up the console", child_console, ROLE_ZONE },
        { "Failed to unshare the cgroup namespace", child_unshare_cgroup, ROLE_ZONE },
        { "Failed to mount /sys/fs/cgroup", child_mount_cgroup, ROLE_ZONE },
        { "Failed to create the notify socket " NOTIFY_SOCKET_PATH, child_notify_socket, ROLE_ZONE },
        { "Failed to write /etc/machine-id", child_machine_id, ROLE_ZONE },
        { "Failed to open the console", child_open_console, ROLE_ZONE },
        { "Failed to drop capabilities", child_drop_capabilities, ROLE_ZONE },
        { "Failed to close file descriptors", child_close_fds, ROLE_ZONE },
        { "Failed to install the system call filter", child_syscall_filter, ROLE_ZONE },
};

_noreturn_ static void child_run(ZoneChild *c) {
        char what[SPAWN_MESSAGE_MAX];
        char **env;

        for (size_t i = 0; i < ELEMENTSOF(child_steps); i++) {
                int r;

                if (!(child_steps[i].roles & c->role))
                        continue;
                r = child_steps[i].run(c);
                if (r < 0)
                        child_fail(c, r, child_steps[i].what);
        }
        if (c->role == ROLE_BUILDER)
                _exit(EXIT_SUCCESS);
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
 * the v1 cgroups, and the device policy on its cgroups. The init of a zone with a user namespace
 * cannot join the host's cgroups itself: it is moved (pid, in our pid namespace). */
static int send_cgroups_devices(int sock, const CgroupSet *cgroups, uid_t owner, pid_t move,
                                bool born_in_unified, int *device_program) {
        char text[64];
        int r, q;

        q = cgroup_set_create(cgroups, false, owner);
        if (q >= 0 && move > 0)
                q = cgroup_set_attach(cgroups, move, born_in_unified);
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

static pid_t clone_init(unsigned long flags, int cgroup_fd, bool *ret_born_in_unified) {
        pid_t pid = -ENOSYS;

        *ret_born_in_unified = false;
        if (cgroup_fd >= 0) {
                pid = clone_into_cgroup(flags | SIGCHLD, cgroup_fd);
                *ret_born_in_unified = pid >= 0;
        }
        if (pid == -ENOSYS) {
                pid = raw_clone(flags | SIGCHLD);
                if (pid < 0)
                        pid = -errno;
        }
        return pid;
}

/* The builder of a zone with a user namespace: the host's root, in a mount namespace of its own
 * and in the zone's pid namespace (for the zone's /proc), where the init is pid 1. */
static pid_t clone_builder(ZoneChild *c, int sock) {
        _cleanup_close_ int own = -EBADF;
        pid_t pid;
        int r;

        r = zone_userns_pid_enter(c->userns, &own);
        if (r < 0)
                return r;
        pid = raw_clone(CLONE_NEWNS | SIGCHLD);
        if (pid == 0) {
                c->role = ROLE_BUILDER;
                c->sock = sock;
                child_run(c);
        }
        if (pid < 0)
                pid = -errno;
        r = zone_userns_pid_leave(&own);
        if (r < 0) {
                /* Every later child would be born in the zone. */
                if (pid > 0)
                        (void) kill(pid, SIGKILL);
                return r;
        }
        return pid;
}

/* A zone with a user namespace: maps its ids, then starts the builder of its tree. */
static int start_userns_zone(const LaunchPlan *plan, ZoneChild *c, pid_t init, int builder_sock) {
        ZoneUserns u = ZONE_USERNS_NULL;
        pid_t builder;
        int r;

        r = zone_userns_write_maps(init, plan->uid_shift, plan->uid_range);
        if (r < 0)
                return r;
        r = zone_userns_open(init, &u);
        if (r < 0)
                return r;
        c->userns = &u;
        builder = clone_builder(c, builder_sock);
        c->userns = NULL;
        zone_userns_done(&u);
        return builder < 0 ? builder : 0;
}

int zone_spawn(const LaunchPlan *plan, const CgroupSet *cgroups, const SyscallFilter *filter,
               ZonePrepared *prepared, pid_t *ret_pid, int *ret_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF }, tree[2] = { -EBADF, -EBADF };
        _cleanup_close_ int cgroup_fd = -EBADF;
        bool userns = launch_plan_private_users(plan);
        ZoneChild c = {
                .role = userns ? ROLE_INIT : ROLE_PLAIN,
                .plan = plan,
                .cgroups = cgroups,
                .filter = filter,
                .owner = userns ? plan->uid_shift : 0,
                .root = plan->rootfs,
                .builder = -EBADF,
                /* One made outside a zone's user namespace serves no such zone. */
                .netns = userns ? -EBADF : prepared->netns,
        };
        pid_t pid;
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        if (userns && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, tree) < 0)
                return -errno;
        cgroup_fd = cgroup_set_open_unified(cgroups);
        if (cgroup_fd < 0 && cgroup_fd != -ENOMEDIUM)
                return cgroup_fd;

        pid = clone_init(userns ? ZONE_USERNS_CLONE_FLAGS : ZONE_CLONE_FLAGS, cgroup_fd, &c.born_in_unified);
        if (pid < 0)
                return pid;
        if (pid == 0) {
                c.sock = pair[1];
                c.builder = tree[0];
                pair[0] = safe_close(pair[0]);
                tree[1] = safe_close(tree[1]);
                child_run(&c);
        }
        pair[1] = safe_close(pair[1]);
        /* The child has it now: a network namespace serves one boot. */
        prepared->netns = safe_close(prepared->netns);

        r = 0;
        if (userns) {
                tree[0] = safe_close(tree[0]);
                r = start_userns_zone(plan, &c, pid, tree[1]);
                tree[1] = safe_close(tree[1]);
        }
        if (r >= 0)
                r = send_cgroups_devices(pair[0], cgroups, c.owner, userns ? pid : 0, c.born_in_unified,
                                         &prepared->device_program);
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
