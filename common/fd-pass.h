/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Messages of text with at most one file descriptor (SCM_RIGHTS), on SOCK_SEQPACKET or datagram
 * sockets: between the supervisor and its children, zoned and its supervisors, the entering
 * helper and its caller. */

/* One message of text, with fd if it is >= 0. MSG_NOSIGNAL: a closed peer is -EPIPE. */
int fd_send(int sock, const char *text, int fd);

/* Receives one message: text (NUL-terminated, up to size-1 bytes) and the fd that came with it
 * (O_CLOEXEC; -EBADF if none). Any further fds are closed: a peer cannot make us hold fds we do
 * not expect. flags: MSG_DONTWAIT or 0. Returns the text's length, 0 at EOF, or -errno. */
ssize_t fd_receive(int sock, char *text, size_t size, int flags, int *ret_fd);
