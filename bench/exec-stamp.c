/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/exec-stamp: the first program a zone executes during bench/boot.
 *
 * bench/boot installs it in each tool's copy of the rootfs as
 * /usr/lib/systemd/systemd (every init path of a merged-/usr Debian leads
 * there) and moves the real systemd to /usr/lib/systemd/systemd.bench-real.
 * It writes CLOCK_MONOTONIC in nanoseconds to /.bench-exec-stamp and execs
 * the real systemd with the same argv and environment: the bench reads the
 * stamp through /proc/LEADER/root and gets "start → init exec" for every
 * tool, at the cost of one exec of a static binary (~0.3 ms, the same for
 * all tools).
 *
 * Invoked under any other name than "systemd" (bench/boot's raw
 * unshare+chroot reference), it writes the stamp and exits 0.
 *
 * Built by bench/boot with "cc -O2 -static"; not part of the meson build.
 */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REAL_INIT "/usr/lib/systemd/systemd.bench-real"
#define STAMP "/.bench-exec-stamp"

int main(int argc, char *argv[]) {
        struct timespec ts;
        const char *base;
        char buf[32];
        int fd, n;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        n = snprintf(buf, sizeof(buf), "%lld\n", (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
        fd = open(STAMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd >= 0) {
                if (write(fd, buf, (size_t) n) != n)
                        (void) unlink(STAMP);
                (void) close(fd);
        }

        base = argc > 0 ? strrchr(argv[0], '/') : NULL;
        base = base ? base + 1 : argc > 0 ? argv[0] : "";
        if (strcmp(base, "systemd") != 0 && strcmp(base, "init") != 0)
                return 0;

        execv(REAL_INIT, argv);
        perror("exec-stamp: execv " REAL_INIT);
        return 127;
}
