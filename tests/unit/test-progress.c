/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A worker's report lines (zoned/worker/progress.c), read back from a pipe as zoned reads them:
 * "B" rate-limited on an injected clock (no sleeps), forced ones always; "T", "N", "E" as they
 * are, each one line; a writer without an fd or a full pipe says nothing and never blocks. */

#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "progress.h"

static uint64_t fake_now;

static uint64_t fake_clock(void) {
        return fake_now;
}

/* A writer on a non-blocking pipe, as a worker's, with the fake clock at 0. */
typedef struct Fixture {
        int fd[2];
        ProgressWriter w;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data) {
        g_assert_cmpint(pipe2(f->fd, O_CLOEXEC | O_NONBLOCK), ==, 0);
        f->w = PROGRESS_WRITER_INIT(f->fd[1]);
        f->w.clock = fake_clock;
        fake_now = 0;
}

static void fixture_teardown(Fixture *f, gconstpointer data) {
        f->fd[0] = safe_close(f->fd[0]);
        f->fd[1] = safe_close(f->fd[1]);
}

/* What is in the pipe now. */
static char *drain(Fixture *f) {
        GString *s = g_string_new(NULL);
        char buf[4096];
        ssize_t n;

        while ((n = read(f->fd[0], buf, sizeof(buf))) > 0)
                g_string_append_len(s, buf, n);
        g_assert_cmpint(n, ==, -1);
        g_assert_cmpint(errno, ==, EAGAIN);
        return g_string_free(s, FALSE);
}

static void assert_lines(Fixture *f, const char *expected) {
        g_autofree char *lines = drain(f);

        g_assert_cmpstr(lines, ==, expected);
}

static void test_rate_limit(Fixture *f, gconstpointer data) {
        g_assert_cmpuint(f->w.interval_usec, ==, 200 * USEC_PER_MSEC);
        /* The first line goes at once, even at time 0. */
        progress_report_bytes(&f->w, 10, false);
        fake_now += 100 * USEC_PER_MSEC;
        progress_report_bytes(&f->w, 20, false);
        fake_now += 100 * USEC_PER_MSEC - 1;
        progress_report_bytes(&f->w, 25, false);
        /* 200 ms after the last line. */
        fake_now += 1;
        progress_report_bytes(&f->w, 30, false);
        /* Forced: at once, and it counts as the last line. */
        progress_report_bytes(&f->w, 40, true);
        fake_now += 150 * USEC_PER_MSEC;
        progress_report_bytes(&f->w, 45, false);
        progress_report_bytes(&f->w, 50, true);
        fake_now += 200 * USEC_PER_MSEC;
        progress_report_bytes(&f->w, UINT64_MAX, false);
        assert_lines(f, "B 10\nB 30\nB 40\nB 50\nB 18446744073709551615\n");
}

static void test_interval(Fixture *f, gconstpointer data) {
        f->w.interval_usec = USEC_PER_SEC;
        fake_now = 5 * USEC_PER_SEC;
        for (unsigned i = 0; i <= 30; i++, fake_now += 100 * USEC_PER_MSEC)
                progress_report_bytes(&f->w, i, false);
        assert_lines(f, "B 0\nB 10\nB 20\nB 30\n");
}

static void test_other_lines(Fixture *f, gconstpointer data) {
        progress_report_total(&f->w, 1234);
        progress_report_bytes(&f->w, 1, false);
        progress_report_error_name(&f->w, "org.zoned1.Error.EmptyArchive");
        /* One line: an archive's names may hold line breaks. */
        g_assert_cmpint(progress_report_error(&f->w, -ENOSPC, "Cannot write %s: %s", "a\nb\rc", "No space"),
                        ==, -ENOSPC);
        /* "T", "N" and "E" are not rate-limited. */
        progress_report_total(&f->w, 0);
        g_assert_cmpint(progress_report_error(&f->w, -EIO, "again"), ==, -EIO);
        assert_lines(f, "T 1234\nB 1\nN org.zoned1.Error.EmptyArchive\nE Cannot write a b c: No space\n"
                        "T 0\nE again\n");
}

/* Nobody listens: nothing is written, the error is still returned. */
static void test_no_fd(void) {
        ProgressWriter w = PROGRESS_WRITER_INIT(-EBADF);

        progress_report_bytes(&w, 1, true);
        progress_report_total(&w, 1);
        progress_report_error_name(&w, "org.zoned1.Error.Busy");
        g_assert_cmpint(progress_report_error(&w, -EPERM, "x"), ==, -EPERM);
        progress_report_bytes(NULL, 1, true);
        g_assert_cmpint(progress_report_error(NULL, -EPERM, "x"), ==, -EPERM);
        g_assert_false(w.reported);
}

/* A full pipe drops the line instead of blocking the worker; the next line that fits goes. */
static void test_full_pipe(Fixture *f, gconstpointer data) {
        g_autofree char *filler = g_malloc(65536), *lines = NULL;
        size_t filled = 0;
        ssize_t n;

        memset(filler, 'x', 65536);
        while ((n = write(f->fd[1], filler, 65536)) > 0)
                filled += (size_t) n;
        while ((n = write(f->fd[1], filler, 1)) > 0)
                filled += (size_t) n;
        progress_report_bytes(&f->w, 7, true);
        g_assert_cmpint(progress_report_error(&f->w, -ENOSPC, "lost"), ==, -ENOSPC);
        lines = drain(f);
        g_assert_cmpuint(strlen(lines), ==, filled);
        g_assert_cmpuint(strspn(lines, "x"), ==, filled);
        progress_report_bytes(&f->w, 8, true);
        assert_lines(f, "B 8\n");
}

#define TEST(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        TEST("/progress/rate-limit", test_rate_limit);
        TEST("/progress/interval", test_interval);
        TEST("/progress/other-lines", test_other_lines);
        g_test_add_func("/progress/no-fd", test_no_fd);
        TEST("/progress/full-pipe", test_full_pipe);
        return g_test_run();
}
