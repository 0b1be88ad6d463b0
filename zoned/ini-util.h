/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* GKeyFile reports line numbers only for syntax errors. For errors in a
 * value (unknown key, bad signal name, ...) we look the key up in the text to
 * name "file:line" like a compiler would. Returns 0 when not found. */
unsigned ini_key_line(const char *text, const char *group, const char *key);

/* Loads an ini file into a GKeyFile and keeps its text for ini_key_line(). */
int ini_load(const char *path, GKeyFile **ret_file, char **ret_text, char **ret_error);

/* Checks that the file has only the given group and keys. On error, sets
 * *ret_error to "FILE:LINE: message" and returns -EBADMSG. */
int ini_check_keys(GKeyFile *f, const char *text, const char *path, const char *group,
                   const char *const *keys, char **ret_error);

/* Formats "FILE:LINE: message" for a key. Returns -EBADMSG. */
int ini_key_error(const char *path, const char *text, const char *group, const char *key, char **ret_error,
                  const char *format, ...) G_GNUC_PRINTF(6, 7);
