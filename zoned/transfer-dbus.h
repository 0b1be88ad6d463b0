/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "transfer.h"

#define TRANSFER_OBJECT_PREFIX "/org/zoned1/transfer"
#define TRANSFER_INTERFACE "org.zoned1.Transfer"

int transfer_dbus_register(Manager *m, sd_bus *bus);
void transfer_emit_new(Transfer *t);
void transfer_emit_removed(Transfer *t);
/* PropertiesChanged for Progress and BytesDone (the worker reports at most 5 times a second). */
void transfer_emit_progress(Transfer *t);
