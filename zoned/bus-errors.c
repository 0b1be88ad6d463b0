/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "bus-errors.h"
#include "macro.h"

const sd_bus_error_map zoned_error_map[] = {
        SD_BUS_ERROR_MAP(ZONED_ERROR_NO_SUCH_ZONE, ENXIO),
        SD_BUS_ERROR_MAP(ZONED_ERROR_ZONE_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP(ZONED_ERROR_INVALID_NAME, EINVAL),
        SD_BUS_ERROR_MAP(ZONED_ERROR_NO_SUCH_TEMPLATE, ENOENT),
        SD_BUS_ERROR_MAP(ZONED_ERROR_TEMPLATE_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP(ZONED_ERROR_NO_SUCH_TRANSFER, ENXIO),
        SD_BUS_ERROR_MAP(ZONED_ERROR_NO_SUCH_BRAND, ENOENT),
        SD_BUS_ERROR_MAP(ZONED_ERROR_NOT_RUNNING, ESRCH),
        SD_BUS_ERROR_MAP(ZONED_ERROR_ALREADY_RUNNING, EALREADY),
        SD_BUS_ERROR_MAP(ZONED_ERROR_BUSY, EBUSY),
        SD_BUS_ERROR_MAP(ZONED_ERROR_VERIFICATION_FAILED, EBADMSG),
        SD_BUS_ERROR_MAP(ZONED_ERROR_QUOTA_EXCEEDED, EDQUOT),
        SD_BUS_ERROR_MAP(ZONED_ERROR_NO_UID_RANGE, ENOSPC),
        SD_BUS_ERROR_MAP(ZONED_ERROR_UID_RANGE_CONFLICT, EADDRINUSE),
        SD_BUS_ERROR_MAP(ZONED_ERROR_USER_NAMESPACES_UNAVAILABLE, EOPNOTSUPP),
        SD_BUS_ERROR_MAP_END,
};

int bus_verify_root(sd_bus_message *m, sd_bus_error *error) {
        sd_bus_creds *creds = NULL;
        uid_t uid;
        int r;

        /* On the system bus this asks the bus daemon; on the private socket
         * sd-bus returns the peer's SO_PEERCRED. */
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r >= 0) {
                r = sd_bus_creds_get_euid(creds, &uid);
                if (r < 0)
                        r = sd_bus_creds_get_uid(creds, &uid);
        }
        sd_bus_creds_unref(creds);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot determine the caller's credentials: %m");
        if (uid != 0)
                return sd_bus_error_setf(
                        error, SD_BUS_ERROR_ACCESS_DENIED,
                        "Only root may change zones, templates or transfers (caller uid %u).",
                        (unsigned) uid);
        return 0;
}
