/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "control-proto.h"
#include "macro.h"

int control_message_get(const char *msg, size_t len, const char *key, char **ret) {
        size_t klen = strlen(key);
        const char *p = msg, *end = msg + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *le = nl ? nl : end;

                if ((size_t) (le - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
                        char *v = strndup(p + klen + 1, (size_t) (le - p - klen - 1));
                        if (!v)
                                return -ENOMEM;
                        *ret = v;
                        return 0;
                }
                p = le + 1;
        }
        return -ENOENT;
}

int control_message_get_all(const char *msg, size_t len, const char *key, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t klen = strlen(key);
        const char *p = msg, *end = msg + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *le = nl ? nl : end;

                if ((size_t) (le - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
                        _cleanup_free_ char *v = strndup(p + klen + 1, (size_t) (le - p - klen - 1));

                        if (!v || strv_extend(&l, v) < 0)
                                return -ENOMEM;
                }
                p = le + 1;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
