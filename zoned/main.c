/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>

#include "config.h"
#include "log.h"
#include "lxcfs.h"
#include "manager.h"
#include "network-config.h"
#include "rlimit-util.h"
#include "zone-userns.h"

static void help(void) {
        printf("%1$s [OPTIONS...]\n\n"
               "Zone manager daemon: serves org.zoned1 on the system bus and on a private socket.\n\n"
               "  -h --help                 Show this help\n"
               "     --version              Show the version\n"
               "     --config-dir=DIR       Zone configuration files (default " DEFAULT_CONFIG_DIR ")\n"
               "     --state-dir=DIR        Zone storage and templates (default " DEFAULT_STATE_DIR ")\n"
               "     --runtime-dir=DIR      Private socket and supervisors (default " DEFAULT_RUNTIME_DIR
               ")\n"
               "     --log-dir=DIR          Console logs (default " DEFAULT_LOG_DIR ")\n"
               "     --brands-dir=DIR       Brand files (default " BRANDS_DIR ")\n"
               "     --definitions-dir=DIR  Template definitions (default " DEFINITIONS_DIR ")\n"
               "     --binfmt-dir=DIR       Where binfmt_misc's handlers are, which foreign brands\n"
               "                            need (default /proc/sys/fs/binfmt_misc)\n"
               "     --supervisor=PATH      Supervisor binary (default " SUPERVISOR_PATH ")\n"
               "     --cgroup-root=PATH     Parent cgroup of the zones' cgroups (default zoned)\n"
               "     --lxcfs=PATH           The lxcfs program that serves the zones' /proc views\n"
               "                            (default " LXCFS_DEFAULT_PATH ")\n"
               "     --no-lxcfs             Zones see the host's /proc/meminfo, cpuinfo, stat, ...\n"
               "     --uid-pool=FIRST-LAST  Host ids for the zones' user namespaces, 65536 per zone\n"
               "                            (default %2$" PRIu32 "-%3$" PRIu32 "; in a container,\n"
               "                            the ids its user namespace maps beyond its own)\n"
               "     --network-config=FILE  Pools and bridges of the zones' networks; a missing file\n"
               "                            means the defaults (default " DEFAULT_NETWORK_CONFIG ")\n"
               "     --no-spare-supervisor  Start no supervisor ahead of the next boot\n"
               "     --no-system-bus        Serve only the private socket\n"
               "     --debug                Log debug messages\n",
               program_invocation_short_name, UID_POOL_FIRST_DEFAULT, UID_POOL_LAST_DEFAULT);
}

static char *arg_network_config = NULL;
static bool arg_uid_pool_given = false;

static int replace(char **field, const char *value) {
        g_free(*field);
        *field = g_canonicalize_filename(value, NULL);
        return 0;
}

static int parse_argv(Manager *m, int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_CONFIG_DIR,
                ARG_STATE_DIR,
                ARG_RUNTIME_DIR,
                ARG_LOG_DIR,
                ARG_BRANDS_DIR,
                ARG_DEFINITIONS_DIR,
                ARG_SUPERVISOR,
                ARG_CGROUP_ROOT,
                ARG_UID_POOL,
                ARG_BINFMT_DIR,
                ARG_LXCFS,
                ARG_NO_LXCFS,
                ARG_NETWORK_CONFIG,
                ARG_NO_SYSTEM_BUS,
                ARG_NO_SPARE_SUPERVISOR,
                ARG_DEBUG,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "config-dir", required_argument, NULL, ARG_CONFIG_DIR },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "log-dir", required_argument, NULL, ARG_LOG_DIR },
                { "brands-dir", required_argument, NULL, ARG_BRANDS_DIR },
                { "binfmt-dir", required_argument, NULL, ARG_BINFMT_DIR },
                { "definitions-dir", required_argument, NULL, ARG_DEFINITIONS_DIR },
                { "supervisor", required_argument, NULL, ARG_SUPERVISOR },
                { "cgroup-root", required_argument, NULL, ARG_CGROUP_ROOT },
                { "uid-pool", required_argument, NULL, ARG_UID_POOL },
                { "lxcfs", required_argument, NULL, ARG_LXCFS },
                { "no-lxcfs", no_argument, NULL, ARG_NO_LXCFS },
                { "network-config", required_argument, NULL, ARG_NETWORK_CONFIG },
                { "no-system-bus", no_argument, NULL, ARG_NO_SYSTEM_BUS },
                { "no-spare-supervisor", no_argument, NULL, ARG_NO_SPARE_SUPERVISOR },
                { "debug", no_argument, NULL, ARG_DEBUG },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("zoned " PACKAGE_VERSION "\n");
                        return 0;
                case ARG_CONFIG_DIR:
                        replace(&m->config_dir, optarg);
                        break;
                case ARG_STATE_DIR:
                        replace(&m->state_dir, optarg);
                        break;
                case ARG_RUNTIME_DIR:
                        replace(&m->runtime_dir, optarg);
                        break;
                case ARG_LOG_DIR:
                        replace(&m->log_dir, optarg);
                        break;
                case ARG_BRANDS_DIR:
                        replace(&m->brands_dir, optarg);
                        break;
                case ARG_BINFMT_DIR:
                        replace(&m->binfmt_dir, optarg);
                        break;
                case ARG_DEFINITIONS_DIR:
                        replace(&m->definitions_dir, optarg);
                        break;
                case ARG_SUPERVISOR:
                        replace(&m->supervisor_path, optarg);
                        break;
                case ARG_CGROUP_ROOT:
                        if (isempty(optarg) || strstr(optarg, "..") || optarg[0] == '/')
                                return log_error_errno(
                                        EINVAL, "--cgroup-root= wants a relative path without \"..\".");
                        g_free(m->cgroup_root);
                        m->cgroup_root = g_strdup(optarg);
                        break;
                case ARG_UID_POOL:
                        arg_uid_pool_given = true;
                        if (uid_pool_parse(optarg, &m->uid_pool) < 0)
                                return log_error_errno(
                                        EINVAL,
                                        "--uid-pool=%s is not FIRST-LAST holding at least one "
                                        "range of %" PRIu32 " ids aligned to its size, above 0 "
                                        "and below 4294967295.",
                                        optarg, UID_RANGE_SIZE);
                        break;
                case ARG_LXCFS:
                        replace(&m->lxcfs_path, optarg);
                        break;
                case ARG_NO_LXCFS:
                        g_clear_pointer(&m->lxcfs_path, g_free);
                        break;
                case ARG_NETWORK_CONFIG:
                        replace(&arg_network_config, optarg);
                        break;
                case ARG_NO_SYSTEM_BUS:
                        m->use_system_bus = false;
                        break;
                case ARG_NO_SPARE_SUPERVISOR:
                        m->use_spare_supervisor = false;
                        break;
                case ARG_DEBUG:
                        log_set_max_level(LOG_DEBUG);
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "%s takes no arguments.", program_invocation_short_name);
        return 1;
}

int main(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        g_autofree char *error = NULL;
        sigset_t mask;
        int r;

        /* Nothing above stderr is ours yet: what a shell or a test left open would only take room in
         * our table (and in every worker's, which forks from us). */
        (void) close_range(3, ~0U, 0);
        log_open();
        if (geteuid() != 0)
                log_warning("Not running as root: zones cannot be started.");
        /* zoned keeps one descriptor per running zone: at the usual soft limit of 1024 it would stop
         * near a thousand zones. What it starts gets 1024 back (rlimit_nofile_safe()). */
        r = rlimit_nofile_bump();
        if (r < 0)
                log_warning_errno(r, "Cannot raise the limit of open files: %m");

        /* Signals are events: sd-event gets them through signalfd and child pidfds. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        (void) signal(SIGPIPE, SIG_IGN);

        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Cannot allocate the manager: %m") ? EXIT_FAILURE : EXIT_FAILURE;
        r = parse_argv(m, argc, argv);
        if (r > 0)
                r = network_config_load(arg_network_config ?: DEFAULT_NETWORK_CONFIG, m->state_dir,
                                        &m->network_config, &error)
                            ?: 1;
        g_clear_pointer(&arg_network_config, g_free);
        if (r > 0 && !arg_uid_pool_given)
                r = manager_pick_uid_pool(m) ?: 1;
        if (r < 0 && error) /* zoned does not start with a bad file: what it says is an admin's */
                log_error_errno(r, "%s", error);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        r = manager_startup(m);
        if (r < 0)
                return EXIT_FAILURE;
        r = manager_run(m);
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
