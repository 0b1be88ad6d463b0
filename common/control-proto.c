/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "control-proto.h"
#include "macro.h"

/* The value of the next KEY line from *p on (not NUL-terminated); false when there is none. */
static bool next_value(const char **p, const char *end, const char *key, const char **ret, size_t *ret_len) {
        size_t klen = strlen(key);

        while (*p < end) {
                const char *line = *p, *nl = memchr(line, '\n', (size_t) (end - line));
                const char *le = nl ? nl : end;

                *p = le + 1;
                if ((size_t) (le - line) > klen && memcmp(line, key, klen) == 0 && line[klen] == '=') {
                        *ret = line + klen + 1;
                        *ret_len = (size_t) (le - line - klen - 1);
                        return true;
                }
        }
        return false;
}

int control_message_get(const char *msg, size_t len, const char *key, char **ret) {
        const char *p = msg, *v;
        size_t n;
        char *copy;

        if (!next_value(&p, msg + len, key, &v, &n))
                return -ENOENT;
        copy = strndup(v, n);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

int control_message_get_all(const char *msg, size_t len, const char *key, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = msg, *v;
        size_t n;

        while (next_value(&p, msg + len, key, &v, &n)) {
                _cleanup_free_ char *copy = strndup(v, n);

                if (!copy || strv_extend(&l, copy) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
