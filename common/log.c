/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>

#include "log.h"

static int max_level = LOG_INFO;
static bool journal_prefix = false;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_open(void) {
        const char *e = getenv("ZONED_LOG_LEVEL");

        journal_prefix = !!getenv("JOURNAL_STREAM");
        if (e && streq(e, "debug"))
                max_level = LOG_DEBUG;
}

int log_internal(int level, int error, const char *file, int line, const char *format, ...) {
        int saved = errno;
        va_list ap;
        char buf[2048];

        if (error < 0)
                error = -error;
        if (level > max_level)
                return -error;

        /* Let %m print the error passed in, not whatever errno holds now. */
        errno = error;
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        if (journal_prefix)
                fprintf(stderr, "<%i>%s\n", level, buf);
        else if (max_level >= LOG_DEBUG)
                fprintf(stderr, "%s[%i]: %s (%s:%i)\n", program_invocation_short_name, (int) getpid(), buf,
                        file, line);
        else
                fprintf(stderr, "%s[%i]: %s\n", program_invocation_short_name, (int) getpid(), buf);

        errno = saved;
        return -error;
}
