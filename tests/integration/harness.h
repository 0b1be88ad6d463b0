/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The integration test harness: every test fixture gets its own temp dirs, a
 * private dbus-daemon and a zoned from the build tree running on those dirs,
 * with a cgroup root of its own ("zoned-test-<pid>"). Teardown terminates the
 * zones through the API, stops zoned and the bus, reaps what is left and
 * fails the test if anything leaked: processes, cgroups, mounts.
 *
 * The paths of the build-tree programs come from meson through the
 * environment: ZONED_TEST_ZONED, ZONED_TEST_SUPERVISOR, ZONED_TEST_ZONECTL,
 * ZONED_TEST_BRANDS_DIR, ZONED_TEST_DBUS_DIR (the contract XML),
 * ZONED_TEST_DBUS_CONFIG (template of the bus config) and
 * ZONED_TEST_ROOTFS_SCRIPT (the busybox fixture builder). A test whose
 * programs are missing, or that does not run as root, is skipped. */

#include <gio/gio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#define ZONED_BUS_NAME "org.zoned1"
#define ZONED_MANAGER_PATH "/org/zoned1"
#define ZONED_MANAGER_IFACE "org.zoned1.Manager"
#define ZONED_ZONE_IFACE "org.zoned1.Zone"
#define ZONED_TRANSFER_IFACE "org.zoned1.Transfer"

/* Bounded waits, in milliseconds. Generous: two cores, other builds running. */
#define HARNESS_START_TIMEOUT_MS 20000
#define HARNESS_BOOT_TIMEOUT_MS 60000
#define HARNESS_STOP_TIMEOUT_MS 60000
#define HARNESS_TRANSFER_TIMEOUT_MS 120000

typedef enum HarnessFlags {
        HARNESS_DEFAULT = 0,
        /* No dbus-daemon: zoned runs with --no-system-bus and the harness talks to <runtime>/bus. */
        HARNESS_PRIVATE_SOCKET = 1 << 0,
        /* With HARNESS_PRIVATE_SOCKET: zoned is not told --no-system-bus, its
         * DBUS_SYSTEM_BUS_ADDRESS names a socket that does not exist. */
        HARNESS_BUS_MISSING = 1 << 1,
        /* The test runs zonectl: skipped while zonectl is not built. */
        HARNESS_ZONECTL = 1 << 2,
} HarnessFlags;

typedef struct Harness {
        HarnessFlags flags;
        char *skip_reason;

        char *tmpdir; /* 0755, removed at teardown; zoned's --network-config is its network.conf */
        char *config_dir;
        char *state_dir;
        char *runtime_dir;
        char *log_dir;
        char *cgroup_root;    /* "zoned-test-<pid>" */
        char *brands_dir;     /* NULL: $ZONED_TEST_BRANDS_DIR; a test may set it, then restart zoned */
        char **zoned_options; /* more options for zoned (a test may set them, then restart zoned) */
        char *zoned_log; /* NULL: zoned's stderr is ours; else this file (harness_capture_zoned_log()) */

        pid_t dbus_pid;
        char *bus_address;     /* the private dbus-daemon; NULL with HARNESS_PRIVATE_SOCKET */
        char *private_address; /* "unix:path=<runtime>/bus" */

        pid_t zoned_pid;
        int zoned_pidfd;
        int notify_fd; /* NOTIFY_SOCKET of zoned */
        char *notify_path;

        /* To zoned: through the bus, or a direct connection to its private socket. */
        GDBusConnection *conn;
        guint manager_subscription;
        guint objman_subscription;
        /* Manager signals seen, as text: "ZoneNew NAME PATH", "ZoneRemoved NAME PATH",
         * "TransferNew ID PATH", "TransferRemoved ID PATH RESULT", "InterfacesAdded PATH",
         * "InterfacesRemoved PATH". */
        GPtrArray *events;

        GString *leaks; /* what teardown found left behind */
} Harness;

/* Process-wide setup: g_test_init(), subreaper, SIGCHLD handling. */
void harness_init(int *argc, char ***argv);
/* Before harness_init(), for a test of the zones' networks: the test, its zoned and zones get a
 * network namespace of their own, with lo up. zoned keeps one set of bridges, nftables tables
 * and sysctls per network namespace: tests that run at once must not share one. Whatever a
 * failed test leaves in it goes with its last process. */
void harness_private_network(void);

void harness_setup(Harness *h, gconstpointer flags);
void harness_teardown(Harness *h, gconstpointer flags);

#define HARNESS_TEST(path, func, flags) \
        g_test_add((path), Harness, GINT_TO_POINTER(flags), harness_setup, (func), harness_teardown)

/* True (and the test marked skipped) if the fixture could not be set up here. */
bool harness_skipped(Harness *h);

/* The busybox rootfs built by tests/fixtures (built once per process). */
const char *harness_busybox_rootfs(void);
/* The Debian bookworm amd64 systemd rootfs (build-debian-rootfs.sh, cached); NULL, with a message,
 * if it cannot be built (no mmdebstrap, no mirror): the caller skips, saying so. */
const char *harness_debian_rootfs(void);
/* The same, and the test is marked skipped, saying why, when it cannot be had. */
const char *harness_debian_rootfs_or_skip(void);

/* zoned on the fixture's dirs. start waits until it is ready (READY=1 and, on
 * a bus, org.zoned1 owned). stop sends sig and reaps it; with SIGTERM it
 * also asserts a clean exit. */
void harness_start_zoned(Harness *h);
void harness_stop_zoned(Harness *h, int sig);
/* Restarts zoned with its log (stderr) going to a file of the fixture, for a test about what zoned
 * logs; harness_zoned_log() reads what it wrote so far. */
void harness_capture_zoned_log(Harness *h);
char *harness_zoned_log(Harness *h);

/* Iterates the default main context until pred(data) or the timeout. */
typedef bool (*HarnessPredicate)(gpointer data);
bool harness_wait(HarnessPredicate pred, gpointer data, guint timeout_ms);

/* Lets everything zoned sent before now be dispatched (a round trip). */
void harness_flush(Harness *h);

/* ---- D-Bus ---- */

GVariant *harness_call(Harness *h, const char *path, const char *iface, const char *method, GVariant *params,
                       const char *reply_type, GError **error);
GVariant *harness_manager_call(Harness *h, const char *method, GVariant *params, const char *reply_type,
                               GError **error);
/* A manager method whose reply carries one fd (OpenZoneConsole, OpenZoneLogin, ...): *ret_fd is a
 * copy the caller closes. */
GVariant *harness_manager_call_fd(Harness *h, const char *method, GVariant *params, const char *reply_type,
                                  int *ret_fd, GError **error);
/* A manager method that takes one fd (ImportTemplateTar/Raw, ExportZoneTar): params refer to it as
 * handle 0; fd stays the caller's (the call sends a copy). */
GVariant *harness_manager_call_passing_fd(Harness *h, const char *method, GVariant *params, int fd,
                                          const char *reply_type, GError **error);
/* ImportTemplateTar or ImportTemplateRaw (method) of fd (the caller's) into template name, with
 * brand (NULL: detected): the reply (u id, o path), or NULL with error. */
GVariant *harness_import_stream_call(Harness *h, const char *method, int fd, const char *name,
                                     const char *brand, GError **error);
/* The same of the file at path, asserted to start; waits for the transfer's end and returns its
 * result ("done", "failed", ...). */
char *harness_import_file(Harness *h, const char *method, const char *path, const char *name,
                          const char *brand);
/* A transfer that stays until the test closes *ret_write_end: ImportTemplateTar of an empty pipe
 * into template name (its worker waits for the stream). Returns its id; *ret_path its object. */
guint32 harness_held_transfer(Harness *h, const char *name, int *ret_write_end, char **ret_path);
/* Asserts that error is the remote D-Bus error named name. */
void harness_assert_dbus_error(const GError *error, const char *name);

/* Raw clients of the private socket (harness-raw.c). What a client sends first, as sd-bus and
 * libdbus send it: the NUL byte, AUTH EXTERNAL as our uid, BEGIN; then calls, each as bytes on
 * the wire with its serial. */
void harness_raw_auth(GByteArray *out);
void harness_raw_append(GByteArray *out, GDBusMessage *call, guint32 serial);
/* A call without arguments of iface.member on the manager object. */
void harness_raw_append_call(GByteArray *out, guint32 serial, const char *iface, const char *member);
/* A blocking connection to the socket at path (connect() waits at most 5 s for room), or -errno. */
int harness_raw_connect(const char *path);
/* The first answer in what a raw client read ("OK <guid>\r\n", then a message): NULL until it is
 * whole; fails the test if the authentication was refused. */
GDBusMessage *harness_raw_reply(GByteArray *in);

/* Index of the first event starting with prefix, or -1. */
int harness_find_event(Harness *h, const char *prefix);
bool harness_wait_event(Harness *h, const char *prefix, guint timeout_ms);

/* Where calls go: org.zoned1 on a bus, NULL on a direct connection to the private socket. */
const char *harness_destination(Harness *h);
/* Waits for TransferRemoved of the transfer; returns its result ("done", ...). */
char *harness_wait_transfer_removed(Harness *h, guint32 id, const char *path, guint timeout_ms);
/* The last values of a transfer's properties, from its PropertiesChanged (never polled). */
typedef struct TransferProps {
        char *error;
        char *error_name;
        guint64 bytes_done;
        guint64 bytes_total;
        double progress;
        unsigned n_progress; /* PropertiesChanged with a Progress strictly between 0 and 1 */
} TransferProps;

/* Object path → TransferProps; filled by the subscription until it is unsubscribed. */
GHashTable *harness_transfer_props_new(void);
guint harness_transfer_props_subscribe(Harness *h, GHashTable *props);

/* ImportTemplateFs + wait for TransferRemoved; returns its result ("done", ...). */
char *harness_import_fs(Harness *h, const char *dir, const char *name, const char *brand);
/* Template name exists, of brand want (ListTemplates). */
void harness_assert_template_brand(Harness *h, const char *template_name, const char *want);
/* The busybox rootfs imported as template "bb" (brand busybox), asserted done: what most tests
 * start from. */
void harness_import_busybox(Harness *h);
/* CreateZone; with copy waits until the zone left "creating". Returns the object path. */
char *harness_create_zone(Harness *h, const char *name, const char *template_name, bool copy);
char *harness_zone_path(Harness *h, const char *name);
GVariant *harness_zone_property(Harness *h, const char *name, const char *property);
char *harness_zone_state(Harness *h, const char *name);
guint32 harness_zone_leader(Harness *h, const char *name);

/* Follows a zone's properties through PropertiesChanged, never by polling. */
typedef struct ZoneWatch {
        Harness *h;
        char *name;
        char *path;
        guint subscription;
        unsigned pending; /* Get/GetAll calls in flight */
        bool loaded;
        char *state;
        guint32 leader;
        char *status_text;
        GPtrArray *states; /* every State value announced by PropertiesChanged, in order */
} ZoneWatch;

ZoneWatch *zone_watch_new(Harness *h, const char *name);
void zone_watch_free(ZoneWatch *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ZoneWatch, zone_watch_free)
bool zone_watch_wait_state(ZoneWatch *w, const char *state, guint timeout_ms);
/* Waits until the state is none of creating/starting/stopping; returns it (NULL on timeout). */
const char *zone_watch_wait_settled(ZoneWatch *w, guint timeout_ms);
/* Waits for State=running with a Leader other than 0 and old_leader. */
bool zone_watch_wait_new_leader(ZoneWatch *w, guint32 old_leader, guint timeout_ms);

/* BootZone + wait for running; returns the Leader. */
guint32 harness_boot_zone(Harness *h, const char *name);
/* PoweroffZone + wait for stopped; asserts the zone left nothing behind. */
void harness_poweroff_zone(Harness *h, const char *name);

/* ---- processes ---- */

typedef struct HarnessRun {
        int status; /* exit status, or 128 + signal */
        char *out;
        char *err;
} HarnessRun;

void harness_run_clear(HarnessRun *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HarnessRun, harness_run_clear)

typedef struct HarnessSpawn {
        const char *const *argv;
        const char *const *env_set; /* "KEY=VALUE" to set, "KEY" to unset, on top of ours */
        const char *stdin_data;     /* NULL: /dev/null */
        bool as_nobody;             /* setgroups/setgid/setuid 65534 before exec */
        guint timeout_ms;           /* 0: 120 s */
} HarnessSpawn;

/* Runs a program to its end and collects its output (bounded; killed on timeout). */
void harness_run(const HarnessSpawn *s, HarnessRun *ret);
/* zonectl ARGS... with DBUS_SYSTEM_BUS_ADDRESS set to the fixture's bus. */
void harness_zonectl(Harness *h, HarnessRun *ret, const char *stdin_data, ...) G_GNUC_NULL_TERMINATED;
void harness_zonectl_full(Harness *h, HarnessRun *ret, const HarnessSpawn *s);
/* zonectl ARGS... that must exit 0 (what: for the failure message). */
void harness_zonectl_ok(Harness *h, const char *stdin_data, const char *what, ...) G_GNUC_NULL_TERMINATED;
/* `zonectl shell NAME -- /bin/sh -c SCRIPT`: its stdout and stderr, and its exit status. */
char *harness_zone_sh_status(Harness *h, const char *name, const char *script, int *ret_status);
/* The same, failing the test unless it exits 0; the output stripped. */
char *harness_zone_sh(Harness *h, const char *name, const char *script);
/* True if a line of a zonectl table starts with these words (NULL-terminated). */
bool harness_table_has_row(const char *out, const char *const *words);
/* Fails the test with zonectl's output unless it exited with status. */
void harness_assert_run(const HarnessRun *r, int status, const char *what);

/* Writes text to path and sets its mode; fails the test on error. */
void harness_write_file(const char *path, const char *text, mode_t mode);

/* For a test that runs this program in the place of one of zoned's (zoned, its supervisor), to
 * run the real one under a system call filter, as a host's own filter or security module may
 * have it: unsets the environment variable that told it so, installs the filter (inherited by
 * every child) and executes path with argv. Never returns. */
struct sock_fprog;
_Noreturn void harness_exec_filtered(const char *path, char *argv[], const struct sock_fprog *filter,
                                     const char *unset_env);
/* The other half: restarts zoned with this program as the one $program_env names
 * (ZONED_TEST_ZONED, ZONED_TEST_SUPERVISOR), and the real one's path in $real_env, which main()
 * sees to call harness_exec_filtered(). zoned reads its environment at start only, so both are
 * as they were right after. */
void harness_restart_zoned_as_self(Harness *h, const char *program_env, const char *real_env);

/* Reaps zombies that were re-parented to us (we are a subreaper). */
void harness_reap_orphans(void);
/* Exists and is not a zombie. */
bool harness_pid_alive(pid_t pid);
/* The parent of a live process, from /proc/PID/stat (asserted to be there). For a zone's init:
 * its supervisor. */
pid_t harness_parent_of(pid_t pid);
/* The value of "Key:" in /proc/PID/status, stripped (the file is asserted to be there); NULL if
 * it has no such key. */
char *harness_proc_status_field(pid_t pid, const char *key);
/* Whether pid runs in a user namespace that maps other ids than the host's own (its uid_map is
 * not the initial namespace's "0 0 4294967295"); *ret_shift (may be NULL) gets the host uid of
 * its uid 0. */
bool harness_pid_userns_shift(pid_t pid, guint32 *ret_shift);
#define harness_leader_has_userns(pid) harness_pid_userns_shift((pid), NULL)
/* Whether pid's namespace of that type ("net", "uts", "pid", ...) is owned by pid's own user
 * namespace (NS_GET_USERNS). */
bool harness_ns_owned_by_own_userns(pid_t pid, const char *type);
/* Waits until a zone's init has children of its own. A namespace's init drops
 * signals from outside that it neither handles nor blocks, and with
 * Ready=exec a zone is "running" before busybox init blocked its signals: a
 * poweroff signal sent in that window is lost. busybox init sets its signals
 * up before it runs the inittab, so a child means it listens. */
bool harness_wait_init_started(pid_t pid, guint timeout_ms);

/* ---- zonectl on a terminal (harness-tty.c) ---- */

/* zonectl's argv (first... up to NULL) and environment, built before fork(): the test has threads. */
GPtrArray *harness_zonectl_argv(const char *first, va_list ap);
char **harness_zonectl_environ(Harness *h);

typedef struct HarnessTtyRun {
        int status;
        dev_t tty;      /* the terminal's device number */
        GString *shown; /* what zonectl wrote to the terminal */
        char *typed;    /* what was there to read on the terminal once zonectl had exited */
} HarnessTtyRun;

void harness_tty_run_clear(HarnessTtyRun *t);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HarnessTtyRun, harness_tty_run_clear)

/* zonectl ARGS with stdin and stderr on a new terminal (its controlling terminal), stdout on it
 * too or on out_fd; then reads what is left in the terminal's input, as the shell that ran
 * zonectl would next. */
void harness_zonectl_on_tty(Harness *h, int out_fd, HarnessTtyRun *ret, const char *first,
                            ...) G_GNUC_NULL_TERMINATED;
/* report: what "zone-escape tiocsti TEXT-WITH-mark" said. Fails the test if the zone typed mark
 * into the host's terminal, or got that terminal as stdin or as /dev/tty. */
void harness_assert_not_typed(const HarnessTtyRun *t, const char *report, const char *mark,
                              const char *what);

/* ---- leaks ---- */

/* NULL if the zone left nothing: no cgroup <root>/<name> in any hierarchy
 * (and so no process in one), no mount under <state>/<name>. Else text. */
char *harness_zone_leftovers(Harness *h, const char *name);
/* Mount points at or below path, from /proc/self/mountinfo. */
GPtrArray *harness_mounts_under(const char *path);
/* Loop devices whose backing file is below dir, as "loopN=FILE" lines ("" if none). */
char *harness_loops_under(const char *dir);
/* cgroup hierarchies' mount points, from /proc/self/mountinfo. */
GPtrArray *harness_cgroup_hierarchies(void);
