/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zonectl: command line, options and the verb table. */

#include <getopt.h>
#include <signal.h>

#include "cli-error.h"
#include "config.h"
#include "format-util.h"
#include "limit-table.h"
#include "net-address.h"
#include "signal-name.h"
#include "zonectl.h"

const char *arg_address = NULL;
const char *arg_runtime_dir = NULL;
bool arg_json = false;
bool arg_legend = true;
bool arg_block = true;
uint64_t arg_timeout_usec = USEC_INFINITY;
char **arg_property = NULL;
bool arg_value = false;
const char *arg_template = NULL;
bool arg_copy = false;
int arg_private_users = -1;
int arg_nesting = -1;
int arg_signal = SIGTERM;
const char *arg_kill_whom = "all";
const char *arg_user = NULL;
const char *arg_brand = NULL;
const char *arg_format = NULL;
const char *arg_verify = NULL;
bool arg_force = false;
char **arg_command = NULL;
bool arg_runtime = false;
unsigned arg_iterations = 0;
const char *arg_order = NULL;
char **arg_limits = NULL;
const char *arg_network = NULL;
char **arg_ip = NULL;
char **arg_devices = NULL;

typedef struct Verb {
        const char *name;
        int min_args; /* not counting the verb */
        int max_args; /* -1: any number */
        VerbFunction run;
} Verb;

static const Verb verbs[] = {
        { "list", 0, 0, verb_list },
        { "status", 1, -1, verb_status },
        { "show", 1, -1, verb_show },
        { "create", 1, 1, verb_create },
        { "remove", 1, 1, verb_remove },
        { "enable", 1, -1, verb_enable },
        { "disable", 1, -1, verb_disable },
        { "verify", 1, -1, verb_verify },
        { "boot", 1, 1, verb_boot },
        { "poweroff", 1, 1, verb_poweroff },
        { "reboot", 1, 1, verb_reboot },
        { "terminate", 1, 1, verb_terminate },
        { "kill", 1, 1, verb_kill },
        { "shell", 1, 1, verb_shell },
        { "login", 1, 1, verb_login },
        { "console", 1, 1, verb_console },
        { "templates", 0, 0, verb_templates },
        { "import-fs", 2, 2, verb_import_fs },
        { "import-tar", 2, 2, verb_import_tar },
        { "pull", 1, 2, verb_pull },
        { "remove-template", 1, 1, verb_remove_template },
        { "export-tar", 2, 2, verb_export_tar },
        { "import-raw", 2, 2, verb_import_raw },
        { "template-definitions", 0, 0, verb_template_definitions },
        { "brands", 0, 0, verb_brands },
        { "transfers", 0, 0, verb_transfers },
        { "cancel-transfer", 1, 1, verb_cancel_transfer },
        { "set", 2, -1, verb_set },
        { "unset", 2, -1, verb_unset },
        { "top", 0, 0, verb_top },
        { "network", 0, 0, verb_network },
};

static void help(void) {
        printf("%1$s [OPTIONS...] COMMAND ...\n\n"
               "Manage zones: full OS containers run by zoned.\n\n"
               "Zone commands:\n"
               "  list                        List zones\n"
               "  status NAME...              Show a summary of zones\n"
               "  show NAME...                Show the properties of zones\n"
               "  create NAME -t TEMPLATE     Create a zone from a template\n"
               "  remove NAME                 Remove a stopped zone\n"
               "  enable NAME...              Boot the zones when zoned first starts after a host boot\n"
               "  disable NAME...             Do not (Autoboot=; nothing boots or stops now)\n"
               "  verify FILE...              Check zone files as zoned loads them (FILE:LINE: why)\n"
               "  boot NAME                   Boot a zone, wait until it runs\n"
               "  poweroff NAME               Power a zone off, wait until it stopped\n"
               "  reboot NAME                 Reboot a zone, wait until it runs again\n"
               "  terminate NAME              Kill a zone at once, wait until it stopped\n"
               "  kill NAME                   Send a signal to processes of a zone\n"
               "  shell NAME [-- CMD ARG...]  Run a command (default /bin/sh) in a zone\n"
               "  login NAME                  Log into a zone on a new terminal of its own\n"
               "  console NAME                Attach to a zone's console (^]^]^] detaches)\n"
               "  set NAME KEY=VALUE...       Change settings of a zone: its limits\n"
               "                              (memory=1G cpu-quota=150%% tasks=256 ...), its\n"
               "                              network (port=tcp:8080:80 network=bridge:lab\n"
               "                              ip=10.42.0.20/24 dns=10.42.0.1 mtu=1400), its\n"
               "                              brand (brand=legacy, stopped zones)\n"
               "  unset NAME port=tcp:8080... Remove port forwards of a zone\n"
               "  top                         Show the running zones' use of CPU, memory, IO\n"
               "  network                     List what zoned added to the host's network\n\n"
               "Template commands:\n"
               "  templates                   List templates\n"
               "  import-fs DIR NAME          Import a directory tree as a template\n"
               "  import-tar FILE|- NAME      Import a tar archive (gz, xz, zstd, bz2) as a template\n"
               "  pull URL|DEFINITION [NAME]  Download, verify and unpack a template\n"
               "  remove-template NAME        Remove a template\n"
               "  export-tar NAME FILE|-      Write a stopped zone's tree as a tarball\n"
               "  import-raw FILE|- NAME      Import a raw disk image (.raw, .img, compressed or not)\n"
               "  template-definitions        List the template definitions \"pull NAME\" knows\n"
               "  brands                      List brands\n"
               "  transfers                   List running transfers\n"
               "  cancel-transfer ID          Cancel a transfer\n\n"
               "Options:\n"
               "  -h --help                   Show this help\n"
               "     --version                Show the version\n"
               "     --address=ADDRESS        Connect to zoned at this D-Bus address\n"
               "     --runtime-dir=DIR        zoned's runtime directory (private socket DIR/bus)\n"
               "     --json                   Print listings as JSON\n"
               "     --no-legend              Print listings without header and footer\n"
               "     --no-block               Do not wait for boot, poweroff, reboot, terminate,\n"
               "                              remove, import-fs or import-tar to finish\n"
               "     --timeout=SEC            Give up waiting after SEC seconds (default: never)\n"
               "  -p --property=NAME[,NAME]   show: only these properties\n"
               "     --value                  show: only the values\n"
               "  -t --template=TEMPLATE      create: the template\n"
               "     --copy                   create: a full copy instead of an overlay\n"
               "     --private-users=yes|no   create: users of its own (default) or the host's\n"
               "     --nesting=yes|no         create: what container managers in the zone need\n"
               "                              (default no; see zoned.zone(5), NESTING)\n"
               "     --device=PATH            create: give the zone /dev/fuse or /dev/net/tun (each\n"
               "                              its own option; DeviceAllow=)\n"
               "     --memory=SIZE ...        create: limits, one option per key of set: --memory,\n"
               "                              --memory-high, --swap, --cpu-quota, --cpu-weight,\n"
               "                              --cpus, --tasks, --io-weight, --io-read-bandwidth,\n"
               "                              --io-write-bandwidth, --io-read-iops,\n"
               "                              --io-write-iops, --disk\n"
               "     --network=MODE           create: none, host, bridge[:NAME], macvlan:IFACE or\n"
               "                              ipvlan:IFACE\n"
               "     --ip=ADDRESS/LENGTH      create: the zone's address (once per family), or dhcp\n"
               "     --runtime                set: live only, gone at the zone's next boot\n"
               "  -n --iterations=N           top: refresh N times (default: until ^C on a\n"
               "                              terminal, once otherwise)\n"
               "     --order=COLUMN           top: sort by name, tasks, cpu (default) or memory\n"
               "  -s --signal=SIGNAL          kill: the signal (default SIGTERM)\n"
               "     --kill-whom=WHOM         kill: \"leader\" or \"all\" (default)\n"
               "  -u --user=USER              shell: run as USER (default root)\n"
               "     --brand=BRAND            import-fs, import-tar, import-raw, pull: the brand of\n"
               "                              the template; create: the zone's, instead of its\n"
               "                              template's\n"
               "     --verify=MODE            pull: checksum (default), signature or no\n"
               "     --force                  pull: replace a template of that name\n"
               "     --format=FORMAT          export-tar: tar, gzip, xz, zstd or bzip2 (default: from\n"
               "                              the file name; tar for -)\n\n"
               "See the zonectl(1) man page for details.\n",
               program_invocation_short_name);
}

enum {
        ARG_VERSION = 0x100,
        ARG_ADDRESS,
        ARG_RUNTIME_DIR,
        ARG_JSON,
        ARG_NO_LEGEND,
        ARG_NO_BLOCK,
        ARG_TIMEOUT,
        ARG_VALUE,
        ARG_COPY,
        ARG_PRIVATE_USERS,
        ARG_NESTING,
        ARG_KILL_WHOM,
        ARG_BRAND,
        ARG_FORMAT,
        ARG_VERIFY,
        ARG_FORCE,
        ARG_RUNTIME,
        ARG_ORDER,
        ARG_NETWORK,
        ARG_IP,
        ARG_DEVICE,
        ARG_LIMIT, /* + LimitKey: --memory=, ... (the CLI keys of limit-table.h) */
};

static const struct option options[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, ARG_VERSION },
        { "address", required_argument, NULL, ARG_ADDRESS },
        { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
        { "json", no_argument, NULL, ARG_JSON },
        { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
        { "no-block", no_argument, NULL, ARG_NO_BLOCK },
        { "timeout", required_argument, NULL, ARG_TIMEOUT },
        { "property", required_argument, NULL, 'p' },
        { "value", no_argument, NULL, ARG_VALUE },
        { "template", required_argument, NULL, 't' },
        { "copy", no_argument, NULL, ARG_COPY },
        { "private-users", required_argument, NULL, ARG_PRIVATE_USERS },
        { "nesting", required_argument, NULL, ARG_NESTING },
        { "signal", required_argument, NULL, 's' },
        { "kill-whom", required_argument, NULL, ARG_KILL_WHOM },
        { "user", required_argument, NULL, 'u' },
        { "brand", required_argument, NULL, ARG_BRAND },
        { "format", required_argument, NULL, ARG_FORMAT },
        { "verify", required_argument, NULL, ARG_VERIFY },
        { "force", no_argument, NULL, ARG_FORCE },
        { "runtime", no_argument, NULL, ARG_RUNTIME },
        { "iterations", required_argument, NULL, 'n' },
        { "order", required_argument, NULL, ARG_ORDER },
        { "network", required_argument, NULL, ARG_NETWORK },
        { "ip", required_argument, NULL, ARG_IP },
        { "device", required_argument, NULL, ARG_DEVICE },
        { "memory", required_argument, NULL, ARG_LIMIT + LIMIT_MEMORY_MAX },
        { "memory-high", required_argument, NULL, ARG_LIMIT + LIMIT_MEMORY_HIGH },
        { "swap", required_argument, NULL, ARG_LIMIT + LIMIT_MEMORY_SWAP_MAX },
        { "cpu-quota", required_argument, NULL, ARG_LIMIT + LIMIT_CPU_QUOTA },
        { "cpu-weight", required_argument, NULL, ARG_LIMIT + LIMIT_CPU_WEIGHT },
        { "cpus", required_argument, NULL, ARG_LIMIT + LIMIT_ALLOWED_CPUS },
        { "tasks", required_argument, NULL, ARG_LIMIT + LIMIT_TASKS_MAX },
        { "io-weight", required_argument, NULL, ARG_LIMIT + LIMIT_IO_WEIGHT },
        { "io-read-bandwidth", required_argument, NULL, ARG_LIMIT + LIMIT_IO_READ_BANDWIDTH_MAX },
        { "io-write-bandwidth", required_argument, NULL, ARG_LIMIT + LIMIT_IO_WRITE_BANDWIDTH_MAX },
        { "io-read-iops", required_argument, NULL, ARG_LIMIT + LIMIT_IO_READ_IOPS_MAX },
        { "io-write-iops", required_argument, NULL, ARG_LIMIT + LIMIT_IO_WRITE_IOPS_MAX },
        { "disk", required_argument, NULL, ARG_LIMIT + LIMIT_DISK_QUOTA },
        {},
};

/* -p A,B -p C → A B C */
static int add_properties(const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        if (!arg_property) {
                arg_property = new0(char *, 1);
                if (!arg_property)
                        return -ENOMEM;
        }
        for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
                if (strv_extend(&arg_property, p) < 0)
                        return -ENOMEM;
        return 0;
}

/* 1 for yes, 0 for no, -EINVAL for neither (the words of zone files' booleans). */
static int parse_yes_no(const char *s) {
        if (streq(s, "yes") || streq(s, "true") || streq(s, "1"))
                return 1;
        if (streq(s, "no") || streq(s, "false") || streq(s, "0"))
                return 0;
        return -EINVAL;
}

/* --memory=512M → "memory=512M" for create, checked now. */
static int parse_limit_option(LimitKey k, const char *value) {
        _cleanup_free_ char *assignment = NULL;
        LimitValue v = {};

        if (limit_parse(k, value, &v) < 0)
                return cli_error_errno(EINVAL, "invalid --%s: \"%s\"", limit_info(k)->cli, value);
        limit_value_done(&v);
        if (asprintf(&assignment, "%s=%s", limit_info(k)->cli, value) < 0 ||
            strv_extend(&arg_limits, assignment) < 0)
                return cli_error_errno(ENOMEM, "out of memory");
        return 1;
}

/* 1: go on, 0: done (--help, --version), < 0: usage error (printed). */
static int parse_option(int c, const char *value) {
        uint64_t usec;
        int sig;

        switch (c) {
        case 'h':
                help();
                return 0;
        case ARG_VERSION:
                printf("zonectl %s\n", PACKAGE_VERSION);
                return 0;
        case ARG_ADDRESS:
                arg_address = value;
                break;
        case ARG_RUNTIME_DIR:
                arg_runtime_dir = value;
                break;
        case ARG_JSON:
                arg_json = true;
                break;
        case ARG_NO_LEGEND:
                arg_legend = false;
                break;
        case ARG_NO_BLOCK:
                arg_block = false;
                break;
        case ARG_TIMEOUT:
                if (parse_timeout_sec(value, &usec) < 0)
                        return cli_error_errno(EINVAL, "invalid --timeout: \"%s\" (seconds or \"infinity\")",
                                               value);
                arg_timeout_usec = usec;
                break;
        case 'p':
                if (add_properties(value) < 0)
                        return cli_error_errno(ENOMEM, "out of memory");
                break;
        case ARG_VALUE:
                arg_value = true;
                break;
        case 't':
                arg_template = value;
                break;
        case ARG_COPY:
                arg_copy = true;
                break;
        case ARG_NESTING:
                arg_nesting = parse_yes_no(value);
                if (arg_nesting < 0)
                        return cli_error_errno(EINVAL, "invalid --nesting: \"%s\" (yes or no)", value);
                break;
        case ARG_PRIVATE_USERS:
                arg_private_users = parse_yes_no(value);
                if (arg_private_users < 0)
                        return cli_error_errno(EINVAL, "invalid --private-users: \"%s\" (yes or no)", value);
                break;
        case 's':
                sig = signal_from_string(value);
                if (sig < 0)
                        return cli_error_errno(EINVAL, "invalid signal: \"%s\"", value);
                arg_signal = sig;
                break;
        case ARG_KILL_WHOM:
                if (!streq(value, "leader") && !streq(value, "all"))
                        return cli_error_errno(EINVAL, "invalid --kill-whom: \"%s\" (leader or all)", value);
                arg_kill_whom = value;
                break;
        case 'u':
                arg_user = value;
                break;
        case ARG_BRAND:
                arg_brand = value;
                break;
        case ARG_FORMAT:
                if (!streq(value, "tar") && !streq(value, "gzip") && !streq(value, "xz") &&
                    !streq(value, "zstd") && !streq(value, "bzip2"))
                        return cli_error_errno(
                                EINVAL, "invalid --format: \"%s\" (tar, gzip, xz, zstd or bzip2)", value);
                arg_format = value;
                break;
        case ARG_VERIFY:
                if (!streq(value, "no") && !streq(value, "checksum") && !streq(value, "signature"))
                        return cli_error_errno(
                                EINVAL, "invalid --verify: \"%s\" (no, checksum or signature)", value);
                arg_verify = value;
                break;
        case ARG_FORCE:
                arg_force = true;
                break;
        case ARG_RUNTIME:
                arg_runtime = true;
                break;
        case 'n':
                if (sscanf(value, "%u%n", &arg_iterations, &(int) { 0 }) != 1 || arg_iterations == 0)
                        return cli_error_errno(EINVAL, "invalid --iterations: \"%s\" (a number above 0)",
                                               value);
                break;
        case ARG_ORDER:
                arg_order = value;
                break;
        case ARG_NETWORK: {
                _cleanup_free_ char *link = NULL;
                NetworkMode mode;

                if (network_mode_parse(value, &mode, &link) < 0)
                        return cli_error_errno(EINVAL,
                                               "invalid --network: \"%s\" (none, host, bridge[:NAME], "
                                               "macvlan:IFACE or ipvlan:IFACE)",
                                               value);
                arg_network = value;
                break;
        }
        case ARG_IP: {
                InetPrefix p;

                if (!streq(value, "dhcp") && inet_prefix_parse(value, &p) < 0)
                        return cli_error_errno(EINVAL, "invalid --ip: \"%s\" (ADDRESS/LENGTH or dhcp)",
                                               value);
                if (strv_extend(&arg_ip, value) < 0)
                        return cli_error_errno(ENOMEM, "out of memory");
                break;
        }
        case ARG_DEVICE:
                /* Which devices a zone may have is zoned's to say (DeviceNotAllowed). */
                if (strv_extend(&arg_devices, value) < 0)
                        return cli_error_errno(ENOMEM, "out of memory");
                break;
        case ':':
                return cli_error_errno(EINVAL, "option %s needs a value (see --help)", value);
        default:
                if (c >= ARG_LIMIT && c < ARG_LIMIT + _LIMIT_KEY_MAX)
                        return parse_limit_option(c - ARG_LIMIT, value);
                return cli_error_errno(EINVAL, "unknown option %s (see --help)", value);
        }
        return 1;
}

/* For errors: the option that getopt refused, as written ("--bogus", "-x"). */
static const char *option_as_written(char *argv[], char buf[static 3]) {
        if (optopt > 0 && optopt < 0x80 && argv[optind - 1][1] != '-') {
                buf[0] = '-';
                buf[1] = (char) optopt;
                buf[2] = 0;
                return buf;
        }
        return argv[optind - 1];
}

/* Options may come anywhere, except that for "shell NAME CMD ARG…" everything
 * from CMD on (or after "--") belongs to the command. */
static int parse_argv(int argc, char *argv[], char ***ret_args) {
        _cleanup_strv_free_ char **args = new0(char *, 1);
        int c, r;

        if (!args)
                return cli_error_errno(ENOMEM, "out of memory");
        opterr = 0; /* errors are ours to print */
        for (;;) {
                c = getopt_long(argc, argv, "+:hp:t:s:u:n:", options, NULL);
                if (c >= 0) {
                        char buf[3];

                        r = parse_option(c, c == '?' || c == ':' ? option_as_written(argv, buf) : optarg);
                        if (r <= 0)
                                return r;
                        continue;
                }
                if (optind >= argc)
                        break;
                bool dashdash = optind > 1 && streq(argv[optind - 1], "--");
                bool shell_command = strv_length(args) >= 2 && streq(args[0], "shell");
                if (dashdash || shell_command) {
                        /* The rest is positional. */
                        char ***dest = shell_command ? &arg_command : &args;
                        for (; optind < argc; optind++)
                                if (strv_extend(dest, argv[optind]) < 0)
                                        return cli_error_errno(ENOMEM, "out of memory");
                        break;
                }
                if (strv_extend(&args, argv[optind++]) < 0)
                        return cli_error_errno(ENOMEM, "out of memory");
        }
        *ret_args = TAKE_PTR(args);
        return 1;
}

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

static int check_usage(const Verb *v, int n_args) {
        if (n_args < v->min_args)
                return cli_error_errno(EINVAL, "too few arguments for \"%s\" (see --help)", v->name);
        if (v->max_args >= 0 && n_args > v->max_args)
                return cli_error_errno(EINVAL, "too many arguments for \"%s\" (see --help)", v->name);
        if (streq(v->name, "create") && !arg_template)
                return cli_error_errno(EINVAL, "create needs a template: --template=TEMPLATE");
        if (arg_command && !streq(v->name, "shell"))
                return cli_error_errno(EINVAL, "a command after \"--\" only goes with \"shell\"");
        return 0;
}

static int dispatch(char **args) {
        _cleanup_client_ Client *client = NULL;
        _cleanup_free_ char *tried = NULL;
        int r, system_error = 0;
        const Verb *v;

        if (!args[0]) {
                cli_error("no command given (see --help)");
                return EXIT_USAGE;
        }
        v = find_verb(args[0]);
        if (!v) {
                cli_error("unknown command \"%s\" (see --help)", args[0]);
                return EXIT_USAGE;
        }
        if (check_usage(v, (int) strv_length(args) - 1) < 0)
                return EXIT_USAGE;

        cli_register_error_map();
        r = client_connect(arg_address, arg_runtime_dir, &client, &tried, &system_error);
        if (r < 0) {
                if (system_error == -ENXIO)
                        cli_error_errno(r,
                                        "cannot connect to zoned at %s: %m (nor is org.zoned1 on the "
                                        "system bus)",
                                        strna(tried));
                else if (system_error < 0)
                        cli_error_errno(r, "cannot connect to zoned at %s: %m (nor to the system bus: %s)",
                                        strna(tried), strerror(-system_error));
                else
                        cli_error_errno(r, "cannot connect to zoned at %s: %m", strna(tried));
                return EXIT_FAILURE;
        }
        r = v->run((int) strv_length(args), args, client);
        return r < 0 ? EXIT_FAILURE : r;
}

int main(int argc, char *argv[]) {
        _cleanup_strv_free_ char **args = NULL;
        int r;

        r = parse_argv(argc, argv, &args);
        if (r < 0)
                r = EXIT_USAGE;
        else if (r == 0)
                r = EXIT_SUCCESS;
        else
                r = dispatch(args);
        arg_property = strv_free(arg_property);
        arg_command = strv_free(arg_command);
        arg_limits = strv_free(arg_limits);
        arg_ip = strv_free(arg_ip);
        arg_devices = strv_free(arg_devices);
        return r;
}
