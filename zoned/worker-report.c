/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>

#include "worker-report.h"

int worker_report_error(int fd, int r, const char *format, ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&text, format, ap) < 0)
                text = NULL;
        va_end(ap);
        if (text) {
                /* One line: the message may quote names from an archive. */
                for (char *p = text; *p; p++)
                        if (*p == '\n' || *p == '\r')
                                *p = ' ';
                (void) dprintf(fd, "E %s\n", text);
        }
        return r;
}
