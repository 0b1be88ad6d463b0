/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "syscall-filter.h"

/* Entering a running zone from the host: the cgroups, namespaces and root
 * directory of its leader (the zone's init, by host pid), and the zone's
 * user database read from its files (never through NSS, which would load the
 * zone's libraries into a host process). No logging, no glib, no sd-bus:
 * errors are returned as -errno.
 *
 * These are the steps; zone-attach.h puts them together into the one safe way
 * of starting a process in a zone (the zone must not reach it before it is
 * wholly inside, and only that process joins the zone's cgroups). */

#define ZONE_ENTER_NAMESPACES \
        (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP)

/* A pidfd for the leader (O_CLOEXEC). */
int zone_leader_open(pid_t leader, int *ret_pidfd);
/* The zone's capabilities: its init's bounding set (the brand's and the zone file's
 * Capabilities=, as the launch plan gave it), read while pidfd shows the init still runs. */
int zone_leader_capabilities(pid_t leader, int pidfd, uint64_t *ret);

/* Moves pid (0: the calling process), which must be single-threaded, into
 * the leader's cgroup in every hierarchy the host has mounted (cgroup v1
 * controllers, named v1 hierarchies, cgroup2), as /proc/<leader>/cgroup and
 * /proc/self/mountinfo describe them. Must run in the host's mount, cgroup
 * and pid namespaces. */
int zone_enter_cgroups(pid_t leader, int pidfd, pid_t pid);

/* Joins the leader's namespaces among nstypes (CLONE_NEW* flags), plus its
 * user namespace when that is not ours: first the mount namespace and the
 * leader's root directory (with "/" as the working directory), then the user
 * namespace and the others, the pid namespace (for children to come) among
 * them, as the zone's root (ids 0 there). Must start in the host's mount namespace, as the host's root. */
int zone_enter_namespaces(pid_t leader, int pidfd, int nstypes);

/* The value of "--plan=" on a supervisor's command line (zoned-supervisor --plan=PATH ...), read
 * up to 4 KiB; -ESRCH if pid is not a zoned-supervisor. */
int zone_supervisor_plan_path(pid_t supervisor, char **ret);

/* The system call filter the zone's init runs under (syscall-filter.h), from the launch plan its
 * supervisor, the leader's parent, was started with: whatever enters the zone is to get the same
 * one, applied right before its exec. An empty filter for a zone whose plan has none. Must run
 * in the host's mount namespace; -ESRCH if the leader's parent is no zoned-supervisor. */
int zone_syscall_filter_load(pid_t leader, SyscallFilter *ret);

typedef struct ZoneUser {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;
        char *shell;
        gid_t *groups; /* the primary group first, then those of the group file that list the user */
        size_t n_groups;
} ZoneUser;

void zone_user_done(ZoneUser *u);

/* Looks a user up by name (or, for a number that names nobody, by uid) in
 * <root>/etc/passwd and its groups in <root>/etc/group, resolving the paths
 * inside root. A root without /etc/passwd still has root (uid 0). -ESRCH if
 * there is no such user. */
int zone_user_lookup(const char *root, const char *user, ZoneUser *ret);

/* setgroups, setresgid, setresuid. */
int zone_user_become(const ZoneUser *u);

/* The environment of a command run as u in the zone: HOME, SHELL, USER,
 * LOGNAME, PATH, TERM (if term is set) and container=zoned. */
int zone_user_environment(const ZoneUser *u, const char *term, char ***ret);

#define ZONE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- terminals ---- */

/* Opens a new pty from the devpts mounted at /dev/pts of the calling
 * process's mount namespace (call it inside the zone: the pty must be the
 * zone's own). Returns the master (O_CLOEXEC), the slave (O_CLOEXEC, opened
 * through the master, no path lookup) and the slave's path in the zone. */
int zone_pty_open(int *ret_master, int *ret_slave, char **ret_path);

/* New session with slave as its controlling terminal and as stdin, stdout,
 * stderr (slave itself is closed if it is not one of those). */
int zone_pty_make_controlling(int slave);

/* True if fd is the master of a pty (a devpts ptmx). */
bool zone_pty_is_master(int fd);

/* One SOCK_SEQPACKET message of text with an optional fd (SCM_RIGHTS). */
int zone_fd_send(int sock, const char *text, int fd);
/* Receives one such message (blocking unless the socket is not): text (NUL
 * terminated, up to size-1 bytes) and fd (-EBADF if none came). Returns the
 * text length, 0 at EOF. */
ssize_t zone_fd_receive(int sock, char *text, size_t size, int *ret_fd);

/* The environment of u's session (zone_user_environment) with the entries
 * of extra ("KEY=VALUE") added, replacing those of the same key. -EINVAL for
 * an entry that is not KEY=VALUE. */
int zone_user_environment_merge(const ZoneUser *u, const char *term, char *const *extra, char ***ret);
