/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/ioctl.h>
#include <time.h>

#include "cli-error.h"
#include "format-util.h"
#include "zonectl.h"

size_t terminal_width(void) {
        struct winsize ws = {};
        const char *e;

        if (!isatty(STDOUT_FILENO))
                return 0;
        e = getenv("COLUMNS");
        if (e && atoi(e) > 0)
                return (size_t) atoi(e);
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
                return 80;
        return ws.ws_col;
}

int output_table(Table *t, const char *what) {
        size_t rows = table_get_rows(t);
        int r;

        if (arg_json)
                r = table_print_json(t, stdout);
        else if (rows == 0 && arg_legend) {
                printf("No %s.\n", what);
                r = 0;
        } else {
                r = table_print(t, stdout, arg_legend, terminal_width());
                if (r >= 0 && arg_legend)
                        printf("\n%zu %s listed.\n", rows, what);
        }
        if (r < 0)
                return cli_error_errno(r, "cannot print the list of %s: %m", what);
        return 0;
}

uint64_t timeout_deadline(void) {
        if (arg_timeout_usec == USEC_INFINITY)
                return USEC_INFINITY;
        return now_usec(CLOCK_MONOTONIC) + arg_timeout_usec;
}
