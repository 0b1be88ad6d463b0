/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* export-tar (a zone's tree as a tarball, written by zoned to a file we open),
 * import-raw (a raw disk image as a template) and template-definitions. */

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-error.h"
#include "zonectl.h"

static const struct {
        const char *suffix;
        const char *format;
} suffixes[] = {
        { ".tar", "tar" },   { ".tar.gz", "gzip" },   { ".tgz", "gzip" },
        { ".tar.xz", "xz" }, { ".txz", "xz" },        { ".tar.zst", "zstd" },
        { ".tzst", "zstd" }, { ".tar.bz2", "bzip2" }, { ".tbz2", "bzip2" },
};

/* The compression a file name asks for; NULL if it names none zoned writes. */
static const char *export_format_from_name(const char *file) {
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t n = strlen(file), k = strlen(suffixes[i].suffix);
                if (n > k && streq(file + n - k, suffixes[i].suffix))
                        return suffixes[i].format;
        }
        return NULL;
}

/* Sends the call that starts the transfer (its reply is "uo") and follows it. */
static int follow_call(Client *c, sd_bus_message *call, TransferFollow *f, const char *name,
                       const char *what) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        r = sd_bus_call(c->bus, call, 0, &error, &reply);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot %s \"%s\"", what, name);
        r = sd_bus_message_read(reply, "uo", &f->id, &path);
        if (r < 0)
                return cli_error_errno(r, "cannot read zoned's reply: %m");
        if (!arg_block) {
                printf("%" PRIu32 "\n", f->id);
                return 0;
        }
        f->path = strdup(path);
        if (!f->path)
                return cli_error_errno(ENOMEM, "out of memory");
        return transfer_follow_wait(c, f, name);
}

static int new_call(Client *c, const char *method, sd_bus_message **ret) {
        return sd_bus_message_new_method_call(c->bus, ret, c->destination, ZONED_MANAGER_PATH,
                                              ZONED_MANAGER_INTERFACE, method);
}

static int export_follow(Client *c, const char *name, int fd, const char *format) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(transfer_follow_done) TransferFollow f = { .what = "export" };
        int r;

        /* Subscribe before the call: the transfer may be done before the reply is read. */
        r = transfer_follow_subscribe(c, &f);
        if (r < 0)
                return cli_error_errno(r, "cannot subscribe to zoned's signals: %m");
        r = new_call(c, "ExportZoneTar", &call);
        if (r >= 0)
                r = sd_bus_message_append(call, "sha{sv}", name, fd, 1, "format", "s", format);
        if (r < 0)
                return cli_error_errno(r, "cannot make the call to zoned: %m");
        return follow_call(c, call, &f, name, "export zone");
}

int verb_import_raw(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(transfer_follow_done) TransferFollow f = {};
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (streq(argv[1], "-")) {
                if (isatty(STDIN_FILENO))
                        return cli_error_errno(ENOTTY, "standard input is a terminal, not an image");
        } else {
                fd = open(argv[1], O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return cli_error_errno(errno, "cannot open \"%s\": %m", argv[1]);
        }
        r = transfer_follow_subscribe(c, &f);
        if (r < 0)
                return cli_error_errno(r, "cannot subscribe to zoned's signals: %m");
        r = new_call(c, "ImportTemplateRaw", &call);
        if (r >= 0)
                r = sd_bus_message_append(call, "hs", fd >= 0 ? fd : STDIN_FILENO, argv[2]);
        if (r >= 0)
                r = arg_brand ? sd_bus_message_append(call, "a{sv}", 1, "brand", "s", arg_brand)
                              : sd_bus_message_append(call, "a{sv}", 0);
        if (r < 0)
                return cli_error_errno(r, "cannot make the call to zoned: %m");
        return follow_call(c, call, &f, argv[2], "import template");
}

int verb_export_tar(int argc, char *argv[], Client *c) {
        const char *file = argv[2], *format = arg_format;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (streq(file, "-")) {
                if (isatty(STDOUT_FILENO))
                        return cli_error_errno(ENOTTY,
                                               "standard output is a terminal, not a file for a tarball");
                return export_follow(c, argv[1], STDOUT_FILENO, format ?: "tar");
        }
        if (!format)
                format = export_format_from_name(file);
        if (!format)
                return cli_error_errno(EINVAL,
                                       "cannot tell the compression from \"%s\" (.tar, .tar.gz, .tar.xz, "
                                       ".tar.zst, .tar.bz2), or give --format",
                                       file);
        /* 0600: the tree has /etc/shadow and other secrets of the zone. */
        fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return cli_error_errno(errno, "cannot create \"%s\": %m", file);
        r = export_follow(c, argv[1], fd, format);
        /* A tarball cut short (or not begun) must not look like one. */
        if (r < 0)
                (void) unlink(file);
        return r;
}

int verb_template_definitions(int argc, char *argv[], Client *c) {
        static const TableColumn columns[] = {
                { "NAME", "name", CELL_STRING },
                { "BRAND", "brand", CELL_STRING },
                { "SOURCE", "source", CELL_STRING },
                { "DESCRIPTION", "description", CELL_STRING },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_table_ Table *t = table_new(columns, ELEMENTSOF(columns));
        const char *name, *description, *brand, *source;
        int r;

        if (!t)
                return cli_error_errno(ENOMEM, "out of memory");
        r = manager_call(c, "ListTemplateDefinitions", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list template definitions");
        r = sd_bus_message_enter_container(reply, 'a', "(ssss)");
        while (r >= 0 &&
               (r = sd_bus_message_read(reply, "(ssss)", &name, &description, &brand, &source)) > 0)
                if ((r = table_add_string(t, name)) < 0 || (r = table_add_string(t, brand)) < 0 ||
                    (r = table_add_string(t, source)) < 0 || (r = table_add_string(t, description)) < 0)
                        break;
        if (r < 0)
                return cli_error_errno(r, "cannot read the list of template definitions: %m");
        table_sort(t, 0);
        return output_table(t, "template definitions");
}
