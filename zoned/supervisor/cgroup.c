/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <sys/stat.h>

#include "cgroup-mounts.h"
#include "cgroup.h"
#include "device-policy.h"
#include "log.h"
#include "macro.h"

#define CGROUP_CREATE_ATTEMPTS 8
#define CGROUP_MAX_DEPTH 64

bool cgroup_relative_path_is_valid(const char *p) {
        if (isempty(p) || p[0] == '/')
                return false;
        for (const char *c = p; *c;) {
                size_t n = strcspn(c, "/");

                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
                if (*c == '/')
                        c++;
                if (*c == 0 && c[-1] == '/')
                        return false;
        }
        return true;
}

/* Whether word is one of the items of list, separated by any of seps. */
static bool list_has(const char *list, const char *seps, const char *word) {
        size_t n = strlen(word);

        for (const char *o = list; o && *o;) {
                size_t l = strcspn(o, seps);

                if (l == n && memcmp(o, word, n) == 0)
                        return true;
                o += l;
                if (*o)
                        o++;
        }
        return false;
}

static bool option_has(const char *opts, const char *word) {
        return list_has(opts, ",", word);
}

static int hierarchy_add(CgroupSet *s, const char *mount_point, bool unified, const char *opts) {
        CgroupHierarchy *n, *h;

        n = realloc(s->hierarchies, sizeof(CgroupHierarchy) * (s->n_hierarchies + 1));
        if (!n)
                return -ENOMEM;
        s->hierarchies = n;
        h = &n[s->n_hierarchies];
        *h = (CgroupHierarchy) {
                .unified = unified,
                .cpuset = !unified && option_has(opts, "cpuset"),
                .devices = !unified && option_has(opts, "devices"),
                .pids = !unified && option_has(opts, "pids"),
                .blkio = !unified && option_has(opts, "blkio"),
        };
        h->mount_point = strdup(mount_point);
        if (!h->mount_point || asprintf(&h->path, "%s/%s", mount_point, s->relative) < 0) {
                free(h->mount_point);
                return -ENOMEM;
        }
        if (asprintf(&h->payload, "%s/" CGROUP_PAYLOAD, h->path) < 0) {
                free(h->mount_point);
                free(h->path);
                return -ENOMEM;
        }
        s->n_hierarchies++;
        return 0;
}

static int discover_from(const char *mountinfo, CgroupSet *s) {
        _cleanup_strv_free_ char **seen = NULL;
        CgroupMount *mounts = NULL;
        size_t n = 0;
        int r;

        r = cgroup_mounts_load(mountinfo, &mounts, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                /* A hierarchy may be mounted more than once: keep its first mount. */
                if (strv_contains(seen, mounts[i].dev))
                        continue;
                r = strv_extend(&seen, mounts[i].dev);
                if (r >= 0)
                        r = hierarchy_add(s, mounts[i].where, mounts[i].v2, mounts[i].opts);
        }
        cgroup_mounts_free(mounts, n);
        return r < 0 ? r : 0;
}

int cgroup_set_discover(const char *relative, const char *mountinfo, CgroupSet *ret) {
        _cleanup_(cgroup_set_done) CgroupSet s = {};
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        /* "/zoned/web" means the same as "zoned/web": both are below each hierarchy's root. */
        relative += strspn(relative, "/");
        if (!cgroup_relative_path_is_valid(relative))
                return -EINVAL;
        s.relative = strdup(relative);
        if (!s.relative)
                return -ENOMEM;
        r = discover_from(mountinfo, &s);
        if (r < 0)
                return r;
        if (s.n_hierarchies == 0)
                return -ENOMEDIUM;

        /* cgroup2 lists every process even without controllers; else pids, else any v1 hierarchy. */
        s.procs_index = 0;
        for (size_t i = 0; i < s.n_hierarchies; i++)
                if (s.hierarchies[i].unified ||
                    (s.hierarchies[i].pids && !s.hierarchies[s.procs_index].unified))
                        s.procs_index = i;

        *ret = s;
        s = (CgroupSet) {};
        return 0;
}

bool cgroup_set_has_unified(const CgroupSet *s) {
        for (size_t i = 0; i < s->n_hierarchies; i++)
                if (s->hierarchies[i].unified)
                        return true;
        return false;
}

void cgroup_set_done(CgroupSet *s) {
        for (size_t i = 0; i < s->n_hierarchies; i++) {
                free(s->hierarchies[i].mount_point);
                free(s->hierarchies[i].path);
                free(s->hierarchies[i].payload);
        }
        free(s->hierarchies);
        free(s->relative);
        *s = (CgroupSet) {};
}

static int write_string_file(const char *path, const char *text) {
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(text);
        ssize_t k;

        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        k = write(fd, text, len);
        if (k < 0)
                return -errno;
        return (size_t) k == len ? 0 : -EIO;
}

static int read_line_file(const char *path, char *buf, size_t size) {
        int r = read_small_file(path, buf, size);

        if (r < 0)
                return r;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

/* A new v1 cpuset cgroup has no cpus and mems, and joining it fails with ENOSPC until it gets some. */
static int cpuset_inherit(const char *child) {
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        const char *slash = strrchr(child, '/');

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *pp = NULL, *cp = NULL;
                char value[4096];
                int r;

                if (asprintf(&pp, "%.*s/%s", (int) (slash - child), child, files[i]) < 0 ||
                    asprintf(&cp, "%s/%s", child, files[i]) < 0)
                        return -ENOMEM;
                r = read_line_file(cp, value, sizeof(value));
                if (r < 0)
                        return r;
                if (value[0] != 0)
                        continue;
                r = read_line_file(pp, value, sizeof(value));
                if (r < 0)
                        return r;
                r = write_string_file(cp, value);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* cgroup2 gives a cgroup only the controllers its parent enabled in cgroup.subtree_control. For
 * the zone's own systemd to account and limit memory, tasks, CPU and IO of its units (and for
 * limits on the zone), the parent of the zones' cgroups (--cgroup-root) and the zone's cgroup
 * enable what they have; cgroups above --cgroup-root are the host's (its init's, systemd's
 * slices) and left alone. Best effort: a cgroup with processes of its own cannot (EBUSY), and
 * the zone then runs without those controllers. On a hybrid host cgroup2 usually has none. */
static void unified_delegate_controllers(const char *dir) {
        _cleanup_free_ char *available_path = NULL, *subtree_path = NULL;
        char available[512], enabled[512], *save = NULL;

        if (asprintf(&available_path, "%s/cgroup.controllers", dir) < 0 ||
            asprintf(&subtree_path, "%s/cgroup.subtree_control", dir) < 0)
                return;
        if (read_line_file(available_path, available, sizeof(available)) < 0 ||
            read_line_file(subtree_path, enabled, sizeof(enabled)) < 0)
                return;
        for (char *c = strtok_r(available, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                char op[64];

                if (list_has(enabled, " ", c) || snprintf(op, sizeof(op), "+%s", c) >= (int) sizeof(op))
                        continue;
                (void) write_string_file(subtree_path, op);
        }
}

/* mkdir of one cgroup; a new v1 cpuset cgroup gets cpus and mems to be joinable. */
static int make_cgroup(const CgroupHierarchy *h, const char *path) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        return h->cpuset ? cpuset_inherit(path) : 0;
}

/* The v1 device list of the zone's cgroup, set while it has no children: the payload made below
 * it then inherits it, and the zone cannot allow itself more than this (the kernel grants a
 * cgroup only what its parent has). A leftover zone cgroup with children that allows every
 * device cannot be changed: -EBUSY. */
static int v1_devices_confine(const CgroupHierarchy *h, unsigned device_allow) {
        int r = device_policy_apply_v1(h->path, device_allow);

        return r == -EINVAL ? -EBUSY : r;
}

/* The files of a cgroup a delegate writes to move processes and pass on controllers (those that
 * systemd chowns when it delegates a subtree); the others (limits) stay the host's root's. */
static const char *const delegated_files[] = {
        "cgroup.procs",
        "cgroup.threads",
        "cgroup.subtree_control",
        "tasks",
};

/* The payload cgroup to the zone's root, whose init then makes its own subtree there, as a
 * delegate: the zone's cgroup above it, with the device policy and the limits, stays the host's. */
static int payload_delegate(const CgroupHierarchy *h, uid_t owner) {
        _cleanup_close_ int dfd = -EBADF;

        dfd = open(h->payload, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        /* v1 blkio throttling is flat (a cgroup's limits bind only its own processes): the payload,
         * which carries the zone's IO limits, stays the host's there, so that the zone cannot
         * make cgroups below it that would escape them. The files that move processes are its. */
        if (!h->blkio && fchown(dfd, owner, owner) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(delegated_files); i++)
                if (fchownat(dfd, delegated_files[i], owner, owner, 0) < 0 && errno != ENOENT)
                        return -errno;
        return 0;
}

static int hierarchy_create(const CgroupHierarchy *h, const char *relative, unsigned device_allow,
                            uid_t owner) {
        _cleanup_free_ char *p = NULL;
        size_t base = strlen(h->mount_point);
        int r;

        if (asprintf(&p, "%s/%s", h->mount_point, relative) < 0)
                return -ENOMEM;
        /* "MOUNT/a/b/c": cut p at each '/' after the mount point and create that prefix. */
        for (char *s = p + base + 1;; s++) {
                bool last = *s == 0;

                if (*s != '/' && !last)
                        continue;
                *s = 0;
                r = make_cgroup(h, p);
                if (r < 0)
                        return r;
                if (last)
                        break;
                *s = '/';
        }
        if (h->unified) {
                _cleanup_free_ char *parent = strndup(h->path, (size_t) (strrchr(h->path, '/') - h->path));

                if (!parent)
                        return -ENOMEM;
                if (strlen(parent) > base)
                        unified_delegate_controllers(parent);
                unified_delegate_controllers(h->path);
        }
        if (h->devices) {
                r = v1_devices_confine(h, device_allow);
                if (r < 0)
                        return r;
        }
        r = make_cgroup(h, h->payload);
        if (r < 0 || owner == 0)
                return r;
        return payload_delegate(h, owner);
}

bool cgroup_set_confines_devices(const CgroupSet *s) {
        for (size_t i = 0; i < s->n_hierarchies; i++)
                if (s->hierarchies[i].unified || s->hierarchies[i].devices)
                        return true;
        return false;
}

/* The device allow list (device-policy.h) on the zone's cgroup: in the v1 devices hierarchy (set
 * at creation), and as a BPF program on the cgroup2 one, on a hybrid host too. The kernel runs
 * the program first and then checks the v1 list, and each must allow. Both sit on the zone's
 * cgroup, above the payload that is the zone's cgroup namespace: root in the zone can neither
 * widen the v1 list of its payload beyond its parent's nor detach a BPF program (the system call
 * filter denies bpf()). The price is one small program per supervisor, and a hybrid host whose
 * kernel cannot (before 4.15, or without CONFIG_CGROUP_BPF) does not start zones either. */
/* Whether this process runs in the host's own user namespace: its uid_map is the identity of all
 * ids. */
static bool in_initial_user_namespace(void) {
        char line[128] = "";
        unsigned long a = 1, b = 1, n = 0;
        _cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");

        if (!f || !fgets(line, sizeof(line), f))
                return true; /* no user namespaces at all */
        return sscanf(line, "%lu %lu %lu", &a, &b, &n) == 3 && a == 0 && b == 0 && n == 4294967295UL;
}

static int hierarchy_confine_devices(const CgroupHierarchy *h, unsigned device_allow, int *program_fd) {
        if (!h->unified)
                return 0; /* the v1 list was set at creation */
        if (*program_fd < 0) {
                int fd = device_policy_load_program(device_allow);
                /* A supervisor of a zoned in a container may not load programs (the container's
                 * system call filter denies bpf()): the container's own device rules, on a cgroup
                 * above ours, hold for the zone, and mknod() is refused in its user namespace. */
                if (fd == -EPERM && !in_initial_user_namespace()) {
                        log_info("No device program of our own in a container: its device rules hold.");
                        return 0;
                }
                if (fd < 0)
                        return fd;
                *program_fd = fd;
        }
        return device_policy_attach_program(*program_fd, h->path);
}

int cgroup_set_confine_devices(const CgroupSet *s, int *program_fd) {
        /* The kept program is that of the zones without DeviceAllow=; one with it gets one of its
         * own, which its cgroup's attachment keeps. */
        _cleanup_close_ int own = -EBADF;
        int *program = s->device_allow ? &own : program_fd;

        for (size_t i = 0; i < s->n_hierarchies; i++) {
                int r = hierarchy_confine_devices(&s->hierarchies[i], s->device_allow, program);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_set_open_unified(const CgroupSet *s) {
        for (size_t i = 0; i < s->n_hierarchies; i++)
                if (s->hierarchies[i].unified) {
                        int fd = open(s->hierarchies[i].payload, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        return fd < 0 ? -errno : fd;
                }
        return -ENOMEDIUM;
}

/* v1: "0" in "tasks" moves the calling thread. For a single-threaded process
 * that is the whole process, and the kernel does it without taking
 * cgroup_threadgroup_rwsem for writing, which after a quiet while waits for
 * an RCU grace period (5-10 ms here, for every process on the host). cgroup2
 * has no such way (cgroup.threads cannot cross domains): its "cgroup.procs"
 * pays the grace period, which CLONE_INTO_CGROUP avoids. */
static int cgroup_set_attach(const CgroupSet *s, pid_t pid, bool skip_unified) {
        char text[32];

        /* "0": the writer itself, whatever pid namespace it is in. */
        snprintf(text, sizeof(text), "%i", (int) pid);
        for (size_t i = 0; i < s->n_hierarchies; i++) {
                const CgroupHierarchy *h = &s->hierarchies[i];
                _cleanup_free_ char *p = NULL;
                int r;

                if (h->unified && skip_unified)
                        continue;
                if (asprintf(&p, "%s/%s", h->payload, h->unified ? "cgroup.procs" : "tasks") < 0)
                        return -ENOMEM;
                r = write_string_file(p, text);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_set_join(const CgroupSet *s, bool skip_unified) {
        return cgroup_set_attach(s, 0, skip_unified);
}

/* Calls f for every subdirectory (child cgroup) of the directory dfd. */
static int for_each_child(int dfd, int (*f)(int dfd, const char *name, void *userdata), void *userdata) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd, r = 0;

        fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        while ((de = readdir(d))) {
                int q;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                q = f(dfd, de->d_name, userdata);
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

typedef struct PidList {
        pid_t *pids;
        size_t n;
        unsigned depth;
} PidList;

static int read_procs_at(int dfd, PidList *l) {
        _cleanup_fclose_ FILE *f = NULL;
        int fd, pid;

        fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "r");
        if (!f) {
                safe_close(fd);
                return -errno;
        }
        while (fscanf(f, "%i", &pid) == 1) {
                pid_t *n = realloc(l->pids, sizeof(pid_t) * (l->n + 1));

                if (!n)
                        return -ENOMEM;
                l->pids = n;
                l->pids[l->n++] = pid;
        }
        return 0;
}

static int collect_child(int dfd, const char *name, void *userdata);

static int collect_at(int dfd, PidList *l) {
        int r;

        if (l->depth > CGROUP_MAX_DEPTH)
                return -ELOOP;
        r = read_procs_at(dfd, l);
        if (r < 0)
                return r;
        l->depth++;
        r = for_each_child(dfd, collect_child, l);
        l->depth--;
        return r;
}

static int collect_child(int dfd, const char *name, void *userdata) {
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        return collect_at(fd, userdata);
}

static int collect_pids(const char *path, PidList *l) {
        _cleanup_close_ int fd = -EBADF;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        return collect_at(fd, l);
}

int cgroup_set_get_pids(const CgroupSet *s, pid_t **ret, size_t *ret_n) {
        PidList l = {};
        int r;

        if (s->n_hierarchies == 0) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        r = collect_pids(s->hierarchies[s->procs_index].path, &l);
        if (r < 0) {
                free(l.pids);
                return r;
        }
        *ret = l.pids;
        *ret_n = l.n;
        return 0;
}

int cgroup_set_kill(const CgroupSet *s, int sig) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n;
        int r, count = 0;

        r = cgroup_set_get_pids(s, &pids, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (kill(pids[i], sig) >= 0)
                        count++;
                else if (errno != ESRCH)
                        r = -errno;
        return count > 0 || r == 0 ? count : r;
}

int cgroup_set_is_empty(const CgroupSet *s) {
        for (size_t i = 0; i < s->n_hierarchies; i++) {
                PidList l = {};
                int r;

                r = collect_pids(s->hierarchies[i].path, &l);
                free(l.pids);
                if (r < 0)
                        return r;
                if (l.n > 0)
                        return 0;
        }
        return 1;
}

static int remove_child(int dfd, const char *name, void *userdata) {
        _cleanup_close_ int fd = -EBADF;
        unsigned *depth = userdata;
        int r;

        if (*depth > CGROUP_MAX_DEPTH)
                return -ELOOP;
        fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        (*depth)++;
        r = for_each_child(fd, remove_child, depth);
        (*depth)--;
        if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
                r = -errno;
        return r;
}

static int hierarchy_remove(const CgroupHierarchy *h) {
        _cleanup_close_ int fd = -EBADF;
        unsigned depth = 0;
        int r;

        fd = open(h->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = for_each_child(fd, remove_child, &depth);
        if (r < 0)
                return r;
        if (rmdir(h->path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* rmdir the parents of the zone's cgroup, deepest first, as long as nobody else uses them. */
static void hierarchy_remove_parents(const CgroupHierarchy *h) {
        _cleanup_free_ char *p = strdup(h->path);
        size_t base = strlen(h->mount_point);
        char *slash;

        if (!p)
                return;
        while ((slash = strrchr(p, '/')) && (size_t) (slash - p) > base) {
                *slash = 0;
                if (rmdir(p) < 0)
                        return; /* EBUSY, ENOTEMPTY: another zone lives there */
        }
}

int cgroup_set_remove(const CgroupSet *s) {
        int r = 0;

        for (size_t i = 0; i < s->n_hierarchies; i++) {
                int q = hierarchy_remove(&s->hierarchies[i]);
                if (q < 0) {
                        if (r == 0)
                                r = q;
                        continue;
                }
                hierarchy_remove_parents(&s->hierarchies[i]);
        }
        return r;
}

/* A zone's cgroup left behind (its supervisor was killed before it cleaned up) is removed if no
 * process is left in it: a boot gets fresh cgroups, with nothing of the last one's devices,
 * limits or subgroups. One with processes is not booted into: -EBUSY. */
static int hierarchy_remove_leftover(const CgroupHierarchy *h) {
        _cleanup_free_ pid_t *pids = NULL;
        PidList l = {};
        int r;

        if (access(h->path, F_OK) < 0)
                return errno == ENOENT ? 0 : -errno;
        r = collect_pids(h->path, &l);
        pids = l.pids;
        if (r < 0)
                return r;
        if (l.n > 0)
                return -EBUSY;
        return hierarchy_remove(h);
}

int cgroup_set_create(const CgroupSet *s, bool unified, uid_t owner) {
        /* Nothing would keep the zone from opening the devices it makes: do not start it. */
        if (!cgroup_set_confines_devices(s))
                return -EOPNOTSUPP;
        for (size_t i = 0; i < s->n_hierarchies; i++) {
                int r = -ENOENT;

                if (s->hierarchies[i].unified != unified)
                        continue;
                r = hierarchy_remove_leftover(&s->hierarchies[i]);
                if (r < 0)
                        return r;
                r = -ENOENT;
                /* ENOENT: a sibling supervisor removed a shared parent between our mkdir()s. */
                for (unsigned attempt = 0; attempt < CGROUP_CREATE_ATTEMPTS && r == -ENOENT; attempt++)
                        r = hierarchy_create(&s->hierarchies[i], s->relative, s->device_allow, owner);
                if (r < 0)
                        return r;
        }
        return 0;
}
