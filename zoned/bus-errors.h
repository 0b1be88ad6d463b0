/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-error-names.h"

/* Uid 0 may change things; everyone else may only read. Returns 0 when
 * allowed, or a negative errno with an AccessDenied error set. */
int bus_verify_root(sd_bus_message *m, sd_bus_error *error);
