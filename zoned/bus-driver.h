/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

/* zoned's unique name on its private socket, the owner of org.zoned1 there. */
#define BUS_DRIVER_ZONED_NAME ":1.0"

/* What a D-Bus client calls on org.freedesktop.DBus before anything else (Hello, GetNameOwner,
 * AddMatch, ...), answered on a direct connection as a bus would, so that busctl, gdbus and
 * libdbus clients that expect a bus work on zoned's private socket. The peer is named ":1.<id>";
 * zoned is BUS_DRIVER_ZONED_NAME and owns org.zoned1. Every signal goes to every peer anyway, so
 * match rules are accepted and need not be kept. */
int bus_driver_add(sd_bus *bus, uint64_t id);
