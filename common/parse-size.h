/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* A size as systemd writes them (parse_size() with base 1024): a number of bytes, with a fraction
 * and a suffix K, M, G, T, P or E (powers of 1024, an optional "B" after it), e.g. "512M", "1.5G",
 * "4096". -EINVAL for anything else, -ERANGE past uint64. Rounded down to a byte. */
int parse_size(const char *s, uint64_t *ret);
