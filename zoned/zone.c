/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "brand.h"
#include "bus-errors.h"
#include "launch-plan-build.h"
#include "log.h"
#include "names.h"
#include "supervisor-link.h"
#include "template.h"
#include "tree-copy.h"
#include "worker.h"
#include "zone-dbus.h"
#include "zone-userns.h"
#include "zone.h"

Zone *zone_free(Zone *z) {
        if (!z)
                return NULL;
        if (z->manager && z->name)
                g_hash_table_steal(z->manager->zones, z->name);
        supervisor_link_free(z->link);
        worker_free(z->worker);
        sd_bus_message_unref(z->create_call);
        zone_config_done(&z->config);
        g_free(z->status_text);
        g_free(z->object_path);
        g_free(z->name);
        g_free(z);
        return NULL;
}

int zone_new(Manager *m, const char *name, Zone **ret) {
        _cleanup_(zone_freep) Zone *z = NULL;
        int r;

        if (!zone_name_is_valid(name))
                return -EINVAL;
        if (g_hash_table_contains(m->zones, name))
                return -EEXIST;
        z = g_new0(Zone, 1);
        z->name = g_strdup(name);
        z->state = ZONE_STOPPED;
        r = sd_bus_path_encode(ZONE_OBJECT_PREFIX, name, &z->object_path);
        if (r < 0)
                return r;
        z->manager = m;
        g_hash_table_insert(m->zones, z->name, z);
        *ret = TAKE_PTR(z);
        return 0;
}

char *zone_config_path(Zone *z) {
        g_autofree char *fn = g_strconcat(z->name, ".zone", NULL);
        return g_build_filename(z->manager->config_dir, fn, NULL);
}

char *zone_state_path(Zone *z) {
        return g_build_filename(z->manager->state_dir, z->name, NULL);
}

char *zone_runtime_path(Zone *z) {
        return g_build_filename(z->manager->runtime_dir, "zones", z->name, NULL);
}

static uint64_t now_realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

void zone_set_runtime(Zone *z, ZoneState state, uint32_t leader, uint64_t since, const char *status) {
        const char *changed[5] = {};
        size_t n = 0;

        if (z->state != state) {
                log_info("Zone %s: %s → %s%s%s", z->name, zone_state_to_string(z->state),
                         zone_state_to_string(state), status ? ": " : "", strempty(status));
                z->state = state;
                changed[n++] = "State";
                if (since == 0)
                        since = now_realtime_usec();
        }
        if (since != 0 && z->since != since) {
                z->since = since;
                changed[n++] = "Since";
        }
        if (z->leader != leader) {
                z->leader = leader;
                changed[n++] = "Leader";
        }
        if (status && !streq_ptr(z->status_text, status)) {
                g_free(z->status_text);
                z->status_text = g_strdup(status);
                changed[n++] = "StatusText";
        }
        if (n > 0)
                zone_emit_properties_changed(z, changed);
}

/* A zone file that does not load keeps its host id range taken: it is still someone's zone. */
static void reserve_uid_range(Manager *m, const char *path) {
        UidRange r = {};
        uint32_t shift, range;

        if (zone_config_peek_uid_range(path, &shift, &range) < 0 || range == 0)
                return;
        r.start = shift;
        r.size = range;
        g_array_append_val(m->reserved_uid_ranges, r);
}

static int zone_load_one(Manager *m, const char *path, const char *name) {
        g_autofree char *error = NULL;
        Zone *z;
        int r;

        r = zone_new(m, name, &z);
        if (r < 0)
                return log_error_errno(r, "Cannot load zone %s from %s: %m", name, path);
        r = zone_config_load(path, &z->config, &error);
        if (r < 0) {
                log_error("Skipping zone %s: %s", name, error ? error : strerror(-r));
                zone_free(z);
                reserve_uid_range(m, path);
                return r;
        }
        if (z->config.copy) {
                g_autofree char *state = zone_state_path(z),
                                *rootfs = g_build_filename(state, "rootfs", NULL);
                if (access(rootfs, F_OK) < 0)
                        zone_set_runtime(
                                z, ZONE_FAILED, 0, 0,
                                "The zone's copy of its template is incomplete (creation was interrupted); "
                                "remove the zone and create it again.");
        }
        r = supervisor_link_attach(z, &z->link);
        if (r >= 0)
                log_info("Zone %s: re-adopted its running supervisor.", name);
        else if (r != -ENOENT && r != -ECONNREFUSED)
                log_warning_errno(r, "Zone %s: cannot reach its supervisor, taking it as stopped: %m", name);
        if (r < 0) {
                /* Nothing runs there: a stale runtime dir is a leftover of a crash. */
                g_autofree char *rt = zone_runtime_path(z);
                (void) rm_rf(rt);
        }
        return 0;
}

int zone_load_all(Manager *m) {
        g_autoptr(GDir) d = g_dir_open(m->config_dir, 0, NULL);
        const char *fn;

        while (d && (fn = g_dir_read_name(d))) {
                g_autofree char *name = NULL, *path = NULL;

                if (!g_str_has_suffix(fn, ".zone"))
                        continue;
                name = g_strndup(fn, strlen(fn) - strlen(".zone"));
                if (!zone_name_is_valid(name)) {
                        log_warning("Ignoring %s/%s: not a valid zone name.", m->config_dir, fn);
                        continue;
                }
                path = g_build_filename(m->config_dir, fn, NULL);
                (void) zone_load_one(m, path, name);
        }
        manager_check_uid_ranges(m);
        return 0;
}
