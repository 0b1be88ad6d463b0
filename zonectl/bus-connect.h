/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "macro.h"

#define ZONED_SERVICE "org.zoned1"
#define ZONED_MANAGER_PATH "/org/zoned1"
#define ZONED_MANAGER_INTERFACE "org.zoned1.Manager"
#define ZONED_ZONE_INTERFACE "org.zoned1.Zone"
#define ZONED_TRANSFER_INTERFACE "org.zoned1.Transfer"
#define ZONED_ZONE_PATH_PREFIX "/org/zoned1/zone"
#define ZONED_BUS_SOCKET "bus"

/* zonectl's connection to zoned: either the system bus (zoned is
 * org.zoned1 there) or a direct connection to zoned's private socket. */
typedef struct Client {
        sd_bus *bus;
        char *address;           /* what we connected to, for messages */
        const char *destination; /* "org.zoned1" on a message bus, NULL on a direct connection */
        char *owner;             /* zoned's unique name on a message bus: the sender of its signals */
        bool lost;               /* zoned left the message bus */
        sd_bus_slot *owner_slot;
} Client;

/* 1) address (--address, $ZONED_ADDRESS): direct; 2) the system bus, if
 * org.zoned1 has an owner there; 3) direct to <runtime_dir>/bus. On failure
 * *ret_tried says what was tried last, and *ret_system_error why the system
 * bus was no good (-ENXIO: no org.zoned1 there; 0: not tried). */
int client_connect(const char *address, const char *runtime_dir, Client **ret, char **ret_tried,
                   int *ret_system_error);
/* Closes the connection (the struct stays, for client_free). */
void client_close(Client *c);
Client *client_free(Client *c);
static inline void client_freep(Client **c) {
        client_free(*c);
}
#define _cleanup_client_ _cleanup_(client_freep)

/* Matches a signal from zoned (sender checked on a message bus). */
int client_match_signal(Client *c, sd_bus_slot **ret_slot, const char *path, const char *interface,
                        const char *member, sd_bus_message_handler_t callback, void *userdata);
/* The same without waiting for the bus to confirm the match. */
int client_match_signal_async(Client *c, sd_bus_slot **ret_slot, const char *path, const char *interface,
                              const char *member, sd_bus_message_handler_t callback, void *userdata);

/* Method calls on zoned's objects. */
#define client_call(c, path, interface, member, error, reply, types, ...)                               \
        sd_bus_call_method((c)->bus, (c)->destination, (path), (interface), (member), (error), (reply), \
                           (types), ##__VA_ARGS__)
#define manager_call(c, member, error, reply, types, ...)                                                  \
        client_call((c), ZONED_MANAGER_PATH, ZONED_MANAGER_INTERFACE, (member), (error), (reply), (types), \
                    ##__VA_ARGS__)

/* Runs the connection until check(userdata) returns non-zero (returned as
 * is: > 0 done, < 0 failed), the deadline (CLOCK_MONOTONIC µs,
 * USEC_INFINITY: none) passes (-ETIME), or zoned goes away (-ECONNRESET). */
int client_wait(Client *c, uint64_t deadline, int (*check)(void *userdata), void *userdata);
/* The same, with sigmask as the signal mask while it sleeps (and only then): signals the caller
 * blocks, with handlers, end the wait with -EINTR even when they came just before it slept. */
int client_wait_sigmask(Client *c, uint64_t deadline, int (*check)(void *userdata), void *userdata,
                        const sigset_t *sigmask);
