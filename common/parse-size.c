/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>

#include "macro.h"
#include "parse-size.h"

static int suffix_shift(const char *s, unsigned *ret) {
        static const char units[] = "KMGTPE";
        const char *u;

        if (*s == 0 || streq(s, "B")) {
                *ret = 0;
                return 0;
        }
        u = strchr(units, s[0]);
        if (!u || (s[1] != 0 && !streq(s + 1, "B")))
                return -EINVAL;
        *ret = 10 * (unsigned) (u - units + 1);
        return 0;
}

int parse_size(const char *s, uint64_t *ret) {
        uint64_t whole = 0, frac = 0, frac_div = 1, result;
        unsigned shift;
        const char *p = s;
        int r;

        if (!s || !isdigit((unsigned char) *p))
                return -EINVAL;
        for (; isdigit((unsigned char) *p); p++) {
                uint64_t digit = (uint64_t) (*p - '0');

                if (whole > UINT64_MAX / 10 || (whole == UINT64_MAX / 10 && digit > UINT64_MAX % 10))
                        return -ERANGE;
                whole = whole * 10 + digit;
        }
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                for (; isdigit((unsigned char) *p); p++)
                        if (frac_div < 1000000) { /* further digits are dropped */
                                frac = frac * 10 + (uint64_t) (*p - '0');
                                frac_div *= 10;
                        }
        }
        r = suffix_shift(p, &shift);
        if (r < 0)
                return r;
        if (shift > 0 && whole > (UINT64_MAX >> shift))
                return -ERANGE;
        result = whole << shift;
        /* frac < 10^6 < 2^20: exact up to T, to the MiB beyond. */
        if (frac > 0 && shift > 0) {
                uint64_t part = shift <= 40 ? (frac << shift) / frac_div
                                            : ((frac << (shift - 20)) / frac_div) << 20;
                if (result > UINT64_MAX - part)
                        return -ERANGE;
                result += part;
        }
        *ret = result;
        return 0;
}
