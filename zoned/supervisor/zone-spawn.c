/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "device-policy.h"
#include "macro.h"
#include "network.h"
#include "userns.h"
#include "zone-child.h"
#include "zone-user.h"
#include "fd-pass.h"
#include "zone-spawn.h"

/* The pid namespace can only be had at clone(); the others the child unshares itself, so that
 * clone() returns at once and the supervisor makes the v1 cgroups while the child makes its
 * namespaces and mounts. */
#define ZONE_CLONE_FLAGS (CLONE_NEWNS | CLONE_NEWPID)

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
static int send_cgroups_devices(int sock, const CgroupSet *cgroups, uid_t owner, int *device_program,
                                zone_spawn_cgroups_func cgroups_ready, void *userdata) {
        char text[64];
        int r, q;

        /* The child joins them itself ("0" in their tasks: no wait for the kernel). */
        q = cgroup_set_create(cgroups, false, owner);
        if (q >= 0 && cgroups_ready)
                q = cgroups_ready(userdata);
        snprintf(text, sizeof(text), "CGROUPS=%i", q < 0 ? -q : 0);
        r = fd_send(sock, text, -EBADF);
        if (r < 0 || q < 0)
                return r; /* the child gives up on CGROUPS= and says why */
        r = cgroup_set_confine_devices(cgroups, device_program);
        snprintf(text, sizeof(text), "DEVICES=%i", r < 0 ? -r : 0);
        return fd_send(sock, text, -EBADF);
}

/* "NETWORK=<errno>": the zone's link is in its network namespace and configured (network.h). */
static int send_network(int sock, const LaunchPlan *plan, int netns) {
        char text[64];
        int q;

        q = zone_network_has_link(plan) ? zone_network_setup(plan, netns) : 0;
        snprintf(text, sizeof(text), "NETWORK=%i", q < 0 ? -q : 0);
        return fd_send(sock, text, -EBADF);
}

/* The zone's network namespace, for the supervisor to make the zone's link in: the one the child
 * of a zone with a user namespace was born with, or the one it is given (made now if there is
 * none ready). -EBADF for a zone without a link. */
static int network_netns(const LaunchPlan *plan, ZonePrepared *prepared, pid_t init) {
        char path[64];
        int fd;

        if (!zone_network_has_link(plan))
                return -EBADF;
        if (init > 0) {
                snprintf(path, sizeof(path), "/proc/%i/ns/net", (int) init);
                fd = open(path, O_RDONLY | O_CLOEXEC);
        } else {
                if (prepared->netns < 0)
                        (void) zone_prepared_make(prepared);
                if (prepared->netns < 0)
                        return -ENOMEM;
                fd = fcntl(prepared->netns, F_DUPFD_CLOEXEC, 3);
        }
        return fd < 0 ? -errno : fd;
}

int zone_prepared_make(ZonePrepared *p) {
        _cleanup_close_ int own = -EBADF;
        int fd;

        if (p->device_program < 0) {
                fd = device_policy_load_program(0);
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
                zone_child_run(c);
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
               ZonePrepared *prepared, int disk_fd, zone_spawn_cgroups_func cgroups_ready, void *userdata,
               pid_t *ret_pid, int *ret_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF }, tree[2] = { -EBADF, -EBADF };
        _cleanup_close_ int cgroup_fd = -EBADF, netns = -EBADF;
        bool userns = launch_plan_private_users(plan);
        ZoneChild c = {
                .role = userns ? ROLE_INIT : ROLE_PLAIN,
                .plan = plan,
                .cgroups = cgroups,
                .filter = filter,
                .owner = userns ? plan->uid_shift : 0,
                .root = plan->rootfs,
                .builder = -EBADF,
                /* One made outside a zone's user namespace serves no such zone, nor one that keeps
                 * the host's. */
                .netns = userns || zone_network_is_host(plan) ? -EBADF : prepared->netns,
                .disk = disk_fd,
        };
        pid_t pid;
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        if (userns && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, tree) < 0)
                return -errno;
        /* The host's network namespace is not the zone's user namespace's to mount /sys of. */
        if (userns && zone_network_is_host(plan))
                return -EOPNOTSUPP;
        if (!userns) {
                netns = network_netns(plan, prepared, 0);
                if (netns < 0 && netns != -EBADF)
                        return netns;
                c.netns = zone_network_is_host(plan) ? -EBADF : prepared->netns;
        }
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
                zone_child_run(&c);
        }
        pair[1] = safe_close(pair[1]);
        /* The child has it now: a network namespace serves one boot. */
        prepared->netns = safe_close(prepared->netns);

        r = 0;
        if (userns) {
                tree[0] = safe_close(tree[0]);
                netns = network_netns(plan, prepared, pid);
                if (netns < 0 && netns != -EBADF)
                        r = netns;
                if (r >= 0)
                        r = start_userns_zone(plan, &c, pid, tree[1]);
                tree[1] = safe_close(tree[1]);
        }
        if (r >= 0)
                r = send_cgroups_devices(pair[0], cgroups, c.owner, &prepared->device_program, cgroups_ready,
                                         userdata);
        /* The zone's link, once its namespace exists: a failure the child reports, as above. Our
         * fd of the namespace is closed at once, so that the namespace (and the veth) lives only
         * as long as the zone. */
        if (r >= 0)
                r = send_network(pair[0], plan, netns);
        netns = safe_close(netns);
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
        char text[SPAWN_MESSAGE_MAX];
        SpawnMessage m = { .fd = -EBADF };
        ssize_t n;

        *ret = m;
        n = fd_receive(fd, text, sizeof(text), MSG_DONTWAIT, &m.fd);
        if (n <= 0)
                return (int) n;
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
