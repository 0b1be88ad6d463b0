/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define FORMAT_BYTES_MAX 48
#define FORMAT_TIMESTAMP_MAX 96

/* 1023 → "1023B", 1536 → "1.5K", base 1024. */
const char *format_bytes(char buf[static FORMAT_BYTES_MAX], uint64_t bytes);
/* CLOCK_REALTIME µs → "Sun 2025-11-23 15:43:00 UTC; 5min ago"; now_usec gives "now". */
const char *format_timestamp_relative(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec,
                                      uint64_t now_usec);
/* "12", "1.5", "infinity" seconds → µs (USEC_INFINITY for infinity and 0). */
int parse_timeout_sec(const char *s, uint64_t *ret_usec);
uint64_t now_usec(int clock);
/* Display width of UTF-8 text: one column per code point. */
size_t utf8_width(const char *s);
