/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

/* What a worker tells zoned, as lines on its report pipe (zoned/transfer.c reads them):
 *     "B <bytes>"        the work done so far (bytes read, written or downloaded); rate-limited
 *     "T <bytes>"        the total that "B" counts towards, once it is known
 *     "N <error name>"   the D-Bus error of the failure (org.zoned1.Error.*), before its "E" line
 *     "E <text>"         why the work failed, once; it becomes the transfer's Error property
 * The pipe is non-blocking: a line zoned has no room for is dropped (the next "B" says more
 * anyway). Each line is one write(2), so that the lines of two threads never mix. A NULL
 * writer, or one without an fd, says nothing. */

#define PROGRESS_INTERVAL_USEC_DEFAULT (200 * USEC_PER_MSEC)

/* A clock in microseconds; tests give one of their own. */
typedef uint64_t (*progress_clock_func)(void);

typedef struct ProgressWriter {
        int fd;                    /* the writing end of the report pipe; -EBADF: nobody listens */
        uint64_t interval_usec;    /* "B" lines at most this often, but for forced ones */
        uint64_t last_usec;        /* when the last "B" line was written ... */
        bool reported;             /* ... if one was */
        progress_clock_func clock; /* NULL: CLOCK_MONOTONIC */
} ProgressWriter;

#define PROGRESS_WRITER_INIT(f) \
        ((ProgressWriter) { .fd = (f), .interval_usec = PROGRESS_INTERVAL_USEC_DEFAULT })

/* "B bytes": the first at once, then only once interval_usec passed since the last one, unless
 * force (the figure at the end of a step, which zoned must see). B lines come from one thread. */
void progress_report_bytes(ProgressWriter *w, uint64_t bytes, bool force);
/* "T bytes". */
void progress_report_total(ProgressWriter *w, uint64_t bytes);
/* "N name". */
void progress_report_error_name(ProgressWriter *w, const char *name);
/* "E text", on one line (the text may quote names from an archive: its line breaks become
 * spaces). Returns r, so that a worker can `return progress_report_error(w, r, ...)`. */
int progress_report_error(ProgressWriter *w, int r, const char *format, ...) _printf_(3, 4);
