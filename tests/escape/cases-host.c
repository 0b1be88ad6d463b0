/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What is around the zone: the host's processes, another zone's tree, the zone's cgroups above it
 * (limits and device list), and the host's terminal that a `zonectl shell` may have handed in. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "escape.h"

/* Does /proc/PID/cmdline hold mark? -1 if there is no such process here. */
static int cmdline_has(pid_t pid, const char *mark) {
        char path[64], buf[4096];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0)
                return -1;
        for (ssize_t i = 0; i < n; i++)
                if (buf[i] == 0)
                        buf[i] = ' ';
        buf[n < 0 ? 0 : n] = 0;
        return strstr(buf, mark) != NULL;
}

/* The host's process (pid and a word of its command line in the host's view): neither visible
 * among the zone's processes, nor to be signalled, traced or opened by its number. */
static void case_host_process(const EscapeHost *host) {
        struct dirent *de;
        unsigned looked = 0;
        bool visible = false;
        DIR *d = opendir("/proc");
        int own;

        if (host->host_pid <= 0) {
                escape_unclear("the host's process", "no --host-pid");
                return;
        }
        while (d && (de = readdir(d))) {
                pid_t pid = (pid_t) atoi(de->d_name);

                if (pid <= 0 || pid == getpid())
                        continue;
                looked++;
                if (cmdline_has(pid, host->host_mark) == 1) {
                        escape_escaped("the host's process is visible in the zone as pid %d", (int) pid);
                        visible = true;
                }
        }
        if (d)
                closedir(d);
        if (!visible)
                escape_refused("look for it in /proc", "not among the %u processes there", looked);

        own = cmdline_has(host->host_pid, host->host_mark);
        if (own == 0) {
                /* The number is a process of the zone's own here: signalling it proves nothing. */
                escape_refused("its pid", "pid %d here is a process of the zone's own",
                               (int) host->host_pid);
                return;
        }
        escape_expect_refused("kill(host pid, SIGTERM)", kill(host->host_pid, SIGTERM),
                              REFUSED_BY(ESRCH, EPERM));
        escape_expect_refused("ptrace(SEIZE, host pid)", ptrace(PTRACE_SEIZE, host->host_pid, 0, 0),
                              REFUSED_BY(ESRCH, EPERM));
        escape_expect_refused("pidfd_open(host pid)", syscall(SYS_pidfd_open, host->host_pid, 0),
                              REFUSED_BY(ESRCH, EPERM));
}

/* Another zone's file: by its host path, and through /proc/PID/root of every process in sight. */
static void case_other_zone(const EscapeHost *host) {
        struct dirent *de;
        unsigned tried = 0, reached = 0;
        DIR *d;

        escape_try_write_open(host->other_host_path, REFUSED_BY(ENOENT, EACCES));
        d = opendir("/proc");
        while (d && (de = readdir(d))) {
                char path[4200];
                int fd, pid = atoi(de->d_name);

                if (pid <= 0)
                        continue;
                tried++;
                snprintf(path, sizeof(path), "/proc/%d/root%s", pid, host->other_zone_path);
                fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
                if (fd >= 0) {
                        (void) !write(fd, "written from another zone\n", 26);
                        close(fd);
                        escape_escaped("wrote the other zone's %s through %s", host->other_zone_path, path);
                        reached++;
                }
        }
        if (d)
                closedir(d);
        if (reached == 0)
                escape_refused("through /proc/PID/root", "none of %u processes leads there", tried);
}

/* The limits of the zone's cgroups: the files of its cgroup2 root (the zone's own cgroup, whose
 * parent holds the limits), and of the v1 hierarchies mounted afresh (their roots are the zone's
 * cgroups too, in its cgroup namespace). */
static void try_cgroup_file(const char *dir, const char *file, const char *value, const int *write_refused) {
        char path[512];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        escape_refused(path, "not there");
                else
                        (void) escape_expect_refused(path, fd, REFUSED_BY(EACCES, EPERM, EROFS));
                return;
        }
        n = write(fd, value, strlen(value));
        close(fd);
        {
                char what[600];

                snprintf(what, sizeof(what), "write '%s' to %s", value, path);
                (void) escape_expect_refused(what, n, write_refused);
        }
}

static bool mount_v1(const char *controller, const char **ret_dir) {
        const char *dir = escape_scratch_dir(controller);
        char what[128];

        *ret_dir = dir;
        if (mount("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, controller) == 0)
                return true;
        snprintf(what, sizeof(what), "mount -t cgroup -o %s", controller);
        /* EBUSY/EINVAL: no such v1 hierarchy on this host (a pure cgroup v2 host) */
        (void) escape_expect_refused(what, -1, REFUSED_BY(EPERM, EBUSY, EINVAL, ENOENT));
        return false;
}

static void case_cgroup_limits(const EscapeHost *host) {
        static const char *const v2[][2] = {
                { "memory.max", "max" },
                { "pids.max", "max" },
                { "cpu.max", "max" },
                { "memory.swap.max", "max" },
        };
        static const char *const v1[][3] = {
                { "memory", "memory.limit_in_bytes", "-1" },
                { "pids", "pids.max", "max" },
                { "cpu", "cpu.cfs_quota_us", "-1" },
        };
        const char *dir;

        (void) host;
        for (size_t i = 0; i < sizeof(v2) / sizeof(v2[0]); i++)
                try_cgroup_file("/sys/fs/cgroup", v2[i][0], v2[i][1], REFUSED_BY(EPERM, EACCES));
        for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++)
                if (mount_v1(v1[i][0], &dir)) {
                        try_cgroup_file(dir, v1[i][1], v1[i][2], REFUSED_BY(EPERM, EACCES));
                        (void) umount2(dir, MNT_DETACH);
                }
}

/* The device list: v1's devices.allow (a child cgroup can never allow more than its parent), and
 * v2's device program (BPF, which the filter denies: case bpf). */
static void case_cgroup_devices(const EscapeHost *host) {
        const char *dir;

        (void) host;
        if (mount_v1("devices", &dir)) {
                try_cgroup_file(dir, "devices.allow", "a *:* rwm", REFUSED_BY(EPERM, EACCES));
                (void) umount2(dir, MNT_DETACH);
        }
}

/* connect() to a unix socket by path, or (path == NULL) in the abstract namespace by name. */
static long try_connect(int type, const char *path, const char *abstract) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        socklen_t len = sizeof(sa);
        long r;
        int fd;

        if (path)
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        else {
                snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "%s", abstract);
                len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract));
        }
        fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        r = connect(fd, (struct sockaddr *) &sa, len);
        if (r < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
        }
        close(fd);
        return 0;
}

/* zoned's private socket, its supervisors' control sockets, the bus: by their host paths (not in
 * the zone's mount namespace), through /proc/PID/root of every process in sight, and as
 * abstract names (the zone has a network namespace, and so an abstract namespace, of its own). */
static void case_host_sockets(const EscapeHost *host) {
        static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET };
        char what[4400];

        if (host->n_sockets == 0) {
                escape_unclear("the host's sockets", "no --socket");
                return;
        }
        for (unsigned i = 0; i < host->n_sockets; i++)
                for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
                        const char *kind = types[t] == SOCK_STREAM ? "stream" : "seqpacket";
                        struct dirent *de;
                        DIR *d;

                        snprintf(what, sizeof(what), "connect(%s, %s)", kind, host->sockets[i]);
                        escape_expect_refused(what, try_connect(types[t], host->sockets[i], NULL),
                                              REFUSED_BY(ENOENT, EACCES));
                        snprintf(what, sizeof(what), "connect(%s, @%s)", kind, host->sockets[i]);
                        escape_expect_refused(what, try_connect(types[t], NULL, host->sockets[i]),
                                              REFUSED_BY(ECONNREFUSED));
                        d = opendir("/proc");
                        while (t == 0 && d && (de = readdir(d))) {
                                char path[4200];
                                int pid = atoi(de->d_name);

                                if (pid <= 0)
                                        continue;
                                snprintf(path, sizeof(path), "/proc/%d/root%s", pid, host->sockets[i]);
                                if (strlen(path) >= sizeof(((struct sockaddr_un *) 0)->sun_path))
                                        continue; /* too long for connect(): not an attempt */
                                snprintf(what, sizeof(what), "connect(%s)", path);
                                escape_expect_refused(what, try_connect(SOCK_STREAM, path, NULL),
                                                      REFUSED_BY(ENOENT, EACCES));
                        }
                        if (d)
                                closedir(d);
                }
}

const EscapeCase escape_cases_host[] = {
        { "host-process", "see, signal, trace or open a host process", case_host_process, false },
        { "other-zone", "write into another zone's tree", case_other_zone, false },
        { "cgroup-limits", "raise the zone's own cgroup limits", case_cgroup_limits, true },
        { "cgroup-devices", "widen the zone's device list", case_cgroup_devices, true },
        { "host-sockets", "connect to zoned's, its supervisors' or the bus's socket", case_host_sockets,
          false },
        { NULL, NULL, NULL, false },
};
