/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>
#include <sys/socket.h>

#include "fd-pass.h"
#include "macro.h"

/* Room for a few fds: a peer that sends more than one gets them closed, not its message cut. */
#define FD_PASS_MAX 8

int fd_send(int sock, const char *text, int fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (char *) text, .iov_len = strlen(text) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* The first fd of the message to *ret_fd, the others closed. */
static void take_fds(struct msghdr *mh, int *ret_fd) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
                        int passed;

                        memcpy(&passed, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
                        if (*ret_fd < 0)
                                *ret_fd = passed;
                        else
                                safe_close(passed);
                }
        }
}

ssize_t fd_receive(int sock, char *text, size_t size, int flags, int *ret_fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * FD_PASS_MAX)];
        } control = {};
        struct iovec iov = { .iov_base = text, .iov_len = size - 1 };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        ssize_t n;

        *ret_fd = -EBADF;
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
        if (n < 0)
                return -errno;
        take_fds(&mh, ret_fd);
        text[n] = 0;
        return n;
}
