/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The answers a terminal gives to what an init asks its console, given by the supervisor while no
 * client's terminal is attached to answer them. systemd 258 and later ask the console for its size
 * at boot (CSI 18 t, then the cursor position after a move to 32766;32766) and wait a third of a
 * second for each answer: unanswered, that was 0.6 s of every boot of Debian sid's systemd 262.
 * The console is an 80x25 terminal (the size its pty is given) whose cursor is in the top left
 * corner, but after a move beyond its bottom right corner. Other sequences pass unanswered. */

#define CONSOLE_QUERIES_ANSWER_MAX 64

/* The size the zone's console pty starts with (zone_mount_console()), until a client sets its own:
 * that of a Linux console without a frame buffer. */
#define CONSOLE_DEFAULT_ROWS 25
#define CONSOLE_DEFAULT_COLUMNS 80

typedef struct ConsoleQueries {
        unsigned rows, columns;
        int state;       /* where in an escape sequence the output is (console-queries.c) */
        char params[24]; /* of the CSI sequence being read */
        size_t n_params;
        bool far_corner; /* the cursor was moved to or past the bottom right corner */
} ConsoleQueries;

void console_queries_init(ConsoleQueries *q, unsigned rows, unsigned columns);

/* Reads n bytes of the zone's console output (sequences may be cut anywhere between two calls)
 * and writes the answers to them into answer (at most CONSOLE_QUERIES_ANSWER_MAX bytes; more
 * queries in one read are answered up to that). Returns the length of the answers. */
size_t console_queries_scan(ConsoleQueries *q, const char *buf, size_t n,
                            char answer[CONSOLE_QUERIES_ANSWER_MAX]);
