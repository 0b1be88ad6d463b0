/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macro.h"

/* zonectl reports every failure as one line on stderr, "zonectl: <what>",
 * and the verb returns the negative errno. %m in the format prints the
 * error passed in. */
int cli_error_errno(int error, const char *format, ...) _printf_(2, 3);
#define cli_error(...) cli_error_errno(0, __VA_ARGS__)

/* A failed D-Bus call: zoned's named errors (org.zoned1.Error.*) are printed
 * as zoned worded them ("zonectl: zone "web" does not exist"), access
 * denials as "access denied: …", anything else (no such method, no reply, a
 * dropped connection) after the context given by format. Returns the
 * negative errno (never 0). */
int cli_bus_error(const sd_bus_error *error, int r, const char *format, ...) _printf_(3, 4);

/* Registers zoned's error names with sd-bus, so that r carries a fitting errno. */
void cli_register_error_map(void);
