/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What root in a zone tries against whatever enters the zone from the host (test-enter.c). Built
 * statically, with nothing but libc, and put into the zone's tree.
 *
 *   zone-attacker watch HOST_PATH LOG STOP
 *       Goes to the background once it watches. Every process that shows up in the zone is
 *       attacked at once: HOST_PATH is opened for writing through its /proc/PID/root, its fds are
 *       taken with pidfd_getfd(), it is attached with ptrace and looked at while it stands still;
 *       and again on every round until it could be attached, or is gone.
 *       Whatever of the host it reaches is a "BAD ..." line in LOG. When the file STOP exists it
 *       writes "DONE seen=N attached=N fds=N bad=N" and exits.
 * (TIOCSTI into the terminal of what entered: tests/escape/, case tiocsti.)
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

#define PID_LIMIT (1 << 22) /* the kernel's largest pid_max */
#define FD_GUESS 64         /* fds tried when /proc/PID/fd cannot be listed */

static unsigned char seen[PID_LIMIT / 8];
static FILE *log_file;
static const char *host_path;
static dev_t devpts_dev;
static struct stat own_root;
static char own_mnt[64];
static unsigned n_seen, n_attached, n_fds, n_bad;
/* Seen but not yet attached: what enters the zone cannot be attached until it is wholly inside
 * (it is not dumpable before), so it is attacked again on every round while it lives. */
#define PENDING_MAX 256
static int pending[PENDING_MAX];
static unsigned n_pending;

static bool seen_test_and_set(int pid) {
        bool was = seen[pid / 8] & (1U << (pid % 8));

        seen[pid / 8] |= (unsigned char) (1U << (pid % 8));
        return was;
}

static void bad(const char *fmt, ...) {
        va_list ap;

        n_bad++;
        fputs("BAD ", log_file);
        va_start(ap, fmt);
        vfprintf(log_file, fmt, ap);
        va_end(ap);
        fputc('\n', log_file);
        fflush(log_file);
}

static void read_link(const char *path, char *buf, size_t size) {
        ssize_t n = readlink(path, buf, size - 1);

        buf[n < 0 ? 0 : n] = 0;
}

/* NULL if fd is something of the zone's own (or a pipe, which carries bytes only, whoever made
 * it); else what it is. */
static const char *classify(int fd, char *what, size_t size) {
        char path[64], target[4096];
        struct stat st, there;

        snprintf(path, sizeof(path), "/proc/self/fd/%i", fd);
        read_link(path, target, sizeof(target));
        if (fstat(fd, &st) < 0)
                return snprintf(what, size, "unknown (%s)", target), what;
        if (S_ISFIFO(st.st_mode))
                return NULL;
        if (S_ISSOCK(st.st_mode))
                return snprintf(what, size, "a socket (%s)", target), what;
        if (target[0] != '/') /* anon_inode:[pidfd], [eventfd], mnt:[...]: kernel objects */
                return snprintf(what, size, "%s", target), what;
        /* A terminal of the zone's own devpts (hung up or not: isatty() fails on a hung-up one). */
        if (S_ISCHR(st.st_mode) && st.st_dev == devpts_dev)
                return NULL;
        /* A file, directory, device or terminal is the zone's own if its path in the zone leads to it. */
        if (stat(target, &there) == 0 && there.st_dev == st.st_dev && there.st_ino == st.st_ino)
                return NULL;
        return snprintf(what, size, "%s%s (dev %u:%u, rdev %u:%u), not the zone's",
                        isatty(fd) ? "the terminal " : "", target, major(st.st_dev), minor(st.st_dev),
                        major(st.st_rdev), minor(st.st_rdev)),
               what;
}

static int sys_pidfd_open(int pid) {
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_getfd(int pidfd, int fd) {
        return (int) syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

static void try_root(int pid) {
        char path[4200];
        int fd;

        snprintf(path, sizeof(path), "/proc/%i/root%s", pid, host_path);
        fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        dprintf(fd, "written from the zone through /proc/%i/root\n", pid);
        close(fd);
        bad("pid %i: wrote %s through /proc/%i/root", pid, host_path, pid);
}

static void try_one_fd(int pid, int pidfd, int fd, const char *how) {
        char what[4200];
        const char *w;
        int got = sys_pidfd_getfd(pidfd, fd);

        if (got < 0)
                return;
        n_fds++;
        w = classify(got, what, sizeof(what));
        if (w)
                bad("pid %i: took fd %i%s: %s", pid, fd, how, w);
        close(got);
}

static void try_fds(int pid, const char *how) {
        char path[64];
        struct dirent *de;
        DIR *d;
        int pidfd = sys_pidfd_open(pid);

        if (pidfd < 0)
                return;
        snprintf(path, sizeof(path), "/proc/%i/fd", pid);
        d = opendir(path);
        if (d) {
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.')
                                try_one_fd(pid, pidfd, atoi(de->d_name), how);
                closedir(d);
        } else
                for (int fd = 0; fd < FD_GUESS; fd++)
                        try_one_fd(pid, pidfd, fd, how);
        close(pidfd);
}

/* Attached and standing still: where is it, what does it hold. */
static void inspect_traced(int pid) {
        char path[64], mnt[64];
        struct stat root;

        snprintf(path, sizeof(path), "/proc/%i/ns/mnt", pid);
        read_link(path, mnt, sizeof(mnt));
        if (mnt[0] && strcmp(mnt, own_mnt) != 0)
                bad("pid %i: attached while in another mount namespace (%s)", pid, mnt);
        snprintf(path, sizeof(path), "/proc/%i/root/", pid);
        if (stat(path, &root) == 0 && (root.st_dev != own_root.st_dev || root.st_ino != own_root.st_ino))
                bad("pid %i: attached while its root is not the zone's", pid);
        try_fds(pid, " while attached");
}

static bool try_ptrace(int pid) {
        int status = 0, sig = 0;

        if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
                return false;
        n_attached++;
        if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0 && waitpid(pid, &status, __WALL) == pid) {
                if (!WIFSTOPPED(status))
                        return true; /* gone */
                /* A signal it was about to get is given back. */
                if ((status >> 16) != PTRACE_EVENT_STOP)
                        sig = WSTOPSIG(status);
                inspect_traced(pid);
        }
        (void) ptrace(PTRACE_DETACH, pid, 0, sig);
        return true;
}

/* One round against pid; true once it was attached. */
static bool attack_once(int pid) {
        try_root(pid);
        try_fds(pid, "");
        return try_ptrace(pid);
}

static void attack(int pid) {
        n_seen++;
        for (int round = 0; round < 2; round++)
                if (attack_once(pid))
                        return;
        if (n_pending < PENDING_MAX)
                pending[n_pending++] = pid;
}

static bool exists(int pid) {
        return kill(pid, 0) == 0 || errno == EPERM;
}

/* Again at what was not attached yet, until it is, or is gone. */
static void attack_pending(void) {
        for (unsigned i = 0; i < n_pending;)
                if (!exists(pending[i]) || attack_once(pending[i]))
                        pending[i] = pending[--n_pending];
                else
                        i++;
}

static int scan_proc(int self) {
        struct dirent *de;
        DIR *d = opendir("/proc");
        int highest = 0;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                int pid = atoi(de->d_name);

                if (pid <= 0 || pid >= PID_LIMIT)
                        continue;
                if (pid > highest)
                        highest = pid;
                if (pid != self && !seen_test_and_set(pid))
                        attack(pid);
        }
        closedir(d);
        return highest;
}

/* Marks what runs now as the zone's own. */
static int mark_existing(void) {
        struct dirent *de;
        DIR *d = opendir("/proc");
        int highest = 0;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                int pid = atoi(de->d_name);

                if (pid > 0 && pid < PID_LIMIT) {
                        (void) seen_test_and_set(pid);
                        if (pid > highest)
                                highest = pid;
                }
        }
        closedir(d);
        return highest;
}

static int watch(const char *log_path, const char *stop_path) {
        struct stat st;
        int ready[2], next, self;
        char c;
        pid_t pid;

        if (stat("/dev/pts/ptmx", &st) < 0 || stat("/", &own_root) < 0)
                return perror("stat"), 1;
        devpts_dev = st.st_dev;
        read_link("/proc/self/ns/mnt", own_mnt, sizeof(own_mnt));
        log_file = fopen(log_path, "we");
        if (!log_file || pipe(ready) < 0)
                return perror(log_path), 1;
        pid = fork();
        if (pid < 0)
                return perror("fork"), 1;
        if (pid > 0) {
                /* The caller goes on once we watch. */
                close(ready[1]);
                return read(ready[0], &c, 1) == 1 ? 0 : 1;
        }
        close(ready[0]);
        (void) setsid();
        for (int fd = 0; fd < 3; fd++)
                (void) dup2(open("/dev/null", O_RDWR), fd);
        self = getpid();
        next = mark_existing() + 1;
        fprintf(log_file, "READY pid=%i\n", self);
        fflush(log_file);
        (void) !write(ready[1], "x", 1);
        close(ready[1]);

        for (unsigned loop = 0;; loop++) {
                /* pids are handed out in order: the next ones are polled without reading /proc. */
                for (int pid_try = next; pid_try < next + 8 && pid_try < PID_LIMIT; pid_try++)
                        if (exists(pid_try)) {
                                if (pid_try != self && !seen_test_and_set(pid_try))
                                        attack(pid_try);
                                next = pid_try + 1;
                        }
                attack_pending();
                if (loop % 256 == 0) {
                        int highest = scan_proc(self);

                        if (highest >= next)
                                next = highest + 1;
                        if (stat(stop_path, &st) == 0)
                                break;
                }
        }
        fprintf(log_file, "DONE seen=%u attached=%u fds=%u bad=%u\n", n_seen, n_attached, n_fds, n_bad);
        fclose(log_file);
        return 0;
}

int main(int argc, char *argv[]) {
        if (argc == 5 && strcmp(argv[1], "watch") == 0) {
                host_path = argv[2];
                return watch(argv[3], argv[4]);
        }
        fprintf(stderr, "usage: zone-attacker watch HOST_PATH LOG STOP\n");
        return 2;
}
