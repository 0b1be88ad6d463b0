/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining a running zone's namespaces and root directory. See zone-enter.h. */

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "macro.h"
#include "zone-enter.h"
#include "zone-leader.h"

static int same_namespace(pid_t leader, const char *type) {
        _cleanup_free_ char *theirs = NULL, *ours = NULL;
        struct stat a, b;

        if (asprintf(&theirs, "/proc/%i/ns/%s", (int) leader, type) < 0 ||
            asprintf(&ours, "/proc/self/ns/%s", type) < 0)
                return -ENOMEM;
        if (stat(theirs, &a) < 0 || stat(ours, &b) < 0)
                return -errno;
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int enter_root(int root_fd) {
        if (fchdir(root_fd) < 0)
                return -errno;
        if (chroot(".") < 0)
                return -errno;
        if (chdir("/") < 0)
                return -errno;
        return 0;
}

/* The leader's personality (a brand's linux32 or uname26), which what enters the zone takes too:
 * `uname -m` in a zone shell says what the zone's init sees. -1 if it cannot be read. */
static long leader_personality(pid_t leader) {
        _cleanup_fclose_ FILE *f = NULL;
        char path[64];
        unsigned long p;

        snprintf(path, sizeof(path), "/proc/%i/personality", (int) leader);
        f = fopen(path, "re");
        if (!f || fscanf(f, "%lx", &p) != 1)
                return -1;
        return (long) p;
}

int zone_enter_namespaces(pid_t leader, int pidfd, int nstypes) {
        _cleanup_close_ int root_fd = -EBADF;
        _cleanup_free_ char *root = NULL;
        int others = nstypes & ~CLONE_NEWNS, r;
        long persona;

        if (nstypes & ~ZONE_ENTER_NAMESPACES)
                return -EINVAL;
        if (nstypes == 0)
                return 0;
        /* What is read of the leader is read in the host's /proc, before anything is joined. A zone
         * with its own user namespace is entered through it. */
        r = same_namespace(leader, "user");
        if (r < 0)
                return r;
        if (r == 0)
                others |= CLONE_NEWUSER;
        persona = leader_personality(leader);
        if (nstypes & CLONE_NEWNS) {
                /* The leader's root (pivot_root or chroot): opened from the host, entered after setns. */
                if (asprintf(&root, "/proc/%i/root", (int) leader) < 0)
                        return -ENOMEM;
                root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0)
                        return -errno;
        }
        r = zone_leader_check_alive(pidfd);
        if (r < 0)
                return r;
        /* The mount namespace and the root first: from here on no path leads to the host's files. */
        if (nstypes & CLONE_NEWNS) {
                if (setns(pidfd, CLONE_NEWNS) < 0)
                        return -errno;
                r = enter_root(root_fd);
                if (r < 0)
                        return r;
        }
        /* Then the rest in one call, the user namespace first within it, while we are still the
         * host's root: a pidfd's setns() checks ptrace access to the leader with the credentials
         * of the moment. The pid namespace is only the one children to come are born in. */
        if (others != 0 && setns(pidfd, others) < 0)
                return -errno;
        /* Joining a user namespace keeps our ids, the host's root's, which it does not map: become
         * its root, as whatever enters a zone starts as the zone's root (the caller then drops to
         * the zone's capabilities: the join gave it every one there). */
        if ((others & CLONE_NEWUSER) &&
            (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                return -errno;
        if (persona >= 0 && personality((unsigned long) persona) < 0)
                return -errno;
        return 0;
}
