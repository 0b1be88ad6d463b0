/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <sys/stat.h>

#include "rootfs-init.h"

char *rootfs_init_path(const char *rootfs) {
        g_autofree char *rel = g_strdup("sbin/init");

        for (int i = 0; i < 16; i++) {
                g_autofree char *full = g_build_filename(rootfs, rel, NULL);
                g_autofree char *target = NULL;
                struct stat st;

                if (lstat(full, &st) < 0)
                        return NULL;
                if (!S_ISLNK(st.st_mode))
                        return g_steal_pointer(&rel);
                target = g_file_read_link(full, NULL);
                if (!target)
                        return NULL;
                if (target[0] == '/') {
                        g_free(rel);
                        rel = g_strdup(target + 1);
                } else {
                        g_autofree char *dir = g_path_get_dirname(rel);
                        g_free(rel);
                        rel = g_build_filename(dir, target, NULL);
                }
                /* ".." can only climb to the rootfs' own root. */
                g_autofree char *canon = g_canonicalize_filename(rel, "/");
                g_free(rel);
                rel = g_strdup(canon + 1);
        }
        return NULL;
}

char *rootfs_init_name(const char *rootfs) {
        g_autofree char *rel = rootfs_init_path(rootfs);

        return rel ? g_path_get_basename(rel) : NULL;
}
