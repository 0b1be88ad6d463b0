/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <time.h>

#include "format-util.h"
#include "macro.h"

const char *format_bytes(char buf[static FORMAT_BYTES_MAX], uint64_t bytes) {
        static const char suffixes[] = "KMGTPE";
        uint64_t unit = 1024;
        size_t i = 0;

        if (bytes < 1024) {
                snprintf(buf, FORMAT_BYTES_MAX, "%" PRIu64 "B", bytes);
                return buf;
        }
        while (i + 1 < sizeof(suffixes) - 1 && bytes / unit >= 1024) {
                unit *= 1024;
                i++;
        }
        /* One decimal, rounded down so that a value never looks bigger than it is. */
        uint64_t tenths = (bytes % unit) / (unit / 1024) * 10 / 1024; /* no overflow */
        if (bytes / unit >= 100 || tenths == 0)
                snprintf(buf, FORMAT_BYTES_MAX, "%" PRIu64 "%c", bytes / unit, suffixes[i]);
        else
                snprintf(buf, FORMAT_BYTES_MAX, "%" PRIu64 ".%" PRIu64 "%c", bytes / unit, tenths,
                         suffixes[i]);
        return buf;
}

static void format_ago(char *buf, size_t size, uint64_t usec) {
        uint64_t s = usec / USEC_PER_SEC;

        if (s < 60)
                snprintf(buf, size, "%" PRIu64 "s ago", s);
        else if (s < 3600)
                snprintf(buf, size, "%" PRIu64 "min %" PRIu64 "s ago", s / 60, s % 60);
        else if (s < 86400)
                snprintf(buf, size, "%" PRIu64 "h %" PRIu64 "min ago", s / 3600, s % 3600 / 60);
        else
                snprintf(buf, size, "%" PRIu64 " days %" PRIu64 "h ago", s / 86400, s % 86400 / 3600);
}

const char *format_timestamp_relative(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec, uint64_t now) {
        time_t sec = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;
        size_t n;

        if (!localtime_r(&sec, &tm))
                return NULL;
        n = strftime(buf, FORMAT_TIMESTAMP_MAX, "%a %Y-%m-%d %H:%M:%S %Z", &tm);
        if (n == 0)
                return NULL;
        if (now >= usec) {
                buf[n++] = ';';
                buf[n++] = ' ';
                format_ago(buf + n, FORMAT_TIMESTAMP_MAX - n, now - usec);
        }
        return buf;
}

int parse_timeout_sec(const char *s, uint64_t *ret_usec) {
        uint64_t whole = 0, frac = 0, scale = USEC_PER_SEC;
        const char *p = s;

        if (streq(s, "infinity")) {
                *ret_usec = USEC_INFINITY;
                return 0;
        }
        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (whole > (UINT64_MAX / USEC_PER_SEC - 9) / 10)
                        return -ERANGE;
                whole = whole * 10 + (uint64_t) (*p - '0');
        }
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++)
                        if (scale > 1) {
                                scale /= 10;
                                frac += (uint64_t) (*p - '0') * scale;
                        }
        }
        if (*p)
                return -EINVAL;
        *ret_usec = whole == 0 && frac == 0 ? USEC_INFINITY : whole * USEC_PER_SEC + frac;
        return 0;
}

uint64_t now_usec(int clock) {
        struct timespec ts;

        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

size_t utf8_width(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                if (((unsigned char) *s & 0xC0) != 0x80)
                        n++;
        return n;
}
