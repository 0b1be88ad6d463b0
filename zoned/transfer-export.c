/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ExportZoneTar: a zone's tree as a tarball, as a transfer of type "export-tar". */

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>

#include "bus-errors.h"
#include "export.h"
#include "log.h"
#include "names.h"
#include "template.h"
#include "transfer.h"
#include "zone-disk.h"
#include "zone.h"

typedef struct ExportJob {
        char *disk_image; /* NULL without a disk quota */
        char *disk_mount;
        char *rootfs;
        char *upper; /* NULL for a copy zone */
        char *lower;
        char *format;
} ExportJob;

/* What the next worker exports. It is forked synchronously in
 * transfer_spawn(): its copy of this is its job. */
static ExportJob spawn_job;

static int export_worker(void *userdata) {
        TemplateImport *imp = userdata;

        return export_zone_disk_tar(spawn_job.disk_image, spawn_job.disk_mount, spawn_job.rootfs,
                                    spawn_job.upper, spawn_job.lower, imp->source_fd, spawn_job.format,
                                    imp->report_fd);
}

int bus_read_string_option(sd_bus_message *msg, const char *key, const char **ret, sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *k;

                r = sd_bus_message_read(msg, "s", &k);
                if (r < 0)
                        return r;
                if (!streq(k, key))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option \"%s\".",
                                                 k);
                r = sd_bus_message_read(msg, "v", "s", ret);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option %s must be a string.", key);
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

static int check_output_fd(int fd) {
        struct stat st;
        int flags = fcntl(fd, F_GETFL);

        if (flags < 0)
                return -errno;
        if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_PATH))
                return -EBADF;
        if (fstat(fd, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? -EISDIR : 0;
}

static int start_export(Manager *m, Zone *z, int fd, const char *format, Transfer **ret) {
        g_autofree char *state = zone_state_path(z), *templates = manager_templates_dir(m);
        g_autofree char *source = g_strdup_printf("zone:%s", z->name);
        Transfer *t;
        int r;

        t = transfer_new(m, "export-tar", source, z->name, NULL);
        t->import.source_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        r = t->import.source_fd < 0 ? -errno : transfer_open_report(t);
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        spawn_job = (ExportJob) {
                .disk_image = z->config.disk_quota > 0 ? zone_disk_image_path(z) : NULL,
                .disk_mount = z->config.disk_quota > 0 ? zone_disk_mount_path(z) : NULL,
                .rootfs = g_build_filename(state, "rootfs", NULL),
                .upper = z->config.copy         ? NULL
                         : z->config.disk_quota ? g_build_filename(state, "disk", "upper", NULL)
                                                : g_build_filename(state, "upper", NULL),
                .lower = z->config.copy ? NULL : template_rootfs(templates, z->config.template_name),
                .format = g_strdup(format),
        };
        r = transfer_spawn(t, export_worker, ret);
        g_free(spawn_job.disk_image);
        g_free(spawn_job.disk_mount);
        g_free(spawn_job.rootfs);
        g_free(spawn_job.upper);
        g_free(spawn_job.lower);
        g_free(spawn_job.format);
        spawn_job = (ExportJob) {};
        return r;
}

int method_export_zone_tar(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name, *format = "tar";
        Transfer *t;
        Zone *z;
        int fd, r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "sh", &name, &fd);
        if (r < 0)
                return r;
        r = bus_read_string_option(msg, "format", &format, error);
        if (r < 0)
                return r;
        if (!zone_name_is_valid(name))
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME, "\"%s\" is not a valid zone name.",
                                         name);
        z = g_hash_table_lookup(m->zones, name);
        if (!z)
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_ZONE, "Zone %s does not exist.", name);
        if (!export_format_is_valid(format))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Unknown format \"%s\" (tar, gzip, xz, zstd or bzip2).", format);
        /* A running zone writes its tree while it would be read: the tarball
         * would be no consistent state of it. */
        if (z->state != ZONE_STOPPED && z->state != ZONE_FAILED)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY,
                                         "Zone %s is %s; power it off to export it.", name,
                                         zone_state_to_string(z->state));
        r = check_output_fd(fd);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The file descriptor is not a file or pipe open for writing.");
        r = start_export(m, z, fd, format, &t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the export: %m");
        log_info("Transfer %u: exporting zone %s as %s.", t->id, name, format);
        return sd_bus_reply_method_return(msg, "uo", t->id, t->object_path);
}
