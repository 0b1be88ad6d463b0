/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining a running zone: cgroups, namespaces, root, user. See zone-enter.h. */

#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "launch-plan.h"
#include "macro.h"
#include "zone-enter.h"

/* Debian 12's glibc has no wrappers for these. */
static int sys_pidfd_open(pid_t pid) {
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_check_alive(int pidfd) {
        return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 ? -errno : 0;
}

int zone_leader_open(pid_t leader, int *ret_pidfd) {
        int fd;

        if (leader <= 1)
                return -EINVAL;
        fd = sys_pidfd_open(leader);
        if (fd < 0)
                return -errno;
        *ret_pidfd = fd;
        return 0;
}

int zone_leader_capabilities(pid_t leader, int pidfd, uint64_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        unsigned long long mask;
        const char *p;
        int r;

        if (asprintf(&path, "/proc/%i/status", (int) leader) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64 * 1024, &text);
        if (r < 0)
                return r;
        p = strstr(text, "\nCapBnd:");
        if (!p || sscanf(p + strlen("\nCapBnd:"), "%llx", &mask) != 1)
                return -EBADMSG;
        /* Still that init: then the number was not handed to another process before we read. */
        r = pidfd_check_alive(pidfd);
        if (r < 0)
                return r;
        *ret = (uint64_t) mask;
        return 0;
}

/* ---- the system call filter ---- */

static int parent_of(pid_t pid, pid_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *p;
        int ppid, r;

        if (asprintf(&path, "/proc/%i/status", (int) pid) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64 * 1024, &text);
        if (r < 0)
                return r;
        p = strstr(text, "\nPPid:");
        if (!p || sscanf(p + strlen("\nPPid:"), "%i", &ppid) != 1 || ppid <= 0)
                return -ESRCH;
        *ret = ppid;
        return 0;
}

int zone_supervisor_plan_path(pid_t supervisor, char **ret) {
        _cleanup_free_ char *path = NULL, *cmdline = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[4096];
        ssize_t n;

        if (asprintf(&path, "/proc/%i/cmdline", (int) supervisor) < 0)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return n < 0 ? -errno : -ESRCH;
        buf[n] = 0;
        if (!streq(buf, "zoned-supervisor"))
                return -ESRCH;
        for (const char *a = buf; a < buf + n; a += strlen(a) + 1)
                if (strncmp(a, "--plan=", 7) == 0 && a[7] == '/') {
                        *ret = strdup(a + 7);
                        return *ret ? 0 : -ENOMEM;
                }
        return -ESRCH;
}

int zone_syscall_filter_load(pid_t leader, SyscallFilter *ret) {
        _cleanup_(launch_plan_freep) LaunchPlan *plan = NULL;
        _cleanup_free_ char *plan_path = NULL;
        unsigned line = 0;
        pid_t supervisor;
        int r;

        r = parent_of(leader, &supervisor);
        if (r < 0)
                return r;
        r = zone_supervisor_plan_path(supervisor, &plan_path);
        if (r < 0)
                return r;
        r = launch_plan_load(plan_path, &plan, &line);
        if (r < 0)
                return r;
        if (!plan->seccomp_filter) {
                *ret = (SyscallFilter) {};
                return 0;
        }
        return syscall_filter_load(plan->seccomp_filter, ret);
}

/* ---- cgroups ---- */

typedef struct CgroupMount {
        char *root;  /* the part of the hierarchy mounted there */
        char *where; /* mount point */
        bool v2;
        char *opts; /* super options: "rw,cpu,cpuacct", "rw,xattr,name=systemd" */
} CgroupMount;

static void cgroup_mounts_free(CgroupMount *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
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
                .root = mountinfo_unescape(fields[3]),
                .where = mountinfo_unescape(fields[4]),
                .v2 = streq(fields[dash + 1], "cgroup2"),
                .opts = strdup(fields[dash + 3]),
        };
        if (!ret->root || !ret->where || !ret->opts) {
                free(ret->root);
                free(ret->where);
                free(ret->opts);
                return -ENOMEM;
        }
        return 1;
}

static int cgroup_mounts_load(CgroupMount **ret, size_t *ret_n) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        CgroupMount *mounts = NULL;
        size_t n = 0, size = 0;

        f = fopen("/proc/self/mountinfo", "re");
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

/* Every controller of a /proc/PID/cgroup line ("cpu,cpuacct", "name=systemd") is an option of the mount. */
static bool mount_has_controllers(const CgroupMount *m, const char *controllers) {
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

/* The directory of path (a cgroup of the hierarchy) under a mount of it; NULL if not reachable there. */
static char *mount_cgroup_dir(const CgroupMount *m, const char *path) {
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

/* v1: through "tasks", which moves the one thread pid (single-threaded: the process) without the
 * wait for an RCU grace period that "cgroup.procs" costs (see the supervisor's cgroup.h); cgroup2
 * has no such way. "0" is the writer itself, whatever pid namespace it is in. */
static int cgroup_attach(const char *dir, bool v2, pid_t pid) {
        _cleanup_free_ char *procs = NULL;
        _cleanup_close_ int fd = -EBADF;
        char text[32];
        int n;

        if (asprintf(&procs, "%s/%s", dir, v2 ? "cgroup.procs" : "tasks") < 0)
                return -ENOMEM;
        fd = open(procs, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        n = snprintf(text, sizeof(text), "%i", (int) pid);
        if (write(fd, text, (size_t) n) != n)
                return -errno;
        return 0;
}

/* One line of /proc/PID/cgroup: "4:memory:/zoned/web", "0::/zoned/web". */
static int join_cgroup_line(char *line, const CgroupMount *mounts, size_t n_mounts, pid_t pid) {
        char *controllers, *path;

        controllers = strchr(line, ':');
        if (!controllers)
                return 0;
        *controllers++ = 0;
        path = strchr(controllers, ':');
        if (!path || path[1] != '/')
                return 0;
        *path++ = 0;

        for (size_t i = 0; i < n_mounts; i++) {
                bool v2 = streq(line, "0") && controllers[0] == 0;
                _cleanup_free_ char *dir = NULL;

                if (mounts[i].v2 != v2 || (!v2 && !mount_has_controllers(&mounts[i], controllers)))
                        continue;
                dir = mount_cgroup_dir(&mounts[i], path);
                if (!dir)
                        continue;
                return cgroup_attach(dir, v2, pid);
        }
        /* A hierarchy the host does not mount: nothing to join. */
        return 0;
}

int zone_enter_cgroups(pid_t leader, int pidfd, pid_t pid) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        CgroupMount *mounts = NULL;
        size_t n_mounts = 0;
        char *save = NULL;
        int r;

        if (asprintf(&path, "/proc/%i/cgroup", (int) leader) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64 * 1024, &text);
        if (r < 0)
                return r;
        /* What was read belongs to the leader only if it still lives (no pid reuse). */
        r = pidfd_check_alive(pidfd);
        if (r < 0)
                return r;
        r = cgroup_mounts_load(&mounts, &n_mounts);
        if (r < 0)
                return r;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                r = join_cgroup_line(line, mounts, n_mounts, pid);
                if (r < 0)
                        break;
        }
        cgroup_mounts_free(mounts, n_mounts);
        return r < 0 ? r : 0;
}

/* ---- namespaces ---- */

static int same_namespace(pid_t leader, const char *type) {
        _cleanup_free_ char *theirs = NULL, *ours = NULL;
        struct stat a, b;

        if (asprintf(&theirs, "/proc/%i/ns/%s", (int) leader, type) < 0 ||
            asprintf(&ours, "/proc/self/ns/%s", type) < 0)
                return -ENOMEM;
        if (stat(theirs, &a) < 0 || stat(ours, &b) < 0)
                return -errno;
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int enter_root(int root_fd) {
        if (fchdir(root_fd) < 0)
                return -errno;
        if (chroot(".") < 0)
                return -errno;
        if (chdir("/") < 0)
                return -errno;
        return 0;
}

int zone_enter_namespaces(pid_t leader, int pidfd, int nstypes) {
        _cleanup_close_ int root_fd = -EBADF;
        _cleanup_free_ char *root = NULL;
        int others = nstypes & ~CLONE_NEWNS, r;

        if (nstypes & ~ZONE_ENTER_NAMESPACES)
                return -EINVAL;
        if (nstypes == 0)
                return 0;
        /* What is read of the leader is read in the host's /proc, before anything is joined. A zone
         * with its own user namespace is entered through it. */
        r = same_namespace(leader, "user");
        if (r < 0)
                return r;
        if (r == 0)
                others |= CLONE_NEWUSER;
        if (nstypes & CLONE_NEWNS) {
                /* The leader's root (pivot_root or chroot): opened from the host, entered after setns. */
                if (asprintf(&root, "/proc/%i/root", (int) leader) < 0)
                        return -ENOMEM;
                root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0)
                        return -errno;
        }
        r = pidfd_check_alive(pidfd);
        if (r < 0)
                return r;
        /* The mount namespace and the root first: from here on no path leads to the host's files. */
        if (nstypes & CLONE_NEWNS) {
                if (setns(pidfd, CLONE_NEWNS) < 0)
                        return -errno;
                r = enter_root(root_fd);
                if (r < 0)
                        return r;
        }
        /* Then the rest in one call, the user namespace first within it, while we are still the
         * host's root: a pidfd's setns() checks ptrace access to the leader with the credentials
         * of the moment. The pid namespace is only the one children to come are born in. */
        if (others != 0 && setns(pidfd, others) < 0)
                return -errno;
        /* Joining a user namespace keeps our ids, the host's root's, which it does not map: become
         * its root, as whatever enters a zone starts as the zone's root (the caller then drops to
         * the zone's capabilities: the join gave it every one there). */
        if ((others & CLONE_NEWUSER) &&
            (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                return -errno;
        return 0;
}

/* ---- users ---- */

void zone_user_done(ZoneUser *u) {
        free(u->name);
        free(u->home);
        free(u->shell);
        free(u->groups);
        *u = (ZoneUser) {};
}

/* Opens a file of the zone, with every path component resolved inside root. */
static int open_in_root(const char *root, const char *path, FILE **ret) {
        struct open_how how = {
                .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        _cleanup_close_ int root_fd = -EBADF, fd = -EBADF;
        FILE *f;

        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        fd = (int) syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "re");
        if (!f)
                return -errno;
        TAKE_FD(fd);
        *ret = f;
        return 0;
}

static int parse_id(const char *s, uid_t *ret) {
        unsigned long long v = 0;

        if (isempty(s))
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long long) (*s - '0');
                if (v >= UINT32_MAX) /* (uid_t) -1 is no user */
                        return -ERANGE;
        }
        *ret = (uid_t) v;
        return 0;
}

static int user_fill(ZoneUser *u, const char *name, uid_t uid, gid_t gid, const char *home,
                     const char *shell) {
        u->name = strdup(name);
        u->home = strdup(isempty(home) ? "/" : home);
        u->shell = strdup(isempty(shell) ? "/bin/sh" : shell);
        u->groups = new (gid_t, 1);
        if (!u->name || !u->home || !u->shell || !u->groups)
                return -ENOMEM;
        u->uid = uid;
        u->gid = gid;
        u->groups[0] = gid;
        u->n_groups = 1;
        return 0;
}

static int lookup_passwd(const char *root, const char *user, ZoneUser *u) {
        _cleanup_fclose_ FILE *f = NULL;
        uid_t want = 0;
        bool numeric = parse_id(user, &want) >= 0, found = false;
        struct passwd *pw;
        int r;

        r = open_in_root(root, "/etc/passwd", &f);
        if (r == -ENOENT && (streq(user, "root") || (numeric && want == 0)))
                /* A minimal tree without a user database still has root. */
                return user_fill(u, "root", 0, 0, "/root", "/bin/sh");
        if (r < 0)
                return r;
        while ((pw = fgetpwent(f))) {
                if (streq(pw->pw_name, user)) {
                        zone_user_done(u);
                        return user_fill(u, pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_dir, pw->pw_shell);
                }
                /* A number names a user only if no user is called that. */
                if (numeric && !found && pw->pw_uid == want) {
                        r = user_fill(u, pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_dir, pw->pw_shell);
                        if (r < 0)
                                return r;
                        found = true;
                }
        }
        if (ferror(f))
                return -EIO;
        return found ? 0 : -ESRCH;
}

static int lookup_groups(const char *root, ZoneUser *u) {
        _cleanup_fclose_ FILE *f = NULL;
        struct group *gr;
        int r;

        r = open_in_root(root, "/etc/group", &f);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        while ((gr = fgetgrent(f))) {
                bool member = false;
                gid_t *n;

                for (char **m = gr->gr_mem; m && *m && !member; m++)
                        member = streq(*m, u->name);
                for (size_t i = 0; i < u->n_groups && member; i++)
                        if (u->groups[i] == gr->gr_gid)
                                member = false;
                if (!member)
                        continue;
                n = realloc(u->groups, (u->n_groups + 1) * sizeof(gid_t));
                if (!n)
                        return -ENOMEM;
                u->groups = n;
                u->groups[u->n_groups++] = gr->gr_gid;
        }
        return ferror(f) ? -EIO : 0;
}

int zone_user_lookup(const char *root, const char *user, ZoneUser *ret) {
        ZoneUser u = {};
        int r;

        if (isempty(user) || strchr(user, ':') || strchr(user, '\n'))
                return -EINVAL;
        r = lookup_passwd(root, user, &u);
        if (r >= 0)
                r = lookup_groups(root, &u);
        if (r < 0) {
                zone_user_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

int zone_user_become(const ZoneUser *u) {
        if (setgroups(u->n_groups, u->groups) < 0)
                return -errno;
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return -errno;
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return -errno;
        return 0;
}

static int strv_extend_pair(char ***l, const char *key, const char *value) {
        _cleanup_free_ char *s = NULL;

        if (asprintf(&s, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_extend(l, s);
}

int zone_user_environment(const ZoneUser *u, const char *term, char ***ret) {
        _cleanup_strv_free_ char **env = new0(char *, 1);
        int r;

        if (!env)
                return -ENOMEM;
        if ((r = strv_extend_pair(&env, "HOME", u->home)) < 0 ||
            (r = strv_extend_pair(&env, "SHELL", u->shell)) < 0 ||
            (r = strv_extend_pair(&env, "USER", u->name)) < 0 ||
            (r = strv_extend_pair(&env, "LOGNAME", u->name)) < 0 ||
            (r = strv_extend_pair(&env, "PATH", ZONE_DEFAULT_PATH)) < 0 ||
            (term && (r = strv_extend_pair(&env, "TERM", term)) < 0) ||
            (r = strv_extend_pair(&env, "container", "zoned")) < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}

/* ---- terminals ---- */

/* The major of devpts's ptmx (5:2) and of its slaves (136-143). */
#define PTMX_MAJOR 5
#define PTMX_MINOR 2

int zone_pty_open(int *ret_master, int *ret_slave, char **ret_path) {
        struct open_how how = {
                .flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS,
        };
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        unsigned n;

        master = (int) syscall(SYS_openat2, AT_FDCWD, "/dev/pts/ptmx", &how, sizeof(how));
        if (master < 0)
                return -errno;
        if (!zone_pty_is_master(master))
                return -ENOTTY;
        if (unlockpt(master) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
                return -errno;
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        if (asprintf(ret_path, "/dev/pts/%u", n) < 0)
                return -ENOMEM;
        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

bool zone_pty_is_master(int fd) {
        struct stat st;
        unsigned n;

        if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
                return false;
        if (major(st.st_rdev) != PTMX_MAJOR || minor(st.st_rdev) != PTMX_MINOR)
                return false;
        return ioctl(fd, TIOCGPTN, &n) >= 0;
}

int zone_pty_make_controlling(int slave) {
        if (setsid() < 0)
                return -errno;
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                if (slave != i && dup2(slave, i) < 0)
                        return -errno;
        if (slave > 2)
                safe_close(slave);
        return 0;
}

int zone_fd_send(int sock, const char *text, int fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (char *) text, .iov_len = strlen(text) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

ssize_t zone_fd_receive(int sock, char *text, size_t size, int *ret_fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = text, .iov_len = size - 1 };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        ssize_t n;

        *ret_fd = -EBADF;
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        text[n] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                    c->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        return n;
}

static char **strv_find_key(char **l, const char *entry) {
        size_t k = strcspn(entry, "=");

        for (char **e = l; e && *e; e++)
                if (strncmp(*e, entry, k) == 0 && (*e)[k] == '=')
                        return e;
        return NULL;
}

int zone_user_environment_merge(const ZoneUser *u, const char *term, char *const *extra, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        int r;

        r = zone_user_environment(u, term, &env);
        if (r < 0)
                return r;
        for (char *const *e = extra; e && *e; e++) {
                char **old;

                if (**e == '=' || !strchr(*e, '='))
                        return -EINVAL;
                old = strv_find_key(env, *e);
                if (old) {
                        char *copy = strdup(*e);
                        if (!copy)
                                return -ENOMEM;
                        free(*old);
                        *old = copy;
                } else if ((r = strv_extend(&env, *e)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(env);
        return 0;
}
