/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>
#include <systemd/sd-bus.h>

/* D-Bus values as JSON, for show --json and status --json: numbers as numbers (a uint64 of all
 * ones, zoned's "no limit", as null), booleans as true/false, strings, object paths and
 * signatures as strings, arrays of dict entries as objects (keys as strings), other arrays and
 * structs as arrays, variants as their value. Reads the value at the message's position (one
 * complete type) and writes it to f. */
int bus_write_json_value(sd_bus_message *m, FILE *f);
