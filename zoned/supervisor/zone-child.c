/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The steps of the zone's first processes, from clone() to the init's execve() (zone-child.h). */

#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "brand-steps.h"
#include "capabilities.h"
#include "hostname-file.h"
#include "machine-id.h"
#include "network.h"
#include "notify.h"
#include "zone-child.h"
#include "fd-pass.h"
#include "zone-mounts.h"

#define ZONE_UNSHARE_FLAGS (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The child's only way to report: one line over the socket, then exit. A builder's line goes to the
 * init, which passes it on. */
_noreturn_ static void child_fail_message(ZoneChild *c, const char *msg) {
        (void) fd_send(c->sock, msg, -EBADF);
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

        n = fd_receive(c->sock, text, sizeof(text), 0, &fd);
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
        /* The init of a zone with a user namespace joins too, as the zone's root: its ids are
         * mapped by now, and the payload's "tasks" files are its own (delegated), which is all
         * that writing "0" there takes. A move by the supervisor (its pid, not "0") would make
         * the kernel wait for an RCU grace period, ~10 ms of every boot. */
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

/* "NETWORK=<errno>": the zone's link is made and configured (network.h). */
static int child_wait_network(ZoneChild *c) {
        return child_receive(c, "NETWORK", NULL);
}

static int child_brand_fixups(ZoneChild *c) {
        const char *rule = NULL;
        int r;

        r = brand_apply_fixups(c->plan, &rule);
        if (r < 0) {
                char what[SPAWN_MESSAGE_MAX];

                snprintf(what, sizeof(what), "Failed to apply the brand's fix-up %s", strna(rule));
                child_fail(c, r, what);
        }
        return 0;
}

static int child_personality(ZoneChild *c) {
        return brand_set_personality(c->plan);
}

static int child_resolv_conf(ZoneChild *c) {
        return zone_network_write_resolv_conf(c->plan);
}

static int child_unshare_cgroup(ZoneChild *c) {
        return unshare(CLONE_NEWCGROUP) < 0 ? -errno : 0;
}

static int child_unshare(ZoneChild *c) {
        /* Before /sys and mqueue are mounted: they show the network and IPC namespace of their mounter. */
        if (c->userns)
                return zone_userns_join_owned(c->userns);
        /* Host mode: the host's network namespace stays the zone's. */
        if (zone_network_is_host(c->plan))
                return unshare(ZONE_UNSHARE_FLAGS & ~CLONE_NEWNET) < 0 ? -errno : 0;
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

static int child_mount_disk(ZoneChild *c) {
        if (c->disk < 0)
                return 0;
        return zone_mount_disk(c->plan, c->disk);
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
        return zone_mount_dev(c->root, c->owner, c->cgroups->device_allow);
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
        return fd_send(c->sock, "PTY", master);
}

static int child_mount_lxcfs(ZoneChild *c) {
        return zone_mount_lxcfs(c->root, c->plan->lxcfs);
}

static int child_mount_nesting(ZoneChild *c) {
        return c->plan->nesting ? zone_mount_nesting(c->root) : 0;
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
        return fd_send(c->sock, "TREE", fd);
}

/* The init takes the tree its builder made: the mount namespace and its root. The rest of the
 * zone's tree it mounts itself, as the zone's root. */
static int child_join_tree(ZoneChild *c) {
        _cleanup_close_ int fd = -EBADF;
        char text[SPAWN_MESSAGE_MAX];
        ssize_t n;

        n = fd_receive(c->builder, text, sizeof(text), 0, &fd);
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
        return fd_send(c->sock, "NOTIFY", fd);
}

static int child_machine_id(ZoneChild *c) {
        if (!c->plan->machine_id)
                return 0;
        return machine_id_write_if_unset("/etc/machine-id", c->plan->machine_id);
}

static int child_hostname_file(ZoneChild *c) {
        return hostname_file_write("/etc/hostname", c->plan->hostname ?: c->plan->name);
}

static int child_hostname(ZoneChild *c) {
        const char *h = c->plan->hostname ?: c->plan->name;

        return sethostname(h, strlen(h)) < 0 ? -errno : 0;
}

static int child_loopback(ZoneChild *c) {
        _cleanup_close_ int fd = -EBADF;
        struct ifreq ifr = {};

        /* The host's lo is the host's. */
        if (zone_network_is_host(c->plan))
                return 0;
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
        return close_all_fds_except(&c->sock, 1);
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
        { "Failed to mount the zone's disk image", child_mount_disk, ROLE_TREE },
        { "Failed to mount the zone's root file system", child_mount_root, ROLE_TREE },
        /* Mounting the root of a zone with a user namespace changed our file system ids. */
        { "Failed to set the parent death signal", child_parent_death_signal, ROLE_BUILDER },
        { "Failed to mount /proc", child_mount_proc, ROLE_TREE },
        { "Failed to mount /sys", child_mount_sys, ROLE_TREE },
        { "Failed to mount /dev", child_mount_dev, ROLE_TREE },
        { "Failed to mask /proc entries", child_mask_proc, ROLE_TREE },
        { "Failed to bind lxcfs' files over /proc", child_mount_lxcfs, ROLE_TREE },
        { "Failed to mount the nesting zone's procfs and sysfs", child_mount_nesting, ROLE_TREE },
        { "Failed to mount /run and /tmp", child_mount_run_tmp, ROLE_TREE },
        { "Failed to join the zone's cgroups", child_join_cgroups, ROLE_ZONE },
        { "Failed to become the zone's root", child_become_root, ROLE_INIT },
        { "Failed to set the host name", child_hostname, ROLE_TREE },
        { "Failed to bring up the loopback interface", child_loopback, ROLE_TREE },
        { "Failed to change into the zone's root", child_pivot_root, ROLE_TREE },
        { "Failed to hand the zone's tree over", child_hand_over, ROLE_BUILDER },
        { "Failed to take the zone's tree", child_join_tree, ROLE_INIT },
        { "Failed to confine the zone to its devices", child_wait_devices, ROLE_ZONE },
        { "Failed to set up the zone's network", child_wait_network, ROLE_ZONE },
        { "Failed to mount /dev/pts", child_mount_devpts, ROLE_ZONE },
        { "Failed to set up the console", child_console, ROLE_ZONE },
        { "Failed to unshare the cgroup namespace", child_unshare_cgroup, ROLE_ZONE },
        { "Failed to mount /sys/fs/cgroup", child_mount_cgroup, ROLE_ZONE },
        { "Failed to create the notify socket " NOTIFY_SOCKET_PATH, child_notify_socket, ROLE_ZONE },
        { "Failed to write /etc/machine-id", child_machine_id, ROLE_ZONE },
        { "Failed to write /etc/hostname", child_hostname_file, ROLE_ZONE },
        { "Failed to write /etc/resolv.conf", child_resolv_conf, ROLE_ZONE },
        { "Failed to apply the brand's fix-ups", child_brand_fixups, ROLE_ZONE },
        { "Failed to open the console", child_open_console, ROLE_ZONE },
        { "Failed to drop capabilities", child_drop_capabilities, ROLE_ZONE },
        { "Failed to close file descriptors", child_close_fds, ROLE_ZONE },
        /* After the last file of the tree was opened: uname26 and linux32 change what the
         * kernel tells, not what it does. */
        { "Failed to set the brand's personality", child_personality, ROLE_ZONE },
        { "Failed to install the system call filter", child_syscall_filter, ROLE_ZONE },
};

_noreturn_ void zone_child_run(ZoneChild *c) {
        char what[SPAWN_MESSAGE_MAX];
        const char *init;
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
        init = brand_pick_init(c->plan);
        execve(init, c->plan->init_argv, env);
        snprintf(what, sizeof(what), "Failed to execute %s", init);
        child_fail(c, -errno, what);
}
