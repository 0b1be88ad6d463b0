/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* list, status, show, create, remove, kill: the zone registry. */

#include <inttypes.h>
#include <time.h>

#include "bus-json.h"
#include "bus-print.h"
#include "cli-error.h"
#include "format-util.h"
#include "table.h"
#include "wait-state.h"
#include "zone-info.h"
#include "zonectl.h"

int verb_list(int argc, char *argv[], Client *c) {
        static const TableColumn columns[] = {
                { "NAME", "name", CELL_STRING },
                { "STATE", "state", CELL_STRING },
                { "BRAND", "brand", CELL_STRING },
                { "TEMPLATE", "template", CELL_STRING },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_table_ Table *t = table_new(columns, ELEMENTSOF(columns));
        const char *name, *state, *brand, *template, *path;
        int r;

        if (!t)
                return cli_error_errno(ENOMEM, "out of memory");
        r = manager_call(c, "ListZones", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list zones");
        r = sd_bus_message_enter_container(reply, 'a', "(sssso)");
        while (r >= 0 &&
               (r = sd_bus_message_read(reply, "(sssso)", &name, &state, &brand, &template, &path)) > 0)
                if ((r = table_add_string(t, name)) < 0 || (r = table_add_string(t, state)) < 0 ||
                    (r = table_add_string(t, brand)) < 0 || (r = table_add_string(t, template)) < 0)
                        break;
        if (r < 0)
                return cli_error_errno(r, "cannot read the list of zones: %m");
        table_sort(t, 0);
        return output_table(t, "zones");
}

static void print_field(const char *label, const char *value) {
        printf("%11s: %s\n", label, value);
}

/* Which users the zone has: its own (and where they are on the host), or the host's. */
static void print_users(const ZoneInfo *i) {
        if (i->private_users < 0)
                return;
        if (!i->private_users)
                print_field("Users", "the host's own (PrivateUsers=no)");
        else if (i->uid_range == 0)
                print_field("Users", "its own, no host id range yet (zoned's pool is full)");
        else
                printf("%11s: its own, 0-%" PRIu32 " = host ids %" PRIu32 "-%" PRIu64 "\n", "Users",
                       i->uid_range - 1, i->uid_shift, (uint64_t) i->uid_shift + i->uid_range - 1);
}

static void print_zone_info(const ZoneInfo *i) {
        char ts[FORMAT_TIMESTAMP_MAX];

        printf("%s\n", strna(i->name));
        print_field("State", strna(i->state));
        print_field("Brand", strna(i->brand));
        print_field("Template", strna(i->template));
        print_field("Storage", strna(i->storage));
        if (i->leader > 0) {
                _cleanup_free_ char *path = NULL, *comm = NULL;

                /* The init's name, as a hint; the zone's pid namespace is not ours, so only the host pid. */
                if (asprintf(&path, "/proc/%" PRIu32 "/comm", i->leader) >= 0 &&
                    read_full_file(path, 256, &comm) >= 0 && comm[0]) {
                        comm[strcspn(comm, "\n")] = 0;
                        printf("%11s: %" PRIu32 " (%s)\n", "Leader", i->leader, comm);
                } else
                        printf("%11s: %" PRIu32 "\n", "Leader", i->leader);
        }
        if (i->since > 0 && format_timestamp_relative(ts, i->since, now_usec(CLOCK_REALTIME)))
                print_field("Since", ts);
        if (i->autoboot >= 0)
                print_field("Autoboot", i->autoboot ? "yes" : "no");
        print_users(i);
        if (i->nesting > 0)
                print_field("Nesting", "yes: container managers can run in it (zoned.zone(5), NESTING)");
        if (i->device_allow && i->device_allow[0]) {
                printf("%11s:", "Devices");
                for (char **d = i->device_allow; *d; d++)
                        printf(" %s", *d);
                putchar('\n');
        }
        if (!isempty(i->status_text))
                print_field("Status", i->status_text);
}

static int show_zones(int argc, char *argv[], Client *c, bool json);

int verb_status(int argc, char *argv[], Client *c) {
        int ret = 0;

        /* For programs: every property, as show --json gives them. */
        if (arg_json)
                return show_zones(argc, argv, c, true);
        for (int k = 1; k < argc; k++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(zone_info_done) ZoneInfo info = ZONE_INFO_NULL;
                _cleanup_free_ char *path = NULL;
                int r;

                r = zone_get_path(c, argv[k], &path, &error);
                if (r >= 0)
                        r = zone_info_fetch(c, path, &info, &error);
                if (r < 0) {
                        ret = cli_bus_error(&error, r, "cannot get the status of zone \"%s\"", argv[k]);
                        continue;
                }
                if (k > 1)
                        putchar('\n');
                print_zone_info(&info);
                print_zone_network(c, path);
                print_zone_resources(c, path);
        }
        return ret;
}

static bool property_wanted(const char *name) {
        if (!arg_property)
                return true;
        for (char **p = arg_property; *p; p++)
                if (streq(*p, name))
                        return true;
        return false;
}

static int show_properties(sd_bus_message *reply) {
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                _cleanup_free_ char *value = NULL;
                const char *name;

                r = sd_bus_message_read_basic(reply, 's', &name);
                if (r < 0)
                        return r;
                if (!property_wanted(name))
                        r = sd_bus_message_skip(reply, "v");
                else {
                        r = bus_variant_to_string(reply, &value);
                        if (r == -EOPNOTSUPP)
                                r = 0; /* not printable as a line */
                        else if (r >= 0 && arg_value)
                                printf("%s\n", value);
                        else if (r >= 0)
                                printf("%s=%s\n", name, value);
                }
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

/* --json: the properties (those of -p) as one JSON object on one line (bus-json.h). Written to
 * memory first: a reply that does not read leaves no half object on stdout. */
static int show_properties_json(sd_bus_message *reply) {
        _cleanup_free_ char *text = NULL;
        bool first = true;
        size_t n = 0;
        FILE *f;
        int r;

        f = open_memstream(&text, &n);
        if (!f)
                return -ENOMEM;
        fputc('{', f);
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *name;

                r = sd_bus_message_read_basic(reply, 's', &name);
                if (r >= 0 && !property_wanted(name))
                        r = sd_bus_message_skip(reply, "v");
                else if (r >= 0) {
                        _cleanup_free_ char *key = json_escape(name);

                        if (!key) {
                                r = -ENOMEM;
                                break;
                        }
                        fprintf(f, "%s%s:", first ? "" : ",", key);
                        first = false;
                        r = bus_write_json_value(reply, f);
                }
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        fputs("}\n", f);
        fclose(f);
        if (r < 0)
                return r;
        fputs(text, stdout);
        return 0;
}

/* The Zone object's properties of each zone named: as lines (show), or as JSON (show --json and
 * status --json). */
static int show_zones(int argc, char *argv[], Client *c, bool json) {
        int ret = 0;

        for (int k = 1; k < argc; k++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                _cleanup_free_ char *path = NULL;
                int r;

                r = zone_get_path(c, argv[k], &path, &error);
                if (r >= 0)
                        r = client_call(c, path, "org.freedesktop.DBus.Properties", "GetAll", &error, &reply,
                                        "s", ZONED_ZONE_INTERFACE);
                if (r < 0) {
                        ret = cli_bus_error(&error, r, "cannot get the properties of zone \"%s\"", argv[k]);
                        continue;
                }
                if (k > 1 && !arg_value && !json)
                        putchar('\n');
                r = json ? show_properties_json(reply) : show_properties(reply);
                if (r < 0)
                        ret = cli_error_errno(r, "cannot read the properties of zone \"%s\": %m", argv[k]);
        }
        return ret;
}

int verb_show(int argc, char *argv[], Client *c) {
        return show_zones(argc, argv, c, arg_json);
}

static int log_create_wait_error(int r, const ZoneWait *w) {
        switch (r) {
        case -EIO:
                return cli_error_errno(r, "zone \"%s\" could not be created: %s", w->name,
                                       isempty(w->info.status_text) ? strna(w->info.state)
                                                                    : w->info.status_text);
        case -EIDRM:
                return cli_error_errno(r, "zone \"%s\" could not be created: it was removed", w->name);
        case -ECONNRESET:
                return cli_error_errno(r, "zoned went away while creating zone \"%s\"", w->name);
        case -ETIME:
                return cli_error_errno(r, "timed out waiting for the creation of zone \"%s\"", w->name);
        default:
                return cli_error_errno(r, "cannot follow zone \"%s\": %m", w->name);
        }
}

/* zoned may answer CreateZone only once the copy is done: no short method timeout for a copy. */
/* Whether create makes a disk image (--disk=): CreateZone answers once it is made. */
static bool limits_have_disk(void) {
        for (char **l = arg_limits; l && *l; l++)
                if (strncmp(*l, "disk=", strlen("disk=")) == 0)
                        return true;
        return false;
}

static int call_create_zone(Client *c, const char *name, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, c->destination, ZONED_MANAGER_PATH,
                                           ZONED_MANAGER_INTERFACE, "CreateZone");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", name, arg_template);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && arg_copy)
                r = sd_bus_message_append(m, "{sv}", "copy", "b", 1);
        if (r >= 0 && arg_private_users >= 0)
                r = sd_bus_message_append(m, "{sv}", "PrivateUsers", "b", arg_private_users);
        if (r >= 0 && arg_nesting >= 0)
                r = sd_bus_message_append(m, "{sv}", "Nesting", "b", arg_nesting);
        if (r >= 0 && arg_brand)
                r = sd_bus_message_append(m, "{sv}", "Brand", "s", arg_brand);
        if (r >= 0)
                r = bus_append_strv_option(m, "DeviceAllow", arg_devices);
        for (char **l = arg_limits; r >= 0 && l && *l; l++)
                if (limits_append(m, *l) < 0)
                        return -EINVAL; /* said why */
        if (r >= 0)
                r = network_append_create_options(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        /* A copy, or a disk image to make: the answer comes when it is done. */
        return sd_bus_call(c->bus, m, arg_copy || limits_have_disk() ? arg_timeout_usec : 0, error, NULL);
}

int verb_create(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(zone_wait_done) ZoneWait w = ZONE_WAIT_NULL;
        _cleanup_free_ char *path = NULL;
        const char *name = argv[1];
        int r;

        /* A copy keeps the zone "creating" until it is done: follow it, subscribed before the call. */
        if (arg_copy && arg_block) {
                r = sd_bus_path_encode(ZONED_ZONE_PATH_PREFIX, name, &path);
                if (r < 0)
                        return cli_error_errno(r, "cannot make the object path of zone \"%s\": %m", name);
                r = zone_wait_prepare(&w, c, name, path, ZONE_GOAL_CREATED, &error);
                if (r < 0)
                        return cli_bus_error(&error, r, "cannot watch zone \"%s\"", name);
        }
        r = call_create_zone(c, name, &error);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot create zone \"%s\"", name);
        if (!arg_copy || !arg_block)
                return 0;
        r = zone_wait_run(&w, timeout_deadline());
        if (r < 0)
                return log_create_wait_error(r, &w);
        return 0;
}

int verb_remove(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(zone_wait_done) ZoneWait w = ZONE_WAIT_NULL;
        int r;

        if (arg_block) {
                r = zone_wait_prepare(&w, c, argv[1], NULL, ZONE_GOAL_REMOVED, &error);
                if (r < 0)
                        return cli_bus_error(&error, r, "cannot look up zone \"%s\"", argv[1]);
        }
        r = manager_call(c, "RemoveZone", &error, NULL, "s", argv[1]);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot remove zone \"%s\"", argv[1]);
        if (!arg_block)
                return 0;
        /* Done once the zone object is gone (ZoneRemoved, or no such zone any more). */
        r = zone_wait_run(&w, timeout_deadline());
        if (r == -ECONNRESET)
                return cli_error_errno(r, "zoned went away while removing zone \"%s\"", argv[1]);
        if (r == -ETIME)
                return cli_error_errno(r, "timed out waiting for the removal of zone \"%s\"", argv[1]);
        if (r < 0)
                return cli_error_errno(r, "cannot follow the removal of zone \"%s\": %m", argv[1]);
        return 0;
}

int verb_kill(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = manager_call(c, "KillZone", &error, NULL, "ssi", argv[1], arg_kill_whom, (int32_t) arg_signal);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot send a signal to zone \"%s\"", argv[1]);
        return 0;
}

/* enable and disable: Autoboot of each zone named, kept in its file; nothing boots or stops now.
 * Each name is tried; the exit status is that of the last failure. */
static int set_autoboot(int argc, char *argv[], Client *c, bool autoboot) {
        int ret = 0;

        for (int k = 1; k < argc; k++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r = manager_call(c, "SetZoneAutoboot", &error, NULL, "sb", argv[k], autoboot);

                if (r < 0)
                        ret = cli_bus_error(&error, r, "cannot %s zone \"%s\"",
                                            autoboot ? "enable" : "disable", argv[k]);
        }
        return ret;
}

int verb_enable(int argc, char *argv[], Client *c) {
        return set_autoboot(argc, argv, c, true);
}

int verb_disable(int argc, char *argv[], Client *c) {
        return set_autoboot(argc, argv, c, false);
}

/* The most a zone file may hold (zoned's INI_FILE_MAX). */
#define ZONE_FILE_MAX (1024U * 1024U)

/* verify FILE...: each file checked by zoned as it loads a zone file (VerifyZoneFile), nothing
 * written; "FILE:LINE: what" for a bad one. */
int verb_verify(int argc, char *argv[], Client *c) {
        int ret = 0;

        for (int k = 1; k < argc; k++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *text = NULL;
                int r;

                r = read_full_file(argv[k], ZONE_FILE_MAX, &text);
                if (r == -EFBIG)
                        r = cli_error_errno(r, "%s: larger than %u bytes", argv[k], ZONE_FILE_MAX);
                else if (r < 0)
                        r = cli_error_errno(r, "cannot read %s: %m", argv[k]);
                else if (strlen(text) != (size_t) r)
                        r = cli_error_errno(EBADMSG, "%s: file contains a NUL byte", argv[k]);
                else
                        r = manager_call(c, "VerifyZoneFile", &error, NULL, "ss", argv[k], text);
                if (r < 0 && sd_bus_error_is_set(&error))
                        r = cli_bus_error(&error, r, "cannot verify %s", argv[k]);
                if (r < 0)
                        ret = r;
        }
        return ret;
}
