/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sys/socket.h>

#include "clean-up.h"
#include "config.h"
#include "log.h"
#include "rlimit-util.h"
#include "supervisor.h"

static const char *arg_plan = NULL;
static int arg_control_fd = -EBADF;
static bool arg_spare = false;
static const char *arg_clean_up = NULL;

static void help(void) {
        printf("%s --plan=PATH [--control-fd=N [--spare]]\n"
               "%s --clean-up=CGROUP\n\n"
               "Runs one zone as described by a launch plan, for zoned; or removes what a\n"
               "killed supervisor left of its zone.\n\n"
               "  -h --help          Show this help\n"
               "     --version       Show the version\n"
               "     --plan=PATH     Launch plan written by zoned\n"
               "     --control-fd=N  Connected SOCK_SEQPACKET control socket to zoned\n"
               "     --spare         Wait for START=1 on the control socket before reading the plan\n"
               "     --clean-up=CGROUP\n"
               "                     Kill what is left in the zone's cgroup (e.g. zoned/web) and\n"
               "                     remove it from every hierarchy\n",
               program_invocation_short_name, program_invocation_short_name);
}

static int parse_fd(const char *s) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end || v < 0 || v > INT_MAX)
                return -EINVAL;
        return (int) v;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_PLAN,
                ARG_CONTROL_FD,
                ARG_SPARE,
                ARG_CLEAN_UP
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "plan", required_argument, NULL, ARG_PLAN },
                { "control-fd", required_argument, NULL, ARG_CONTROL_FD },
                { "spare", no_argument, NULL, ARG_SPARE },
                { "clean-up", required_argument, NULL, ARG_CLEAN_UP },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts(PACKAGE_VERSION);
                        return 0;
                case ARG_PLAN:
                        arg_plan = optarg;
                        break;
                case ARG_CONTROL_FD:
                        arg_control_fd = parse_fd(optarg);
                        if (arg_control_fd < 0)
                                return log_error_errno(EINVAL, "Invalid --control-fd=%s.", optarg);
                        break;
                case ARG_SPARE:
                        arg_spare = true;
                        break;
                case ARG_CLEAN_UP:
                        arg_clean_up = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "Unexpected argument: %s", argv[optind]);
        if (arg_clean_up && (arg_plan || arg_control_fd >= 0 || arg_spare))
                return log_error_errno(EINVAL, "--clean-up= takes no other option.");
        if (arg_clean_up)
                return 1;
        if (!arg_plan)
                return log_error_errno(EINVAL, "--plan= is required.");
        if (arg_spare && arg_control_fd < 0)
                return log_error_errno(EINVAL, "--spare needs --control-fd=.");
        return 1;
}

/* fds 0-2 must be taken, so that no socket of ours ends up as the zone's stdio. */
static int ensure_std_fds(void) {
        for (int fd = 0; fd < 3; fd++) {
                int n;

                if (fcntl(fd, F_GETFD) >= 0)
                        continue;
                n = open("/dev/null", O_RDWR | O_NOCTTY);
                if (n < 0)
                        return -errno;
                if (n != fd)
                        return -EBADF;
        }
        return 0;
}

/* --spare: zoned started us ahead of a boot. "START=1" on the control socket says the plan is
 * written; EOF says zoned went away without needing us. Returns > 0 to go on, 0 to exit. */
static int wait_for_start(int fd) {
        char buf[64];
        ssize_t n;

        do
                n = recv(fd, buf, sizeof(buf) - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return 0;
        buf[n] = 0;
        return streq(buf, "START=1\n") ? 1 : -EBADMSG;
}

int main(int argc, char *argv[]) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        _cleanup_(zone_prepared_done) ZonePrepared prepared = ZONE_PREPARED_NULL;
        int r;

        log_open();
        /* zoned runs with a raised soft limit of open files, and posix_spawn() cannot lower it for
         * us: we do, before the zone's init inherits it from us. */
        r = rlimit_nofile_safe();
        if (r < 0)
                return log_error_errno(r, "Failed to lower the limit of open files: %m"), EXIT_FAILURE;
        r = ensure_std_fds();
        if (r < 0)
                return log_error_errno(r, "Failed to open /dev/null: %m"), EXIT_FAILURE;
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (arg_clean_up)
                return supervisor_clean_up(arg_clean_up) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (arg_spare) {
                /* What does not depend on the zone, while nobody waits for it. */
                r = zone_prepared_make(&prepared);
                if (r < 0)
                        return log_error_errno(r, "Failed to return to our network namespace: %m"),
                               EXIT_FAILURE;
                r = wait_for_start(arg_control_fd);
                if (r < 0)
                        return log_error_errno(r, "Failed to wait for zoned's start message: %m"),
                               EXIT_FAILURE;
                if (r == 0)
                        return EXIT_SUCCESS;
        }

        r = supervisor_new(arg_plan, arg_control_fd, &prepared, &s);
        if (r < 0)
                return EXIT_FAILURE;
        return supervisor_run(s);
}
