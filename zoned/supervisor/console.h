/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "console-queries.h"
#include "event-loop.h"

/* The zone's console: the master of a pty from the zone's own devpts. The
 * supervisor reads it all the time, so the zone never blocks on a full pty and
 * no output is lost while nobody is attached, and appends what it reads to the
 * console log, which is rotated to "<log>.1" once it reaches its cap. Clients
 * (console-clients.c) get the tail of the log, then everything the zone
 * writes; what they write goes to the zone. They stay attached across a
 * reboot of the zone. */

typedef struct ConsoleClient ConsoleClient;

#define CONSOLE_READY_TEXT_MAX 256

typedef struct Console {
        char *log_path;   /* NULL: output is read and dropped */
        uint64_t log_max; /* bytes; 0: no cap */
        int log_fd;
        uint64_t log_size;
        bool log_failed;     /* a write failed; logged once */
        int slave_fd;        /* our own slave: the master never sees a hangup while the zone has none open */
        EventSource *source; /* owns the master */
        EventLoop *loop;
        ConsoleClient *clients;
        unsigned n_input_pending; /* clients with input the master did not take yet */
        ConsoleQueries queries;   /* answered while no client is attached (console-queries.h) */
        /* A brand's Ready=console:TEXT: the text looked for in the output, the end of what was read
         * so far (a text cut between two reads is found too), and whether it was seen since the
         * console was attached. */
        char *ready_text;
        char ready_tail[CONSOLE_READY_TEXT_MAX];
        size_t ready_tail_len;
        bool ready_seen;
} Console;

void console_init(Console *c);
/* Sets the log file and creates its directory; the file is opened on first output. */
int console_set_log(Console *c, const char *path, uint64_t max);
/* Starts reading master_fd (ownership passes to the console on success). */
int console_attach(Console *c, EventLoop *e, int master_fd);
/* Reads what is left in the pty, then closes master and slave. */
void console_detach(Console *c);
void console_done(Console *c);
/* Watches the master for EPOLLOUT while some client has input pending. */
int console_want_output(Console *c, bool b);
/* Looks for text in the output from now on (NULL: nothing); ready_seen says when it came. */
int console_watch_for(Console *c, const char *text);
/* What the console does with each piece of output it reads; exported for the unit tests. */
void console_look_for_ready(Console *c, const char *buf, size_t n);
/* Appends to the log with rotation; exported for the unit tests. */
int console_log_write(Console *c, const char *data, size_t n);
