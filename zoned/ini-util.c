/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "ini-util.h"
#include "macro.h"

unsigned ini_key_line(const char *text, const char *group, const char *key) {
        bool in_group = group == NULL;
        unsigned line = 0;
        size_t klen = key ? strlen(key) : 0;

        for (const char *s = text; s && *s;) {
                const char *nl = strchrnul(s, '\n');
                const char *p = s;

                line++;
                while (p < nl && (*p == ' ' || *p == '\t'))
                        p++;
                if (*p == '[') {
                        const char *e = memchr(p, ']', (size_t) (nl - p));
                        in_group = e && group && (size_t) (e - p - 1) == strlen(group) &&
                                   memcmp(p + 1, group, strlen(group)) == 0;
                        if (in_group && !key)
                                return line;
                } else if (in_group && key && (size_t) (nl - p) >= klen && memcmp(p, key, klen) == 0) {
                        const char *q = p + klen;
                        while (q < nl && (*q == ' ' || *q == '\t'))
                                q++;
                        if (q < nl && (*q == '=' || *q == '['))
                                return line;
                }
                s = *nl ? nl + 1 : nl;
        }
        return 0;
}

int ini_load(const char *path, GKeyFile **ret_file, char **ret_text, char **ret_error) {
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autoptr(GError) err = NULL;
        g_autofree char *text = NULL;
        gsize len;

        if (!g_file_get_contents(path, &text, &len, &err)) {
                *ret_error = g_strdup_printf("%s: %s", path, err->message);
                return err->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO;
        }
        if (strlen(text) != len) {
                *ret_error = g_strdup_printf("%s: file contains a NUL byte", path);
                return -EBADMSG;
        }
        if (!g_key_file_load_from_data(f, text, len, G_KEY_FILE_KEEP_COMMENTS, &err)) {
                /* GKeyFile's own message already names the line. */
                *ret_error = g_strdup_printf("%s: %s", path, err->message);
                return -EBADMSG;
        }
        *ret_file = g_steal_pointer(&f);
        *ret_text = g_steal_pointer(&text);
        return 0;
}

int ini_key_error(const char *path, const char *text, const char *group, const char *key, char **ret_error,
                  const char *format, ...) {
        g_autofree char *msg = NULL;
        va_list ap;

        va_start(ap, format);
        msg = g_strdup_vprintf(format, ap);
        va_end(ap);
        *ret_error = g_strdup_printf("%s:%u: %s", path, ini_key_line(text, group, key), msg);
        return -EBADMSG;
}

int ini_check_keys(GKeyFile *f, const char *text, const char *path, const char *group,
                   const char *const *keys, char **ret_error) {
        g_auto(GStrv) groups = g_key_file_get_groups(f, NULL);

        for (char **g = groups; g && *g; g++) {
                g_auto(GStrv) names = NULL;

                if (!streq(*g, group)) {
                        *ret_error = g_strdup_printf("%s:%u: unknown section [%s], expected [%s]", path,
                                                     ini_key_line(text, *g, NULL), *g, group);
                        return -EBADMSG;
                }
                names = g_key_file_get_keys(f, *g, NULL, NULL);
                for (char **k = names; k && *k; k++)
                        if (!g_strv_contains(keys, *k))
                                return ini_key_error(path, text, group, *k, ret_error,
                                                     "unknown key %s in [%s]", *k, group);
        }
        if (!g_key_file_has_group(f, group)) {
                *ret_error = g_strdup_printf("%s: missing section [%s]", path, group);
                return -EBADMSG;
        }
        return 0;
}
