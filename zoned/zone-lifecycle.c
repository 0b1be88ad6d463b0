/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Boot, stop and kill: zoned's side is small, the supervisor does the work. */

#include <signal.h>
#include <sys/stat.h>

#include "binfmt-check.h"
#include "brand.h"
#include "bus-errors.h"
#include "launch-plan-build.h"
#include "log.h"
#include "lxcfs.h"
#include "supervisor-link.h"
#include "supervisor-spare.h"
#include "template-dbus.h"
#include "zone-disk.h"
#include "zone-limits.h"
#include "zone-network.h"
#include "zone-userns.h"
#include "zone.h"

/* A brand of another architecture needs the host to run its binaries (qemu-user's binfmt handler):
 * refused before anything starts, never an init that cannot be executed. */
static int check_architecture(Manager *m, Zone *z, const Brand *b, sd_bus_error *error) {
        g_autofree char *why = NULL;
        int r;

        if (!b->architecture)
                return 0;
        r = binfmt_check_architecture(m->binfmt_dir, b->architecture, &why);
        if (r == -EINVAL)
                return sd_bus_error_setf(
                        error, ZONED_ERROR_NO_EMULATOR,
                        "Brand %s of zone %s is for architecture %s, which zoned does not know.", b->name,
                        z->name, b->architecture);
        if (r < 0)
                return sd_bus_error_setf(
                        error, ZONED_ERROR_NO_EMULATOR,
                        "Brand %s of zone %s runs %s binaries, which this host cannot run: %s. Install "
                        "qemu-user-static and binfmt-support, and register the handler (update-binfmts "
                        "--enable).",
                        b->name, z->name, b->architecture, why);
        return 0;
}

static int zone_check_bootable(Zone *z, sd_bus_error *error, Brand **ret_brand) {
        Manager *m = z->manager;
        Brand *b;
        int r;

        switch (z->state) {
        case ZONE_STOPPED:
        case ZONE_FAILED:
                break;
        case ZONE_CREATING:
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Zone %s is still being created.",
                                         z->name);
        default:
                return sd_bus_error_setf(error, ZONED_ERROR_ALREADY_RUNNING, "Zone %s is already %s.",
                                         z->name, zone_state_to_string(z->state));
        }
        if (z->link)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Zone %s still has a supervisor.",
                                         z->name);
        r = zone_reload_config(z, error);
        if (r < 0)
                return r;
        if (zone_storage_is_incomplete(z))
                return sd_bus_error_setf(
                        error, ZONED_ERROR_ZONE_INCOMPLETE,
                        "The copy of template %s for zone %s was never completed; remove the "
                        "zone and create it again.",
                        z->config.template_name, z->name);
        b = g_hash_table_lookup(m->brands, z->config.brand);
        if (!b)
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND,
                                         "Brand %s of zone %s is not installed.", z->config.brand, z->name);
        r = check_architecture(m, z, b, error);
        if (r < 0)
                return r;
        /* An overlay zone reads its template as its lower layer; a copy zone has its own tree. */
        if (!z->config.copy) {
                r = bus_check_template_usable(m, z->config.template_name, error);
                if (r < 0)
                        return r;
        }
        *ret_brand = b;
        return 0;
}

/* Makes a fresh runtime dir and writes the plan, for the spare supervisor if there is one (its
 * path is on the spare's command line), else into the runtime dir; returns the plan's path. */
static int zone_write_plan(Zone *z, const Brand *b, char **ret_path) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = NULL;
        g_autofree char *rt = zone_runtime_path(z), *path = NULL, *text = NULL, *logdir = NULL;
        int r;

        r = launch_plan_build(z, b, &p);
        if (r < 0)
                return r;
        if (z->config.lxcfs)
                p->lxcfs = lxcfs_ensure(z->manager);
        r = launch_plan_serialize(p, &text);
        if (r < 0)
                return r;
        /* Never the dir of a supervisor that lives on (one zoned lost track of). */
        r = zone_runtime_dir_remove(z);
        if (r == -EBUSY)
                return r;
        r = mkdir_parents_and_self(rt, 0700);
        if (r < 0)
                return r;
        logdir = g_build_filename(z->manager->log_dir, z->name, NULL);
        r = mkdir_parents_and_self(logdir, 0750);
        if (r < 0)
                return r;
        /* The overlay's dirs are made at creation; make them again if an admin cleaned up. */
        if (p->root_mode == ROOT_OVERLAY) {
                const char *dirs[] = { p->upper, p->work, p->rootfs };
                for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                        r = mkdir_parents_and_self(dirs[i], 0755);
                        if (r < 0)
                                return r;
                }
        }
        path = g_strdup(spare_supervisor_plan_path(z->manager)) ?: g_build_filename(rt, "plan", NULL);
        r = write_file_replace(path, text, 0600);
        if (r < 0)
                return r;
        *ret_path = g_steal_pointer(&path);
        return 0;
}

int zone_boot(Zone *z, sd_bus_error *error) {
        g_autofree char *plan = NULL;
        Brand *b = NULL;
        int r;

        r = zone_check_bootable(z, error, &b);
        if (r < 0)
                return r;
        zone_limit_paths_forget(z); /* looked up again for this boot */
        r = zone_check_user_namespace(z, error);
        if (r < 0)
                return r;
        r = zone_disk_apply(z, error);
        if (r < 0)
                return r;
        r = zone_network_prepare(z, error);
        if (r < 0)
                return r;
        r = zone_write_plan(z, b, &plan);
        if (r < 0)
                manager_network_clean_up(z->manager); /* a bridge made for this boot */
        if (r == -EBUSY)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY,
                                         "Zone %s still has a supervisor that zoned does not reach.",
                                         z->name);
        if (r < 0) {
                /* No supervisor runs there: nothing of the attempt stays. */
                (void) zone_runtime_dir_remove(z);
                log_error_errno(r, "Cannot prepare zone %s for its boot: %m", z->name);
                return sd_bus_error_set_errnof(error, r, "Cannot prepare zone %s: %m", z->name);
        }
        r = supervisor_link_spawn(z, plan, &z->link);
        if (r < 0) {
                (void) unlink(plan);
                manager_network_clean_up(z->manager);
                return sd_bus_error_set_errnof(error, r, "Cannot start the supervisor of zone %s: %m",
                                               z->name);
        }
        zone_set_runtime(z, ZONE_STARTING, 0, 0, "");
        return 0;
}

static int zone_check_running(Zone *z, sd_bus_error *error) {
        if (!z->link || z->state == ZONE_STOPPED || z->state == ZONE_FAILED)
                return sd_bus_error_setf(error, ZONED_ERROR_NOT_RUNNING, "Zone %s is not running.", z->name);
        return 0;
}

int zone_stop(Zone *z, const char *verb, sd_bus_error *error) {
        int r;

        r = zone_check_running(z, error);
        if (r < 0)
                return r;
        r = supervisor_link_command(z->link, verb, NULL);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot reach the supervisor of zone %s: %m",
                                               z->name);
        return 0;
}

int zone_kill(Zone *z, const char *whom, int sig, sd_bus_error *error) {
        g_autofree char *extra = NULL;
        int r;

        if (!streq(whom, "leader") && !streq(whom, "all"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Whom to kill must be \"leader\" or \"all\", not \"%s\".", whom);
        if (sig <= 0 || sig > SIGRTMAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid signal number %i.", sig);
        r = zone_check_running(z, error);
        if (r < 0)
                return r;
        extra = g_strdup_printf("WHOM=%s\nSIGNAL=%i\n", whom, sig);
        r = supervisor_link_command(z->link, "kill", extra);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot reach the supervisor of zone %s: %m",
                                               z->name);
        return 0;
}
