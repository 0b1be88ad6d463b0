/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* The value of a variant (the message is positioned on it) as text, the way
 * `zonectl show` prints it: numbers in decimal, booleans as yes/no, strings
 * as they are, arrays of those space-separated. -EOPNOTSUPP (and the variant
 * skipped) for anything else. */
int bus_variant_to_string(sd_bus_message *m, char **ret);
