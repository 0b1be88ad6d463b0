/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "names.h"

bool zone_name_is_valid(const char *name) {
        size_t n;

        if (!name)
                return false;
        n = strlen(name);
        if (n == 0 || n > ZONE_NAME_MAX)
                return false;
        if (name[0] == '.' || name[0] == '-')
                return false;
        for (const char *p = name; *p; p++) {
                char c = *p;
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '_' || c == '.';
                if (!ok)
                        return false;
        }
        /* ".." inside a name is harmless as a file name component, but keep names boring. */
        if (strstr(name, ".."))
                return false;
        return true;
}
