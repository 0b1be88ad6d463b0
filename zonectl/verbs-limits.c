/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* set, top, and the limits of create and status. */

#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "cli-error.h"
#include "limit-table.h"
#include "table.h"
#include "zone-info.h"
#include "zonectl.h"

/* "memory=512M" (or "MemoryMax=512M") → an a{sv} entry of the limit's D-Bus type; the value is
 * checked here first, for an error that names it. IO limits on another device go as text. */
int limits_append(sd_bus_message *m, const char *assignment) {
        _cleanup_free_ char *key = NULL;
        const char *eq = strchr(assignment, '=');
        LimitValue v = {};
        const LimitInfo *info;
        LimitKey k;
        int r;

        if (!eq)
                return cli_error_errno(EINVAL, "\"%s\" is not KEY=VALUE", assignment);
        key = strndup(assignment, (size_t) (eq - assignment));
        if (!key)
                return cli_error_errno(ENOMEM, "out of memory");
        k = limit_key_from_any(key);
        if (k < 0)
                return cli_error_errno(EINVAL, "unknown key \"%s\" (see zonectl(1) for the keys of set)",
                                       key);
        info = limit_info(k);
        r = limit_parse(k, eq + 1, &v);
        if (r < 0)
                return cli_error_errno(EINVAL, "invalid value \"%s\" for %s", eq + 1, info->cli);
        if (streq(info->dbus_type, "s") || v.text)
                r = sd_bus_message_append(m, "{sv}", info->property, "s", eq + 1);
        else
                r = sd_bus_message_append(m, "{sv}", info->property, "t", v.value);
        limit_value_done(&v);
        return r < 0 ? cli_error_errno(r, "cannot build the call: %m") : 0;
}

/* The network keys go to SetZoneNetwork (verbs-network.c), the limits to SetZoneLimits; every
 * key is checked before either is called. */
/* "brand=NAME": the zone's brand, set on its own call (SetZoneBrand), before the other keys. */
static const char *brand_assignment(const char *assignment) {
        return strncmp(assignment, "brand=", strlen("brand=")) == 0 ? assignment + strlen("brand=") : NULL;
}

static int brand_set(Client *c, const char *name, const char *brand) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = manager_call(c, "SetZoneBrand", &error, NULL, "ss", name, brand);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot set the brand of zone \"%s\"", name);
        return 0;
}

int verb_set(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *brand = NULL;
        size_t n_limits = 0, n_other = 0;
        int r;

        for (int k = 2; k < argc; k++)
                if (brand_assignment(argv[k])) {
                        if (brand)
                                return cli_error_errno(EINVAL, "brand= is given twice");
                        brand = brand_assignment(argv[k]);
                        if (!*brand)
                                return cli_error_errno(EINVAL, "brand= needs the name of a brand");
                }
        r = network_check(argv + 2, (size_t) argc - 2, false);
        if (r < 0)
                return r;
        for (int k = 2; k < argc; k++)
                if (brand_assignment(argv[k]))
                        n_other++;
                else if (network_assignment(argv[k]))
                        n_other++;
                else
                        n_limits++;
        if (n_other > 0 && arg_runtime)
                return cli_error_errno(EINVAL,
                                       "--runtime applies to limits only, not to network keys or brand=");
        r = sd_bus_message_new_method_call(c->bus, &m, c->destination, ZONED_MANAGER_PATH,
                                           ZONED_MANAGER_INTERFACE, "SetZoneLimits");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[1]);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return cli_error_errno(r, "cannot build the call: %m");
        for (int k = 2; k < argc; k++) {
                if (network_assignment(argv[k]) || brand_assignment(argv[k]))
                        continue;
                r = limits_append(m, argv[k]);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "b", arg_runtime);
        if (r < 0)
                return cli_error_errno(r, "cannot build the call: %m");
        /* Every key was checked: now the brand (a running zone refuses it before anything changed). */
        if (brand) {
                r = brand_set(c, argv[1], brand);
                if (r < 0)
                        return r;
        }
        r = network_set(c, argv[1], argv + 2, (size_t) argc - 2, false);
        if (r < 0 || n_limits == 0)
                return r < 0 ? r : 0;
        r = sd_bus_call(c->bus, m, 0, &error, NULL);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot set the limits of zone \"%s\"", argv[1]);
        return 0;
}

/* ---- usage ---- */

typedef struct Resources {
        uint64_t memory, memory_peak, memory_max, cpu_nsec, cpu_quota, tasks, tasks_max, io_read, io_write,
                oom_kills, disk_usage, disk_quota;
        char *cpus;
} Resources;

static void resources_done(Resources *r) {
        free(r->cpus);
}

static int resources_fetch(Client *c, const char *path, Resources *ret) {
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
                { "MemoryCurrent", offsetof(Resources, memory) },
                { "MemoryPeak", offsetof(Resources, memory_peak) },
                { "MemoryMax", offsetof(Resources, memory_max) },
                { "CPUUsageNSec", offsetof(Resources, cpu_nsec) },
                { "CPUQuotaPerSecUSec", offsetof(Resources, cpu_quota) },
                { "TasksCurrent", offsetof(Resources, tasks) },
                { "TasksMax", offsetof(Resources, tasks_max) },
                { "IOReadBytes", offsetof(Resources, io_read) },
                { "IOWriteBytes", offsetof(Resources, io_write) },
                { "OOMKills", offsetof(Resources, oom_kills) },
                { "DiskUsage", offsetof(Resources, disk_usage) },
                { "DiskQuota", offsetof(Resources, disk_quota) },
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Resources res = {};
        int r;

        memset(&res, 0xff, offsetof(Resources, cpus));
        r = client_call(c, path, "org.freedesktop.DBus.Properties", "GetAll", NULL, &reply, "s",
                        ZONED_ZONE_INTERFACE);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *name, *s;
                bool done = false;

                r = sd_bus_message_read(reply, "s", &name);
                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fields) && !done; i++)
                        if (streq(fields[i].name, name)) {
                                r = sd_bus_message_read(reply, "v", "t",
                                                        (uint64_t *) ((uint8_t *) &res + fields[i].offset));
                                done = true;
                        }
                if (r >= 0 && !done && streq(name, "AllowedCPUs")) {
                        r = sd_bus_message_read(reply, "v", "s", &s);
                        if (r >= 0 && !(res.cpus = strdup(s)))
                                r = -ENOMEM;
                } else if (r >= 0 && !done)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0) {
                resources_done(&res);
                return r;
        }
        *ret = res;
        return 0;
}

/* "12.5M" or "-" (unknown); "infinity" for no limit when limit. */
static void format_bytes(char *buf, size_t size, uint64_t v, bool limit) {
        _cleanup_free_ char *s = NULL;

        if (v == UINT64_MAX)
                snprintf(buf, size, "%s", limit ? "infinity" : "-");
        else if (format_size(v, &s) >= 0)
                snprintf(buf, size, "%s", s);
        else
                snprintf(buf, size, "%" PRIu64, v);
}

static void format_count(char *buf, size_t size, uint64_t v, bool limit) {
        if (v == UINT64_MAX)
                snprintf(buf, size, "%s", limit ? "infinity" : "-");
        else
                snprintf(buf, size, "%" PRIu64, v);
}

void print_zone_resources(Client *c, const char *path) {
        _cleanup_(resources_done) Resources res = {};
        char a[32], b[32], d[32];

        if (resources_fetch(c, path, &res) < 0)
                return;
        format_bytes(a, sizeof(a), res.memory, false);
        format_bytes(b, sizeof(b), res.memory_max, true);
        format_bytes(d, sizeof(d), res.memory_peak, false);
        printf("%11s: %s (limit %s, peak %s)\n", "Memory", a, b, d);
        if (res.cpu_nsec != UINT64_MAX)
                snprintf(a, sizeof(a), "%.3fs", (double) res.cpu_nsec / 1e9);
        else
                snprintf(a, sizeof(a), "-");
        if (res.cpu_quota != UINT64_MAX)
                snprintf(b, sizeof(b), "%.4g%%", (double) res.cpu_quota / 10000.0);
        else
                snprintf(b, sizeof(b), "infinity");
        printf("%11s: %s (quota %s, CPUs %s)\n", "CPU", a, b, isempty(res.cpus) ? "all" : res.cpus);
        format_count(a, sizeof(a), res.tasks, false);
        format_count(b, sizeof(b), res.tasks_max, true);
        printf("%11s: %s (limit %s)\n", "Tasks", a, b);
        format_bytes(a, sizeof(a), res.io_read, false);
        format_bytes(b, sizeof(b), res.io_write, false);
        printf("%11s: read %s, written %s\n", "IO", a, b);
        /* A zone without a disk of its own writes into the host's file system: nothing to show. */
        if (res.disk_quota != UINT64_MAX) {
                format_bytes(a, sizeof(a), res.disk_usage, false);
                format_bytes(b, sizeof(b), res.disk_quota, true);
                printf("%11s: %s used of %s\n", "Disk", a, b);
        }
        if (res.oom_kills != UINT64_MAX && res.oom_kills > 0)
                printf("%11s: %" PRIu64 "\n", "OOM kills", res.oom_kills);
}

/* ---- top ---- */

typedef struct TopRow {
        char *name;
        char *path;
        Resources res;
        uint64_t cpu_before; /* CPUUsageNSec of the sample before */
} TopRow;

typedef struct TopSample {
        TopRow *rows;
        size_t n;
        uint64_t when; /* CLOCK_MONOTONIC ns */
} TopSample;

static void top_sample_done(TopSample *s) {
        for (size_t i = 0; i < s->n; i++) {
                free(s->rows[i].name);
                free(s->rows[i].path);
                resources_done(&s->rows[i].res);
        }
        free(s->rows);
        *s = (TopSample) {};
}

static uint64_t now_nsec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* The running zones and their usage. */
static int top_sample(Client *c, TopSample *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name, *state, *brand, *template, *path;
        TopSample s = {};
        int r;

        r = manager_call(c, "ListZones", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list zones");
        s.when = now_nsec();
        r = sd_bus_message_enter_container(reply, 'a', "(sssso)");
        while (r >= 0 &&
               (r = sd_bus_message_read(reply, "(sssso)", &name, &state, &brand, &template, &path)) > 0) {
                TopRow *n;

                if (!streq(state, "running"))
                        continue;
                n = realloc(s.rows, sizeof(TopRow) * (s.n + 1));
                if (!n) {
                        r = -ENOMEM;
                        break;
                }
                s.rows = n;
                s.rows[s.n] = (TopRow) { .name = strdup(name), .path = strdup(path) };
                s.n++;
                if (!s.rows[s.n - 1].name || !s.rows[s.n - 1].path)
                        r = -ENOMEM;
                else if (resources_fetch(c, path, &s.rows[s.n - 1].res) < 0)
                        memset(&s.rows[s.n - 1].res, 0xff, offsetof(Resources, cpus)); /* gone meanwhile */
        }
        if (r < 0) {
                top_sample_done(&s);
                return cli_error_errno(r, "cannot read the list of zones: %m");
        }
        *ret = s;
        return 0;
}

static int top_table(const TopSample *before, const TopSample *now, Table *t) {
        double wall = (double) (now->when - before->when);
        int r = 0;

        for (size_t i = 0; i < now->n && r >= 0; i++) {
                const Resources *res = &now->rows[i].res;
                double cpu = -1;

                for (size_t j = 0; j < before->n; j++)
                        if (streq(before->rows[j].name, now->rows[i].name) && wall > 0 &&
                            res->cpu_nsec != UINT64_MAX && before->rows[j].res.cpu_nsec != UINT64_MAX &&
                            res->cpu_nsec >= before->rows[j].res.cpu_nsec)
                                cpu = (double) (res->cpu_nsec - before->rows[j].res.cpu_nsec) / wall;
                if ((r = table_add_string(t, now->rows[i].name)) < 0 ||
                    (r = table_add_uint(t, res->tasks == UINT64_MAX ? 0 : res->tasks)) < 0 ||
                    (r = table_add_percent(t, cpu)) < 0 ||
                    (r = table_add_size(t, res->memory == UINT64_MAX ? 0 : res->memory)) < 0 ||
                    (r = table_add_size(t, res->memory_max)) < 0 ||
                    (r = table_add_size(t, res->io_read == UINT64_MAX ? 0 : res->io_read)) < 0 ||
                    (r = table_add_size(t, res->io_write == UINT64_MAX ? 0 : res->io_write)) < 0)
                        break;
        }
        return r;
}

static volatile sig_atomic_t top_interrupted = 0;

static void on_interrupt(int sig) {
        top_interrupted = 1;
}

int verb_top(int argc, char *argv[], Client *c) {
        static const TableColumn columns[] = {
                { "NAME", "name", CELL_STRING },
                { "TASKS", "tasks", CELL_UINT },
                { "CPU", "cpu", CELL_PERCENT },
                { "MEMORY", "memory", CELL_SIZE },
                { "LIMIT", "memory_max", CELL_SIZE },
                { "IO-READ", "io_read_bytes", CELL_SIZE },
                { "IO-WRITE", "io_write_bytes", CELL_SIZE },
        };
        /* Columns to sort by: the first ones of the table. */
        static const char *const orders[] = { "name", "tasks", "cpu", "memory" };
        bool tty = isatty(STDOUT_FILENO) && !arg_json;
        unsigned iterations = arg_iterations > 0 ? arg_iterations : tty ? 0 : 1;
        size_t order = 2;
        TopSample before = {}, now = {};
        int r;

        for (size_t i = 0; i < ELEMENTSOF(orders); i++)
                if (arg_order && streq(arg_order, orders[i]))
                        order = i;
        if (arg_order && !streq(arg_order, orders[order]))
                return cli_error_errno(EINVAL, "invalid --order: \"%s\" (name, tasks, cpu or memory)",
                                       arg_order);
        (void) signal(SIGINT, on_interrupt);
        (void) signal(SIGTERM, on_interrupt);
        r = top_sample(c, &before);
        for (unsigned n = 0; r >= 0 && !top_interrupted && (iterations == 0 || n < iterations); n++) {
                _cleanup_table_ Table *t = table_new(columns, ELEMENTSOF(columns));

                /* CPU use is the CPU time between two samples over the time between them. */
                (void) usleep(n == 0 && !tty ? 500000 : 1000000);
                if (top_interrupted)
                        break;
                r = top_sample(c, &now);
                if (r < 0)
                        break;
                if (!t || top_table(&before, &now, t) < 0) {
                        r = cli_error_errno(ENOMEM, "out of memory");
                        break;
                }
                table_sort(t, 0);
                if (order != 0)
                        table_sort_full(t, order, true);
                if (tty)
                        fputs("\033[H\033[2J", stdout);
                r = arg_json ? table_print_json(t, stdout)
                             : table_print(t, stdout, arg_legend, terminal_width());
                fflush(stdout);
                top_sample_done(&before);
                before = now;
                now = (TopSample) {};
        }
        top_sample_done(&before);
        top_sample_done(&now);
        return r < 0 ? r : 0;
}
