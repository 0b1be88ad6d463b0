/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* templates, import-fs, import-tar, remove-template, brands. */

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include "cli-error.h"
#include "format-util.h"
#include "zonectl.h"

int verb_templates(int argc, char *argv[], Client *c) {
        static const TableColumn columns[] = {
                { "NAME", "name", CELL_STRING },
                { "BRAND", "brand", CELL_STRING },
                { "ORIGIN", "origin", CELL_STRING },
                { "SIZE", "size", CELL_SIZE },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_table_ Table *t = table_new(columns, ELEMENTSOF(columns));
        const char *name, *brand, *origin;
        uint64_t size;
        int r;

        if (!t)
                return cli_error_errno(ENOMEM, "out of memory");
        r = manager_call(c, "ListTemplates", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list templates");
        r = sd_bus_message_enter_container(reply, 'a', "(ssst)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ssst)", &name, &brand, &origin, &size)) > 0)
                if ((r = table_add_string(t, name)) < 0 || (r = table_add_string(t, brand)) < 0 ||
                    (r = table_add_string(t, origin)) < 0 || (r = table_add_size(t, size)) < 0)
                        break;
        if (r < 0)
                return cli_error_errno(r, "cannot read the list of templates: %m");
        table_sort(t, 0);
        return output_table(t, "templates");
}

int verb_brands(int argc, char *argv[], Client *c) {
        static const TableColumn columns[] = {
                { "NAME", "name", CELL_STRING },
                { "DESCRIPTION", "description", CELL_STRING },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_table_ Table *t = table_new(columns, ELEMENTSOF(columns));
        const char *name, *description;
        int r;

        if (!t)
                return cli_error_errno(ENOMEM, "out of memory");
        r = manager_call(c, "ListBrands", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list brands");
        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ss)", &name, &description)) > 0)
                if ((r = table_add_string(t, name)) < 0 || (r = table_add_string(t, description)) < 0)
                        break;
        if (r < 0)
                return cli_error_errno(r, "cannot read the list of brands: %m");
        table_sort(t, 0);
        return output_table(t, "brands");
}

int verb_remove_template(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = manager_call(c, "RemoveTemplate", &error, NULL, "s", argv[1]);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot remove template \"%s\"", argv[1]);
        return 0;
}

/* Sends the call that starts an import (its reply is "uo") and follows the transfer. */
static int import_follow(Client *c, const char *method, const char *name, int fd, const char *dir) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(transfer_follow_done) TransferFollow f = {};
        const char *path;
        int r;

        /* Subscribe before the call: the transfer may be done before the reply is read. */
        r = transfer_follow_subscribe(c, &f);
        if (r < 0)
                return cli_error_errno(r, "cannot subscribe to zoned's signals: %m");
        r = sd_bus_message_new_method_call(c->bus, &call, c->destination, ZONED_MANAGER_PATH,
                                           ZONED_MANAGER_INTERFACE, method);
        if (r >= 0)
                r = fd >= 0 ? sd_bus_message_append(call, "hs", fd, name)
                            : sd_bus_message_append(call, "ss", dir, name);
        if (r >= 0)
                r = arg_brand ? sd_bus_message_append(call, "a{sv}", 1, "brand", "s", arg_brand)
                              : sd_bus_message_append(call, "a{sv}", 0);
        if (r < 0)
                return cli_error_errno(r, "cannot make the call to zoned: %m");
        r = sd_bus_call(c->bus, call, 0, &error, &reply);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot import template \"%s\"", name);
        r = sd_bus_message_read(reply, "uo", &f.id, &path);
        if (r < 0)
                return cli_error_errno(r, "cannot read zoned's reply: %m");
        if (!arg_block) {
                printf("%" PRIu32 "\n", f.id);
                return 0;
        }
        f.path = strdup(path);
        if (!f.path)
                return cli_error_errno(ENOMEM, "out of memory");
        return transfer_follow_wait(c, &f, name);
}

int verb_import_fs(int argc, char *argv[], Client *c) {
        _cleanup_free_ char *dir = NULL;

        dir = realpath(argv[1], NULL);
        if (!dir)
                return cli_error_errno(errno, "cannot use directory \"%s\": %m", argv[1]);
        return import_follow(c, "ImportTemplateFs", argv[2], -EBADF, dir);
}

int verb_import_tar(int argc, char *argv[], Client *c) {
        _cleanup_close_ int fd = -EBADF;

        /* zoned reads the stream itself: the file (or our stdin) is passed open. */
        if (streq(argv[1], "-")) {
                if (isatty(STDIN_FILENO))
                        return cli_error_errno(ENOTTY, "standard input is a terminal, not an archive");
                return import_follow(c, "ImportTemplateTar", argv[2], STDIN_FILENO, NULL);
        }
        fd = open(argv[1], O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return cli_error_errno(errno, "cannot open \"%s\": %m", argv[1]);
        return import_follow(c, "ImportTemplateTar", argv[2], fd, NULL);
}
