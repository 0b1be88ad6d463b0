/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ImportTemplateRaw: a raw disk image as a template, as a transfer of type "import-raw". */

#include <fcntl.h>
#include <sys/stat.h>

#include "bus-errors.h"
#include "log.h"
#include "names.h"
#include "transfer.h"

static int start_import_raw(Manager *m, int fd, const char *name, const char *brand, Transfer **ret) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%i", fd), *source = NULL;
        struct stat st;
        Transfer *t;
        int flags = fcntl(fd, F_GETFL);

        if (flags < 0)
                return -errno;
        if ((flags & O_ACCMODE) == O_WRONLY || (flags & O_PATH) || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode))
                return -EBADF;
        source = g_file_read_link(link, NULL);
        t = transfer_new(m, WORKER_JOB_IMPORT_RAW, source ?: "stream", name, brand);
        if (S_ISREG(st.st_mode))
                t->bytes_total = (uint64_t) st.st_size;
        return transfer_spawn_with_fd(t, &t->job.import.source_fd, fd, ret);
}

int method_import_template_raw(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        g_autofree char *templates = manager_templates_dir(m);
        const char *name, *brand = NULL;
        Transfer *t;
        int fd, r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "hs", &fd, &name);
        if (r < 0)
                return r;
        r = bus_read_string_option(msg, "brand", &brand, error);
        if (r < 0)
                return r;
        if (!zone_name_is_valid(name))
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME,
                                         "\"%s\" is not a valid template name.", name);
        if (template_exists(templates, name) || transfer_makes_template(m, name))
                return sd_bus_error_setf(error, ZONED_ERROR_TEMPLATE_EXISTS, "Template %s exists already.",
                                         name);
        if (!isempty(brand) && (!zone_name_is_valid(brand) || !g_hash_table_contains(m->brands, brand)))
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND, "Brand \"%s\" is not installed.",
                                         brand);
        r = start_import_raw(m, fd, name, brand, &t);
        if (r == -EBADF)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The file descriptor is not a stream open for reading.");
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the import: %m");
        log_info("Transfer %u: importing a raw image into template %s.", t->id, name);
        return sd_bus_reply_method_return(msg, "uo", t->id, t->object_path);
}
