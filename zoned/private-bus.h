/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

/* zoned's private D-Bus socket, <runtime_dir>/bus: the same objects as on
 * the system bus, for hosts that have none. Each accepted connection is a
 * direct (peer-to-peer) sd-bus server connection. */
/* How many connections zoned keeps (zoned(8), "Connection limits"): of one uid, and of all uids
 * but root together. Root's count only against its own per-uid limit, so that no other user can
 * lock root out. A connection beyond them is closed at once. */
#define PRIVATE_CONNECTIONS_PER_UID_MAX 128U
#define PRIVATE_CONNECTIONS_MAX 1024U

int private_bus_listen(Manager *m);
void private_bus_close_all(Manager *m);
void private_bus_foreach(Manager *m, manager_bus_func f, void *userdata);
