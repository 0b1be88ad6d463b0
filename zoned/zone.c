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
#include "runtime-lock.h"
#include "worker.h"
#include "zone-adopt.h"
#include "zone-clean-up.h"
#include "zone-dbus.h"
#include "zone-limits.h"
#include "manager-network.h"
#include "zone-network.h"
#include "zone-userns.h"
#include "zone.h"

Zone *zone_free(Zone *z) {
        if (!z)
                return NULL;
        if (z->manager && z->name)
                g_hash_table_steal(z->manager->zones, z->name);
        supervisor_link_free(z->link);
        zone_clean_up_free(z->clean_up);
        sd_event_source_disable_unref(z->adopt_retry);
        zone_limits_free_runtime(z);
        zone_limit_paths_forget(z);
        worker_free(z->worker);
        sd_bus_message_unref(z->create_call);
        zone_config_done(&z->config);
        g_free(z->config_error);
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

char *zone_cgroup_path(Zone *z) {
        return g_build_filename(z->manager->cgroup_root, z->name, NULL);
}

int zone_runtime_dir_remove(Zone *z) {
        g_autofree char *rt = zone_runtime_path(z);
        _cleanup_close_ int lock = -EBADF;
        int r;

        r = runtime_dir_lock(rt, &lock);
        if (r == -EBUSY || r == -ENOENT)
                return r == -EBUSY ? r : 0;
        return rm_rf(rt);
}

static uint64_t now_realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

void zone_set_runtime(Zone *z, ZoneState state, uint32_t leader, uint64_t since, const char *status) {
        const char *changed[5] = {};
        ZoneState old = z->state;
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
        if (old != state)
                zone_limits_state_changed(z, old);
        /* The host's rules take a bridged zone that starts, and let go of one that ended; its
         * bridge goes once no zone is on it. */
        if (old != state && (state == ZONE_STARTING || state == ZONE_STOPPED || state == ZONE_FAILED) &&
            z->config.network.mode == NETWORK_BRIDGE)
                (void) manager_network_refresh(z->manager);
}

/* A zone file that does not load keeps its host id range taken: it is still someone's zone. */
static void reserve_uid_range(Manager *m, const char *path) {
        UidRange r = {};
        uint32_t shift, range;

        zone_config_peek_uid_range(path, &shift, &range);
        if (range == 0)
                return;
        r.start = shift;
        r.size = range;
        g_array_append_val(m->reserved_uid_ranges, r);
}

/* A zone file that does not load: the zone is skipped, unless its supervisor runs (or left
 * something to clean up). A zone that runs stays reachable, with what can be read of its file,
 * so that it can be stopped; it boots again once the file loads (zone_reload_config()). */
static int zone_load_broken(Zone *z, const char *path, const char *error) {
        Manager *m = z->manager;

        zone_config_salvage(path, &z->config);
        z->config_error = g_strdup(error);
        /* As any zone is adopted: also a supervisor that does not answer yet is one that runs. */
        zone_adopt(z);
        if (!z->link && !z->adopt_retry && !z->clean_up) {
                log_error("Skipping zone %s: %s", z->name, error);
                zone_free(z);
                reserve_uid_range(m, path);
                return -EBADMSG;
        }
        log_error("Zone %s runs, but its file does not load: %s. zoned keeps the zone so that it can be "
                  "stopped; it does not boot again until the file is fixed.",
                  z->name, error);
        return 0;
}

static int zone_load_one(Manager *m, const char *path, const char *name) {
        g_autofree char *error = NULL;
        Zone *z;
        int r;

        r = zone_new(m, name, &z);
        if (r < 0)
                return log_error_errno(r, "Cannot load zone %s from %s: %m", name, path);
        r = zone_config_load(path, &z->config, &error);
        if (r < 0)
                return zone_load_broken(z, path, error ?: strerror(-r));
        if (zone_storage_is_incomplete(z))
                zone_set_runtime(z, ZONE_FAILED, 0, 0,
                                 "The zone's copy of its template is incomplete (creation was interrupted); "
                                 "remove the zone and create it again.");
        zone_adopt(z);
        return 0;
}

int zone_reload_config(Zone *z, sd_bus_error *error) {
        static const char *const changed[] = { "Brand",        "Template", "Storage",  "Autoboot",
                                               "PrivateUsers", "UIDShift", "UIDRange", NULL };
        g_autofree char *path = NULL, *why = NULL;
        ZoneConfig c = {};
        int r;

        if (!z->config_error)
                return 0;
        path = zone_config_path(z);
        r = zone_config_load(path, &c, &why);
        if (r < 0)
                return sd_bus_error_setf(error, ZONED_ERROR_BAD_ZONE_FILE,
                                         "The file of zone %s does not load: %s", z->name,
                                         why ?: strerror(-r));
        zone_config_done(&z->config);
        z->config = c;
        g_clear_pointer(&z->config_error, g_free);
        log_info("Zone %s: its file loads again.", z->name);
        zone_emit_properties_changed(z, changed);
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
