/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "cgroup-mounts.h"
#include "macro.h"

#define CGROUP_TREE_MAX_DEPTH 64
#define CFS_PERIOD_USEC 100000
/* The zone's payload cgroup below its own (CGROUP_PAYLOAD of zoned/supervisor/cgroup.h). */
#define CGROUP_LIMITS_PAYLOAD "payload"

/* v1 names of the controllers (super options of a cgroup mount), and cgroup2's. */
static const char *const v1_names[_CGROUP_CONTROLLER_MAX] = {
        [CGROUP_MEMORY] = "memory", [CGROUP_CPU] = "cpu",   [CGROUP_CPUACCT] = "cpuacct",
        [CGROUP_CPUSET] = "cpuset", [CGROUP_PIDS] = "pids", [CGROUP_IO] = "blkio",
};
static const char *const v2_names[_CGROUP_CONTROLLER_MAX] = {
        [CGROUP_MEMORY] = "memory", [CGROUP_CPU] = "cpu",   [CGROUP_CPUACCT] = "cpu",
        [CGROUP_CPUSET] = "cpuset", [CGROUP_PIDS] = "pids", [CGROUP_IO] = "io",
};

static const CgroupController key_controller[_LIMIT_KEY_MAX] = {
        [LIMIT_MEMORY_MAX] = CGROUP_MEMORY,
        [LIMIT_MEMORY_HIGH] = CGROUP_MEMORY,
        [LIMIT_MEMORY_SWAP_MAX] = CGROUP_MEMORY,
        [LIMIT_CPU_QUOTA] = CGROUP_CPU,
        [LIMIT_CPU_WEIGHT] = CGROUP_CPU,
        [LIMIT_ALLOWED_CPUS] = CGROUP_CPUSET,
        [LIMIT_TASKS_MAX] = CGROUP_PIDS,
        [LIMIT_IO_WEIGHT] = CGROUP_IO,
        [LIMIT_IO_READ_BANDWIDTH_MAX] = CGROUP_IO,
        [LIMIT_IO_WRITE_BANDWIDTH_MAX] = CGROUP_IO,
        [LIMIT_IO_READ_IOPS_MAX] = CGROUP_IO,
        [LIMIT_IO_WRITE_IOPS_MAX] = CGROUP_IO,
        [LIMIT_DISK_QUOTA] = _CGROUP_CONTROLLER_MAX, /* not a cgroup limit */
};

void cgroup_limit_paths_done(CgroupLimitPaths *p) {
        for (CgroupController c = 0; c < _CGROUP_CONTROLLER_MAX; c++) {
                free(p->dir[c]);
                free(p->root[c]);
        }
        *p = (CgroupLimitPaths) {};
}

static int file_read(const char *dir, const char *name, char *buf, size_t size) {
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        return read_small_file(path, buf, size);
}

static int file_write(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(text);
        ssize_t k;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        /* O_TRUNC as systemd's writes have it: nothing to cgroupfs, the whole value to a file. */
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        k = write(fd, text, len);
        if (k < 0)
                return -errno;
        return (size_t) k == len ? 0 : -EIO;
}

static bool file_exists(const char *dir, const char *name) {
        _cleanup_free_ char *path = NULL;

        return asprintf(&path, "%s/%s", dir, name) >= 0 && access(path, F_OK) >= 0;
}

static bool word_in(const char *list, const char *word) {
        size_t n = strlen(word);

        for (const char *c = list; *c;) {
                size_t l = strcspn(c, " \n");

                if (l == n && strncmp(c, word, n) == 0)
                        return true;
                c += l;
                c += strspn(c, " \n");
        }
        return false;
}

static int paths_set(CgroupLimitPaths *p, CgroupController c, const char *where, const char *relative,
                     bool v2) {
        if (p->dir[c])
                return 0; /* a v1 hierarchy that has it comes first */
        p->root[c] = strdup(where);
        if (!p->root[c] || asprintf(&p->dir[c], "%s/%s", where, relative) < 0)
                return -ENOMEM;
        p->v2[c] = v2;
        return 0;
}

int cgroup_limit_paths_find(const char *relative, const char *mountinfo, CgroupLimitPaths *ret) {
        _cleanup_(cgroup_limit_paths_done) CgroupLimitPaths p = {};
        char controllers[1024] = "";
        const CgroupMount *v2 = NULL;
        CgroupMount *m = NULL;
        size_t n = 0;
        int r;

        relative += strspn(relative, "/");
        r = cgroup_mounts_load(mountinfo, &m, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                if (m[i].v2) {
                        v2 = v2 ? v2 : &m[i];
                        continue;
                }
                for (CgroupController c = 0; c < _CGROUP_CONTROLLER_MAX && r >= 0; c++)
                        if (cgroup_mount_has_controllers(&m[i], v1_names[c]))
                                r = paths_set(&p, c, m[i].where, relative, false);
        }
        if (r >= 0 && v2 &&
            file_read(v2->where, "cgroup.controllers", controllers, sizeof(controllers)) >= 0)
                for (CgroupController c = 0; c < _CGROUP_CONTROLLER_MAX && r >= 0; c++)
                        if (word_in(controllers, v2_names[c]))
                                r = paths_set(&p, c, v2->where, relative, true);
        cgroup_mounts_free(m, n);
        if (r < 0)
                return r;
        *ret = p;
        p = (CgroupLimitPaths) {};
        return 0;
}

const char *cgroup_limit_paths_backend(const CgroupLimitPaths *p, CgroupController c) {
        if (c < 0 || c >= _CGROUP_CONTROLLER_MAX || !p->dir[c])
                return "none";
        return p->v2[c] ? "v2" : "v1";
}

LimitMask zone_limits_cgroup_mask(const ZoneLimits *l) {
        LimitMask mask = 0;

        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++)
                if (l->v[k].set && key_controller[k] != _CGROUP_CONTROLLER_MAX)
                        mask |= LIMIT_MASK(k);
        return mask;
}

static uint64_t eff(const ZoneLimits *l, LimitKey k) {
        return limit_value_effective(k, &l->v[k]);
}

static void format_u64(char *buf, size_t size, uint64_t v, const char *infinity) {
        if (v == UINT64_MAX)
                snprintf(buf, size, "%s", infinity);
        else
                snprintf(buf, size, "%" PRIu64, v);
}

/* ---- cgroup v1 ---- */

/* v1 limits memory and memory+swap: limit_in_bytes may never exceed memsw.limit_in_bytes, so the
 * order of the two writes depends on which way they move; one of the two orders works. */
static int v1_memory(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        const char *dir = p->dir[CGROUP_MEMORY];
        uint64_t max = eff(l, LIMIT_MEMORY_MAX), swap = eff(l, LIMIT_MEMORY_SWAP_MAX);
        uint64_t memsw = max == UINT64_MAX || swap == UINT64_MAX || max + swap < max ? UINT64_MAX
                                                                                     : max + swap;
        bool has_memsw = file_exists(dir, "memory.memsw.limit_in_bytes");
        char a[32], b[32];
        int r;

        format_u64(a, sizeof(a), max, "-1");
        format_u64(b, sizeof(b), memsw, "-1");
        r = file_write(dir, "memory.limit_in_bytes", a);
        if (r == -EINVAL && has_memsw) {
                r = file_write(dir, "memory.memsw.limit_in_bytes", b);
                if (r >= 0)
                        r = file_write(dir, "memory.limit_in_bytes", a);
        }
        if (r >= 0 && has_memsw)
                r = file_write(dir, "memory.memsw.limit_in_bytes", b);
        return r;
}

static int v1_cpu_quota(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        uint64_t q = eff(l, LIMIT_CPU_QUOTA);
        char buf[32];
        int r;

        r = file_write(p->dir[CGROUP_CPU], "cpu.cfs_period_us", "100000");
        if (r < 0)
                return r;
        /* µs per second → µs per period; the kernel's floor is 1 ms. */
        format_u64(buf, sizeof(buf), q == UINT64_MAX ? q : MAX(q / (USEC_PER_SEC / CFS_PERIOD_USEC), 1000),
                   "-1");
        return file_write(p->dir[CGROUP_CPU], "cpu.cfs_quota_us", buf);
}

static int v1_cpu_weight(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%" PRIu64, MAX(eff(l, LIMIT_CPU_WEIGHT) * 1024 / 100, (uint64_t) 2));
        return file_write(p->dir[CGROUP_CPU], "cpu.shares", buf);
}

typedef struct TreeWalk {
        const char *file, *text;
        bool narrow; /* children first */
        unsigned depth;
} TreeWalk;

/* Writes text to file in dir and every cgroup below: children first when narrowing (a v1 cpuset
 * child must be a subset of its parent), parents first when widening. Best effort below dir. */
static void tree_write(const char *dir, TreeWalk *w) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (!w->narrow)
                (void) file_write(dir, w->file, w->text);
        d = w->depth < CGROUP_TREE_MAX_DEPTH ? opendir(dir) : NULL;
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *child = NULL;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (asprintf(&child, "%s/%s", dir, de->d_name) < 0)
                        return;
                w->depth++;
                tree_write(child, w);
                w->depth--;
        }
        if (w->narrow)
                (void) file_write(dir, w->file, w->text);
}

static int v1_cpuset(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        const char *dir = p->dir[CGROUP_CPUSET];
        _cleanup_free_ char *all = NULL;
        char buf[4096];
        const char *cpus = l->v[LIMIT_ALLOWED_CPUS].text;
        TreeWalk w = { .file = "cpuset.cpus" };
        int r;

        /* Unset: all the CPUs of the hierarchy's root. */
        if (!cpus) {
                r = file_read(p->root[CGROUP_CPUSET], "cpuset.cpus", buf, sizeof(buf));
                if (r < 0)
                        return r;
                buf[strcspn(buf, "\n")] = 0;
                cpus = buf;
        }
        w.text = cpus;
        w.narrow = true;
        tree_write(dir, &w);
        r = file_write(dir, "cpuset.cpus", cpus);
        if (r < 0)
                return r;
        w.narrow = false;
        tree_write(dir, &w);
        return 0;
}

static int pids_max(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        char buf[32];

        format_u64(buf, sizeof(buf), eff(l, LIMIT_TASKS_MAX), "max");
        return file_write(p->dir[CGROUP_PIDS], "pids.max", buf);
}

static const char *v1_io_weight_file(const CgroupLimitPaths *p) {
        const char *dir = p->dir[CGROUP_IO];

        if (file_exists(dir, "blkio.bfq.weight") || file_exists(p->root[CGROUP_IO], "blkio.bfq.weight"))
                return "blkio.bfq.weight";
        if (file_exists(dir, "blkio.weight") || file_exists(p->root[CGROUP_IO], "blkio.weight"))
                return "blkio.weight";
        return NULL;
}

static int v1_io_weight(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        const char *file = v1_io_weight_file(p);
        char buf[32];

        if (!file)
                return -EOPNOTSUPP;
        /* blkio weights go from 1 (bfq) or 10 to 1000; cgroup2's from 1 to 10000. */
        snprintf(buf, sizeof(buf), "%" PRIu64, MAX(eff(l, LIMIT_IO_WEIGHT) / 10, (uint64_t) 10));
        return file_write(p->dir[CGROUP_IO], file, buf);
}

/* The device of an IO limit that is not set: none to write. */
static int v1_io_max(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        static const char *const files[_LIMIT_KEY_MAX] = {
                [LIMIT_IO_READ_BANDWIDTH_MAX] = "blkio.throttle.read_bps_device",
                [LIMIT_IO_WRITE_BANDWIDTH_MAX] = "blkio.throttle.write_bps_device",
                [LIMIT_IO_READ_IOPS_MAX] = "blkio.throttle.read_iops_device",
                [LIMIT_IO_WRITE_IOPS_MAX] = "blkio.throttle.write_iops_device",
        };
        _cleanup_free_ char *payload = NULL;
        char buf[96];
        int r;

        if (!l->v[k].text)
                return -EINVAL;
        /* 0 takes a device's limit away. */
        snprintf(buf, sizeof(buf), "%s %" PRIu64, l->v[k].text,
                 l->v[k].value == UINT64_MAX ? 0 : l->v[k].value);
        r = file_write(p->dir[CGROUP_IO], files[k], buf);
        if (r < 0)
                return r;
        /* v1 throttling is flat: the limit binds the processes of the cgroup that has it, not
         * those below. The zone's live in its payload, which the zone cannot make cgroups in
         * (zoned/supervisor/cgroup.c keeps its blkio directory the host's). */
        if (asprintf(&payload, "%s/" CGROUP_LIMITS_PAYLOAD, p->dir[CGROUP_IO]) < 0)
                return -ENOMEM;
        r = file_write(payload, files[k], buf);
        return r == -ENOENT ? 0 : r;
}

/* ---- cgroup v2 ---- */

static int v2_memory(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        static const char *const files[] = {
                [LIMIT_MEMORY_MAX] = "memory.max",
                [LIMIT_MEMORY_HIGH] = "memory.high",
                [LIMIT_MEMORY_SWAP_MAX] = "memory.swap.max",
        };
        char buf[32];

        format_u64(buf, sizeof(buf), eff(l, k), "max");
        return file_write(p->dir[CGROUP_MEMORY], files[k], buf);
}

static int v2_cpu_quota(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        uint64_t q = eff(l, LIMIT_CPU_QUOTA);
        char buf[64];

        if (q == UINT64_MAX)
                snprintf(buf, sizeof(buf), "max %d", CFS_PERIOD_USEC);
        else
                snprintf(buf, sizeof(buf), "%" PRIu64 " %d", MAX(q / (USEC_PER_SEC / CFS_PERIOD_USEC), 1000),
                         CFS_PERIOD_USEC);
        return file_write(p->dir[CGROUP_CPU], "cpu.max", buf);
}

static int v2_cpu_weight(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%" PRIu64, eff(l, LIMIT_CPU_WEIGHT));
        return file_write(p->dir[CGROUP_CPU], "cpu.weight", buf);
}

static int v2_cpuset(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        /* Empty: the parent's CPUs. */
        return file_write(p->dir[CGROUP_CPUSET], "cpuset.cpus", strempty(l->v[LIMIT_ALLOWED_CPUS].text));
}

static int v2_io_weight(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        char buf[48];

        snprintf(buf, sizeof(buf), "default %" PRIu64, eff(l, LIMIT_IO_WEIGHT));
        return file_write(p->dir[CGROUP_IO], "io.weight", buf);
}

static int v2_io_max(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        static const char *const names[_LIMIT_KEY_MAX] = {
                [LIMIT_IO_READ_BANDWIDTH_MAX] = "rbps",
                [LIMIT_IO_WRITE_BANDWIDTH_MAX] = "wbps",
                [LIMIT_IO_READ_IOPS_MAX] = "riops",
                [LIMIT_IO_WRITE_IOPS_MAX] = "wiops",
        };
        char value[32], buf[128];

        if (!l->v[k].text)
                return -EINVAL;
        format_u64(value, sizeof(value), l->v[k].value, "max");
        snprintf(buf, sizeof(buf), "%s %s=%s", l->v[k].text, names[k], value);
        return file_write(p->dir[CGROUP_IO], "io.max", buf);
}

typedef int (*limit_writer)(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k);

/* The two backends: a writer per limit, or why there is none. */
typedef struct CgroupBackend {
        limit_writer write[_LIMIT_KEY_MAX];
        const char *unsupported[_LIMIT_KEY_MAX];
} CgroupBackend;

static const CgroupBackend backend_v1 = {
        .write = {
                [LIMIT_MEMORY_MAX] = v1_memory,
                [LIMIT_MEMORY_SWAP_MAX] = v1_memory,
                [LIMIT_CPU_QUOTA] = v1_cpu_quota,
                [LIMIT_CPU_WEIGHT] = v1_cpu_weight,
                [LIMIT_ALLOWED_CPUS] = v1_cpuset,
                [LIMIT_TASKS_MAX] = pids_max,
                [LIMIT_IO_WEIGHT] = v1_io_weight,
                [LIMIT_IO_READ_BANDWIDTH_MAX] = v1_io_max,
                [LIMIT_IO_WRITE_BANDWIDTH_MAX] = v1_io_max,
                [LIMIT_IO_READ_IOPS_MAX] = v1_io_max,
                [LIMIT_IO_WRITE_IOPS_MAX] = v1_io_max,
        },
        .unsupported = {
                [LIMIT_MEMORY_HIGH] = "cgroup v1 has no memory.high: its soft limit does not throttle",
        },
};

static const CgroupBackend backend_v2 = {
        .write = {
                [LIMIT_MEMORY_MAX] = v2_memory,
                [LIMIT_MEMORY_HIGH] = v2_memory,
                [LIMIT_MEMORY_SWAP_MAX] = v2_memory,
                [LIMIT_CPU_QUOTA] = v2_cpu_quota,
                [LIMIT_CPU_WEIGHT] = v2_cpu_weight,
                [LIMIT_ALLOWED_CPUS] = v2_cpuset,
                [LIMIT_TASKS_MAX] = pids_max,
                [LIMIT_IO_WEIGHT] = v2_io_weight,
                [LIMIT_IO_READ_BANDWIDTH_MAX] = v2_io_max,
                [LIMIT_IO_WRITE_BANDWIDTH_MAX] = v2_io_max,
                [LIMIT_IO_READ_IOPS_MAX] = v2_io_max,
                [LIMIT_IO_WRITE_IOPS_MAX] = v2_io_max,
        },
};

static const CgroupBackend *backend_of(const CgroupLimitPaths *p, LimitKey k) {
        return p->v2[key_controller[k]] ? &backend_v2 : &backend_v1;
}

static const char *check_one(const CgroupLimitPaths *p, const ZoneLimits *l, LimitKey k) {
        static const char *const missing[_CGROUP_CONTROLLER_MAX] = {
                [CGROUP_MEMORY] = "the host has no memory cgroup controller",
                [CGROUP_CPU] = "the host has no cpu cgroup controller",
                [CGROUP_CPUSET] = "the host has no cpuset cgroup controller",
                [CGROUP_PIDS] = "the host has no pids cgroup controller",
                [CGROUP_IO] = "the host has no blkio or io cgroup controller",
        };
        CgroupController c = key_controller[k];
        const CgroupBackend *b;

        if (!p->dir[c])
                return missing[c];
        b = backend_of(p, k);
        if (b->unsupported[k])
                return b->unsupported[k];
        if (b == &backend_v1 && k == LIMIT_IO_WEIGHT && !v1_io_weight_file(p))
                return "cgroup v1 blkio has no weight file on this kernel (it comes with the BFQ scheduler)";
        if (b == &backend_v1 && k == LIMIT_MEMORY_SWAP_MAX &&
            !file_exists(p->root[CGROUP_MEMORY], "memory.memsw.limit_in_bytes"))
                return "cgroup v1 has no memory.memsw files: swap accounting is off";
        if (limit_key_is_io(k) && !l->v[k].text)
                return "the limit has no device";
        return NULL;
}

int cgroup_limits_check(const CgroupLimitPaths *p, const ZoneLimits *l, LimitMask mask, LimitKey *ret_key,
                        const char **ret_reason) {
        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++) {
                const char *why;

                if (!(mask & LIMIT_MASK(k)) || key_controller[k] == _CGROUP_CONTROLLER_MAX)
                        continue;
                why = check_one(p, l, k);
                if (why) {
                        *ret_key = k;
                        *ret_reason = why;
                        return -EOPNOTSUPP;
                }
        }
        return 0;
}

int cgroup_limits_apply(const CgroupLimitPaths *p, const ZoneLimits *l, LimitMask mask, LimitKey *ret_key) {
        bool memory_done = false;

        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++) {
                limit_writer w;
                int r;

                if (!(mask & LIMIT_MASK(k)) || key_controller[k] == _CGROUP_CONTROLLER_MAX)
                        continue;
                if (!p->dir[key_controller[k]]) {
                        *ret_key = k;
                        return -EOPNOTSUPP;
                }
                w = backend_of(p, k)->write[k];
                if (!w) {
                        *ret_key = k;
                        return -EOPNOTSUPP;
                }
                /* v1 writes memory and swap together. */
                if (w == v1_memory && memory_done)
                        continue;
                memory_done = memory_done || w == v1_memory;
                r = w(p, l, k);
                if (r < 0) {
                        *ret_key = k;
                        return r;
                }
        }
        return 0;
}

static int dev_parse(const char *s, dev_t *ret) {
        unsigned maj, min;
        int n = 0;

        if (sscanf(s, "%u:%u%n", &maj, &min, &n) != 2 || s[n] != 0)
                return -EINVAL;
        *ret = makedev(maj, min);
        return 0;
}

int io_device_resolve(const char *device, const char *default_path, char **ret) {
        _cleanup_free_ char *sys = NULL, *parent = NULL;
        char buf[64];
        struct stat st;
        dev_t d;

        if (!device) {
                if (stat(default_path, &st) < 0)
                        return -errno;
                d = st.st_dev;
        } else if (device[0] != '/') {
                if (dev_parse(device, &d) < 0)
                        return -EINVAL;
        } else {
                if (stat(device, &st) < 0)
                        return -errno;
                if (!S_ISBLK(st.st_mode))
                        return -ENOTBLK;
                d = st.st_rdev;
        }
        if (asprintf(&sys, "/sys/dev/block/%u:%u", major(d), minor(d)) < 0)
                return -ENOMEM;
        if (access(sys, F_OK) < 0)
                return -ENODEV; /* no block device (tmpfs, overlayfs, ...) */
        /* A partition: its disk is the directory above it in sysfs. */
        if (file_exists(sys, "partition")) {
                if (asprintf(&parent, "%s/..", sys) < 0)
                        return -ENOMEM;
                if (file_read(parent, "dev", buf, sizeof(buf)) < 0 || dev_parse(strtok(buf, "\n"), &d) < 0)
                        return -ENODEV;
        }
        return asprintf(ret, "%u:%u", major(d), minor(d)) < 0 ? -ENOMEM : 0;
}

static uint64_t read_u64(const char *dir, const char *name) {
        char buf[64];
        char *end;
        uint64_t v;

        if (!dir || file_read(dir, name, buf, sizeof(buf)) < 0)
                return UINT64_MAX;
        errno = 0;
        v = strtoull(buf, &end, 10);
        return errno || end == buf ? UINT64_MAX : v;
}

/* "KEY N" lines (memory.events, cpu.stat, memory.oom_control). */
static uint64_t read_keyed(const char *dir, const char *name, const char *key) {
        char buf[4096];
        size_t n = strlen(key);

        if (!dir || file_read(dir, name, buf, sizeof(buf)) < 0)
                return UINT64_MAX;
        for (char *line = buf; *line; line += strcspn(line, "\n"), line += *line == '\n') {
                if (strncmp(line, key, n) == 0 && line[n] == ' ')
                        return strtoull(line + n + 1, NULL, 10);
        }
        return UINT64_MAX;
}

/* v1 blkio.throttle.io_service_bytes_recursive: "MAJ:MIN Read N" lines; v2 io.stat:
 * "MAJ:MIN rbytes=N wbytes=N ...". */
static void read_io(const CgroupLimitPaths *p, ZoneUsage *u) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        const char *dir = p->dir[CGROUP_IO];
        bool v2 = p->v2[CGROUP_IO];

        if (!dir ||
            asprintf(&path, "%s/%s", dir, v2 ? "io.stat" : "blkio.throttle.io_service_bytes_recursive") <
                    0 ||
            read_full_file(path, 1 << 20, &text) < 0)
                return;
        u->io_read_bytes = u->io_write_bytes = 0;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                char op[16];
                uint64_t n;

                if (!v2) {
                        if (sscanf(line, "%*s %15s %" SCNu64, op, &n) == 2) {
                                if (streq(op, "Read"))
                                        u->io_read_bytes += n;
                                else if (streq(op, "Write"))
                                        u->io_write_bytes += n;
                        }
                        continue;
                }
                for (char *f = strchr(line, ' '); f; f = strchr(f + 1, ' ')) {
                        if (sscanf(f, " rbytes=%" SCNu64, &n) == 1)
                                u->io_read_bytes += n;
                        else if (sscanf(f, " wbytes=%" SCNu64, &n) == 1)
                                u->io_write_bytes += n;
                }
        }
}

/* v1 counts an OOM kill in the cgroup of the killed process only: the zone's is the sum over
 * its subtree (its payload and what the zone made below). */
static uint64_t v1_oom_kills_below(const char *dir, unsigned depth) {
        _cleanup_closedir_ DIR *d = NULL;
        uint64_t sum = read_keyed(dir, "memory.oom_control", "oom_kill");
        struct dirent *de;

        if (sum == UINT64_MAX)
                return sum;
        d = depth < CGROUP_TREE_MAX_DEPTH ? opendir(dir) : NULL;
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *child = NULL;
                uint64_t n;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (asprintf(&child, "%s/%s", dir, de->d_name) < 0)
                        break;
                n = v1_oom_kills_below(child, depth + 1);
                if (n != UINT64_MAX)
                        sum += n;
        }
        return sum;
}

uint64_t cgroup_usage_oom_kills(const CgroupLimitPaths *p) {
        const char *dir = p->dir[CGROUP_MEMORY];

        if (!dir)
                return UINT64_MAX;
        /* cgroup2's memory.events counts the whole subtree. */
        return p->v2[CGROUP_MEMORY] ? read_keyed(dir, "memory.events", "oom_kill")
                                    : v1_oom_kills_below(dir, 0);
}

void cgroup_usage_read(const CgroupLimitPaths *p, ZoneUsage *ret) {
        ZoneUsage u = ZONE_USAGE_NULL;
        const char *mem = p->dir[CGROUP_MEMORY];
        uint64_t usec;

        if (p->v2[CGROUP_MEMORY]) {
                u.memory_current = read_u64(mem, "memory.current");
                u.memory_peak = read_u64(mem, "memory.peak");
        } else {
                u.memory_current = read_u64(mem, "memory.usage_in_bytes");
                u.memory_peak = read_u64(mem, "memory.max_usage_in_bytes");
        }
        u.oom_kills = cgroup_usage_oom_kills(p);
        if (p->v2[CGROUP_CPUACCT]) {
                usec = read_keyed(p->dir[CGROUP_CPUACCT], "cpu.stat", "usage_usec");
                u.cpu_usage_nsec = usec == UINT64_MAX ? usec : usec * NSEC_PER_USEC;
        } else
                u.cpu_usage_nsec = read_u64(p->dir[CGROUP_CPUACCT], "cpuacct.usage");
        u.tasks_current = read_u64(p->dir[CGROUP_PIDS], "pids.current");
        read_io(p, &u);
        *ret = u;
}

int cgroup_oom_eventfd(const CgroupLimitPaths *p, int *ret_fd) {
        _cleanup_close_ int efd = -EBADF, cfd = -EBADF;
        _cleanup_free_ char *path = NULL;
        const char *dir = p->dir[CGROUP_MEMORY];
        char buf[64];
        int r;

        if (!dir)
                return -EOPNOTSUPP;
        if (p->v2[CGROUP_MEMORY]) {
                efd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
                if (efd < 0 || asprintf(&path, "%s/memory.events", dir) < 0)
                        return efd < 0 ? -errno : -ENOMEM;
                if (inotify_add_watch(efd, path, IN_MODIFY) < 0)
                        return -errno;
                *ret_fd = TAKE_FD(efd);
                return 0;
        }
        /* v1: an eventfd that the kernel signals on each OOM of the cgroup (and when it goes). */
        efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0 || asprintf(&path, "%s/memory.oom_control", dir) < 0)
                return efd < 0 ? -errno : -ENOMEM;
        cfd = open(path, O_RDONLY | O_CLOEXEC);
        if (cfd < 0)
                return -errno;
        snprintf(buf, sizeof(buf), "%d %d", efd, cfd);
        r = file_write(dir, "cgroup.event_control", buf);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(efd);
        return 0;
}
