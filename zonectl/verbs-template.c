/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* templates, import-fs, import-tar, pull, remove-template, brands. */

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
                { "NAME", "name", CELL_STRING },         { "DESCRIPTION", "description", CELL_STRING },
                { "INHERITS", "inherits", CELL_STRING }, { "ARCH", "architecture", CELL_STRING },
                { "PROVEN", "proven", CELL_STRING },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_table_ Table *t = table_new(columns, ELEMENTSOF(columns));
        const char *name, *description, *inherits, *arch, *proven;
        int r;

        if (!t)
                return cli_error_errno(ENOMEM, "out of memory");
        r = manager_call(c, "ListBrandDetails", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list brands");
        r = sd_bus_message_enter_container(reply, 'a', "(sssss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sssss)", &name, &description, &inherits, &arch,
                                                  &proven)) > 0)
                if ((r = table_add_string(t, name)) < 0 || (r = table_add_string(t, description)) < 0 ||
                    (r = table_add_string(t, inherits)) < 0 || (r = table_add_string(t, arch)) < 0 ||
                    (r = table_add_string(t, proven)) < 0)
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

/* The options of PullTemplate from the command line. */
static int append_pull_options(sd_bus_message *call) {
        int r;

        r = sd_bus_message_open_container(call, 'a', "{sv}");
        if (r >= 0 && arg_brand)
                r = sd_bus_message_append(call, "{sv}", "brand", "s", arg_brand);
        if (r >= 0 && arg_verify)
                r = sd_bus_message_append(call, "{sv}", "verify", "s", arg_verify);
        if (r >= 0 && arg_force)
                r = sd_bus_message_append(call, "{sv}", "force", "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        return r;
}

/* pull URL [NAME]: NAME defaults to the file name without its archive
 * suffixes; pull DEFINITION [NAME]: zoned names it after the definition. */
static char *pull_default_name(const char *source) {
        static const char *const suffixes[] = { ".gz",  ".xz",  ".zst", ".bz2",    ".tgz",   ".txz",
                                                ".tar", ".raw", ".img", "-rootfs", ".rootfs" };
        const char *slash = strrchr(source, '/');
        char *name;
        bool again = true;

        if (!strstr(source, "://"))
                return strdup("");
        name = strndup(slash ? slash + 1 : source, strcspn(slash ? slash + 1 : source, "?#"));
        while (name && again) {
                again = false;
                for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                        if (strlen(name) > strlen(suffixes[i]) &&
                            streq(name + strlen(name) - strlen(suffixes[i]), suffixes[i])) {
                                name[strlen(name) - strlen(suffixes[i])] = 0;
                                again = true;
                        }
        }
        return name;
}

int verb_pull(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(transfer_follow_done) TransferFollow f = { .what = "pull" };
        _cleanup_free_ char *name = argc > 2 ? strdup(argv[2]) : pull_default_name(argv[1]);
        const char *path;
        int r;

        if (!name)
                return cli_error_errno(ENOMEM, "out of memory");
        r = transfer_follow_subscribe(c, &f);
        if (r < 0)
                return cli_error_errno(r, "cannot subscribe to zoned's signals: %m");
        r = sd_bus_message_new_method_call(c->bus, &call, c->destination, ZONED_MANAGER_PATH,
                                           ZONED_MANAGER_INTERFACE, "PullTemplate");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", argv[1], name);
        if (r >= 0)
                r = append_pull_options(call);
        if (r < 0)
                return cli_error_errno(r, "cannot make the call to zoned: %m");
        r = sd_bus_call(c->bus, call, 0, &error, &reply);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot pull \"%s\"", argv[1]);
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
        return transfer_follow_wait(c, &f, isempty(name) ? argv[1] : name);
}
