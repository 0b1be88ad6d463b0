/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brand-detect.h"
#include "elf-machine.h"
#include "fd-util.h"
#include "macro.h"
#include "rootfs-init.h"

void brand_detect_rule_free(BrandDetectRule *r) {
        if (!r)
                return;
        g_free(r->brand);
        g_strfreev(r->init_names);
        g_strfreev(r->paths);
        g_free(r->architecture);
        g_free(r);
}

/* Opens path of the tree, every symlink resolved inside it (a hostile tree's "etc -> /etc" must
 * not make the host's files count). */
static int open_in_tree(const char *rootfs, const char *path, int flags) {
        _cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (root < 0)
                return -errno;
        return openat_in_root(root, path, flags, 0);
}

static bool tree_has(const char *rootfs, const char *path) {
        _cleanup_close_ int fd = open_in_tree(rootfs, path, O_PATH | O_NOFOLLOW);

        return fd >= 0;
}

/* The ELF machine of the tree's init (rootfs_init_path() resolved its symlinks). */
static char *init_architecture(const char *rootfs, const char *rel) {
        _cleanup_close_ int fd = open_in_tree(rootfs, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return NULL;
        return g_strdup(elf_machine_of(fd));
}

static bool rule_matches(const BrandDetectRule *r, const char *init_name, const char *arch,
                         const char *rootfs) {
        if (!g_strv_contains((const char *const *) r->init_names, init_name))
                return false;
        /* An init that is no ELF file we know (a script) runs as the host's. */
        if (!streq(r->architecture ?: elf_machine_native(), arch ?: elf_machine_native()))
                return false;
        for (char **p = r->paths; p && *p; p++)
                if (!tree_has(rootfs, *p))
                        return false;
        return true;
}

static guint paths_of(const BrandDetectRule *r) {
        return r->paths ? g_strv_length(r->paths) : 0;
}

const char *brand_detect_tree(GPtrArray *rules, const char *rootfs, char **ret_init_name,
                              char **ret_architecture) {
        g_autofree char *rel = rootfs_init_path(rootfs), *name = NULL, *arch = NULL;
        const BrandDetectRule *best = NULL;

        if (rel) {
                name = g_path_get_basename(rel);
                arch = init_architecture(rootfs, rel);
        }
        for (guint i = 0; name && rules && i < rules->len; i++) {
                const BrandDetectRule *r = rules->pdata[i];
                guint n = paths_of(r), best_n = best ? paths_of(best) : 0;

                if (!rule_matches(r, name, arch, rootfs))
                        continue;
                if (!best || n > best_n || (n == best_n && strcmp(r->brand, best->brand) < 0))
                        best = r;
        }
        if (ret_init_name)
                *ret_init_name = g_steal_pointer(&name);
        if (ret_architecture)
                *ret_architecture = g_steal_pointer(&arch);
        return best ? best->brand : NULL;
}
