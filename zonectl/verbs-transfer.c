/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* transfers, cancel-transfer. */

#include <inttypes.h>

#include "cli-error.h"
#include "zonectl.h"

int verb_transfers(int argc, char *argv[], Client *c) {
        static const TableColumn columns[] = {
                { "ID", "id", CELL_UINT },
                { "TYPE", "type", CELL_STRING },
                { "PROGRESS", "progress", CELL_PERCENT },
                { "DESCRIPTION", "description", CELL_STRING },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_table_ Table *t = table_new(columns, ELEMENTSOF(columns));
        const char *type, *description, *path;
        double progress;
        uint32_t id;
        int r;

        if (!t)
                return cli_error_errno(ENOMEM, "out of memory");
        r = manager_call(c, "ListTransfers", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list transfers");
        r = sd_bus_message_enter_container(reply, 'a', "(ussdo)");
        while (r >= 0 &&
               (r = sd_bus_message_read(reply, "(ussdo)", &id, &type, &description, &progress, &path)) > 0)
                if ((r = table_add_uint(t, id)) < 0 || (r = table_add_string(t, type)) < 0 ||
                    (r = table_add_percent(t, progress)) < 0 || (r = table_add_string(t, description)) < 0)
                        break;
        if (r < 0)
                return cli_error_errno(r, "cannot read the list of transfers: %m");
        table_sort(t, 0);
        return output_table(t, "transfers");
}

static int parse_transfer_id(const char *s, uint32_t *ret) {
        char *end;
        unsigned long long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end || v == 0 || v > UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int verb_cancel_transfer(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint32_t id;
        int r;

        if (parse_transfer_id(argv[1], &id) < 0) {
                cli_error("\"%s\" is not a transfer id (a positive number, see \"zonectl transfers\")",
                          argv[1]);
                return -EINVAL;
        }
        r = manager_call(c, "CancelTransfer", &error, NULL, "u", id);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot cancel transfer %" PRIu32, id);
        return 0;
}
