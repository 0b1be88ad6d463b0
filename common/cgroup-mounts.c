/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-mounts.h"
#include "macro.h"

void cgroup_mounts_free(CgroupMount *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].dev);
                free(m[i].root);
                free(m[i].where);
                free(m[i].opts);
        }
        free(m);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *mountinfo_unescape(const char *s) {
        char *r = malloc(strlen(s) + 1), *q = r;

        if (!r)
                return NULL;
        while (*s) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *q++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 4;
                } else
                        *q++ = *s++;
        }
        *q = 0;
        return r;
}

/* One mountinfo line → a CgroupMount, or 0 when it is not a cgroup file system. */
static int parse_mountinfo_line(char *line, CgroupMount *ret) {
        char *fields[16], *save = NULL, *tok;
        size_t n = 0, dash = 0;

        for (tok = strtok_r(line, " \n", &save); tok && n < ELEMENTSOF(fields);
             tok = strtok_r(NULL, " \n", &save)) {
                if (n >= 6 && dash == 0 && streq(tok, "-"))
                        dash = n;
                fields[n++] = tok;
        }
        /* id parent major:minor root where options [optional…] - fstype source superoptions */
        if (dash == 0 || n < dash + 4)
                return -EBADMSG;
        if (!streq(fields[dash + 1], "cgroup") && !streq(fields[dash + 1], "cgroup2"))
                return 0;
        *ret = (CgroupMount) {
                .dev = strdup(fields[2]),
                .root = mountinfo_unescape(fields[3]),
                .where = mountinfo_unescape(fields[4]),
                .v2 = streq(fields[dash + 1], "cgroup2"),
                .opts = strdup(fields[dash + 3]),
        };
        if (!ret->dev || !ret->root || !ret->where || !ret->opts) {
                free(ret->dev);
                free(ret->root);
                free(ret->where);
                free(ret->opts);
                return -ENOMEM;
        }
        return 1;
}

int cgroup_mounts_load(const char *mountinfo, CgroupMount **ret, size_t *ret_n) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        CgroupMount *mounts = NULL;
        size_t n = 0, size = 0;

        f = fopen(mountinfo ?: "/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        while (getline(&line, &size, f) > 0) {
                CgroupMount m, *nm;
                int r = parse_mountinfo_line(line, &m);

                if (r == 0 || r == -EBADMSG)
                        continue;
                if (r < 0) {
                        cgroup_mounts_free(mounts, n);
                        return r;
                }
                nm = realloc(mounts, (n + 1) * sizeof(CgroupMount));
                if (!nm) {
                        cgroup_mounts_free(mounts, n);
                        free(m.dev);
                        free(m.root);
                        free(m.where);
                        free(m.opts);
                        return -ENOMEM;
                }
                mounts = nm;
                mounts[n++] = m;
        }
        *ret = mounts;
        *ret_n = n;
        return 0;
}

static bool list_contains(const char *list, const char *word, size_t len) {
        for (const char *p = list; *p;) {
                size_t l = strcspn(p, ",");

                if (l == len && strncmp(p, word, len) == 0)
                        return true;
                p += l;
                if (*p == ',')
                        p++;
        }
        return false;
}

bool cgroup_mount_has_controllers(const CgroupMount *m, const char *controllers) {
        for (const char *p = controllers; *p;) {
                size_t l = strcspn(p, ",");

                if (l > 0 && !list_contains(m->opts, p, l))
                        return false;
                p += l;
                if (*p == ',')
                        p++;
        }
        return true;
}

char *cgroup_mount_dir(const CgroupMount *m, const char *path) {
        size_t l = strlen(m->root);
        char *dir;

        if (!streq(m->root, "/")) {
                if (strncmp(path, m->root, l) != 0 || (path[l] != '/' && path[l] != 0))
                        return NULL;
                path += l;
        }
        if (asprintf(&dir, "%s%s", m->where, path) < 0)
                return NULL;
        return dir;
}
