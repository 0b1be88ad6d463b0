/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zoned's own lxcfs: started, found again, stopped (lxcfs.h). */

#include <fcntl.h>
#include <libmount.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "log.h"
#include "lxcfs.h"
#include "supervisor-link.h"
#include "zone.h"

/* lxcfs mounts within ~40 ms here; a loaded host may take much longer, a stuck one never does. */
#define LXCFS_START_TIMEOUT_USEC (10 * USEC_PER_SEC)
#define LXCFS_STOP_TIMEOUT_USEC (10 * USEC_PER_SEC)

/* The truest views it has: loadavg of the zone's own tasks (-l), /proc/stat, cpuinfo and
 * cpu/online from the zone's cpuacct usage and CPU quota as well as its cpuset (--enable-cfs),
 * pidfds rather than pids for the inits it tracks (--enable-pidfd). Swap stays virtualized (no
 * -u): SwapTotal is the zone's memory+swap limit minus its memory limit where the kernel
 * accounts swap. */
#define LXCFS_OPTIONS "--enable-loadavg", "--enable-cfs", "--enable-pidfd"

char *lxcfs_mount_point(Manager *m) {
        return g_build_filename(m->runtime_dir, "lxcfs", NULL);
}

char *lxcfs_pid_file(Manager *m) {
        return g_build_filename(m->runtime_dir, "lxcfs.pid", NULL);
}

static char *lxcfs_log_file(Manager *m) {
        return g_build_filename(m->log_dir, "lxcfs.log", NULL);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_table *, mnt_unref_table);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_iter *, mnt_free_iter);

/* How many lxcfs file systems are mounted on mp in our mount namespace (a dead one stays there
 * until it is unmounted; a new one would be stacked on it). Read from mountinfo: asking the file
 * system itself (statfs) would hang zoned on a stuck lxcfs. */
static int lxcfs_mounts_at(const char *mp) {
        _cleanup_(mnt_unref_tablep) struct libmnt_table *t = mnt_new_table_from_file("/proc/self/mountinfo");
        _cleanup_(mnt_free_iterp) struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
        struct libmnt_fs *fs;
        int n = 0;

        if (!t || !it)
                return -ENOMEM;
        while (mnt_table_next_fs(t, it, &fs) == 0)
                if (streq_ptr(mnt_fs_get_target(fs), mp) && streq_ptr(mnt_fs_get_fstype(fs), "fuse.lxcfs"))
                        n++;
        return n;
}

/* The pid of the process that holds the lock of the pid file (a live lxcfs), 0 if none does. */
static int lxcfs_lock_holder(const char *pid_file, pid_t *ret) {
        _cleanup_close_ int fd = open(pid_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

        *ret = 0;
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fcntl(fd, F_GETLK, &fl) < 0)
                return -errno;
        if (fl.l_type != F_UNLCK)
                *ret = fl.l_pid;
        return 0;
}

/* A pidfd of the live lxcfs, or -ESRCH. Checked again once open: the pid may have been reused. */
static int lxcfs_open_pidfd(const char *pid_file, pid_t *ret_pid) {
        _cleanup_close_ int fd = -EBADF;
        pid_t pid, again;
        int r;

        r = lxcfs_lock_holder(pid_file, &pid);
        if (r < 0)
                return r;
        if (pid <= 0)
                return -ESRCH;
        fd = pidfd_open(pid, 0);
        if (fd < 0)
                return -errno;
        r = lxcfs_lock_holder(pid_file, &again);
        if (r < 0)
                return r;
        if (again != pid)
                return -ESRCH;
        if (ret_pid)
                *ret_pid = pid;
        return TAKE_FD(fd);
}

/* Unmounts what a dead lxcfs left on mp (stacked ones too). */
static int lxcfs_unmount_stale(const char *mp) {
        for (int i = 0; i < 16; i++) {
                int n = lxcfs_mounts_at(mp);

                if (n <= 0)
                        return n;
                if (umount2(mp, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                        return -errno;
        }
        return -EBUSY;
}

static uint64_t now_usec(void) {
        return (uint64_t) g_get_monotonic_time();
}

/* Waits until the lxcfs of pidfd is mounted on mp: -ESRCH when it died first, -ETIMEDOUT. */
static int lxcfs_wait_mounted(const char *mp, int pidfd) {
        _cleanup_close_ int mountinfo = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        uint64_t deadline = now_usec() + LXCFS_START_TIMEOUT_USEC;

        if (mountinfo < 0)
                return -errno;
        for (;;) {
                /* mountinfo polls POLLPRI when the mount table changed since the last poll. */
                struct pollfd p[] = { { .fd = pidfd, .events = POLLIN },
                                      { .fd = mountinfo, .events = POLLPRI } };
                uint64_t now = now_usec();
                int r = lxcfs_mounts_at(mp);

                if (r != 0)
                        return r < 0 ? r : 0;
                if (now >= deadline)
                        return -ETIMEDOUT;
                r = poll(p, ELEMENTSOF(p), (int) ((deadline - now + 999) / 1000));
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (p[0].revents & POLLIN)
                        return lxcfs_mounts_at(mp) > 0 ? 0 : -ESRCH;
        }
}

/* What runs in the new process: syscalls only (zoned may have threads), then lxcfs. */
_noreturn_ static void lxcfs_exec(char *const argv[], const char *log_file) {
        sigset_t none;
        int fd;

        (void) setsid();
        /* Where zoned happened to be is no directory for a daemon to keep busy. */
        (void) !chdir("/");
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) signal(SIGPIPE, SIG_DFL);
        /* As the lxcfs service has it: the OOM killer picking lxcfs would break every zone's views. */
        fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                (void) !write(fd, "-1000", 5);
                (void) close(fd);
        }
        fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
                (void) dup2(fd, STDIN_FILENO);
                (void) dup2(fd, STDOUT_FILENO);
        }
        /* Its messages (all on stderr) go to a log of its own, started afresh by each lxcfs. */
        fd = open(log_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd >= 0)
                (void) dup2(fd, STDERR_FILENO);
        (void) close_range(3, ~0U, 0);
        execv(argv[0], argv);
        _exit(127);
}

/* Starts lxcfs as a sibling of zoned (CLONE_PARENT): zoned's parent reaps it, zoned never does. */
static int lxcfs_spawn(Manager *m, const char *mp, const char *pid_file, pid_t *ret_pid) {
        g_autofree char *pid_arg = g_strconcat("--pidfile=", pid_file, NULL), *log_file = lxcfs_log_file(m);
        char *argv[] = { m->lxcfs_path, pid_arg, LXCFS_OPTIONS, (char *) mp, NULL };
        pid_t pid;

        pid = (pid_t) syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
        if (pid < 0)
                return -errno;
        if (pid == 0)
                lxcfs_exec(argv, log_file);
        *ret_pid = pid;
        return 0;
}

/* The running zones that had the views of an lxcfs that died get those of its successor. */
static void lxcfs_refresh_zones(Manager *m) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;

                if (z->link && z->state == ZONE_RUNNING)
                        (void) supervisor_link_command(z->link, "lxcfs", NULL);
        }
}

/* replacing: a live lxcfs without its mount was just killed. */
static int lxcfs_start(Manager *m, const char *mp, const char *pid_file, bool replacing) {
        _cleanup_close_ int pidfd = -EBADF;
        pid_t pid = 0;
        int r;

        /* lxcfs removes its pid file when it exits cleanly: one left is one that was killed. */
        if (!replacing && access(pid_file, F_OK) == 0) {
                log_warning("lxcfs on %s was killed: starting a new one, and binding its files into the "
                            "running zones again.",
                            mp);
                replacing = true;
        }
        r = lxcfs_unmount_stale(mp);
        if (r < 0)
                return r;
        if (mkdir(mp, 0755) < 0 && errno != EEXIST)
                return -errno;
        r = lxcfs_spawn(m, mp, pid_file, &pid);
        if (r < 0)
                return r;
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0)
                return -errno;
        r = lxcfs_wait_mounted(mp, pidfd);
        if (r == -ETIMEDOUT)
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        if (r < 0)
                return r;
        log_info("Started lxcfs (pid %i) on %s.", (int) pid, mp);
        if (replacing)
                lxcfs_refresh_zones(m);
        return 0;
}

static int lxcfs_wait_exit(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int r;

        do
                r = poll(&p, 1, (int) (LXCFS_STOP_TIMEOUT_USEC / USEC_PER_MSEC));
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        return r == 0 ? -ETIMEDOUT : 0;
}

static void lxcfs_note(Manager *m, int r, const char *mp) {
        g_autofree char *log_file = lxcfs_log_file(m);

        if (r == m->lxcfs_result)
                return;
        m->lxcfs_result = r;
        if (r >= 0)
                return;
        if (r == -ESRCH)
                log_warning("lxcfs exited before it mounted %s (its messages are in %s); zones boot "
                            "without its views of /proc until it starts.",
                            mp, log_file);
        else
                log_warning_errno(r,
                                  "Cannot start lxcfs on %s (%m; see %s); zones boot without its "
                                  "views of /proc until it starts.",
                                  mp, log_file);
}

/* zoned waits for every lxcfs it starts to mount: one that runs without its mount (unmounted by
 * hand, or started by a zoned killed while it waited) is replaced. */
static int lxcfs_replace(Manager *m, int pidfd, const char *mp, const char *pid_file) {
        log_warning("lxcfs runs without its mount on %s: starting a new one.", mp);
        if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) >= 0)
                (void) lxcfs_wait_exit(pidfd);
        return lxcfs_start(m, mp, pid_file, true);
}

char *lxcfs_ensure(Manager *m) {
        g_autofree char *mp = lxcfs_mount_point(m), *pid_file = lxcfs_pid_file(m);
        _cleanup_close_ int pidfd = -EBADF;
        int r;

        if (!m->lxcfs_path)
                return NULL; /* said at startup */
        pidfd = lxcfs_open_pidfd(pid_file, NULL);
        if (pidfd >= 0) {
                r = lxcfs_mounts_at(mp);
                if (r == 0)
                        r = lxcfs_replace(m, pidfd, mp, pid_file);
        } else if (pidfd == -ESRCH)
                r = lxcfs_start(m, mp, pid_file, false);
        else
                r = pidfd;
        r = MIN(r, 0);
        lxcfs_note(m, r, mp);
        return r < 0 ? NULL : g_steal_pointer(&mp);
}

void lxcfs_startup(Manager *m) {
        g_autofree char *mp = lxcfs_mount_point(m), *pid_file = lxcfs_pid_file(m);
        pid_t pid = 0;

        if (m->lxcfs_path && access(m->lxcfs_path, X_OK) < 0) {
                log_notice_errno(errno,
                                 "lxcfs is not installed (%s: %m): zones see the host's /proc/meminfo, "
                                 "cpuinfo, stat, loadavg, uptime, swaps and diskstats.",
                                 m->lxcfs_path);
                g_clear_pointer(&m->lxcfs_path, g_free);
        } else if (!m->lxcfs_path)
                log_info("No lxcfs (--no-lxcfs): zones see the host's /proc/meminfo, cpuinfo, stat, "
                         "loadavg, uptime, swaps and diskstats.");
        if (lxcfs_lock_holder(pid_file, &pid) >= 0 && pid > 0)
                log_info("lxcfs (pid %i) on %s runs on.", (int) pid, mp);
}

void lxcfs_revive(Manager *m) {
        g_autofree char *pid_file = lxcfs_pid_file(m), *mp = NULL;
        GHashTableIter it;
        gpointer v;

        /* Only where an lxcfs of ours was killed (its pid file is left): a zoned restarted since
         * then brings the running zones their views back without waiting for a boot. */
        if (!m->lxcfs_path || access(pid_file, F_OK) < 0)
                return;
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v))
                if (((Zone *) v)->state == ZONE_RUNNING) {
                        mp = lxcfs_ensure(m);
                        return;
                }
}

static bool lxcfs_in_use(Manager *m) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;

                if (z->link || z->state == ZONE_STARTING || z->state == ZONE_RUNNING ||
                    z->state == ZONE_STOPPING)
                        return true;
        }
        return false;
}

void lxcfs_stop_if_unused(Manager *m) {
        g_autofree char *mp = lxcfs_mount_point(m), *pid_file = lxcfs_pid_file(m);
        _cleanup_close_ int pidfd = -EBADF;
        pid_t pid = 0;
        int r;

        if (lxcfs_in_use(m))
                return;
        pidfd = lxcfs_open_pidfd(pid_file, &pid);
        if (pidfd >= 0) {
                /* SIGTERM: it unmounts itself and removes its pid file. */
                r = pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0 ? -errno : lxcfs_wait_exit(pidfd);
                if (r == -ETIMEDOUT) {
                        log_warning("lxcfs (pid %i) did not exit on SIGTERM, killing it.", (int) pid);
                        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        r = lxcfs_wait_exit(pidfd);
                }
                if (r < 0)
                        log_warning_errno(r, "Cannot stop lxcfs (pid %i): %m", (int) pid);
                else
                        log_info("Stopped lxcfs (pid %i): no zone runs.", (int) pid);
        }
        r = lxcfs_unmount_stale(mp);
        if (r < 0)
                log_warning_errno(r, "Cannot unmount the lxcfs left on %s: %m", mp);
        (void) rmdir(mp);
}
