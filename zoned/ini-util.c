/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Opens path for reading without blocking: a FIFO or a device put where a file is expected
 * would hang its reader, and a symlink (with INI_NO_SYMLINK) would have it read, and quote in
 * its errors, whatever the link points to. */
static int ini_open(const char *path, IniFlags flags, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open(path,
                  O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (flags & INI_NO_SYMLINK ? O_NOFOLLOW : 0));
        if (fd < 0 && errno == ELOOP && (flags & INI_NO_SYMLINK)) {
                *ret_error = g_strdup_printf("%s: is a symbolic link, not a file of its own; not read",
                                             path);
                return -ELOOP;
        }
        if (fd < 0) {
                int r = -errno;

                *ret_error = g_strdup_printf("%s: %s", path, g_strerror(-r));
                return r;
        }
        if (fstat(fd, &st) < 0) {
                int r = -errno;

                *ret_error = g_strdup_printf("%s: %s", path, g_strerror(-r));
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                *ret_error = g_strdup_printf("%s: not a regular file; not read", path);
                return -EBADMSG;
        }
        if (st.st_size > INI_FILE_MAX) {
                *ret_error = g_strdup_printf("%s: larger than %u bytes; not read", path, INI_FILE_MAX);
                return -EFBIG;
        }
        return TAKE_FD(fd);
}

int ini_read(const char *path, IniFlags flags, char **ret_text, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        g_autoptr(GByteArray) text = g_byte_array_new();
        char buf[4096];

        fd = ini_open(path, flags, ret_error);
        if (fd < 0)
                return fd;
        /* The size is counted again: the file may grow after fstat(). */
        for (;;) {
                ssize_t k = read(fd, buf, sizeof(buf));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int r = -errno;

                        *ret_error = g_strdup_printf("%s: %s", path, g_strerror(-r));
                        return r;
                }
                if (k == 0)
                        break;
                g_byte_array_append(text, (const guint8 *) buf, (guint) k);
                if (text->len > INI_FILE_MAX) {
                        *ret_error = g_strdup_printf("%s: larger than %u bytes; not read", path,
                                                     INI_FILE_MAX);
                        return -EFBIG;
                }
        }
        if (text->len > 0 && memchr(text->data, 0, text->len)) {
                *ret_error = g_strdup_printf("%s: file contains a NUL byte", path);
                return -EBADMSG;
        }
        g_byte_array_append(text, (const guint8 *) "", 1);
        *ret_text = (char *) g_byte_array_free(g_steal_pointer(&text), FALSE);
        return 0;
}

/* What is between p and nl (one line), without the whitespace around it. */
static char *line_strip(const char *p, const char *nl) {
        while (p < nl && g_ascii_isspace(*p))
                p++;
        while (nl > p && g_ascii_isspace(nl[-1]))
                nl--;
        return g_strndup(p, (gsize) (nl - p));
}

/* GKeyFile keeps the last of two equal keys of a section and merges two sections of one name:
 * a file that says something twice has one of the two ignored without a word. Lines are taken
 * as GKeyFile takes them (it parsed the text already): leading blanks are skipped, "#" starts a
 * comment, "[" a section, and a key ends before "=" (a localized key "Name[de]" is a key of its
 * own). */
static int ini_check_duplicates(const char *path, const char *text, const char *const *list_sections,
                                char **ret_error) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autofree char *group = NULL;
        unsigned line = 0;

        for (const char *s = text; *s; s = *s ? s + 1 : s) {
                const char *nl = strchrnul(s, '\n'), *eq;
                g_autofree char *l = line_strip(s, nl), *id = NULL;
                gpointer first;

                line++;
                s = nl;
                if (l[0] == 0 || l[0] == '#')
                        continue;
                if (l[0] == '[') {
                        char *end = strchr(l, ']');

                        g_free(group);
                        group = g_strndup(l + 1, end ? (gsize) (end - l - 1) : strlen(l + 1));
                        id = g_strconcat("[", group, NULL);
                } else if (group && (eq = strchr(l, '='))) {
                        g_autofree char *key = line_strip(l, eq);

                        /* A list section's lines are a list: the same key again is one more entry. */
                        if (list_sections && g_strv_contains(list_sections, group))
                                continue;

                        id = g_strconcat(group, "\n", key, NULL);
                } else
                        continue;
                if (g_hash_table_lookup_extended(seen, id, NULL, &first)) {
                        const char *nl2 = strchr(id, '\n');

                        if (nl2)
                                *ret_error = g_strdup_printf(
                                        "%s:%u: duplicate key %s in [%s] (first at line %u)", path, line,
                                        nl2 + 1, group, GPOINTER_TO_UINT(first));
                        else
                                *ret_error = g_strdup_printf(
                                        "%s:%u: section [%s] appears twice (first at line %u)", path, line,
                                        group, GPOINTER_TO_UINT(first));
                        return -EBADMSG;
                }
                g_hash_table_insert(seen, g_steal_pointer(&id), GUINT_TO_POINTER(line));
        }
        return 0;
}

static int ini_parse_checked(const char *path, const char *text, const char *const *list_sections,
                             GKeyFile **ret_file, char **ret_error) {
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autoptr(GError) err = NULL;
        int r;

        if (!g_key_file_load_from_data(f, text, strlen(text), G_KEY_FILE_KEEP_COMMENTS, &err)) {
                /* GKeyFile's own message already names the line. */
                *ret_error = g_strdup_printf("%s: %s", path, err->message);
                return -EBADMSG;
        }
        r = ini_check_duplicates(path, text, list_sections, ret_error);
        if (r < 0)
                return r;
        *ret_file = g_steal_pointer(&f);
        return 0;
}

int ini_parse(const char *name, const char *text, GKeyFile **ret_file, char **ret_error) {
        return ini_parse_checked(name, text, NULL, ret_file, ret_error);
}

static int ini_load_checked(const char *path, IniFlags flags, const char *const *list_sections,
                            GKeyFile **ret_file, char **ret_text, char **ret_error) {
        g_autofree char *text = NULL;
        int r;

        r = ini_read(path, flags, &text, ret_error);
        if (r < 0)
                return r;
        r = ini_parse_checked(path, text, list_sections, ret_file, ret_error);
        if (r < 0)
                return r;
        *ret_text = g_steal_pointer(&text);
        return 0;
}

int ini_load_full(const char *path, IniFlags flags, GKeyFile **ret_file, char **ret_text, char **ret_error) {
        return ini_load_checked(path, flags, NULL, ret_file, ret_text, ret_error);
}

int ini_load(const char *path, GKeyFile **ret_file, char **ret_text, char **ret_error) {
        return ini_load_full(path, 0, ret_file, ret_text, ret_error);
}

int ini_load_lists(const char *path, const char *const *list_sections, GKeyFile **ret_file, char **ret_text,
                   char **ret_error) {
        return ini_load_checked(path, 0, list_sections, ret_file, ret_text, ret_error);
}

int ini_key_error(const char *path, const char *text, const char *group, const char *key, char **ret_error,
                  const char *format, ...) {
        g_autofree char *msg = NULL;
        unsigned line;
        va_list ap;

        va_start(ap, format);
        msg = g_strdup_vprintf(format, ap);
        va_end(ap);
        /* A missing key is named at its section's line. */
        line = ini_key_line(text, group, key) ?: ini_key_line(text, group, NULL);
        if (line > 0)
                *ret_error = g_strdup_printf("%s:%u: %s", path, line, msg);
        else
                *ret_error = g_strdup_printf("%s: %s", path, msg);
        return -EBADMSG;
}

int ini_check_sections(GKeyFile *f, const char *text, const char *path, const IniSection *sections,
                       char **ret_error) {
        g_auto(GStrv) groups = g_key_file_get_groups(f, NULL);

        for (char **g = groups; g && *g; g++) {
                g_auto(GStrv) names = NULL;
                const IniSection *s = sections;

                while (s->name && !streq(s->name, *g))
                        s++;
                if (!s->name) {
                        *ret_error = g_strdup_printf("%s:%u: unknown section [%s], expected [%s]", path,
                                                     ini_key_line(text, *g, NULL), *g, sections[0].name);
                        return -EBADMSG;
                }
                names = g_key_file_get_keys(f, *g, NULL, NULL);
                for (char **k = names; k && *k; k++)
                        if (!g_strv_contains(s->keys, *k))
                                return ini_key_error(path, text, s->name, *k, ret_error,
                                                     "unknown key %s in [%s]", *k, s->name);
        }
        if (!g_key_file_has_group(f, sections[0].name)) {
                *ret_error = g_strdup_printf("%s: missing section [%s]", path, sections[0].name);
                return -EBADMSG;
        }
        return 0;
}

int ini_check_keys(GKeyFile *f, const char *text, const char *path, const char *group,
                   const char *const *keys, char **ret_error) {
        const IniSection sections[] = { { group, keys }, {} };

        return ini_check_sections(f, text, path, sections, ret_error);
}
