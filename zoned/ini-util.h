/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* GKeyFile reports line numbers only for syntax errors. For errors in a
 * value (unknown key, bad signal name, ...) we look the key up in the text to
 * name "file:line" like a compiler would. Returns 0 when not found. */
unsigned ini_key_line(const char *text, const char *group, const char *key);

/* Files zoned reads are small: a larger one is refused. */
#define INI_FILE_MAX (1024U * 1024U)

typedef enum IniFlags {
        /* A symlink is refused (-ELOOP), not followed: a zone file is the zone's own file, and
         * what a link points to is never read, nor quoted in an error. */
        INI_NO_SYMLINK = 1 << 0,
} IniFlags;

/* Reads the text of an ini file: a regular file only (a FIFO, socket or device is refused
 * without blocking on it), at most INI_FILE_MAX bytes, no NUL byte. On failure *ret_error says
 * "FILE: what is wrong". */
int ini_read(const char *path, IniFlags flags, char **ret_text, char **ret_error);

/* Loads an ini file (as ini_read() reads it) into a GKeyFile and keeps its text for
 * ini_key_line(). A key given twice in a section, or a section given twice, is an error
 * ("FILE:LINE: duplicate key K in [S] (first at line N)"): GKeyFile would keep one silently. */
int ini_load_full(const char *path, IniFlags flags, GKeyFile **ret_file, char **ret_text, char **ret_error);
/* The same for text already read (no NUL in it, at most INI_FILE_MAX bytes: the caller's to
 * check); name stands for the file in messages. */
int ini_parse(const char *name, const char *text, GKeyFile **ret_file, char **ret_error);
/* ini_load_full() that follows symlinks (brands and template definitions may be links). */
int ini_load(const char *path, GKeyFile **ret_file, char **ret_text, char **ret_error);
/* ini_load() of a file whose list_sections hold lists: there a key may be given many times, each
 * line one entry (GKeyFile keeps only the last: read them from the text). */
int ini_load_lists(const char *path, const char *const *list_sections, GKeyFile **ret_file, char **ret_text,
                   char **ret_error);

/* Checks that the file has only the given group and keys. On error, sets
 * *ret_error to "FILE:LINE: message" and returns -EBADMSG. */
int ini_check_keys(GKeyFile *f, const char *text, const char *path, const char *group,
                   const char *const *keys, char **ret_error);

/* A section a file may have, with its keys (NULL-terminated). */
typedef struct IniSection {
        const char *name;
        const char *const *keys;
} IniSection;
/* The same for a file of several sections: sections[0] is required, the others optional; the
 * array ends with a NULL name. */
int ini_check_sections(GKeyFile *f, const char *text, const char *path, const IniSection *sections,
                       char **ret_error);

/* Formats "FILE:LINE: message" for a key. Returns -EBADMSG. */
int ini_key_error(const char *path, const char *text, const char *group, const char *key, char **ret_error,
                  const char *format, ...) G_GNUC_PRINTF(6, 7);
