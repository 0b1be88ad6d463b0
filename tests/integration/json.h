/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* A strict JSON (RFC 8259) reader for checking zonectl's --json output:
 * objects become a{sv}, arrays av, strings s, numbers d, true/false b and
 * null an empty maybe (mv). Returns NULL with a message on any syntax error
 * or trailing garbage. */
GVariant *json_parse(const char *text, char **ret_error);
