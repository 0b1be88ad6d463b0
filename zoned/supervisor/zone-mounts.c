/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/openat2.h>
#include <limits.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "dev-nodes.h"
#include "loop-device.h"
#include "macro.h"
#include "console-queries.h"
#include "zone-mounts.h"

#define TMPFS_DEV_OPTIONS "mode=755,size=4m,nr_inodes=64k"
#define DEVPTS_OPTIONS "newinstance,ptmxmode=0666,mode=620,gid=5"

bool overlay_path_is_valid(const char *p) {
        return !isempty(p) && p[0] == '/' && !strpbrk(p, ",:\\");
}

/* root + rel as a directory to mount on: created if missing, and never a symlink, which the
 * zone's tree could use to point a mount somewhere else. */
static int mount_point(const char *root, const char *rel, mode_t mode, char **ret) {
        _cleanup_free_ char *p = NULL;
        struct stat st;

        if (asprintf(&p, "%s/%s", root, rel) < 0)
                return -ENOMEM;
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        if (lstat(p, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                return -ELOOP;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        *ret = TAKE_PTR(p);
        return 0;
}

static int mount_fs(const char *root, const char *rel, const char *fstype, unsigned long flags,
                    const char *options, mode_t mode) {
        _cleanup_free_ char *p = NULL;
        int r;

        r = mount_point(root, rel, mode, &p);
        if (r < 0)
                return r;
        return mount(fstype, p, fstype, flags, options) < 0 ? -errno : 0;
}

int zone_mount_make_private(void) {
        return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? -errno : 0;
}

int zone_disk_open(const LaunchPlan *plan, int *ret_fd) {
        return image_fsmount_exclusive(plan->disk_image, ZONE_DISK_FSTYPE, ZONE_DISK_OPTIONS, false, ret_fd);
}

int zone_mount_disk(const LaunchPlan *plan, int disk_fd) {
        int r;

        r = mkdir_parents_and_self(plan->disk_mount, 0755);
        if (r < 0)
                return r;
        return move_mount(disk_fd, "", AT_FDCWD, plan->disk_mount, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
}

int zone_mount_root(const LaunchPlan *plan) {
        _cleanup_free_ char *options = NULL;
        int r;

        r = mkdir_parents_and_self(plan->rootfs, 0755);
        if (r < 0)
                return r;
        if (plan->root_mode == ROOT_DIRECTORY)
                return mount(plan->rootfs, plan->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;

        if (!overlay_path_is_valid(plan->lower) || !overlay_path_is_valid(plan->upper) ||
            !overlay_path_is_valid(plan->work))
                return -EINVAL;
        r = asprintf(&options, "lowerdir=%s,upperdir=%s,workdir=%s", plan->lower, plan->upper, plan->work);
        if (r < 0)
                return -ENOMEM;
        return mount("overlay", plan->rootfs, "overlay", 0, options) < 0 ? -errno : 0;
}

int zone_mount_proc(const char *root) {
        _cleanup_free_ char *sys = NULL, *net = NULL;
        int r;

        r = mount_fs(root, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
        if (r < 0)
                return r;
        if (asprintf(&sys, "%s/proc/sys", root) < 0)
                return -ENOMEM;
        if (mount(sys, sys, NULL, MS_BIND, NULL) < 0)
                return -errno;
        if (mount(NULL, sys, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  NULL) < 0)
                return -errno;
        /* The zone has a network namespace of its own: its network settings are its own business. */
        if (asprintf(&net, "%s/net", sys) < 0)
                return -ENOMEM;
        if (mount(net, net, NULL, MS_BIND, NULL) < 0)
                return -errno;
        if (mount(NULL, net, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return -errno;
        return 0;
}

int zone_mount_sys(const char *root) {
        _cleanup_free_ char *fs = NULL, *cgroup = NULL;
        int r;

        r = mount_fs(root, "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
        if (r < 0)
                return r;
        /* /sys/fs is the host's: its FUSE connections (fusectl), crash logs (pstore), BPF pins, LSM
         * interfaces. An empty read-only tmpfs over it keeps only a place for the zone's cgroup2. */
        r = mount_fs(root, "sys/fs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k", 0555);
        if (r < 0)
                return r;
        if (asprintf(&fs, "%s/sys/fs", root) < 0 || asprintf(&cgroup, "%s/cgroup", fs) < 0)
                return -ENOMEM;
        if (mkdir(cgroup, 0755) < 0)
                return -errno;
        if (mount(NULL, fs, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=755,size=64k") < 0)
                return -errno;
        return 0;
}

int zone_mount_cgroup2(const char *root) {
        /* Mounted by a process in the zone's cgroup namespace: the file system's root is the zone's
         * own cgroup, writable, where the init creates its subtree (init.scope, system.slice, ...).
         * On a hybrid host that cgroup2 has no controllers; limits are applied from outside, on the
         * zone's cgroups in the v1 hierarchies, which the zone does not see mounted. */
        return mount_fs(root, "sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
}

/* Entries of /proc that tell about or act on the host, not the zone (as nspawn and LXC hide them). */
static const char *const proc_masked[] = {
        "kcore", "kallsyms", "keys", "key-users", "timer_list", "sched_debug", "sysrq-trigger",
};
static const char *const proc_read_only[] = {
        "acpi", "apm", "asound", "bus", "fs", "irq", "scsi",
};

/* extra: MS_NODEV for directories; not for /dev/null, which must stay readable (as empty). */
static int bind_read_only(const char *source, const char *target, unsigned long extra) {
        if (mount(source, target, NULL, MS_BIND, NULL) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC | extra,
                  NULL) < 0)
                return -errno;
        return 0;
}

int zone_mount_mask_proc(const char *root) {
        _cleanup_free_ char *null = NULL;

        /* The zone's own /dev/null, on its /dev tmpfs: no host file is bound into the zone. */
        if (asprintf(&null, "%s/dev/null", root) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(proc_masked); i++) {
                _cleanup_free_ char *p = NULL;
                int r;

                if (asprintf(&p, "%s/proc/%s", root, proc_masked[i]) < 0)
                        return -ENOMEM;
                r = bind_read_only(null, p, 0);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(proc_read_only); i++) {
                _cleanup_free_ char *p = NULL;
                int r;

                if (asprintf(&p, "%s/proc/%s", root, proc_read_only[i]) < 0)
                        return -ENOMEM;
                r = bind_read_only(p, p, MS_NODEV);
                if (r < 0)
                        return r;
        }
        return 0;
}

int zone_mount_nesting(const char *root) {
        _cleanup_free_ char *dir = NULL;
        int r;

        r = mount_point(root, ZONE_NESTING_DIR, 0755, &dir);
        if (r < 0)
                return r;
        r = mount_fs(root, ZONE_NESTING_DIR "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
        if (r < 0)
                return r;
        return mount_fs(root, ZONE_NESTING_DIR "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        NULL, 0555);
}

/* What lxcfs serves, bound over the zone's own entries: views of the zone's cgroups (memory, cpuset,
 * cpuacct, CPU quota, blkio) and of its init's start (uptime). Read-only, and locked with the rest
 * of the tree once a zone with a user namespace gets its copy: its root cannot unmount them, and
 * cannot mount a proc of its own either, since these binds cover files of its /proc (the kernel
 * refuses a new proc mount where the visible one is partly covered by locked mounts). */
static const char *const lxcfs_files[] = {
        "proc/cpuinfo", "proc/diskstats", "proc/loadavg", "proc/meminfo",
        "proc/stat",    "proc/swaps",     "proc/uptime",  "sys/devices/system/cpu/online",
};

int zone_mount_lxcfs(const char *root, const char *lxcfs) {
        if (!lxcfs)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(lxcfs_files); i++) {
                _cleanup_free_ char *source = NULL, *target = NULL;
                int r;

                if (asprintf(&source, "%s/%s", lxcfs, lxcfs_files[i]) < 0 ||
                    asprintf(&target, "%s/%s", root, lxcfs_files[i]) < 0)
                        return -ENOMEM;
                /* A file this lxcfs does not serve is the zone's own. */
                r = bind_read_only(source, target, MS_NODEV);
                /* lxcfs died since zoned looked (ENOTCONN): the zone boots without its views. */
                if (r == -ENOTCONN && i == 0)
                        return 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A clone of lxcfs' file, read-only, not attached anywhere yet; -ENOENT if lxcfs has none. */
static int lxcfs_file_tree(const char *lxcfs, const char *file) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
        };
        _cleanup_free_ char *source = NULL;
        _cleanup_close_ int fd = -EBADF;

        if (asprintf(&source, "%s/%s", lxcfs, file) < 0)
                return -ENOMEM;
        fd = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return -errno;
        return TAKE_FD(fd);
}

/* In the zone's mount namespace (a child of ours that joined it): each tree onto its file, found
 * without following the zone's symbolic links. */
_noreturn_ static void lxcfs_attach_in(int mntns, const int *trees) {
        int failed = 0;

        if (setns(mntns, CLONE_NEWNS) < 0)
                _exit(EXIT_FAILURE);
        for (size_t i = 0; i < ELEMENTSOF(lxcfs_files); i++) {
                struct open_how how = { .flags = O_PATH | O_CLOEXEC,
                                        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
                char path[PATH_MAX];
                int target;

                if (trees[i] < 0)
                        continue;
                snprintf(path, sizeof(path), "/%s", lxcfs_files[i]);
                target = (int) syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
                if (target < 0 || move_mount(trees[i], "", target, "",
                                             MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        failed = 1;
                if (target >= 0)
                        (void) close(target);
        }
        _exit(failed ? EXIT_FAILURE : EXIT_SUCCESS);
}

int zone_mount_lxcfs_refresh(const char *lxcfs, pid_t leader) {
        int trees[ELEMENTSOF(lxcfs_files)];
        _cleanup_free_ char *ns = NULL;
        _cleanup_close_ int mntns = -EBADF;
        int r = 0, status;
        pid_t pid;

        if (!lxcfs)
                return 0; /* booted without */
        if (leader <= 0)
                return -ESRCH;
        if (asprintf(&ns, "/proc/%i/ns/mnt", (int) leader) < 0)
                return -ENOMEM;
        mntns = open(ns, O_RDONLY | O_CLOEXEC);
        if (mntns < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(lxcfs_files); i++) {
                trees[i] = lxcfs_file_tree(lxcfs, lxcfs_files[i]);
                if (trees[i] < 0 && trees[i] != -ENOENT && r == 0)
                        r = trees[i];
        }
        if (r == 0) {
                pid = fork();
                if (pid == 0)
                        lxcfs_attach_in(mntns, trees);
                if (pid < 0)
                        r = -errno;
                else if (waitpid(pid, &status, 0) < 0)
                        r = -errno;
                else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        r = -EIO;
        }
        for (size_t i = 0; i < ELEMENTSOF(lxcfs_files); i++)
                safe_close(trees[i]);
        return r;
}

/* tmpfs options with the owner of the file system's root, for a zone with a user namespace. */
static int tmpfs_options(const char *base, uid_t owner, char **ret) {
        if (owner == 0)
                return asprintf(ret, "%s", base) < 0 ? -ENOMEM : 0;
        return asprintf(ret, "%s,uid=%u,gid=%u", base, (unsigned) owner, (unsigned) owner) < 0 ? -ENOMEM : 0;
}

static int mount_tmpfs(const char *root, const char *rel, unsigned long flags, const char *base, mode_t mode,
                       uid_t owner) {
        _cleanup_free_ char *options = NULL;
        int r;

        r = tmpfs_options(base, owner, &options);
        if (r < 0)
                return r;
        return mount_fs(root, rel, "tmpfs", flags, options, mode);
}

int zone_mount_dev(const char *root, uid_t owner, unsigned device_allow) {
        _cleanup_free_ char *dev = NULL;
        int r;

        r = mount_tmpfs(root, "dev", MS_NOSUID | MS_STRICTATIME, TMPFS_DEV_OPTIONS, 0755, owner);
        if (r < 0)
                return r;
        if (asprintf(&dev, "%s/dev", root) < 0)
                return -ENOMEM;
        r = dev_create_nodes(dev, owner, device_allow);
        if (r < 0)
                return r;
        r = dev_create_symlinks(dev, owner);
        if (r < 0)
                return r;
        return mount_tmpfs(dev, "shm", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=1777", 01777, owner);
}

int zone_mount_devpts(const char *root) {
        _cleanup_free_ char *dev = NULL, *mq = NULL;
        int r;

        if (asprintf(&dev, "%s/dev", root) < 0)
                return -ENOMEM;
        r = mount_fs(dev, "pts", "devpts", MS_NOSUID | MS_NOEXEC, DEVPTS_OPTIONS, 0755);
        if (r < 0)
                return r;

        /* POSIX message queues are optional (CONFIG_POSIX_MQUEUE). */
        r = mount_point(dev, "mqueue", 0755, &mq);
        if (r < 0)
                return r;
        if (mount("mqueue", mq, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                (void) rmdir(mq);
        return 0;
}

/* A new pty has no size (0x0); the console's is what the supervisor answers a size query with
 * (console-queries.h). */
int zone_mount_console(const char *root, int *ret_master) {
        _cleanup_free_ char *ptmx = NULL, *slave = NULL, *console = NULL;
        _cleanup_close_ int master = -EBADF, fd = -EBADF;
        unsigned n;

        if (asprintf(&ptmx, "%s/dev/pts/ptmx", root) < 0 || asprintf(&console, "%s/dev/console", root) < 0)
                return -ENOMEM;
        master = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (master < 0)
                return -errno;
        if (unlockpt(master) < 0)
                return -errno;
        if (ioctl(master, TIOCGPTN, &n) < 0)
                return -errno;
        if (ioctl(master, TIOCSWINSZ,
                  &(struct winsize) { .ws_row = CONSOLE_DEFAULT_ROWS, .ws_col = CONSOLE_DEFAULT_COLUMNS }) <
            0)
                return -errno;
        if (asprintf(&slave, "%s/dev/pts/%u", root, n) < 0)
                return -ENOMEM;

        /* /dev is our fresh tmpfs: nothing can be in the way. */
        fd = open(console, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (mount(slave, console, NULL, MS_BIND, NULL) < 0)
                return -errno;
        *ret_master = TAKE_FD(master);
        return 0;
}

int zone_mount_run_tmp(const char *root, uid_t owner) {
        int r;

        r = mount_tmpfs(root, "run", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=755", 0755, owner);
        if (r < 0)
                return r;
        return mount_tmpfs(root, "tmp", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=1777", 01777, owner);
}

int zone_pivot_root(const char *root) {
        if (chdir(root) < 0)
                return -errno;
        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching "." drops it. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return -errno;
        if (umount2(".", MNT_DETACH) < 0)
                return -errno;
        if (chdir("/") < 0)
                return -errno;
        return 0;
}
