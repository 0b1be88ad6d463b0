/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "fd-util.h"
#include "brand.h"
#include "config.h"
#include "log.h"
#include "lxcfs.h"
#include "manager-dbus.h"
#include "network-config.h"
#include "private-bus.h"
#include "seccomp-filter.h"
#include "supervisor-spare.h"
#include "supervisor-spawn.h"
#include "template-definition.h"
#include "template.h"
#include "transfer-dbus.h"
#include "transfer.h"
#include "worker.h"
#include "zone-adopt.h"
#include "zone-dbus.h"
#include "manager-network.h"
#include "zone-network.h"
#include "zone.h"

static void brand_destroy(gpointer b) {
        brand_free(b);
}

static void definition_destroy(gpointer d) {
        template_definition_free(d);
}

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = g_new0(Manager, 1);
        int r;

        m->config_dir = g_strdup(DEFAULT_CONFIG_DIR);
        m->state_dir = g_strdup(DEFAULT_STATE_DIR);
        m->runtime_dir = g_strdup(DEFAULT_RUNTIME_DIR);
        m->log_dir = g_strdup(DEFAULT_LOG_DIR);
        m->brands_dir = g_strdup(BRANDS_DIR);
        m->binfmt_dir = g_strdup("/proc/sys/fs/binfmt_misc");
        m->definitions_dir = g_strdup(DEFINITIONS_DIR);
        m->supervisor_path = g_strdup(SUPERVISOR_PATH);
        m->cgroup_root = g_strdup("zoned");
        m->use_system_bus = true;
        m->use_spare_supervisor = true;
        m->lxcfs_path = g_strdup(LXCFS_DEFAULT_PATH);
        m->zones = g_hash_table_new(g_str_hash, g_str_equal);
        m->brands = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, brand_destroy);
        m->definitions = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, definition_destroy);
        m->transfers = g_hash_table_new(g_direct_hash, g_direct_equal);
        m->background = g_ptr_array_new();
        m->uid_pool = (UidPool) { .first = UID_POOL_FIRST_DEFAULT, .last = UID_POOL_LAST_DEFAULT };
        m->reserved_uid_ranges = g_array_new(FALSE, FALSE, sizeof(UidRange));

        r = sd_event_default(&m->event);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        GHashTableIter it;
        gpointer v;

        if (!m)
                return NULL;
        /* Zones are only forgotten here: their supervisors keep running. */
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;
                z->manager = NULL;
                zone_free(z);
        }
        g_hash_table_unref(m->zones);
        g_hash_table_iter_init(&it, m->transfers);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Transfer *t = v;
                t->manager = NULL;
                transfer_free(t);
        }
        g_hash_table_unref(m->transfers);
        g_hash_table_unref(m->brands);
        g_hash_table_unref(m->definitions);
        for (guint i = 0; i < m->background->len; i++)
                worker_free(m->background->pdata[i]);
        g_ptr_array_unref(m->background);
        spare_supervisor_done(m);
        supervisor_reaper_done(m);
        g_array_unref(m->reserved_uid_ranges);
        private_bus_close_all(m);
        sd_bus_flush_close_unref(m->system_bus);
        sd_event_unref(m->event);
        g_free(m->config_dir);
        g_free(m->state_dir);
        g_free(m->runtime_dir);
        g_free(m->log_dir);
        g_free(m->brands_dir);
        g_free(m->binfmt_dir);
        g_free(m->definitions_dir);
        g_free(m->supervisor_path);
        g_free(m->cgroup_root);
        g_free(m->lxcfs_path);
        network_config_free(m->network_config);
        g_free(m);
        return NULL;
}

char *manager_templates_dir(Manager *m) {
        return g_build_filename(m->state_dir, ".templates", NULL);
}

char *manager_seccomp_filter_path(Manager *m) {
        return g_build_filename(m->runtime_dir, "seccomp-filter.bpf", NULL);
}

/* Compiled once per start of zoned; zones booted from now on load this one (see seccomp-filter.h). */
static int manager_write_seccomp_filter(Manager *m) {
        g_autofree char *path = manager_seccomp_filter_path(m);
        int r;

        r = seccomp_filter_write(path);
        if (r < 0)
                return log_error_errno(r, "Cannot write the zones' system call filter %s: %m", path);
        return 0;
}

static void background_done(Worker *w, int result, void *userdata) {
        Manager *m = userdata;

        if (result < 0)
                log_warning_errno(result, "Removing a trash directory failed: %m");
        g_ptr_array_remove(m->background, w);
        worker_free(w);
}

static int remove_run(void *userdata) {
        int r;

        r = close_all_fds_except(NULL, 0);
        if (r < 0)
                return r;
        return rm_rf(userdata);
}

int manager_remove_in_background(Manager *m, const char *path) {
        g_autofree char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path), *trash = NULL;
        Worker *w;
        int r;

        trash = g_strdup_printf("%s/.trash-%s-%08x", dir, base[0] == '.' ? base + 1 : base, g_random_int());
        if (rename(path, trash) < 0)
                return errno == ENOENT ? 0 : -errno;
        r = worker_spawn(m->event, "removal", remove_run, trash, background_done, m, &w);
        if (r < 0)
                return r;
        g_ptr_array_add(m->background, w);
        return 0;
}

/* Leftovers of a zoned that died mid-work: temp and trash dirs. */
static void manager_clean_leftovers(Manager *m) {
        g_autofree char *templates = manager_templates_dir(m);
        const char *dirs[] = { m->state_dir, templates };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                g_autoptr(GDir) d = g_dir_open(dirs[i], 0, NULL);
                const char *fn;

                while (d && (fn = g_dir_read_name(d))) {
                        g_autofree char *p = NULL;
                        if (!g_str_has_prefix(fn, ".tmp-") && !g_str_has_prefix(fn, ".trash-"))
                                continue;
                        p = g_build_filename(dirs[i], fn, NULL);
                        log_info("Removing %s, left by a transfer or removal that was cut short.", p);
                        r = manager_remove_in_background(m, p);
                        if (r < 0)
                                log_warning_errno(r, "Cannot remove %s: %m", p);
                }
        }
}

static int manager_make_dirs(Manager *m) {
        g_autofree char *templates = manager_templates_dir(m), *zones_rt = NULL;
        const struct {
                const char *path;
                mode_t mode;
        } dirs[] = {
                { m->config_dir, 0755 },  { m->state_dir, 0700 }, { templates, 0700 },
                { m->runtime_dir, 0755 }, { m->log_dir, 0750 },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                r = mkdir_parents_and_self(dirs[i].path, dirs[i].mode);
                if (r < 0)
                        return log_error_errno(r, "Cannot create %s: %m", dirs[i].path);
        }
        zones_rt = g_build_filename(m->runtime_dir, "zones", NULL);
        r = mkdir_parents_and_self(zones_rt, 0700);
        if (r < 0)
                return log_error_errno(r, "Cannot create %s: %m", zones_rt);
        return 0;
}

static int manager_load_brands(Manager *m) {
        g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
        int r;

        r = brand_load_dir(m->brands_dir, m->brands, errors);
        if (r < 0)
                log_warning_errno(r, "Cannot read brands from %s: %m", m->brands_dir);
        for (guint i = 0; i < errors->len; i++)
                log_error("Ignoring brand: %s", (char *) errors->pdata[i]);
        log_info("Loaded %u brands from %s.", g_hash_table_size(m->brands), m->brands_dir);
        return 0;
}

static void manager_load_definitions(Manager *m) {
        g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
        int r;

        r = template_definition_load_dir(m->definitions_dir, m->definitions, errors);
        if (r < 0)
                log_warning_errno(r, "Cannot read template definitions from %s: %m", m->definitions_dir);
        for (guint i = 0; i < errors->len; i++)
                log_error("Ignoring template definition: %s", (char *) errors->pdata[i]);
        log_info("Loaded %u template definitions from %s.", g_hash_table_size(m->definitions),
                 m->definitions_dir);
}

static int manager_connect_system_bus(Manager *m) {
        int r;

        if (!m->use_system_bus)
                return 0;
        r = sd_bus_open_system(&m->system_bus);
        if (r < 0) {
                log_notice_errno(r, "No system bus (%m); serving the private socket only.");
                return 0;
        }
        r = manager_register_objects(m, m->system_bus);
        if (r < 0)
                return log_error_errno(r, "Cannot register objects on the system bus: %m");
        r = sd_bus_request_name(m->system_bus, "org.zoned1", 0);
        if (r < 0)
                return log_error_errno(r, "Cannot take the name org.zoned1 on the system bus: %m");
        r = sd_bus_attach_event(m->system_bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Cannot attach the system bus to the event loop: %m");
        return 0;
}

int manager_register_objects(Manager *m, sd_bus *bus) {
        int r;

        r = manager_dbus_register(m, bus);
        if (r < 0)
                return r;
        r = zone_dbus_register(m, bus);
        if (r < 0)
                return r;
        r = transfer_dbus_register(m, bus);
        if (r < 0)
                return r;
        return sd_bus_add_object_manager(bus, NULL, "/org/zoned1");
}

void manager_foreach_bus(Manager *m, manager_bus_func f, void *userdata) {
        if (!m)
                return;
        if (m->system_bus)
                f(m->system_bus, userdata);
        private_bus_foreach(m, f, userdata);
}

/* Autoboot zones come up once per host boot, not at every start of zoned:
 * the boot id of the last autoboot is kept in the runtime dir (which need
 * not be a tmpfs). */
static void manager_autoboot(Manager *m) {
        g_autofree char *marker = g_build_filename(m->runtime_dir, "autoboot-boot-id", NULL);
        g_autofree char *boot_id = NULL, *done = NULL;
        GHashTableIter it;
        gpointer v;
        int r;

        if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL))
                return;
        if (g_file_get_contents(marker, &done, NULL, NULL) && streq(done, boot_id))
                return;
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                Zone *z = v;

                if (!z->config.autoboot || (z->state != ZONE_STOPPED && z->state != ZONE_FAILED))
                        continue;
                r = zone_boot(z, &error);
                if (r < 0)
                        log_error_errno(r, "Autoboot of zone %s failed: %s", z->name, error.message);
                else
                        log_info("Zone %s: autoboot.", z->name);
        }
        r = write_file_atomic(marker, boot_id, 0644);
        if (r < 0)
                log_warning_errno(r, "Cannot write %s: %m", marker);
}

int manager_startup(Manager *m) {
        int r;

        r = manager_make_dirs(m);
        if (r < 0)
                return r;
        manager_clean_leftovers(m);
        lxcfs_startup(m);
        r = manager_write_seccomp_filter(m);
        if (r < 0)
                return r;
        r = manager_load_brands(m);
        if (r < 0)
                return r;
        manager_load_definitions(m);
        /* Zones first (re-adopting running ones), then the bus: the first
         * caller already sees the true state of every zone whose supervisor
         * answers at once; a slow one's zone is "starting" until it does. */
        r = zone_load_all(m);
        if (r < 0)
                return r;
        zone_adopt_settle(m);
        (void) manager_network_refresh(m); /* also after a zoned that was killed */
        lxcfs_revive(m);
        log_info("Loaded %u zones from %s.", g_hash_table_size(m->zones), m->config_dir);
        r = private_bus_listen(m);
        if (r < 0)
                return log_error_errno(r, "Cannot listen on the private socket in %s: %m", m->runtime_dir);
        r = manager_connect_system_bus(m);
        if (r < 0)
                return r;
        manager_autoboot(m);
        spare_supervisor_clean_leftovers(m);
        spare_supervisor_schedule(m, 0);
        return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        log_info("Received SIG%s, exiting; zones keep running.", sigabbrev_np((int) si->ssi_signo));
        return sd_event_exit(m->event, 0);
}

/* Before any other pending event: busy clients must not delay the exit. */
static int manager_add_exit_signal(Manager *m, int sig) {
        sd_event_source *s = NULL;
        int r;

        r = sd_event_add_signal(m->event, &s, sig, on_exit_signal, m);
        if (r < 0)
                return r;
        r = sd_event_source_set_priority(s, SD_EVENT_PRIORITY_IMPORTANT);
        if (r >= 0)
                r = sd_event_source_set_floating(s, 1);
        sd_event_source_unref(s);
        return r;
}

int manager_run(Manager *m) {
        int r;

        r = manager_add_exit_signal(m, SIGTERM);
        if (r < 0)
                return r;
        r = manager_add_exit_signal(m, SIGINT);
        if (r < 0)
                return r;
        (void) sd_notify(false, "READY=1\nSTATUS=Serving zones.");
        r = sd_event_loop(m->event);
        (void) sd_notify(false, "STOPPING=1");
        lxcfs_stop_if_unused(m);
        return r;
}
