/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

/* zoned's private D-Bus socket, <runtime_dir>/bus: the same objects as on
 * the system bus, for hosts that have none. Each accepted connection is a
 * direct (peer-to-peer) sd-bus server connection. */
int private_bus_listen(Manager *m);
void private_bus_close_all(Manager *m);
void private_bus_foreach(Manager *m, manager_bus_func f, void *userdata);
