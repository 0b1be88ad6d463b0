/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <glib.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"

/* In a child (the test's own descriptors stay): opens descriptors 3..19, keeps those of keep, and
 * exits 0 if exactly they and stdio are open afterwards. */
static int run_in_child(const int *keep, size_t n_keep, int expect_r) {
        pid_t pid = fork();
        int status;

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                int r;

                for (int fd = 3; fd < 20; fd++)
                        if (dup2(0, fd) < 0)
                                _exit(10);
                r = close_all_fds_except(keep, n_keep);
                if (r != expect_r)
                        _exit(11);
                if (r < 0)
                        _exit(fcntl(3, F_GETFD) >= 0 ? 0 : 12); /* a refusal closes nothing */
                for (int fd = 0; fd < 40; fd++) {
                        bool kept = fd < 3;

                        for (size_t i = 0; i < n_keep; i++)
                                kept = kept || keep[i] == fd;
                        if ((fcntl(fd, F_GETFD) >= 0) != kept)
                                _exit(20 + fd);
                }
                _exit(0);
        }
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void test_keep(void) {
        g_assert_cmpint(run_in_child(NULL, 0, 0), ==, 0);
        g_assert_cmpint(run_in_child((const int[]) { 5 }, 1, 0), ==, 0);
        /* Unsorted, adjacent, at the edges, with negative entries (no descriptor) and stdio. */
        g_assert_cmpint(run_in_child((const int[]) { 19, -9, 3, 4, 11, 1, 12 }, 7, 0), ==, 0);
}

static void test_too_many(void) {
        int keep[17];

        for (int i = 0; i < 17; i++)
                keep[i] = 3 + i;
        g_assert_cmpint(run_in_child(keep, 17, -E2BIG), ==, 0);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/fd-util/keep", test_keep);
        g_test_add_func("/fd-util/too-many", test_too_many);
        return g_test_run();
}
