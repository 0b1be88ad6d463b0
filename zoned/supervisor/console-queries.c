/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console-queries.h"

enum {
        STATE_TEXT,
        STATE_ESCAPE, /* after ESC */
        STATE_CSI,    /* after ESC [ : parameters until a final byte */
};

void console_queries_init(ConsoleQueries *q, unsigned rows, unsigned columns) {
        *q = (ConsoleQueries) { .rows = rows, .columns = columns };
}

/* "R;C" → R and C; missing ones are 1, as for CUP. */
static void two_params(const char *p, unsigned *r, unsigned *c) {
        char *end;

        *r = (unsigned) strtoul(p, &end, 10);
        *c = *end == ';' ? (unsigned) strtoul(end + 1, NULL, 10) : 1;
        *r = *r ?: 1;
        *c = *c ?: 1;
}

/* The answer to CSI params final, appended at answer + *len. */
static void answer_csi(ConsoleQueries *q, char final, char *answer, size_t *len) {
        size_t room = CONSOLE_QUERIES_ANSWER_MAX - *len;
        unsigned r, c;
        int k = 0;

        if (final == 'H' || final == 'f') {
                two_params(q->params, &r, &c);
                q->far_corner = r >= q->rows && c >= q->columns;
                return;
        }
        if (final == 't' && strcmp(q->params, "18") == 0)
                k = snprintf(answer + *len, room, "\033[8;%u;%ut", q->rows, q->columns);
        else if (final == 'n' && strcmp(q->params, "6") == 0)
                k = q->far_corner ? snprintf(answer + *len, room, "\033[%u;%uR", q->rows, q->columns)
                                  : snprintf(answer + *len, room, "\033[1;1R");
        else if (final == 'n' && strcmp(q->params, "5") == 0)
                k = snprintf(answer + *len, room, "\033[0n");
        if (k > 0 && (size_t) k < room)
                *len += (size_t) k;
}

size_t console_queries_scan(ConsoleQueries *q, const char *buf, size_t n,
                            char answer[CONSOLE_QUERIES_ANSWER_MAX]) {
        size_t len = 0;

        for (size_t i = 0; i < n; i++) {
                char ch = buf[i];

                switch (q->state) {
                case STATE_TEXT:
                        if (ch == '\033')
                                q->state = STATE_ESCAPE;
                        break;
                case STATE_ESCAPE:
                        if (ch == '[') {
                                q->state = STATE_CSI;
                                q->n_params = 0;
                                q->params[0] = 0;
                                break;
                        }
                        /* ESC 8 restores the cursor saved by ESC 7: back from the corner. */
                        if (ch == '8')
                                q->far_corner = false;
                        q->state = ch == '\033' ? STATE_ESCAPE : STATE_TEXT;
                        break;
                case STATE_CSI:
                        if ((ch >= '0' && ch <= '9') || ch == ';') {
                                if (q->n_params + 1 < sizeof(q->params)) {
                                        q->params[q->n_params++] = ch;
                                        q->params[q->n_params] = 0;
                                }
                                break;
                        }
                        /* A private or intermediate byte (?, >, !, space...): not a query we answer. */
                        if (ch < 0x40 || ch > 0x7e) {
                                if (ch >= 0x20 && ch <= 0x3f) {
                                        q->params[0] = 'x';
                                        q->params[1] = 0;
                                        q->n_params = 1;
                                        break;
                                }
                                q->state = ch == '\033' ? STATE_ESCAPE : STATE_TEXT;
                                break;
                        }
                        answer_csi(q, ch, answer, &len);
                        q->state = STATE_TEXT;
                        break;
                }
        }
        return len;
}
