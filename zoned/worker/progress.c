/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <stdarg.h>
#include <time.h>

#include "progress.h"

static uint64_t monotonic_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

/* One line "K text\n" in one write(2). */
static void write_line(ProgressWriter *w, char kind, const char *text) {
        _cleanup_free_ char *line = NULL;
        int n;

        n = asprintf(&line, "%c %s\n", kind, text);
        if (n < 0)
                return;
        for (char *p = line + 2; p < line + n - 1; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        (void) write(w->fd, line, (size_t) n);
}

static void write_number(ProgressWriter *w, char kind, uint64_t n) {
        char text[sizeof(uint64_t) * 3 + 1];

        (void) snprintf(text, sizeof(text), "%" PRIu64, n);
        write_line(w, kind, text);
}

void progress_report_bytes(ProgressWriter *w, uint64_t bytes, bool force) {
        uint64_t now;

        if (!w || w->fd < 0)
                return;
        now = w->clock ? w->clock() : monotonic_usec();
        if (!force && w->reported && now - w->last_usec < w->interval_usec)
                return;
        w->last_usec = now;
        w->reported = true;
        write_number(w, 'B', bytes);
}

void progress_report_total(ProgressWriter *w, uint64_t bytes) {
        if (w && w->fd >= 0)
                write_number(w, 'T', bytes);
}

void progress_report_error_name(ProgressWriter *w, const char *name) {
        if (w && w->fd >= 0)
                write_line(w, 'N', name);
}

int progress_report_error(ProgressWriter *w, int r, const char *format, ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;

        if (!w || w->fd < 0)
                return r;
        va_start(ap, format);
        if (vasprintf(&text, format, ap) < 0)
                text = NULL;
        va_end(ap);
        if (text)
                write_line(w, 'E', text);
        return r;
}
