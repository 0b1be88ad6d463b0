/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "console.h"

/* Clients attached to the zone's console, each through one end of a stream
 * socketpair. A new client first gets the tail of the console log (at most
 * CONSOLE_BACKLOG_MAX bytes, from the start of a line), then live output.
 * Each client has a bounded queue: one that cannot keep up with the zone is
 * disconnected (and that is logged); the zone and the other clients never
 * wait for it. Input from a client that the console cannot take yet is held
 * back, and that client is not read, until the pty has room. */

#define CONSOLE_BACKLOG_MAX (64U * 1024U)
#define CONSOLE_CLIENT_QUEUE_MAX (512U * 1024U)

/* Adds a client; returns the other end of its socketpair (O_CLOEXEC, blocking) in *ret_fd. */
int console_client_add(Console *c, EventLoop *e, int *ret_fd);
/* Output of the zone, to every client. */
void console_clients_output(Console *c, const char *buf, size_t n);
/* The master has room: hands it the held-back input. */
void console_clients_input_ready(Console *c, int master_fd);
void console_clients_free(Console *c);
unsigned console_clients_count(const Console *c);

/* The last max bytes of the console log (and its rotated predecessor), cut at a line start. */
int console_backlog_read(const Console *c, size_t max, char **ret, size_t *ret_size);
