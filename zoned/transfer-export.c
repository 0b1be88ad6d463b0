/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A zone's tree as a tarball, as a transfer of type "export-tar" (ExportZoneTar). */

#include "export.h"
#include "template.h"
#include "transfer.h"
#include "zone-disk.h"
#include "zone.h"

int transfer_start_export(Manager *m, Zone *z, int fd, const char *format, Transfer **ret) {
        g_autofree char *state = zone_state_path(z), *templates = manager_templates_dir(m);
        g_autofree char *source = g_strdup_printf("zone:%s", z->name);
        Transfer *t;

        t = transfer_new(m, WORKER_JOB_EXPORT_TAR, source, z->name, NULL);
        t->job.export = (ExportJob) {
                .disk_image = z->config.disk_quota > 0 ? zone_disk_image_path(z) : NULL,
                .disk_mount = z->config.disk_quota > 0 ? zone_disk_mount_path(z) : NULL,
                .rootfs = g_build_filename(state, "rootfs", NULL),
                .upper = z->config.copy         ? NULL
                         : z->config.disk_quota ? g_build_filename(state, "disk", "upper", NULL)
                                                : g_build_filename(state, "upper", NULL),
                .lower = z->config.copy ? NULL : template_rootfs(templates, z->config.template_name),
                .format = g_strdup(format),
                .unshift = z->config.shifted ? (TreeShift) { .shift = z->config.uid_shift,
                                                             .range = z->config.uid_range }
                                             : (TreeShift) {},
                .fd = -EBADF,
        };
        return transfer_spawn_with_fd(t, &t->job.export.fd, fd, ret);
}
