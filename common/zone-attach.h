/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "macro.h"
#include "syscall-filter.h"
#include "zone-user.h"

/* Starting a process in a running zone from the host (zonectl shell, zoned's logins and shells),
 * so that root in the zone can reach nothing of the host through it. Root in a zone sees every
 * process of its pid namespace the moment it is created: it may open /proc/PID/root, take its fds
 * with pidfd_getfd() or ptrace it (with CAP_SYS_PTRACE, or as the same uid). So nothing of the
 * host may be in a process when it appears there. Three processes:
 *
 *  - the caller, on the host, which stays outside;
 *  - a helper, forked by the caller, that never appears in the zone: it is made undumpable, keeps
 *    no fd but the ones the process is to have, drops to the zone's capabilities, joins the
 *    zone's mount namespace and root, then its user namespace and the others, the pid namespace
 *    (for its children) among them; it drops the capabilities again (a user namespace gives a
 *    full set), installs the zone's system call filter, looks the user up in the zone's files
 *    and turns into the user, and opens the zone's pty if asked;
 *  - the process, cloned by the helper with CLONE_PARENT: it appears in the zone wholly inside it,
 *    undumpable and with no host fd, and is the caller's child (the caller gets its exit
 *    status). It stops itself; the caller sees it stopped (waitid), moves it into the zone's
 *    cgroups and lets it go on. Only it is ever in the zone's cgroups, and it runs nothing in the
 *    zone before it is in them. Then it makes a session of its own (it never shares the host's
 *    session nor its controlling terminal) and calls run.
 *
 * The caller must have no other child while zone_attach() runs (it waits for any child), must
 * not ignore SIGCHLD, and must run as root on the host. */

typedef struct ZoneAttach {
        pid_t leader;                /* the zone's init, by host pid */
        int pidfd;                   /* its pidfd, known to be that init (zone_leader_open()) */
        const SyscallFilter *filter; /* the zone's (zone_syscall_filter_load()) */
        const char *user;            /* a name or uid in the zone; NULL: root */
        bool become;                 /* run as user; else as root, with user's environment */
        /* A new pty of the zone (opened as the process's user, who owns it) on stdin, stdout and
         * stderr, its master to the caller; else stdio are the process's. Either way they are all
         * it has open. */
        bool pty;
        int stdio[3];
        const struct winsize *winsize; /* the pty's window size, or NULL */
        const char *term;              /* TERM of the environment, or NULL */
        char *const *env;              /* more KEY=VALUE for it */
        /* Called in the helper, in the zone as the user, before the process exists: may look at
         * the zone's files (what to run), and keep what it found in *userdata, which the process
         * sees. Returns < 0, with a text for the error, on failure. May be NULL. */
        int (*prepare)(const ZoneUser *u, void *userdata, const char **ret_error);
        /* The process, in its own session, in the zone's cgroups, signals reset: does not return. */
        _noreturn_ void (*run)(const ZoneUser *u, char **env, void *userdata);
        void *userdata;
} ZoneAttach;

typedef struct ZoneAttached {
        pid_t pid;      /* the process, a child of the caller, in the host's pid namespace */
        int pty_master; /* with pty: its master (O_CLOEXEC) */
        char *pty_path; /* and the slave's path in the zone */
        /* On failure: what failed, if the helper said; and whether it was that the user does not
         * exist in the zone (then -ESRCH). */
        char *error;
        bool no_such_user;
} ZoneAttached;

#define ZONE_ATTACHED_NULL ((ZoneAttached) { .pid = 0, .pty_master = -EBADF })

void zone_attached_done(ZoneAttached *a);

/* Starts the process; returns once it runs (in run), or < 0. */
int zone_attach(const ZoneAttach *a, ZoneAttached *ret);
