/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A zone's tree as a tarball, as a transfer of type "export-tar" (ExportZoneTar). */

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>

#include "export.h"
#include "template.h"
#include "transfer.h"
#include "zone.h"

typedef struct ExportJob {
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

        return export_zone_tar(spawn_job.rootfs, spawn_job.upper, spawn_job.lower, imp->source_fd,
                               spawn_job.format, imp->report_fd);
}

int transfer_start_export(Manager *m, Zone *z, int fd, const char *format, Transfer **ret) {
        g_autofree char *state = zone_state_path(z), *templates = manager_templates_dir(m);
        g_autofree char *source = g_strdup_printf("zone:%s", z->name);
        Transfer *t;
        int r;

        t = transfer_new(m, TRANSFER_EXPORT_TAR, source, z->name, NULL);
        t->import.source_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        r = t->import.source_fd < 0 ? -errno : transfer_open_report(t);
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        spawn_job = (ExportJob) {
                .rootfs = g_build_filename(state, "rootfs", NULL),
                .upper = z->config.copy ? NULL : g_build_filename(state, "upper", NULL),
                .lower = z->config.copy ? NULL : template_rootfs(templates, z->config.template_name),
                .format = g_strdup(format),
        };
        r = transfer_spawn(t, export_worker, ret);
        g_free(spawn_job.rootfs);
        g_free(spawn_job.upper);
        g_free(spawn_job.lower);
        g_free(spawn_job.format);
        spawn_job = (ExportJob) {};
        return r;
}
