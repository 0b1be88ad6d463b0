/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining a running zone's cgroups. See zone-enter.h. */

#include <fcntl.h>
#include <stdlib.h>

#include "cgroup-mounts.h"
#include "macro.h"
#include "zone-enter.h"
#include "zone-leader.h"

/* v1: through "tasks", which moves the one thread pid (single-threaded: the process) without the
 * wait for an RCU grace period that "cgroup.procs" costs (see the supervisor's cgroup.h); cgroup2
 * has no such way. "0" is the writer itself, whatever pid namespace it is in. */
static int cgroup_attach(const char *dir, bool v2, pid_t pid) {
        _cleanup_free_ char *procs = NULL;
        _cleanup_close_ int fd = -EBADF;
        char text[32];
        int n;

        if (asprintf(&procs, "%s/%s", dir, v2 ? "cgroup.procs" : "tasks") < 0)
                return -ENOMEM;
        fd = open(procs, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        n = snprintf(text, sizeof(text), "%i", (int) pid);
        if (write(fd, text, (size_t) n) != n)
                return -errno;
        return 0;
}

/* One line of /proc/PID/cgroup: "4:memory:/zoned/web", "0::/zoned/web". */
static int join_cgroup_line(char *line, const CgroupMount *mounts, size_t n_mounts, pid_t pid) {
        char *controllers, *path;

        controllers = strchr(line, ':');
        if (!controllers)
                return 0;
        *controllers++ = 0;
        path = strchr(controllers, ':');
        if (!path || path[1] != '/')
                return 0;
        *path++ = 0;

        for (size_t i = 0; i < n_mounts; i++) {
                bool v2 = streq(line, "0") && controllers[0] == 0;
                _cleanup_free_ char *dir = NULL;

                if (mounts[i].v2 != v2 || (!v2 && !cgroup_mount_has_controllers(&mounts[i], controllers)))
                        continue;
                dir = cgroup_mount_dir(&mounts[i], path);
                if (!dir)
                        continue;
                return cgroup_attach(dir, v2, pid);
        }
        /* A hierarchy the host does not mount: nothing to join. */
        return 0;
}

int zone_enter_cgroups(pid_t leader, int pidfd, pid_t pid) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        CgroupMount *mounts = NULL;
        size_t n_mounts = 0;
        char *save = NULL;
        int r;

        if (asprintf(&path, "/proc/%i/cgroup", (int) leader) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64 * 1024, &text);
        if (r < 0)
                return r;
        /* What was read belongs to the leader only if it still lives (no pid reuse). */
        r = zone_leader_check_alive(pidfd);
        if (r < 0)
                return r;
        r = cgroup_mounts_load(NULL, &mounts, &n_mounts);
        if (r < 0)
                return r;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                r = join_cgroup_line(line, mounts, n_mounts, pid);
                if (r < 0)
                        break;
        }
        cgroup_mounts_free(mounts, n_mounts);
        return r < 0 ? r : 0;
}
