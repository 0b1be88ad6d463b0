/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A zone's leader (its init) as the host sees it: a pidfd, its capabilities, its supervisor's
 * launch plan and the system call filter named there. See zone-leader.h. */

#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "launch-plan.h"
#include "macro.h"
#include "zone-leader.h"

/* Debian 12's glibc has no wrappers for these. */
static int sys_pidfd_open(pid_t pid) {
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

int zone_leader_check_alive(int pidfd) {
        return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 ? -errno : 0;
}

int zone_leader_open(pid_t leader, int *ret_pidfd) {
        int fd;

        if (leader <= 1)
                return -EINVAL;
        fd = sys_pidfd_open(leader);
        if (fd < 0)
                return -errno;
        *ret_pidfd = fd;
        return 0;
}

int zone_leader_capabilities(pid_t leader, int pidfd, uint64_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        unsigned long long mask;
        const char *p;
        int r;

        if (asprintf(&path, "/proc/%i/status", (int) leader) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64 * 1024, &text);
        if (r < 0)
                return r;
        p = strstr(text, "\nCapBnd:");
        if (!p || sscanf(p + strlen("\nCapBnd:"), "%llx", &mask) != 1)
                return -EBADMSG;
        /* Still that init: then the number was not handed to another process before we read. */
        r = zone_leader_check_alive(pidfd);
        if (r < 0)
                return r;
        *ret = (uint64_t) mask;
        return 0;
}

static int parent_of(pid_t pid, pid_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *p;
        int ppid, r;

        if (asprintf(&path, "/proc/%i/status", (int) pid) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64 * 1024, &text);
        if (r < 0)
                return r;
        p = strstr(text, "\nPPid:");
        if (!p || sscanf(p + strlen("\nPPid:"), "%i", &ppid) != 1 || ppid <= 0)
                return -ESRCH;
        *ret = ppid;
        return 0;
}

int zone_supervisor_plan_path(pid_t supervisor, char **ret) {
        _cleanup_free_ char *path = NULL, *cmdline = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[4096];
        ssize_t n;

        if (asprintf(&path, "/proc/%i/cmdline", (int) supervisor) < 0)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return n < 0 ? -errno : -ESRCH;
        buf[n] = 0;
        if (!streq(buf, "zoned-supervisor"))
                return -ESRCH;
        for (const char *a = buf; a < buf + n; a += strlen(a) + 1)
                if (strncmp(a, "--plan=", 7) == 0 && a[7] == '/') {
                        *ret = strdup(a + 7);
                        return *ret ? 0 : -ENOMEM;
                }
        return -ESRCH;
}

int zone_syscall_filter_load(pid_t leader, SyscallFilter *ret) {
        _cleanup_(launch_plan_freep) LaunchPlan *plan = NULL;
        _cleanup_free_ char *plan_path = NULL;
        unsigned line = 0;
        pid_t supervisor;
        int r;

        r = parent_of(leader, &supervisor);
        if (r < 0)
                return r;
        r = zone_supervisor_plan_path(supervisor, &plan_path);
        if (r < 0)
                return r;
        r = launch_plan_load(plan_path, &plan, &line);
        if (r < 0)
                return r;
        if (!plan->seccomp_filter) {
                *ret = (SyscallFilter) {};
                return 0;
        }
        return syscall_filter_load(plan->seccomp_filter, ret);
}
