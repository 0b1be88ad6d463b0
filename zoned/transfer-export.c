/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ExportZoneTar: a zone's tree as a tarball, as a transfer of type "export-tar". */

#include <fcntl.h>
#include <sys/stat.h>

#include "bus-errors.h"
#include "export.h"
#include "log.h"
#include "names.h"
#include "template.h"
#include "transfer.h"
#include "zone.h"

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

        t = transfer_new(m, WORKER_JOB_EXPORT_TAR, source, z->name, NULL);
        t->job.export = (ExportJob) {
                .rootfs = g_build_filename(state, "rootfs", NULL),
                .upper = z->config.copy ? NULL : g_build_filename(state, "upper", NULL),
                .lower = z->config.copy ? NULL : template_rootfs(templates, z->config.template_name),
                .format = g_strdup(format),
                .fd = -EBADF,
        };
        return transfer_spawn_with_fd(t, &t->job.export.fd, fd, ret);
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
