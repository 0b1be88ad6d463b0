/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Who writes a zone's limits: its supervisor. It owns the zone's cgroups (makes them at each boot,
 * removes them after, outlives zoned), so it writes the plan's limits between making them and
 * executing the init, and a live change goes to it as COMMAND=limits (control-proto.h): one
 * writer, which also knows what the next boot of a zone it reboots itself must have. zoned only
 * reads the cgroups' usage figures, which are there for anyone to read. */

#include <inttypes.h>
#include <unistd.h>

#include "bus-errors.h"
#include "log.h"
#include "macro.h"
#include "supervisor-link.h"
#include "zone-config.h"
#include "zone-dbus.h"
#include "zone-disk.h"
#include "zone-limits.h"

#define RUNTIME_LIMITS_FILE "limits"

#define SWAP_LIMITS(a, b)            \
        do {                         \
                ZoneLimits _t = (a); \
                (a) = (b);           \
                (b) = _t;            \
        } while (0)

int zone_limits_effective(Zone *z, ZoneLimits *ret) {
        ZoneLimits l = {}, rt = {};
        int r;

        r = zone_limits_copy(&l, &z->config.limits);
        if (r >= 0)
                r = zone_limits_copy(&rt, &z->runtime_limits);
        if (r < 0) {
                zone_limits_done(&l);
                return r;
        }
        zone_limits_merge(&l, &rt);
        zone_limits_done(&rt);
        *ret = l;
        return 0;
}

/* IO limits get the "MAJ:MIN" of their disk; the default is the one under the zone's storage (its
 * state dir, or zoned's, where it will be, while it is being created). */
static int resolve_devices(Zone *z, ZoneLimits *l, LimitKey *ret_key) {
        g_autofree char *state = zone_state_path(z);

        if (access(state, F_OK) < 0) {
                g_free(state);
                state = g_strdup(z->manager->state_dir);
        }

        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++) {
                char *dev = NULL;
                int r;

                if (!l->v[k].set || !limit_key_is_io(k))
                        continue;
                r = io_device_resolve(l->v[k].text, state, &dev);
                if (r < 0) {
                        *ret_key = k;
                        return r;
                }
                free(l->v[k].text);
                l->v[k].text = dev;
        }
        return 0;
}

int zone_limits_plan(Zone *z, char ***ret) {
        ZoneLimits l = {};
        LimitKey k;
        int r;

        r = zone_limits_copy(&l, &z->config.limits);
        if (r < 0)
                return r;
        limit_value_done(&l.v[LIMIT_DISK_QUOTA]);
        r = resolve_devices(z, &l, &k);
        if (r < 0)
                log_warning_errno(r, "Zone %s: the device of %s: %m", z->name, limit_info(k)->property);
        if (r >= 0)
                r = zone_limits_to_strv(&l, ret);
        zone_limits_done(&l);
        return r;
}

int zone_limit_paths(Zone *z, const CgroupLimitPaths **ret) {
        if (!z->cgroup_paths_found) {
                g_autofree char *cg = zone_cgroup_path(z);
                int r = cgroup_limit_paths_find(cg, NULL, &z->cgroup_paths);

                if (r < 0)
                        return r;
                z->cgroup_paths_found = true;
        }
        *ret = &z->cgroup_paths;
        return 0;
}

void zone_limit_paths_forget(Zone *z) {
        cgroup_limit_paths_done(&z->cgroup_paths);
        z->cgroup_paths_found = false;
}

static bool zone_runs(Zone *z) {
        return z->link &&
               (z->state == ZONE_RUNNING || z->state == ZONE_STARTING || z->state == ZONE_STOPPING);
}

void zone_usage(Zone *z, ZoneUsage *ret) {
        const CgroupLimitPaths *p;

        *ret = ZONE_USAGE_NULL;
        if (!zone_runs(z) || zone_limit_paths(z, &p) < 0)
                return;
        cgroup_usage_read(p, ret);
        /* What the supervisor announced, so that the property and its PropertiesChanged agree. */
        ret->oom_kills = z->oom_kills;
}

int zone_apply_disk_quota(Zone *z, const LimitValue *v, bool runtime, sd_bus_error *error) {
        uint64_t bytes = limit_value_effective(LIMIT_DISK_QUOTA, v);
        int r;

        /* The size of the zone's disk image is its storage's, kept in its file: there is no
         * runtime-only size of a file system. */
        if (runtime)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Zone %s: DiskQuota is the size of its disk, not a runtime limit.",
                                         z->name);
        if (bytes == UINT64_MAX)
                return sd_bus_error_setf(
                        error, SD_BUS_ERROR_INVALID_ARGS,
                        "Zone %s: DiskQuota cannot be removed (infinity): it is the size of "
                        "its disk image.",
                        z->name);
        r = zone_disk_set_quota(z, bytes);
        if (r < 0)
                return zone_disk_set_quota_error(z, r, bytes, error);
        return 0;
}

/* ---- runtime limits, kept in the zone's runtime dir ---- */

static int runtime_save(Zone *z) {
        g_autofree char *rt = zone_runtime_path(z), *path = g_build_filename(rt, RUNTIME_LIMITS_FILE, NULL);
        _cleanup_strv_free_ char **lines = NULL;
        g_autofree char *text = NULL;
        int r;

        r = zone_limits_to_strv(&z->runtime_limits, &lines);
        if (r < 0)
                return r;
        text = g_strjoinv("\n", lines);
        return write_file_replace(path, text, 0600);
}

static void runtime_load(Zone *z) {
        g_autofree char *rt = zone_runtime_path(z), *path = g_build_filename(rt, RUNTIME_LIMITS_FILE, NULL);
        _cleanup_free_ char *text = NULL;

        if (read_full_file(path, 64 * 1024, &text) < 0)
                return;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                (void) zone_limits_parse_assignment(&z->runtime_limits, line);
}

static void emit_limits_changed(Zone *z, const ZoneLimits *which) {
        const char *names[_LIMIT_KEY_MAX + 1] = {};
        size_t n = 0;

        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++)
                if (!which || which->v[k].set)
                        names[n++] = limit_info(k)->property;
        if (n > 0)
                zone_emit_properties_changed(z, names);
}

void zone_limits_free_runtime(Zone *z) {
        zone_limits_done(&z->runtime_limits);
}

/* ---- SetLimits ---- */

/* req's limits become the zone's: in its file (with those runtime ones dropped) or as runtime ones. */
static int commit(Zone *z, const ZoneLimits *req, bool runtime, sd_bus_error *error) {
        g_autofree char *path = zone_config_path(z);
        ZoneLimits next = {}, add = {};
        int r;

        r = zone_limits_copy(&add, req);
        if (r < 0)
                return r;
        if (runtime) {
                zone_limits_merge(&z->runtime_limits, &add);
                if (z->link)
                        (void) runtime_save(z);
                emit_limits_changed(z, req);
                return 0;
        }
        r = zone_limits_copy(&next, &z->config.limits);
        if (r < 0) {
                zone_limits_done(&add);
                return r;
        }
        zone_limits_merge(&next, &add);
        zone_limits_done(&add);
        /* Saved with the new limits; the zone keeps its old ones if that fails. */
        SWAP_LIMITS(z->config.limits, next);
        r = zone_config_save(path, &z->config);
        if (r < 0) {
                SWAP_LIMITS(z->config.limits, next);
                zone_limits_done(&next);
                return sd_bus_error_set_errnof(error, r, "Cannot write the file of zone %s: %m", z->name);
        }
        zone_limits_done(&next);
        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++)
                if (req->v[k].set)
                        limit_value_done(&z->runtime_limits.v[k]);
        if (z->link)
                (void) runtime_save(z);
        emit_limits_changed(z, req);
        return 0;
}

static int set_error_from(sd_bus_error *error, Zone *z, int result, const char *status) {
        const char *why = status ? status : strerror(-result);

        switch (result) {
        case -EOPNOTSUPP:
                return sd_bus_error_setf(error, ZONED_ERROR_NOT_SUPPORTED, "Zone %s: %s.", z->name, why);
        case -EINVAL:
        case -ERANGE:
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Zone %s: %s.", z->name, why);
        case -ESRCH:
                return sd_bus_error_setf(error, ZONED_ERROR_NOT_RUNNING, "Zone %s is not running.", z->name);
        case -EBUSY:
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Zone %s: %s.", z->name, why);
        default:
                return sd_bus_error_set_errnof(error, result, "Zone %s: %s.", z->name, why);
        }
}

typedef struct LimitsCall {
        Manager *manager;
        char *name;
        sd_bus_message *call;
        ZoneLimits req;
        bool runtime;
} LimitsCall;

static void limits_call_free(LimitsCall *c) {
        sd_bus_message_unref(c->call);
        zone_limits_done(&c->req);
        g_free(c->name);
        g_free(c);
}

static void on_reply(int result, const char *status, int *fd, void *userdata) {
        LimitsCall *c = userdata;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        Zone *z = g_hash_table_lookup(c->manager->zones, c->name);
        int r = result;

        if (!z)
                r = sd_bus_error_setf(&error, ZONED_ERROR_NO_SUCH_ZONE, "Zone %s is gone.", c->name);
        else if (r == -ECONNRESET)
                r = sd_bus_error_setf(&error, ZONED_ERROR_NOT_RUNNING, "Zone %s stopped.", z->name);
        else if (r < 0)
                r = set_error_from(&error, z, r, status);
        else
                r = commit(z, &c->req, c->runtime, &error);
        if (r < 0 && !sd_bus_error_is_set(&error))
                sd_bus_error_set_errno(&error, r);
        if (r < 0)
                (void) sd_bus_reply_method_error(c->call, &error);
        else
                (void) sd_bus_reply_method_return(c->call, NULL);
        sd_bus_error_free(&error);
        limits_call_free(c);
}

static int request_text(const ZoneLimits *resolved, bool runtime, char **ret) {
        _cleanup_strv_free_ char **lines = NULL;
        GString *s = g_string_new(runtime ? "RUNTIME=1\n" : "RUNTIME=0\n");
        int r;

        r = zone_limits_to_strv(resolved, &lines);
        if (r < 0) {
                g_string_free(s, TRUE);
                return r;
        }
        for (char **l = lines; *l; l++)
                g_string_append_printf(s, "LIMIT=%s\n", *l);
        *ret = g_string_free(s, FALSE);
        return 0;
}

/* Whether the host can take the limits at all, for a zone that runs or not. */
static int check_host(Zone *z, ZoneLimits *resolved, sd_bus_error *error) {
        const CgroupLimitPaths *p;
        const char *why = NULL;
        LimitKey k = 0;
        int r;

        r = resolve_devices(z, resolved, &k);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Zone %s: the device of %s: %s.",
                                         z->name, limit_info(k)->property, strerror(-r));
        r = zone_limit_paths(z, &p);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot find the cgroup hierarchies: %m");
        r = cgroup_limits_check(p, resolved, zone_limits_cgroup_mask(resolved), &k, &why);
        if (r < 0)
                return sd_bus_error_setf(error, ZONED_ERROR_NOT_SUPPORTED, "Zone %s: limit %s: %s.", z->name,
                                         limit_info(k)->property, why);
        return 0;
}

int zone_limits_check_new(Zone *z, const ZoneLimits *l, sd_bus_error *error) {
        ZoneLimits resolved = {};
        int r;

        r = zone_limits_copy(&resolved, l);
        if (r >= 0)
                r = check_host(z, &resolved, error);
        zone_limits_done(&resolved);
        if (r < 0)
                return r;
        r = zone_limits_copy(&z->config.limits, l);
        if (r < 0)
                return r;
        /* A DiskQuota sized the zone's disk image (zone_create()): it is kept in disk_quota. */
        limit_value_done(&z->config.limits.v[LIMIT_DISK_QUOTA]);
        return 0;
}

int zone_set_limits(Zone *z, ZoneLimits *req, bool runtime, sd_bus_message *call, sd_bus_error *error) {
        g_autofree char *extra = NULL;
        ZoneLimits resolved = {};
        LimitsCall *c;
        int r;

        r = zone_reload_config(z, error);
        if (r < 0)
                return r;
        if (runtime && !zone_runs(z))
                return sd_bus_error_setf(error, ZONED_ERROR_NOT_RUNNING,
                                         "Zone %s is not running: runtime limits need a running zone.",
                                         z->name);
        r = zone_limits_copy(&resolved, req);
        if (r >= 0)
                r = check_host(z, &resolved, error);
        /* The disk last of the checks and first of the changes: a resize the cgroup limits'
         * checks refused would have changed the zone. It is done at once (and saved by
         * zone_disk_set_quota()); the other limits follow. */
        if (r >= 0 && req->v[LIMIT_DISK_QUOTA].set) {
                r = zone_apply_disk_quota(z, &req->v[LIMIT_DISK_QUOTA], runtime, error);
                limit_value_done(&req->v[LIMIT_DISK_QUOTA]);
                limit_value_done(&resolved.v[LIMIT_DISK_QUOTA]);
        }
        if (r >= 0 && zone_runs(z))
                r = request_text(&resolved, runtime, &extra);
        zone_limits_done(&resolved);
        if (r < 0)
                return r;
        if (!zone_runs(z)) {
                r = commit(z, req, false, error);
                return r < 0 ? r : 0;
        }
        c = g_new0(LimitsCall, 1);
        c->manager = z->manager;
        c->name = g_strdup(z->name);
        c->call = sd_bus_message_ref(call);
        c->runtime = runtime;
        c->req = *req;
        *req = (ZoneLimits) {};
        r = supervisor_link_call(z->link, "limits", extra, on_reply, c);
        if (r < 0) {
                *req = c->req;
                c->req = (ZoneLimits) {};
                limits_call_free(c);
                return sd_bus_error_set_errnof(error, r, "Cannot reach the supervisor of zone %s: %m",
                                               z->name);
        }
        return 1;
}

/* ---- OOM kills ---- */

void zone_set_oom_kills(Zone *z, uint64_t n) {
        if (z->oom_kills == n)
                return;
        z->oom_kills = n;
        zone_emit_properties_changed(z, (const char *const[]) { "OOMKills", NULL });
}

void zone_limits_state_changed(Zone *z, ZoneState old) {
        if (z->state == ZONE_RUNNING) {
                /* A zoned that started again learns what was set since the boot. */
                if (old == ZONE_STOPPED && zone_limits_cgroup_mask(&z->runtime_limits) == 0) {
                        runtime_load(z);
                        emit_limits_changed(z, NULL);
                }
                return;
        }
        if (z->state == ZONE_STARTING || z->state == ZONE_STOPPED || z->state == ZONE_FAILED) {
                ZoneLimits gone = z->runtime_limits;

                if (z->state != ZONE_STARTING)
                        zone_set_oom_kills(z, 0);
                z->runtime_limits = (ZoneLimits) {};
                if (zone_limits_cgroup_mask(&gone) != 0 || gone.v[LIMIT_DISK_QUOTA].set) {
                        if (z->link && z->state == ZONE_STARTING)
                                (void) runtime_save(z);
                        emit_limits_changed(z, &gone);
                }
                zone_limits_done(&gone);
        }
}
