/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "binfmt-check.h"
#include "elf-machine.h"
#include "macro.h"

/* What zoned reads of a handler: /proc/sys/fs/binfmt_misc/NAME. */
typedef struct BinfmtHandler {
        bool enabled;
        bool flag_f;
        bool is_magic; /* "M" (magic) rather than "E" (extension) */
        unsigned offset;
        GByteArray *magic;
        GByteArray *mask;
} BinfmtHandler;

static void handler_done(BinfmtHandler *h) {
        if (h->magic)
                g_byte_array_unref(h->magic);
        if (h->mask)
                g_byte_array_unref(h->mask);
}

static GByteArray *parse_hex(const char *s) {
        GByteArray *a = g_byte_array_new();

        for (; g_ascii_isxdigit(s[0]) && g_ascii_isxdigit(s[1]); s += 2) {
                guint8 b = (guint8) (g_ascii_xdigit_value(s[0]) << 4 | g_ascii_xdigit_value(s[1]));
                g_byte_array_append(a, &b, 1);
        }
        return a;
}

static void handler_parse(const char *text, BinfmtHandler *h) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (char **l = lines; *l; l++) {
                if (streq(*l, "enabled"))
                        h->enabled = true;
                else if (g_str_has_prefix(*l, "flags: "))
                        h->flag_f = strchr(*l + strlen("flags: "), 'F') != NULL;
                else if (g_str_has_prefix(*l, "offset "))
                        h->offset = (unsigned) g_ascii_strtoull(*l + strlen("offset "), NULL, 10);
                else if (g_str_has_prefix(*l, "magic ")) {
                        h->is_magic = true;
                        h->magic = parse_hex(*l + strlen("magic "));
                } else if (g_str_has_prefix(*l, "mask "))
                        h->mask = parse_hex(*l + strlen("mask "));
        }
}

/* As the kernel matches: each header byte under the mask equals the magic's. */
static bool handler_matches(const BinfmtHandler *h, const unsigned char header[20]) {
        if (!h->is_magic || !h->magic || h->magic->len == 0 || h->offset + h->magic->len > 20)
                return false;
        for (guint i = 0; i < h->magic->len; i++) {
                guint8 mask = h->mask && i < h->mask->len ? h->mask->data[i] : 0xff;

                if ((header[h->offset + i] & mask) != (h->magic->data[i] & mask))
                        return false;
        }
        return true;
}

int binfmt_check_architecture(const char *dir, const char *arch, char **ret_why) {
        g_autoptr(GDir) d = NULL;
        unsigned char header[20];
        const char *name;
        bool found_disabled = false, found_no_f = false;

        if (!elf_machine_header(arch, header))
                return -EINVAL;
        if (elf_machine_runs_natively(arch))
                return 0;
        d = g_dir_open(dir, 0, NULL);
        if (!d) {
                *ret_why = g_strdup_printf("%s is not there (binfmt_misc is not mounted)", dir);
                return -ENOEXEC;
        }
        while ((name = g_dir_read_name(d))) {
                g_autofree char *path = NULL, *text = NULL;
                BinfmtHandler h = {};
                bool match;

                if (streq(name, "register") || streq(name, "status"))
                        continue;
                path = g_build_filename(dir, name, NULL);
                if (!g_file_get_contents(path, &text, NULL, NULL))
                        continue;
                handler_parse(text, &h);
                match = handler_matches(&h, header);
                if (match && h.enabled && h.flag_f) {
                        handler_done(&h);
                        return 0;
                }
                found_disabled = found_disabled || (match && !h.enabled);
                found_no_f = found_no_f || (match && h.enabled && !h.flag_f);
                handler_done(&h);
        }
        *ret_why = g_strdup(found_no_f ? "its handler lacks the F flag (register it with update-binfmts "
                                         "of binfmt-support, which sets it)"
                            : found_disabled ? "its handler is disabled"
                                             : "no handler is registered for it");
        return -ENOEXEC;
}
