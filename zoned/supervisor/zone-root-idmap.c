/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The root of a zone with a user namespace of its own: the template and the zone's own layer seen
 * through idmapped mounts, so that the zone sees the on-disk ids (0..65535) as its own and writes
 * them so, and no file is ever chowned. */

#include <fcntl.h>
#include <libgen.h>
#include <linux/securebits.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "macro.h"
#include "zone-mounts.h"

/* Where the idmapped layers are attached while the overlay is made: directories of a scratch
 * tmpfs on the zone's mount point, which the overlay then covers (and pivot_root leaves behind). */
#define LAYER_LOWER "lower"
#define LAYER_STATE "state"

/* A clone of the tree at path, idmapped to the user namespace, attached at target. -EOPNOTSUPP
 * (with the kernel's errno lost: EINVAL, EPERM) when its file system cannot be idmapped. */
static int bind_idmapped(const char *path, int userns_fd, const char *target) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_IDMAP,
                .userns_fd = (uint64_t) userns_fd,
        };
        _cleanup_close_ int fd = -EBADF;

        fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return errno == EINVAL || errno == EPERM || errno == EOPNOTSUPP ? -EOPNOTSUPP : -errno;
        if (move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/* The overlay's creator credentials are those of whoever mounts it, and the kernel uses them for
 * every write to the upper layer. As the host's root they map to no id of the idmapped upper layer
 * (the kernel could not even make work/work: EOVERFLOW, and the overlay would come up read-only):
 * the host's root mounts it with the zone root's file system ids, keeping its capabilities
 * (SECBIT_NO_SETUID_FIXUP), so that the overlay keeps its metadata in trusted.overlay.* as the
 * layers of zones without a user namespace do. */
static int mount_overlay_as(uid_t owner, const char *target, const char *options) {
        int bits, r = 0;

        bits = prctl(PR_GET_SECUREBITS);
        if (bits < 0)
                return -errno;
        if (prctl(PR_SET_SECUREBITS, (unsigned long) bits | SECBIT_NO_SETUID_FIXUP) < 0)
                return -errno;
        (void) setfsgid(owner);
        (void) setfsuid(owner);
        if ((uid_t) setfsuid((uid_t) -1) != owner)
                r = -EPERM;
        else if (mount("overlay", target, "overlay", 0, options) < 0)
                r = -errno;
        (void) setfsuid(0);
        (void) setfsgid(0);
        if (prctl(PR_SET_SECUREBITS, (unsigned long) bits) < 0 && r == 0)
                r = -errno;
        return r;
}

static int dir_of(const char *path, char **ret) {
        _cleanup_free_ char *copy = strdup(path);

        if (!copy)
                return -ENOMEM;
        *ret = strdup(dirname(copy));
        return *ret ? 0 : -ENOMEM;
}

static int last_component(const char *path, const char **ret) {
        const char *s = strrchr(path, '/');

        if (!s || !s[1])
                return -EINVAL;
        *ret = s + 1;
        return 0;
}

static int mount_overlay_idmapped(const LaunchPlan *plan, int userns_fd, const char **ret_unmappable) {
        _cleanup_free_ char *state = NULL, *work_state = NULL, *lower = NULL, *mapped_state = NULL,
                            *options = NULL;
        const char *upper_name, *work_name;
        int r;

        /* Upper and work dir must be on one mount: the zone's state directory holding both is
         * idmapped as one. */
        if ((r = dir_of(plan->upper, &state)) < 0 || (r = dir_of(plan->work, &work_state)) < 0)
                return r;
        if (!streq(state, work_state))
                return -EXDEV;
        if ((r = last_component(plan->upper, &upper_name)) < 0 ||
            (r = last_component(plan->work, &work_name)) < 0)
                return r;

        if (mount("tmpfs", plan->rootfs, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=700,size=16k") < 0)
                return -errno;
        if (asprintf(&lower, "%s/" LAYER_LOWER, plan->rootfs) < 0 ||
            asprintf(&mapped_state, "%s/" LAYER_STATE, plan->rootfs) < 0)
                return -ENOMEM;
        if (mkdir(lower, 0700) < 0 || mkdir(mapped_state, 0700) < 0)
                return -errno;
        r = bind_idmapped(plan->lower, userns_fd, lower);
        if (r == -EOPNOTSUPP)
                *ret_unmappable = plan->lower;
        if (r < 0)
                return r;
        r = bind_idmapped(state, userns_fd, mapped_state);
        if (r == -EOPNOTSUPP)
                *ret_unmappable = plan->upper;
        if (r < 0)
                return r;
        if (asprintf(&options, "lowerdir=%s,upperdir=%s/%s,workdir=%s/%s", lower, mapped_state, upper_name,
                     mapped_state, work_name) < 0)
                return -ENOMEM;
        return mount_overlay_as(plan->uid_shift, plan->rootfs, options);
}

int zone_mount_root_idmapped(const LaunchPlan *plan, int userns_fd, const char **ret_unmappable) {
        int r;

        *ret_unmappable = NULL;
        r = mkdir_parents_and_self(plan->rootfs, 0755);
        if (r < 0)
                return r;
        /* A shifted copy's files already carry the zone's host ids. */
        if (plan->root_mode == ROOT_DIRECTORY && plan->root_shifted)
                return mount(plan->rootfs, plan->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;
        if (plan->root_mode == ROOT_DIRECTORY) {
                r = bind_idmapped(plan->rootfs, userns_fd, plan->rootfs);
                if (r == -EOPNOTSUPP)
                        *ret_unmappable = plan->rootfs;
                return r;
        }
        /* The layers are attached below the mount point: its path goes into the options too. */
        if (!overlay_path_is_valid(plan->lower) || !overlay_path_is_valid(plan->upper) ||
            !overlay_path_is_valid(plan->work) || !overlay_path_is_valid(plan->rootfs))
                return -EINVAL;
        return mount_overlay_idmapped(plan, userns_fd, ret_unmappable);
}
