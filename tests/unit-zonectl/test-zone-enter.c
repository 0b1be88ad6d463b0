/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* common/zone-enter.c: user lookup in a tree, and (as root) entering a real
 * set of namespaces and cgroups made here. */

#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "macro.h"
#include "zone-attach.h"
#include "zone-enter.h"
#include "zone-leader.h"
#include "zone-user.h"

static char *make_root(void) {
        char *tmp = g_dir_make_tmp("zone-enter-XXXXXX", NULL);
        g_autofree char *etc = g_build_filename(tmp, "root", "etc", NULL);
        g_autofree char *evil = g_build_filename(tmp, "evil", NULL);
        g_autofree char *p = NULL;

        g_assert_nonnull(tmp);
        g_assert_cmpint(g_mkdir_with_parents(etc, 0755), ==, 0);
        g_assert_cmpint(g_mkdir_with_parents(evil, 0755), ==, 0);
        p = g_build_filename(etc, "passwd", NULL);
        g_assert_true(g_file_set_contents(p,
                                          "root:x:0:0:root:/root:/bin/sh\n"
                                          "alice:x:1000:1000:Alice:/home/alice:/bin/ash\n"
                                          "bob:x:2000:2000::/home/bob:/bin/sh\n"
                                          "2000:x:2001:2001::/home/two:\n",
                                          -1, NULL));
        g_free(p);
        p = g_build_filename(etc, "group", NULL);
        g_assert_true(g_file_set_contents(p,
                                          "root:x:0:\n"
                                          "sudo:x:27:bob,alice\n"
                                          "alice:x:1000:\n"
                                          "users:x:100:alice\n"
                                          "again:x:1000:alice\n",
                                          -1, NULL));
        g_free(p);
        p = g_build_filename(evil, "passwd", NULL);
        g_assert_true(g_file_set_contents(p, "mallory:x:0:0::/:/bin/sh\n", -1, NULL));
        return tmp;
}

static void remove_root(const char *tmp) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
        g_assert_cmpint(system(cmd), ==, 0);
}

static void test_user_lookup(void) {
        g_autofree char *tmp = make_root(), *root = g_build_filename(tmp, "root", NULL);
        ZoneUser u = {};

        g_assert_cmpint(zone_user_lookup(root, "alice", &u), ==, 0);
        g_assert_cmpstr(u.name, ==, "alice");
        g_assert_cmpuint(u.uid, ==, 1000);
        g_assert_cmpuint(u.gid, ==, 1000);
        g_assert_cmpstr(u.home, ==, "/home/alice");
        g_assert_cmpstr(u.shell, ==, "/bin/ash");
        /* Primary group first, then the groups listing her, each once. */
        g_assert_cmpuint(u.n_groups, ==, 3);
        g_assert_cmpuint(u.groups[0], ==, 1000);
        g_assert_cmpuint(u.groups[1], ==, 27);
        g_assert_cmpuint(u.groups[2], ==, 100);
        zone_user_done(&u);

        /* By uid; and a user called "2000" wins over uid 2000. */
        g_assert_cmpint(zone_user_lookup(root, "1000", &u), ==, 0);
        g_assert_cmpstr(u.name, ==, "alice");
        zone_user_done(&u);
        g_assert_cmpint(zone_user_lookup(root, "2000", &u), ==, 0);
        g_assert_cmpstr(u.name, ==, "2000");
        g_assert_cmpuint(u.uid, ==, 2001);
        g_assert_cmpstr(u.shell, ==, "/bin/sh"); /* empty shell → /bin/sh */
        zone_user_done(&u);

        g_assert_cmpint(zone_user_lookup(root, "ghost", &u), ==, -ESRCH);
        g_assert_cmpint(zone_user_lookup(root, "4242", &u), ==, -ESRCH);
        g_assert_cmpint(zone_user_lookup(root, "", &u), ==, -EINVAL);
        g_assert_cmpint(zone_user_lookup(root, "a:b", &u), ==, -EINVAL);
        remove_root(tmp);
}

static void test_user_lookup_confined(void) {
        g_autofree char *tmp = make_root(), *root = g_build_filename(tmp, "root", NULL);
        g_autofree char *passwd = g_build_filename(root, "etc", "passwd", NULL);
        ZoneUser u = {};

        /* A zone's symlink that climbs out of its root is resolved inside it. */
        g_assert_cmpint(unlink(passwd), ==, 0);
        g_assert_cmpint(symlink("../../evil/passwd", passwd), ==, 0);
        g_assert_cmpint(zone_user_lookup(root, "mallory", &u), ==, -ENOENT);
        g_assert_cmpint(unlink(passwd), ==, 0);
        g_assert_cmpint(symlink("/../evil/passwd", passwd), ==, 0);
        g_assert_cmpint(zone_user_lookup(root, "mallory", &u), ==, -ENOENT);

        /* No user database at all: root still exists, nobody else. */
        g_assert_cmpint(unlink(passwd), ==, 0);
        g_assert_cmpint(zone_user_lookup(root, "root", &u), ==, 0);
        g_assert_cmpuint(u.uid, ==, 0);
        g_assert_cmpstr(u.home, ==, "/root");
        zone_user_done(&u);
        g_assert_cmpint(zone_user_lookup(root, "0", &u), ==, 0);
        zone_user_done(&u);
        g_assert_cmpint(zone_user_lookup(root, "alice", &u), ==, -ENOENT);
        remove_root(tmp);
}

static void test_user_environment(void) {
        ZoneUser u = { .name = (char *) "alice",
                       .home = (char *) "/home/alice",
                       .shell = (char *) "/bin/ash" };
        char **env = NULL;
        g_autofree char *joined = NULL;

        g_assert_cmpint(zone_user_environment(&u, "xterm", &env), ==, 0);
        joined = g_strjoinv(" ", env);
        g_assert_cmpstr(joined, ==,
                        "HOME=/home/alice SHELL=/bin/ash USER=alice LOGNAME=alice PATH=" ZONE_DEFAULT_PATH
                        " TERM=xterm container=zoned");
        strv_free(env);
        g_clear_pointer(&joined, g_free);
        g_assert_cmpint(zone_user_environment(&u, NULL, &env), ==, 0);
        joined = g_strjoinv(" ", env);
        g_assert_null(strstr(joined, "TERM="));
        strv_free(env);
}

/* ---- entering real namespaces and cgroups (root only) ---- */

/* Test cgroups in a v1 "pids" hierarchy and in cgroup2, where the host has them. */
static const char *const cgroup_parents[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified",
                                              "/sys/fs/cgroup" };

static char **make_test_cgroups(void) {
        GPtrArray *dirs = g_ptr_array_new();
        bool v2_done = false;

        for (size_t i = 0; i < G_N_ELEMENTS(cgroup_parents); i++) {
                struct statfs sfs;
                bool v2;

                if (statfs(cgroup_parents[i], &sfs) < 0)
                        continue;
                v2 = sfs.f_type == 0x63677270; /* CGROUP2_SUPER_MAGIC */
                if ((v2 && v2_done) || (!v2 && sfs.f_type != 0x27e0eb /* CGROUP_SUPER_MAGIC */))
                        continue;
                v2_done = v2_done || v2;
                char *d = g_strdup_printf("%s/zone-enter-test-%i", cgroup_parents[i], (int) getpid());
                g_assert_cmpint(mkdir(d, 0755), ==, 0);
                g_ptr_array_add(dirs, d);
        }
        g_ptr_array_add(dirs, NULL);
        return (char **) g_ptr_array_free(dirs, FALSE);
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                _exit(90);
}

/* With a user namespace of its own, the zone's uid 0 is this host uid (as zoned's pool would give). */
#define ZONE_UID_BASE 1048576

typedef struct FakeZone {
        bool userns;
        /* The zone's init attacks the pids (of the zone) written to attack_in: 1 for ptrace, 2 for
         * pidfd_getfd, or'ed, on attack_out. -1: it just waits. */
        int attack_in, attack_out;
} FakeZone;

/* What root in a zone does to a process of the zone (async-signal-safe only: the test has threads). */
static _noreturn_ void zone_attacker(int in, int out) {
        pid_t pid;

        while (read(in, &pid, sizeof(pid)) == sizeof(pid)) {
                int result = 0, pidfd, fd, status;

                if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
                        result |= 1;
                        if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0 && waitpid(pid, &status, __WALL) == pid)
                                (void) ptrace(PTRACE_DETACH, pid, 0, 0);
                }
                pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
                fd = pidfd >= 0 ? (int) syscall(SYS_pidfd_getfd, pidfd, 0, 0) : -1;
                if (fd >= 0)
                        result |= 2;
                if (fd >= 0)
                        close(fd);
                if (pidfd >= 0)
                        close(pidfd);
                if (write(out, &result, sizeof(result)) != sizeof(result))
                        _exit(96);
        }
        _exit(0);
}

static void write_id_maps(pid_t pid) {
        g_autofree char *map = g_strdup_printf("0 %u 65536\n", ZONE_UID_BASE);

        for (const char *const *f = (const char *const[]) { "uid_map", "gid_map", NULL }; *f; f++) {
                g_autofree char *path = g_strdup_printf("/proc/%i/%s", (int) pid, *f);
                int fd = open(path, O_WRONLY | O_CLOEXEC);

                /* In one write, as the kernel wants it: not through a temp file. */
                g_assert_cmpint(fd, >=, 0);
                g_assert_cmpint(write(fd, map, strlen(map)), ==, (ssize_t) strlen(map));
                g_assert_cmpint(close(fd), ==, 0);
        }
}

/* The zone: pid 1 of new namespaces, in the test cgroups, chroot'ed into a tmpfs. Returns its host pid. */
static pid_t spawn_zone_full(char **cgroups, const char *root, const FakeZone *o, pid_t *ret_outer) {
        int pipefd[2], readyfd[2], unshared[2], mapped[2];
        pid_t outer, inner = 0;
        char ready;

        g_assert_cmpint(pipe2(pipefd, O_CLOEXEC), ==, 0);
        g_assert_cmpint(pipe2(readyfd, O_CLOEXEC), ==, 0);
        g_assert_cmpint(pipe2(unshared, O_CLOEXEC), ==, 0);
        g_assert_cmpint(pipe2(mapped, O_CLOEXEC), ==, 0);
        outer = fork();
        g_assert_cmpint(outer, >=, 0);
        if (outer == 0) {
                /* The test's ends: should it fail, we see EOF. */
                close(unshared[0]);
                close(mapped[1]);
                for (char **c = cgroups; *c; c++) {
                        g_autofree char *procs = g_strdup_printf("%s/cgroup.procs", *c);
                        write_file(procs, "0");
                }
                /* The test maps the ids; then we are the zone's root, and its namespaces are owned by it. */
                if (o->userns &&
                    (unshare(CLONE_NEWUSER) < 0 || write(unshared[1], "u", 1) != 1 ||
                     read(mapped[0], &ready, 1) != 1 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                        _exit(90);
                if (unshare(ZONE_ENTER_NAMESPACES) < 0)
                        _exit(91);
                inner = fork();
                if (inner == 0) {
                        g_autofree char *marker = g_build_filename(root, "zone-marker", NULL);
                        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                            mount("tmpfs", root, "tmpfs", 0, "mode=0755") < 0)
                                _exit(92);
                        write_file(marker, "here\n");
                        if (chroot(root) < 0 || chdir("/") < 0 || sethostname("zone-enter-test", 15) < 0)
                                _exit(93);
                        if (write(readyfd[1], "x", 1) != 1)
                                _exit(94);
                        if (o->attack_in >= 0)
                                zone_attacker(o->attack_in, o->attack_out);
                        for (;;)
                                pause();
                }
                /* The outer one stays, to reap the zone's init, and tells its host pid. */
                if (inner < 0 || write(pipefd[1], &inner, sizeof(inner)) != sizeof(inner))
                        _exit(95);
                (void) waitpid(inner, NULL, 0);
                _exit(0);
        }
        close(pipefd[1]);
        close(readyfd[1]);
        close(unshared[1]);
        close(mapped[0]);
        if (o->userns) {
                g_assert_cmpint(read(unshared[0], &ready, 1), ==, 1);
                write_id_maps(outer);
                g_assert_cmpint(write(mapped[1], "m", 1), ==, 1);
        }
        g_assert_cmpint(read(pipefd[0], &inner, sizeof(inner)), ==, sizeof(inner));
        g_assert_cmpint(read(readyfd[0], &ready, 1), ==, 1);
        close(pipefd[0]);
        close(readyfd[0]);
        close(unshared[0]);
        close(mapped[1]);
        *ret_outer = outer;
        return inner;
}

static pid_t spawn_zone(char **cgroups, const char *root, pid_t *ret_outer) {
        return spawn_zone_full(cgroups, root, &(FakeZone) { .attack_in = -1, .attack_out = -1 }, ret_outer);
}

static int run_entered_child(pid_t zone, int pidfd) {
        g_autofree char *ours = NULL, *theirs = NULL, *path = g_strdup_printf("/proc/%i/cgroup", (int) zone);
        char host[64] = {};

        if (zone_enter_cgroups(zone, pidfd, 0) < 0)
                return 10;
        if (!g_file_get_contents("/proc/self/cgroup", &ours, NULL, NULL) ||
            !g_file_get_contents(path, &theirs, NULL, NULL))
                return 11;
        if (!g_str_equal(ours, theirs))
                return 12;
        if (zone_enter_namespaces(zone, pidfd, ZONE_ENTER_NAMESPACES & ~CLONE_NEWPID) < 0)
                return 13;
        if (access("/zone-marker", F_OK) < 0)
                return 14;
        if (gethostname(host, sizeof(host) - 1) < 0 || !g_str_equal(host, "zone-enter-test"))
                return 15;
        /* In the zone's pid namespace, and its parent (outside) is invisible there. */
        if (getpid() == 1 || getppid() != 0)
                return 16;
        return 0;
}

static int run_helper(pid_t zone, int pidfd) {
        pid_t child;
        int status;

        if (zone_enter_namespaces(zone, pidfd, CLONE_NEWPID) < 0)
                return 20;
        child = fork();
        if (child < 0)
                return 21;
        if (child == 0)
                _exit(run_entered_child(zone, pidfd));
        if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status))
                return 22;
        return WEXITSTATUS(status);
}

static void test_enter(void) {
        g_autofree char *root = NULL;
        g_auto(GStrv) cgroups = NULL;
        pid_t outer, zone, helper;
        int pidfd = -1, status;

        if (geteuid() != 0) {
                g_test_skip("needs root");
                return;
        }
        root = g_dir_make_tmp("zone-enter-root-XXXXXX", NULL);
        cgroups = make_test_cgroups();
        zone = spawn_zone(cgroups, root, &outer);

        g_assert_cmpint(zone_leader_open(zone, &pidfd), ==, 0);
        helper = fork();
        g_assert_cmpint(helper, >=, 0);
        if (helper == 0)
                _exit(run_helper(zone, pidfd));
        g_assert_cmpint(waitpid(helper, &status, 0), ==, helper);

        g_assert_cmpint(kill(zone, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(outer, NULL, 0), ==, outer);
        close(pidfd);
        for (char **c = cgroups; *c; c++)
                g_assert_cmpint(rmdir(*c), ==, 0);
        g_assert_cmpint(rmdir(root), ==, 0);

        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        g_assert_cmpuint(g_strv_length(cgroups), >, 0);
}

/* zone_attach()'s process, in the zone (async-signal-safe only: the test has threads). Waits
 * until the caller looked at it from outside, then says how it finds itself. */
static _noreturn_ void attached_run(const ZoneUser *u, char **env, void *userdata) {
        char host[64] = {}, c;

        if (read(STDIN_FILENO, &c, 1) != 1)
                _exit(30);
        if (access("/zone-marker", F_OK) < 0)
                _exit(31);
        if (gethostname(host, sizeof(host) - 1) < 0 || strcmp(host, "zone-enter-test") != 0)
                _exit(32);
        /* In the zone's pid namespace, its parent (the caller) outside. */
        if (getpid() == 1 || getppid() != 0)
                _exit(33);
        if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
                _exit(34);
        if (getsid(0) != getpid())
                _exit(35);
        /* Its stdio and nothing else. */
        for (int fd = 3; fd < 1024; fd++)
                if (fcntl(fd, F_GETFD) >= 0)
                        _exit(36);
        if (write(STDOUT_FILENO, "inside\n", 7) != 7)
                _exit(37);
        _exit(0);
}

static char *proc_file(pid_t pid, const char *name) {
        g_autofree char *path = g_strdup_printf("/proc/%i/%s", (int) pid, name);
        char *text = NULL;

        return g_file_get_contents(path, &text, NULL, NULL) ? text : NULL;
}

static int attach_failed(ZoneAttached *z, int r, int code) {
        fprintf(stderr, "zone_attach() failed: %s: %s\n", z->error ?: "(no message)", strerror(-r));
        zone_attached_done(z);
        return code;
}

/* The caller's side, in a child of the test (zone_attach() waits for any child of its caller). */
static int run_attach(pid_t zone, int pidfd) {
        g_autofree char *theirs = proc_file(zone, "cgroup"), *ours = NULL, *status = NULL, *ppid = NULL;
        ZoneAttached z = ZONE_ATTACHED_NULL;
        SyscallFilter filter = {};
        int in[2], out[2], wstatus, r;
        char buf[16] = {};

        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
                return 40;
        r = zone_attach(&(ZoneAttach) { .leader = zone,
                                        .pidfd = pidfd,
                                        .filter = &filter,
                                        .become = true,
                                        .stdio = { in[0], out[1], out[1] },
                                        .run = attached_run },
                        &z);
        if (r < 0)
                return attach_failed(&z, r, 41);
        close(in[0]);
        close(out[1]);
        /* Our child, in the zone's cgroups. */
        ours = proc_file(z.pid, "cgroup");
        status = proc_file(z.pid, "status");
        ppid = g_strdup_printf("\nPPid:\t%i\n", (int) getpid());
        if (!ours || !theirs || !g_str_equal(ours, theirs))
                return 42;
        if (!status || !strstr(status, ppid))
                return 43;
        if (write(in[1], "g", 1) != 1 || read(out[0], buf, sizeof(buf) - 1) != 7 ||
            !g_str_equal(buf, "inside\n"))
                return 44;
        if (waitpid(z.pid, &wstatus, 0) != z.pid || !WIFEXITED(wstatus))
                return 45;
        zone_attached_done(&z);
        return WEXITSTATUS(wstatus);
}

static void test_attach(void) {
        g_autofree char *root = NULL;
        g_auto(GStrv) cgroups = NULL;
        pid_t outer, zone, caller;
        int pidfd = -1, status;

        if (geteuid() != 0) {
                g_test_skip("needs root");
                return;
        }
        root = g_dir_make_tmp("zone-enter-root-XXXXXX", NULL);
        cgroups = make_test_cgroups();
        zone = spawn_zone(cgroups, root, &outer);

        g_assert_cmpint(zone_leader_open(zone, &pidfd), ==, 0);
        caller = fork();
        g_assert_cmpint(caller, >=, 0);
        if (caller == 0)
                _exit(run_attach(zone, pidfd));
        g_assert_cmpint(waitpid(caller, &status, 0), ==, caller);

        g_assert_cmpint(kill(zone, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(outer, NULL, 0), ==, outer);
        close(pidfd);
        for (char **c = cgroups; *c; c++)
                g_assert_cmpint(rmdir(*c), ==, 0);
        g_assert_cmpint(rmdir(root), ==, 0);

        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* In a zone with a user namespace: the process is the zone's root, and root in the zone can neither
 * ptrace it nor take its fds; once it lets itself be dumped (as exec would), it can. */
static _noreturn_ void attached_userns_run(const ZoneUser *u, char **env, void *userdata) {
        pid_t self = getpid();
        char c;

        if (write(STDOUT_FILENO, &self, sizeof(self)) != sizeof(self) || read(STDIN_FILENO, &c, 1) != 1)
                _exit(50);
        if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0 || write(STDOUT_FILENO, "k", 1) != 1 ||
            read(STDIN_FILENO, &c, 1) != 1)
                _exit(51);
        _exit(getuid() == 0 && getgid() == 0 ? 0 : 52);
}

static int attack_of(int attack_in, int attack_out, pid_t pid) {
        int result = -1;

        if (write(attack_in, &pid, sizeof(pid)) != sizeof(pid) ||
            read(attack_out, &result, sizeof(result)) != sizeof(result))
                return -1;
        return result;
}

static int run_attach_userns(pid_t zone, int pidfd, int attack_in, int attack_out) {
        g_autofree char *status = NULL, *uid = g_strdup_printf("\nUid:\t%u\t", ZONE_UID_BASE);
        ZoneAttached z = ZONE_ATTACHED_NULL;
        SyscallFilter filter = {};
        int in[2], out[2], wstatus, r;
        pid_t in_zone = 0;
        char c;

        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
                return 60;
        r = zone_attach(&(ZoneAttach) { .leader = zone,
                                        .pidfd = pidfd,
                                        .filter = &filter,
                                        .become = true,
                                        .stdio = { in[0], out[1], out[1] },
                                        .run = attached_userns_run },
                        &z);
        if (r < 0)
                return attach_failed(&z, r, 61);
        close(in[0]);
        close(out[1]);
        status = proc_file(z.pid, "status");
        if (!status || !strstr(status, uid))
                return 62;
        if (read(out[0], &in_zone, sizeof(in_zone)) != sizeof(in_zone))
                return 63;
        if (attack_of(attack_in, attack_out, in_zone) != 0)
                return 64;
        if (write(in[1], "d", 1) != 1 || read(out[0], &c, 1) != 1)
                return 65;
        /* Else the check above would prove nothing. */
        if (attack_of(attack_in, attack_out, in_zone) != 3)
                return 66;
        if (write(in[1], "x", 1) != 1 || waitpid(z.pid, &wstatus, 0) != z.pid || !WIFEXITED(wstatus))
                return 67;
        zone_attached_done(&z);
        return WEXITSTATUS(wstatus);
}

static void test_attach_userns(void) {
        g_autofree char *root = NULL;
        g_auto(GStrv) cgroups = NULL;
        int pidfd = -1, status, to_attacker[2], from_attacker[2];
        pid_t outer, zone, caller;

        if (geteuid() != 0) {
                g_test_skip("needs root");
                return;
        }
        root = g_dir_make_tmp("zone-enter-root-XXXXXX", NULL);
        /* The zone's root, a host uid of its own, mounts its tmpfs there. */
        g_assert_cmpint(chmod(root, 0755), ==, 0);
        cgroups = make_test_cgroups();
        g_assert_cmpint(pipe2(to_attacker, O_CLOEXEC), ==, 0);
        g_assert_cmpint(pipe2(from_attacker, O_CLOEXEC), ==, 0);
        zone = spawn_zone_full(
                cgroups, root,
                &(FakeZone) { .userns = true, .attack_in = to_attacker[0], .attack_out = from_attacker[1] },
                &outer);

        g_assert_cmpint(zone_leader_open(zone, &pidfd), ==, 0);
        caller = fork();
        g_assert_cmpint(caller, >=, 0);
        if (caller == 0)
                _exit(run_attach_userns(zone, pidfd, to_attacker[1], from_attacker[0]));
        g_assert_cmpint(waitpid(caller, &status, 0), ==, caller);

        g_assert_cmpint(kill(zone, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(outer, NULL, 0), ==, outer);
        close(pidfd);
        for (int i = 0; i < 2; i++) {
                close(to_attacker[i]);
                close(from_attacker[i]);
        }
        for (char **c = cgroups; *c; c++)
                g_assert_cmpint(rmdir(*c), ==, 0);
        g_assert_cmpint(rmdir(root), ==, 0);

        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void test_enter_gone(void) {
        pid_t pid = fork();
        int pidfd = -1;

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0)
                _exit(0);
        g_assert_cmpint(zone_leader_open(pid, &pidfd), ==, 0);
        g_assert_cmpint(waitpid(pid, NULL, 0), ==, pid);
        /* The leader is gone (and reaped): nothing is joined, whoever got its pid since. */
        g_assert_cmpint(zone_enter_cgroups(pid, pidfd, 0), <, 0);
        g_assert_cmpint(zone_enter_namespaces(pid, pidfd, CLONE_NEWUTS), <, 0);
        close(pidfd);
        g_assert_cmpint(zone_leader_open(1, &pidfd), ==, -EINVAL);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/zone-enter/user-lookup", test_user_lookup);
        g_test_add_func("/zone-enter/user-lookup-confined", test_user_lookup_confined);
        g_test_add_func("/zone-enter/user-environment", test_user_environment);
        g_test_add_func("/zone-enter/enter", test_enter);
        g_test_add_func("/zone-enter/attach", test_attach);
        g_test_add_func("/zone-enter/attach-userns", test_attach_userns);
        g_test_add_func("/zone-enter/enter-gone", test_enter_gone);
        return g_test_run();
}
