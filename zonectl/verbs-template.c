/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* templates, import-fs, remove-template, brands. */

#include <inttypes.h>
#include <limits.h>
#include <time.h>

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

typedef struct TransferWait {
        uint32_t id;
        char *result; /* from TransferRemoved */
} TransferWait;

static int on_transfer_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        TransferWait *w = userdata;
        const char *path, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uos", &id, &path, &result) < 0)
                return 0;
        if (w->id != 0 && id == w->id && !w->result)
                w->result = strdup(result);
        return 0;
}

static int transfer_check(void *userdata) {
        TransferWait *w = userdata;
        return w->result ? 1 : 0;
}

/* A progress line on a terminal, nothing on a pipe. Progress emits no
 * PropertiesChanged (it would flood the bus), so it is read twice a second. */
static void show_progress(Client *c, const char *path, const char *name, int *shown) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        double progress;
        int percent;

        if (sd_bus_get_property_trivial(c->bus, c->destination, path, ZONED_TRANSFER_INTERFACE, "Progress",
                                        &error, 'd', &progress) < 0)
                return;
        if (!(progress >= 0 && progress <= 1))
                return;
        percent = (int) (progress * 100);
        if (percent != *shown)
                fprintf(stderr, "\rImporting template %s: %3i%%", name, percent);
        *shown = percent;
}

static int wait_transfer(Client *c, TransferWait *w, const char *path, const char *name) {
        bool tty = isatty(STDERR_FILENO);
        uint64_t deadline = timeout_deadline();
        int r, shown = -1;

        for (;;) {
                uint64_t step = deadline;

                if (tty)
                        step = MIN(deadline, now_usec(CLOCK_MONOTONIC) + USEC_PER_SEC / 2);
                r = client_wait(c, step, transfer_check, w);
                if (r != -ETIME || step == deadline)
                        break;
                show_progress(c, path, name, &shown);
        }
        if (shown >= 0)
                fputs("\r\033[K", stderr);
        return r;
}

int verb_import_fs(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_free_ char *dir = NULL;
        TransferWait w = {};
        const char *name = argv[2], *path;
        int r;

        dir = realpath(argv[1], NULL);
        if (!dir)
                return cli_error_errno(errno, "cannot use directory \"%s\": %m", argv[1]);

        /* Subscribe before the call: the transfer may be done before the reply is read. */
        r = client_match_signal(c, &slot, ZONED_MANAGER_PATH, ZONED_MANAGER_INTERFACE, "TransferRemoved",
                                on_transfer_removed, &w);
        if (r < 0)
                return cli_error_errno(r, "cannot subscribe to zoned's signals: %m");
        if (arg_brand)
                r = manager_call(c, "ImportTemplateFs", &error, &reply, "ssa{sv}", dir, name, 1, "brand",
                                 "s", arg_brand);
        else
                r = manager_call(c, "ImportTemplateFs", &error, &reply, "ssa{sv}", dir, name, 0);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot import template \"%s\"", name);
        r = sd_bus_message_read(reply, "uo", &w.id, &path);
        if (r < 0)
                return cli_error_errno(r, "cannot read zoned's reply: %m");
        if (!arg_block) {
                printf("%" PRIu32 "\n", w.id);
                return 0;
        }

        r = wait_transfer(c, &w, path, name);
        if (r == -ECONNRESET)
                r = cli_error_errno(r, "zoned went away while importing template \"%s\"", name);
        else if (r == -ETIME)
                r = cli_error_errno(r, "timed out importing template \"%s\" (transfer %" PRIu32 " goes on)",
                                    name, w.id);
        else if (r < 0)
                r = cli_error_errno(r, "cannot follow the import of template \"%s\": %m", name);
        else if (!streq(w.result, "done"))
                r = cli_error_errno(EIO, "import of template \"%s\" %s", name, w.result);
        else
                r = 0;
        free(w.result);
        return r;
}
