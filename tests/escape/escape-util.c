/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "escape.h"

static const char *current_case = "?";
static unsigned n_escaped;

void escape_set_case(const char *name) {
        current_case = name;
}

const char *escape_case(void) {
        return current_case;
}

unsigned escape_n_escaped(void) {
        return n_escaped;
}

static void say(const char *verdict, const char *what, const char *fmt, va_list ap) {
        printf("%s %s: ", verdict, current_case);
        if (what)
                printf("%s: ", what);
        vprintf(fmt, ap);
        putchar('\n');
        fflush(stdout);
}

void escape_refused(const char *what, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        say("refused", what, fmt, ap);
        va_end(ap);
}

void escape_escaped(const char *fmt, ...) {
        va_list ap;

        n_escaped++;
        va_start(ap, fmt);
        say("ESCAPED", NULL, fmt, ap);
        va_end(ap);
}

void escape_unclear(const char *what, const char *fmt, ...) {
        va_list ap;

        n_escaped++;
        va_start(ap, fmt);
        say("UNCLEAR", what, fmt, ap);
        va_end(ap);
}

static bool errno_in(int e, const int *list) {
        for (; *list; list++)
                if (*list == e)
                        return true;
        return false;
}

bool escape_expect_refused(const char *what, long r, const int *expected) {
        int e = errno;

        if (r >= 0) {
                escape_escaped("%s worked", what);
                return true;
        }
        if (errno_in(e, expected))
                escape_refused(what, "%s", strerror(e));
        else
                escape_unclear(what, "failed with %s, not where it is refused", strerror(e));
        return false;
}

void escape_try_write_open(const char *path, const int *expected) {
        char what[4200];
        int fd;

        snprintf(what, sizeof(what), "open %s for writing", path);
        fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (escape_expect_refused(what, fd, expected))
                close(fd);
}

void escape_try_read(const char *path, const int *expected) {
        char what[4200], buf[4096];
        struct stat st;
        ssize_t n;
        int fd;

        snprintf(what, sizeof(what), "read %s", path);
        fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
                (void) escape_expect_refused(what, fd, expected);
                return;
        }
        if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
                escape_refused(what, "it is /dev/null (masked)");
        else if ((n = read(fd, buf, sizeof(buf))) > 0)
                escape_escaped("read %zd bytes of %s", n, path);
        else if (n == 0)
                escape_refused(what, "it reads empty");
        else
                (void) escape_expect_refused(what, n, expected);
        close(fd);
}

void escape_try_kallsyms(const char *path, const int *expected) {
        char what[4200], line[512];
        FILE *f;

        snprintf(what, sizeof(what), "read %s", path);
        f = fopen(path, "re");
        if (!f) {
                (void) escape_expect_refused(what, -1, expected);
                return;
        }
        if (!fgets(line, sizeof(line), f))
                escape_refused(what, "it reads empty");
        else if (strspn(line, "0") == strcspn(line, " "))
                escape_refused(what, "its addresses are zero (kptr_restrict)");
        else
                escape_escaped("read the kernel's addresses from %s: %.40s", path, line);
        fclose(f);
}

void escape_try_procfs(const char *base) {
        char path[300];

        /* ENOENT: a kernel without CONFIG_PROC_KCORE. */
        snprintf(path, sizeof(path), "%s/kcore", base);
        escape_try_read(path, REFUSED_BY(EACCES, EPERM, ENOENT));
        snprintf(path, sizeof(path), "%s/kallsyms", base);
        escape_try_kallsyms(path, REFUSED_BY(EACCES, EPERM));
        /* ENOENT: a procfs mounted in a user namespace other than the host's has none. */
        snprintf(path, sizeof(path), "%s/sysrq-trigger", base);
        escape_try_write_open(path, REFUSED_BY(EACCES, EPERM, EROFS, ENOENT));
        snprintf(path, sizeof(path), "%s/sys/kernel/core_pattern", base);
        escape_try_write_open(path, REFUSED_BY(EACCES, EPERM, EROFS));
}

bool escape_is_mount_point(const char *path) {
        char line[8192];
        bool found = false;
        FILE *f = fopen("/proc/self/mountinfo", "re");

        if (!f)
                return false;
        /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": no escapes in the paths asked about here. */
        while (!found && fgets(line, sizeof(line), f)) {
                char mount_point[4096];

                if (sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) == 1 &&
                    strcmp(mount_point, path) == 0)
                        found = true;
        }
        fclose(f);
        return found;
}

const char *escape_scratch_dir(const char *name) {
        static char path[256];

        (void) mkdir("/tmp/zone-escape", 0700);
        snprintf(path, sizeof(path), "/tmp/zone-escape/%s", name);
        (void) mkdir(path, 0700);
        return path;
}

void escape_try_node(const char *path, mode_t type, unsigned major, unsigned minor) {
        char what[300];

        snprintf(what, sizeof(what), "mknod %s %u:%u", path, major, minor);
        (void) unlink(path);
        if (mknod(path, type | 0600, makedev(major, minor)) < 0) {
                (void) escape_expect_refused(what, -1, REFUSED_BY(EPERM));
                return;
        }
        /* Making a node is no way out by itself (a device policy may allow that, as for a
         * PrivateUsers=no zone): opening it would be. */
        escape_try_read(path, REFUSED_BY(EPERM, EACCES));
        (void) unlink(path);
}
