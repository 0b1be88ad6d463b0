/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "macro.h"
#include "verify.h"

static const char *const verify_mode_table[_VERIFY_MODE_MAX] = {
        [VERIFY_NO] = "no",
        [VERIFY_CHECKSUM] = "checksum",
        [VERIFY_SIGNATURE] = "signature",
};

DEFINE_STRING_TABLE_LOOKUP(verify_mode, VerifyMode)

/* Where the path of the URL ends: before "?" or "#". */
static size_t url_path_end(const char *url) {
        return strcspn(url, "?#");
}

/* The offset of the last "/" of the path, or -1 when the URL has no path. */
static ssize_t url_last_slash(const char *url) {
        const char *scheme = strstr(url, "://");
        size_t end = url_path_end(url), start;
        ssize_t last = -1;

        if (!scheme)
                return -1;
        start = (size_t) (scheme - url) + 3;
        /* The first "/" after the host starts the path. */
        if (!memchr(url + start, '/', end > start ? end - start : 0))
                return -1;
        for (size_t i = start; i < end; i++)
                if (url[i] == '/')
                        last = (ssize_t) i;
        return last;
}

char *url_file_name(const char *url) {
        ssize_t slash = url_last_slash(url);
        size_t end = url_path_end(url);
        g_autofree char *name = NULL;

        if (slash < 0 || (size_t) slash + 1 >= end)
                return NULL;
        name = g_strndup(url + slash + 1, end - (size_t) slash - 1);
        return g_uri_unescape_string(name, "/");
}

char *url_sibling(const char *url, const char *sibling) {
        ssize_t slash = url_last_slash(url);

        if (slash < 0)
                return NULL;
        return g_strdup_printf("%.*s%s", (int) slash + 1, url, sibling);
}

int verify_sha256sums(const char *sums, size_t size, const char *file_name, const char *hex) {
        g_autofree char *text = g_strndup(sums, size);
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (char **l = lines; *l; l++) {
                char *line = g_strstrip(*l), *name;

                /* 64 hex digits, a space, then " " (text) or "*" (binary) and the name. */
                if (strlen(line) < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*'))
                        continue;
                name = line + 66;
                if (name[0] == '.' && name[1] == '/')
                        name += 2;
                if (!streq(name, file_name))
                        continue;
                return g_ascii_strncasecmp(line, hex, 64) == 0 && strlen(hex) == 64 ? 0 : -EBADMSG;
        }
        return -ENOENT;
}

static bool keyring_is_binary(const char *fn) {
        return g_str_has_suffix(fn, ".gpg") || g_str_has_suffix(fn, ".kbx") || g_str_has_suffix(fn, ".pgp");
}

/* Adds "--keyring FILE" for every keyring of keys_dir, sorted by name. */
static int collect_keyrings(const char *keys_dir, const char *work_dir, GPtrArray *argv) {
        g_autoptr(GDir) d = g_dir_open(keys_dir, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *fn;
        unsigned n = 0;

        if (!d)
                return -ENOKEY;
        while ((fn = g_dir_read_name(d)))
                if (fn[0] != '.' && (keyring_is_binary(fn) || g_str_has_suffix(fn, ".asc")))
                        g_ptr_array_add(names, g_strdup(fn));
        g_ptr_array_sort(names, (GCompareFunc) g_strcmp0);
        for (guint i = 0; i < names->len; i++) {
                const char *name = names->pdata[i];
                g_autofree char *path = g_build_filename(keys_dir, name, NULL);

                if (!keyring_is_binary(name)) {
                        g_autofree char *out = g_strdup_printf("%s/keyring-%u.gpg", work_dir, i);
                        const char *dearmor[] = { "gpg",       "--batch",  "--no-options",
                                                  "--homedir", work_dir,   "--yes",
                                                  "--dearmor", "--output", out,
                                                  path,        NULL };
                        int status = 0;

                        if (!g_spawn_sync(NULL, (char **) dearmor, NULL,
                                          G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                                                  G_SPAWN_STDERR_TO_DEV_NULL,
                                          NULL, NULL, NULL, NULL, &status, NULL) ||
                            !g_spawn_check_wait_status(status, NULL))
                                continue; /* not a key: gpgv reports the missing key */
                        g_free(path);
                        path = g_steal_pointer(&out);
                }
                g_ptr_array_add(argv, g_strdup("--keyring"));
                g_ptr_array_add(argv, g_steal_pointer(&path));
                n++;
        }
        return n > 0 ? 0 : -ENOKEY;
}

int verify_signature(const char *keys_dir, const char *work_dir, const char *sums_path, const char *sig_path,
                     char **ret_output) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *out = NULL, *err = NULL;
        int status = 0, r;

        g_ptr_array_add(argv, g_strdup("gpgv"));
        g_ptr_array_add(argv, g_strdup("--homedir"));
        g_ptr_array_add(argv, g_strdup(work_dir));
        r = collect_keyrings(keys_dir, work_dir, argv);
        if (r < 0)
                return r;
        g_ptr_array_add(argv, g_strdup(sig_path));
        g_ptr_array_add(argv, g_strdup(sums_path));
        g_ptr_array_add(argv, NULL);
        if (!g_spawn_sync(NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                          &status, NULL))
                return -ENOEXEC;
        if (g_spawn_check_wait_status(status, NULL))
                return 0;
        if (ret_output) {
                /* gpgv's verdict is its last line ("BAD signature from ...", "Can't check signature: No
                 * public key"). */
                char *text = g_strstrip(!isempty(err) ? err : strempty(out)), *nl = strrchr(text, '\n');

                *ret_output = g_strdup(nl ? g_strstrip(nl + 1) : text);
        }
        return -EBADMSG;
}
