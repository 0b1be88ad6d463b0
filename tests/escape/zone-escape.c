/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zone-escape: root in a zone tries to get out. See escape.h for what it prints.
 *
 *   zone-escape [--disk=MAJ:MIN --fstype=T --host-pid=N --host-mark=W --other-path=P
 *                --other-inside=P] CASE...|all
 *   zone-escape list
 *   zone-escape tiocsti TEXT
 *
 * Exit status: 0 if every attempt was refused, 1 if one was not (ESCAPED or UNCLEAR), 2 on bad
 * usage. "userns" runs the cases marked nested again in a user namespace of the zone's own making
 * (and mount and network namespaces of it): what the zone's root could do there it can do. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"

static const EscapeCase *const groups[] = { escape_cases_kernel, escape_cases_mount, escape_cases_host };

static const EscapeCase *find_case(const char *name) {
        for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
                for (const EscapeCase *c = groups[g]; c->name; c++)
                        if (strcmp(c->name, name) == 0)
                                return c;
        return NULL;
}

static void run_case(const EscapeCase *c, const EscapeHost *host, const char *prefix) {
        char name[128];

        snprintf(name, sizeof(name), "%s%s", prefix, c->name);
        escape_set_case(name);
        c->run(host);
}

static int write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -1;
        n = write(fd, text, strlen(text));
        close(fd);
        return n == (ssize_t) strlen(text) ? 0 : -1;
}

/* A child in user, mount and network namespaces of its own, mapped to the zone's root: the nested
 * cases once more. Its status: 0, or 1 if something got through. */
static void case_userns(const EscapeHost *host) {
        EscapeHost nested;
        char map[64];
        int status;
        pid_t pid;

        fflush(stdout);
        pid = fork();
        if (pid < 0) {
                escape_unclear("fork", "%s", strerror(errno));
                return;
        }
        if (pid == 0) {
                unsigned before = escape_n_escaped(); /* what the cases before this one found */
                uid_t uid = getuid();
                gid_t gid = getgid();

                if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) < 0) {
                        (void) escape_expect_refused("unshare(CLONE_NEWUSER)", -1,
                                                     REFUSED_BY(EPERM, ENOSPC, EUSERS));
                        _exit(escape_n_escaped() > before);
                }
                snprintf(map, sizeof(map), "0 %u 1\n", (unsigned) uid);
                if (write_file("/proc/self/uid_map", map) < 0 ||
                    write_file("/proc/self/setgroups", "deny") < 0)
                        _exit(3);
                snprintf(map, sizeof(map), "0 %u 1\n", (unsigned) gid);
                if (write_file("/proc/self/gid_map", map) < 0)
                        _exit(3);
                escape_refused("unshare(CLONE_NEWUSER)",
                               "allowed: root of a user namespace of its own, trying again");
                nested = *host;
                nested.nested_userns = true;
                for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
                        for (const EscapeCase *c = groups[g]; c->name; c++)
                                if (c->nested)
                                        run_case(c, &nested, "userns/");
                _exit(escape_n_escaped() > before);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        break;
        escape_set_case("userns");
        if (!WIFEXITED(status) || WEXITSTATUS(status) == 3)
                escape_unclear("the nested attempt", "did not run (status 0x%x)", (unsigned) status);
        else if (WEXITSTATUS(status) != 0)
                escape_escaped("in a user namespace of its own (see above)");
}

static const EscapeCase userns_case = { "userns", "all that again in a user namespace of its own",
                                        case_userns, false };

/* ---- TIOCSTI: typing into the terminal of whoever ran the command ---- */

/* For a terminal the device number of the terminal itself (TIOCGDEV): /dev/tty is 5:0 to fstat(). */
static void describe(int fd, const char *name) {
        unsigned tty_dev = 0;
        struct stat st;
        dev_t dev;

        if (fstat(fd, &st) < 0) {
                printf("%s closed\n", name);
                return;
        }
        dev = isatty(fd) && ioctl(fd, TIOCGDEV, &tty_dev) == 0 ? (dev_t) tty_dev : st.st_rdev;
        printf("%s tty=%i rdev=%u:%u\n", name, isatty(fd), major(dev), minor(dev));
}

static void inject(int fd, const char *name, const char *text) {
        int r = 0;

        for (const char *p = text; *p && r == 0; p++)
                r = ioctl(fd, TIOCSTI, p) < 0 ? errno : 0;
        printf("tiocsti %s %s\n", name, r == 0 ? "ok" : strerror(r));
}

/* Says what its stdin, stdout, stderr and /dev/tty are ("fdN|devtty tty=0|1 rdev=MAJ:MIN"), then
 * pushes text into the input of each of them ("tiocsti WHAT ok|ERROR"). The test on the host
 * judges: only it knows which terminal is its own. */
static int tiocsti(const char *text) {
        int tty;

        describe(STDIN_FILENO, "fd0");
        describe(STDOUT_FILENO, "fd1");
        describe(STDERR_FILENO, "fd2");
        inject(STDIN_FILENO, "fd0", text);
        inject(STDOUT_FILENO, "fd1", text);
        inject(STDERR_FILENO, "fd2", text);
        tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (tty < 0)
                printf("tiocsti /dev/tty %s\n", strerror(errno));
        else {
                describe(tty, "devtty");
                inject(tty, "/dev/tty", text);
                close(tty);
        }
        return 0;
}

/* ---- options ---- */

static const char *option(const char *arg, const char *name) {
        size_t n = strlen(name);

        return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

static int parse_option(const char *arg, EscapeHost *host) {
        const char *v;

        if ((v = option(arg, "--disk")))
                return sscanf(v, "%u:%u", &host->disk_major, &host->disk_minor) == 2 ? 0 : -1;
        if ((v = option(arg, "--fstype")))
                return host->disk_fstype = v, 0;
        if ((v = option(arg, "--host-pid")))
                return (host->host_pid = (pid_t) atoi(v)) > 0 ? 0 : -1;
        if ((v = option(arg, "--host-mark")))
                return host->host_mark = v, 0;
        if ((v = option(arg, "--other-path")))
                return host->other_host_path = v, 0;
        if ((v = option(arg, "--other-inside")))
                return host->other_zone_path = v, 0;
        if (strcmp(arg, "--nesting") == 0)
                return host->nesting = true, 0;
        if ((v = option(arg, "--socket")) && host->n_sockets < ESCAPE_SOCKETS_MAX)
                return host->sockets[host->n_sockets++] = v, 0;
        return -1;
}

static void list(void) {
        for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
                for (const EscapeCase *c = groups[g]; c->name; c++)
                        printf("%-18s %s\n", c->name, c->summary);
        printf("%-18s %s\n", userns_case.name, userns_case.summary);
}

int main(int argc, char *argv[]) {
        EscapeHost host = { .disk_fstype = "ext4",
                            .host_mark = "zone-escape-host-mark",
                            .other_host_path = "/nonexistent",
                            .other_zone_path = "/nonexistent" };
        int i = 1;

        if (argc == 2 && strcmp(argv[1], "list") == 0)
                return list(), 0;
        if (argc == 3 && strcmp(argv[1], "tiocsti") == 0)
                return tiocsti(argv[2]);
        for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++)
                if (parse_option(argv[i], &host) < 0) {
                        fprintf(stderr, "zone-escape: bad option %s\n", argv[i]);
                        return 2;
                }
        if (i == argc) {
                fprintf(stderr, "usage: zone-escape [OPTIONS] CASE...|all | list | tiocsti TEXT\n");
                return 2;
        }
        for (; i < argc; i++) {
                const EscapeCase *c = strcmp(argv[i], "userns") == 0 ? &userns_case : find_case(argv[i]);

                if (strcmp(argv[i], "all") == 0) {
                        for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
                                for (const EscapeCase *e = groups[g]; e->name; e++)
                                        run_case(e, &host, "");
                        run_case(&userns_case, &host, "");
                        continue;
                }
                if (!c) {
                        fprintf(stderr, "zone-escape: no case '%s' (zone-escape list)\n", argv[i]);
                        return 2;
                }
                run_case(c, &host, "");
        }
        return escape_n_escaped() > 0;
}
