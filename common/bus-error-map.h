/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-error-names.h"

/* Each of zoned's error names (bus-error-names.h) with its errno, for sd_bus_error_add_map(). */
extern const sd_bus_error_map zoned_error_map[];
