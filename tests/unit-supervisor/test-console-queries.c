/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console-queries.c: what systemd asks a console for its size gets a terminal's answers, cut
 * anywhere between reads; other output, and sequences that only look alike, get none. */

#include <glib.h>
#include <string.h>

#include "console-queries.h"
#include "console.h"

/* Scans text in pieces of step bytes; returns all the answers. */
static char *scan(const char *text, size_t step) {
        GString *all = g_string_new(NULL);
        ConsoleQueries q;
        size_t n = strlen(text);

        console_queries_init(&q, 25, 80);
        for (size_t i = 0; i < n; i += step) {
                char answer[CONSOLE_QUERIES_ANSWER_MAX];
                size_t len = console_queries_scan(&q, text + i, MIN(step, n - i), answer);

                g_assert_cmpuint(len, <=, sizeof(answer));
                g_string_append_len(all, answer, (gssize) len);
        }
        return g_string_free(all, FALSE);
}

static void expect(const char *text, const char *want) {
        for (size_t step = 1; step <= strlen(text) + 1; step++) {
                g_autofree char *got = scan(text, step);

                if (!g_str_equal(got, want))
                        g_error("%s (in pieces of %zu): answered \"%s\", not \"%s\"",
                                g_strescape(text, NULL), step, g_strescape(got, NULL),
                                g_strescape(want, NULL));
        }
}

static void test_systemd(void) {
        /* systemd 262 at boot: the size, then the cursor after a move to the far corner. */
        expect("\033[18t\0337\033[32766;32766H\033[6n\0338\033[!p\033]104\033\\systemd 262 running",
               "\033[8;25;80t\033[25;80R");
        /* systemd 257 and earlier versions of the same probe: a position, then the corner. */
        expect("\033[6n\033[32766;32766H\033[6n", "\033[1;1R\033[25;80R");
        /* Device status. */
        expect("\033[5n", "\033[0n");
}

static void test_not_queries(void) {
        expect("Welcome to Debian\r\n\033[0;1;39mOK\033[0m \033[?7h\033[1G\033[0J", "");
        /* Private and intermediate bytes make other sequences: ?6n is DECXCPR, !p a soft reset. */
        expect("\033[?6n\033[>18t\033[ 6n", "");
        /* A move into the screen, and a restore, end the corner. */
        expect("\033[32766;32766H\033[10;10H\033[6n", "\033[1;1R");
        expect("\0337\033[999;999H\0338\033[6n", "\033[1;1R");
        /* An ESC in the middle of a sequence starts a new one. */
        expect("\033[1\033[6n", "\033[1;1R");
}

/* Ready=console:TEXT: the text is seen wherever the reads cut it, and only once it is whole. */
static void test_ready_text(void) {
        static const char out[] =
                "INIT: version 3.06 booting\r\nDebian GNU/Linux 12 web console\r\n\r\nweb login: ";

        for (size_t step = 1; step <= sizeof(out); step++) {
                Console c;

                console_init(&c);
                g_assert_cmpint(console_watch_for(&c, "web login:"), ==, 0);
                for (size_t i = 0; i < sizeof(out) - 1; i += step) {
                        g_assert_false(c.ready_seen && i < strlen(out) - strlen(" login: ") + 1);
                        console_look_for_ready(&c, out + i, MIN(step, sizeof(out) - 1 - i));
                }
                g_assert_true(c.ready_seen);
                console_done(&c);
        }
        {
                Console c;

                console_init(&c);
                g_assert_cmpint(console_watch_for(&c, "web login:"), ==, 0);
                console_look_for_ready(&c, "web logi", 8);
                console_look_for_ready(&c, "n", 1);
                g_assert_false(c.ready_seen);
                g_assert_cmpint(console_watch_for(&c, ""), ==, -EINVAL);
                console_done(&c);
        }
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/console-queries/systemd", test_systemd);
        g_test_add_func("/console-queries/not-queries", test_not_queries);
        g_test_add_func("/console/ready-text", test_ready_text);
        return g_test_run();
}
