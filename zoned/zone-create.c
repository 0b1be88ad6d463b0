/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Creating and removing zones: configuration file and storage. */

#include <inttypes.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "bus-errors.h"
#include "log.h"
#include "names.h"
#include "template-dbus.h"
#include "template.h"
#include "tree-copy.h"
#include "worker.h"
#include "zone-dbus.h"
#include "zone-disk.h"
#include "zone-userns.h"
#include "zone-limits.h"
#include "zone-network-alloc.h"
#include "brand.h"
#include "zone.h"

typedef struct CopyJob {
        char *src;
        char *dst;
        TreeShift shift; /* range 0: owners as they are */
} CopyJob;

static int copy_job_run(void *userdata) {
        CopyJob *j = userdata;
        g_autofree char *dir = g_path_get_dirname(j->dst), *final = g_build_filename(dir, "rootfs", NULL);
        int r;

        r = close_all_fds_except(NULL, 0);
        if (r < 0)
                return r;
        r = tree_copy_shifted(j->src, j->dst, j->shift.range > 0 ? &j->shift : NULL, NULL);
        if (r < 0)
                return r;
        return rename(j->dst, final) < 0 ? -errno : 0;
}

/* The copy is made in rootfs.partial and renamed to rootfs when complete; rootfs.partial stays
 * until the zone is removed if zoned died before that. */
bool zone_storage_is_incomplete(Zone *z) {
        g_autofree char *state = NULL, *rootfs = NULL, *partial = NULL;
        struct stat st;

        if (!z->config.copy || z->state == ZONE_CREATING)
                return false;
        state = zone_state_path(z);
        rootfs = g_build_filename(state, "rootfs", NULL);
        partial = g_build_filename(state, "rootfs.partial", NULL);
        return lstat(partial, &st) == 0 || lstat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode);
}

static void zone_log_created(Zone *z) {
        if (z->config.private_users)
                log_info("Zone %s created from template %s (%s), host ids %" PRIu32 "-%" PRIu32 ".", z->name,
                         z->config.template_name, zone_config_storage_name(&z->config), z->config.uid_shift,
                         z->config.uid_shift + z->config.uid_range - 1);
        else
                log_info("Zone %s created from template %s (%s), with the host's users.", z->name,
                         z->config.template_name, zone_config_storage_name(&z->config));
}

/* Undoes a creation: config file and state dir go, in the background. */
static void zone_discard_storage(Zone *z) {
        g_autofree char *cfg = zone_config_path(z), *state = zone_state_path(z);

        (void) unlink(cfg);
        (void) manager_remove_in_background(z->manager, state);
}

static void zone_copy_done(Worker *w, int result, void *userdata) {
        Zone *z = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = TAKE_PTR(z->create_call);

        z->worker = worker_free(z->worker);
        if (result == -ENOSPC && z->config.disk_quota > 0) {
                log_error("Zone %s: the template does not fit its disk of %" PRIu64 " bytes.", z->name,
                          z->config.disk_quota);
                if (call)
                        (void) sd_bus_reply_method_errorf(
                                call, ZONED_ERROR_QUOTA_EXCEEDED,
                                "Template %s does not fit the DiskQuota %" PRIu64 " of zone %s.",
                                z->config.template_name, z->config.disk_quota, z->name);
        } else if (result < 0 && z->config.disk_quota > 0) {
                log_error_errno(result, "Zone %s: making its disk image failed: %m", z->name);
                if (call)
                        (void) sd_bus_reply_method_errnof(
                                call, result, "Making the disk image of zone %s failed: %m", z->name);
        } else if (result < 0) {
                log_error_errno(result, "Zone %s: copying the template failed: %m", z->name);
                if (call)
                        (void) sd_bus_reply_method_errnof(call, result, "Copying template %s failed: %m",
                                                          z->config.template_name);
        }
        if (result < 0) {
                zone_discard_storage(z);
                zone_emit_removed(z);
                zone_free(z);
                return;
        }
        zone_log_created(z);
        zone_set_runtime(z, ZONE_STOPPED, 0, 0, NULL);
        if (call)
                (void) sd_bus_reply_method_return(call, "o", z->object_path);
}

typedef struct DiskJob {
        char *image;
        uint64_t bytes;
        char *copy_src; /* copy: the template's tree */
        char *partial;  /* copy: the image's mount point while it is filled, renamed to rootfs */
        char *final;
} DiskJob;

static int disk_job_run(void *userdata) {
        DiskJob *j = userdata;
        int r;

        r = close_all_fds_except(NULL, 0);
        if (r < 0)
                return r;
        r = zone_disk_make(j->image, j->bytes, j->copy_src);
        if (r < 0 || !j->partial)
                return r;
        return rename(j->partial, j->final) < 0 ? -errno : 0;
}

/* A zone with a quota: the image is made (and filled, for a copy) in a worker, as a copy is. The
 * state dir holds the image and its mount point: disk/ (overlay) or rootfs/ (copy; rootfs.partial
 * until the copy is complete). */
static int zone_make_disk(Zone *z, const char *lower, sd_bus_message *call) {
        g_autofree char *state = zone_state_path(z), *image = zone_disk_image_path(z);
        g_autofree char *mnt = zone_disk_mount_path(z), *partial = NULL, *rootfs = NULL;
        DiskJob job = { .image = image, .bytes = z->config.disk_quota };
        int r;

        if (mkdir(state, 0700) < 0)
                return -errno;
        if (z->config.copy) {
                partial = g_build_filename(state, "rootfs.partial", NULL);
                if (mkdir(partial, 0755) < 0)
                        return -errno;
                job.copy_src = (char *) lower;
                job.partial = partial;
                job.final = mnt;
        } else {
                rootfs = g_build_filename(state, "rootfs", NULL);
                if (mkdir(mnt, 0755) < 0 || mkdir(rootfs, 0755) < 0)
                        return -errno;
        }
        r = worker_spawn(z->manager->event, "disk image", disk_job_run, &job, zone_copy_done, z, &z->worker);
        if (r < 0)
                return r;
        z->state = ZONE_CREATING;
        z->create_call = sd_bus_message_ref(call);
        return 1;
}

static int zone_make_storage(Zone *z, const char *lower, sd_bus_message *call) {
        g_autofree char *state = zone_state_path(z);
        CopyJob job; /* the forked worker gets its own copy of the stack */
        int r;

        if (z->config.disk_quota > 0)
                return zone_make_disk(z, lower, call);
        if (mkdir(state, 0700) < 0)
                return -errno;
        if (!z->config.copy) {
                const char *sub[] = { "upper", "work", "rootfs" };
                for (size_t i = 0; i < ELEMENTSOF(sub); i++) {
                        g_autofree char *p = g_build_filename(state, sub[i], NULL);
                        if (mkdir(p, 0755) < 0)
                                return -errno;
                }
                return 0;
        }
        /* Copied under another name and renamed when complete: a copy cut
         * short by a crash never looks like a usable rootfs. */
        g_autofree char *partial = g_build_filename(state, "rootfs.partial", NULL);
        if (mkdir(partial, 0755) < 0)
                return -errno;
        job.src = (char *) lower;
        job.dst = partial;
        job.shift = z->config.shifted
                            ? (TreeShift) { .shift = z->config.uid_shift, .range = z->config.uid_range }
                            : (TreeShift) {};
        r = worker_spawn(z->manager->event, "template copy", copy_job_run, &job, zone_copy_done, z,
                         &z->worker);
        if (r < 0)
                return r;
        z->state = ZONE_CREATING;
        z->create_call = sd_bus_message_ref(call);
        return 1;
}

static int zone_check_new(Manager *m, const char *name, const char *template_name, const char *brand,
                          sd_bus_error *error, TemplateInfo **ret_info) {
        g_autofree char *templates = manager_templates_dir(m), *state = NULL, *cfg = NULL;
        struct stat st;
        int r;

        if (!zone_name_is_valid(name))
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME, "\"%s\" is not a valid zone name.",
                                         name);
        if (g_hash_table_contains(m->zones, name))
                return sd_bus_error_setf(error, ZONED_ERROR_ZONE_EXISTS, "Zone %s exists already.", name);
        r = bus_check_template_usable(m, template_name, error);
        if (r < 0)
                return r;
        if (template_info_load(templates, template_name, ret_info) < 0)
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_TEMPLATE, "Template %s does not exist.",
                                         template_name);
        if (!isempty(brand) && !g_hash_table_contains(m->brands, brand)) {
                g_autofree char *known = brand_names(m->brands);

                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND,
                                         "Brand \"%s\" is not installed (brands: %s).", brand, known);
        }
        if (isempty(brand) && !g_hash_table_contains(m->brands, (*ret_info)->brand))
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND,
                                         "Brand \"%s\" of template %s is not installed.", (*ret_info)->brand,
                                         template_name);
        state = g_build_filename(m->state_dir, name, NULL);
        cfg = g_strdup_printf("%s/%s.zone", m->config_dir, name);
        if (lstat(state, &st) == 0 || lstat(cfg, &st) == 0)
                /* Never reuse or overwrite what an earlier zone left: it may be someone's data. */
                return sd_bus_error_setf(error, ZONED_ERROR_ZONE_EXISTS,
                                         "Zone %s has leftover files (%s or %s); remove them first.", name,
                                         state, cfg);
        return 0;
}

int zone_create(Manager *m, const char *name, const char *template_name, const ZoneCreateOptions *o,
                sd_bus_message *call, sd_bus_error *error, Zone **ret) {
        g_autoptr(TemplateInfo) info = NULL;
        g_autofree char *templates = manager_templates_dir(m), *lower = NULL, *cfg = NULL;
        uint64_t disk_quota = limit_value_effective(LIMIT_DISK_QUOTA, &o->limits.v[LIMIT_DISK_QUOTA]);
        Zone *z;
        int r;

        r = zone_check_new(m, name, template_name, o->brand, error, &info);
        if (r < 0)
                return r;
        r = disk_quota == UINT64_MAX ? 0 : zone_disk_check_quota(m, disk_quota, 0, error);
        if (r < 0)
                return r;
        if (o->copy && disk_quota != UINT64_MAX && info->size > disk_quota)
                return sd_bus_error_setf(error, ZONED_ERROR_QUOTA_EXCEEDED,
                                         "Template %s has %" PRIu64
                                         " bytes: more than the DiskQuota %" PRIu64 " of a copy.",
                                         template_name, info->size, disk_quota);
        r = zone_new(m, name, &z);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot create zone %s: %m", name);
        z->config.template_name = g_strdup(template_name);
        z->config.brand = g_strdup(!isempty(o->brand) ? o->brand : info->brand);
        z->config.copy = o->copy;
        /* Where zoned cannot idmap (in a zone), a zone of its own users is a copy whose files carry
         * its host ids. */
        if (o->private_users && z->manager->shifted_storage)
                z->config.copy = z->config.shifted = true;
        z->config.private_users = o->private_users;
        z->config.disk_quota = disk_quota == UINT64_MAX
                                       ? 0
                                       : disk_quota / ZONE_DISK_BLOCK_SIZE * ZONE_DISK_BLOCK_SIZE;
        z->config.lxcfs = true;
        z->config.nesting = o->nesting;
        z->config.device_allow = o->device_allow;
        r = zone_limits_check_new(z, &o->limits, error);
        if (r < 0) {
                zone_free(z);
                return r;
        }
        /* z is among the zones: the next zone created sees the addresses and ports this one got. */
        r = zone_network_copy(&o->network, &z->config.network);
        if (r < 0) {
                zone_free(z);
                return sd_bus_error_set_errnof(error, r, "Cannot create zone %s: %m", name);
        }
        r = zone_network_allocate(m, name, &z->config.network, error);
        if (r < 0) {
                zone_free(z);
                (void) zone_network_forget_bridges(m);
                return r;
        }
        r = zone_config_new_machine_id(&z->config.machine_id);
        if (r < 0) {
                zone_free(z);
                return sd_bus_error_set_errnof(error, r, "Cannot make a machine id for zone %s: %m", name);
        }
        /* Before anything is written: a full pool refuses the zone and leaves no trace. */
        r = o->private_users ? zone_allocate_uid_range(z) : 0;
        if (r < 0) {
                r = zone_uid_range_error(z, r, error);
                zone_free(z);
                return r;
        }
        lower = template_rootfs(templates, template_name);
        cfg = zone_config_path(z);

        r = zone_config_save(cfg, &z->config);
        if (r < 0) {
                zone_free(z);
                (void) zone_network_forget_bridges(m);
                return sd_bus_error_set_errnof(error, r, "Cannot write %s: %m", cfg);
        }
        r = zone_make_storage(z, lower, call);
        if (r < 0) {
                zone_discard_storage(z);
                zone_free(z);
                return sd_bus_error_set_errnof(error, r, "Cannot create the storage of zone %s: %m", name);
        }
        if (r > 0 && z->config.disk_quota > 0)
                log_info("Zone %s: making its disk image of %" PRIu64 " bytes%s.", name,
                         z->config.disk_quota, z->config.copy ? " and copying the template into it" : "");
        else if (r > 0)
                log_info("Zone %s: copying template %s.", name, template_name);
        else
                zone_log_created(z);
        zone_emit_new(z);
        *ret = z;
        return r; /* 1: the reply comes once the copy is done */
}

int zone_remove(Zone *z, sd_bus_error *error) {
        Manager *m = z->manager;
        g_autofree char *cfg = zone_config_path(z), *logdir = NULL;
        int r;

        if (z->state == ZONE_CREATING)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Zone %s is still being created.",
                                         z->name);
        if (z->link || (z->state != ZONE_STOPPED && z->state != ZONE_FAILED))
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Zone %s is %s; stop it first.", z->name,
                                         zone_state_to_string(z->state));
        if (unlink(cfg) < 0 && errno != ENOENT) {
                r = -errno;
                return sd_bus_error_set_errnof(error, r, "Cannot remove %s: %m", cfg);
        }
        zone_discard_storage(z);
        logdir = g_build_filename(z->manager->log_dir, z->name, NULL);
        (void) rm_rf(logdir);
        (void) zone_runtime_dir_remove(z);
        log_info("Zone %s removed.", z->name);
        zone_emit_removed(z);
        zone_free(z);
        (void) zone_network_forget_bridges(m);
        return 0;
}
