/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages with a file descriptor (common/fd-pass.c): the one fd expected arrives, any more that
 * a peer sends are closed, not kept. */

#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd-pass.h"
#include "macro.h"

static unsigned open_fds(void) {
        g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
        unsigned n = 0;

        g_assert_nonnull(d);
        while (g_dir_read_name(d))
                n++;
        return n;
}

static void test_one(void) {
        char text[64];
        int pair[2], fd = -EBADF, got = -EBADF;

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), ==, 0);
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(fd_send(pair[0], "PTY", fd), ==, 0);
        g_assert_cmpint(fd_receive(pair[1], text, sizeof(text), 0, &got), ==, 3);
        g_assert_cmpstr(text, ==, "PTY");
        g_assert_cmpint(got, >=, 0);
        g_assert_cmpint(fcntl(got, F_GETFD), ==, FD_CLOEXEC);
        /* Without an fd; then nothing there (non-blocking); then EOF. */
        g_assert_cmpint(fd_send(pair[0], "READY", -EBADF), ==, 0);
        g_assert_cmpint(fd_receive(pair[1], text, sizeof(text), 0, &fd), ==, 5);
        g_assert_cmpint(fd, ==, -EBADF);
        g_assert_cmpint(fd_receive(pair[1], text, sizeof(text), MSG_DONTWAIT, &fd), ==, -EAGAIN);
        close(pair[0]);
        g_assert_cmpint(fd_receive(pair[1], text, sizeof(text), 0, &fd), ==, 0);
        close(pair[1]);
        close(got);
}

/* A peer sends three fds with one message: we keep the first and hold no other. */
static void test_extra_closed(void) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * 3)];
        } control = {};
        struct iovec iov = { .iov_base = (char *) "X", .iov_len = 1 };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        int pair[2], fds[3], got = -EBADF;
        unsigned before;
        char text[8];

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), ==, 0);
        for (int i = 0; i < 3; i++)
                g_assert_cmpint(fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC), >=, 0);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(fds));
        memcpy(CMSG_DATA(c), fds, sizeof(fds));
        g_assert_cmpint(sendmsg(pair[0], &mh, 0), ==, 1);
        for (int i = 0; i < 3; i++)
                close(fds[i]);

        before = open_fds();
        g_assert_cmpint(fd_receive(pair[1], text, sizeof(text), 0, &got), ==, 1);
        g_assert_cmpint(got, >=, 0);
        g_assert_cmpuint(open_fds(), ==, before + 1);
        close(got);
        close(pair[0]);
        close(pair[1]);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/fd-pass/one", test_one);
        g_test_add_func("/fd-pass/extra-closed", test_extra_closed);
        return g_test_run();
}
