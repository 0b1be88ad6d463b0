/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* common/zone-enter.c: user lookup in a tree, and (as root) entering a real
 * set of namespaces and cgroups made here. */

#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "macro.h"
#include "zone-enter.h"

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
        ZoneUser u = { .name = (char *) "alice", .home = (char *) "/home/alice", .shell = (char *) "/bin/ash" };
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
static const char *const cgroup_parents[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };

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

/* The zone: pid 1 of new namespaces, in the test cgroups, chroot'ed into a tmpfs. Returns its host pid. */
static pid_t spawn_zone(char **cgroups, const char *root, pid_t *ret_outer) {
        int pipefd[2], readyfd[2];
        pid_t outer, inner = 0;
        char ready;

        g_assert_cmpint(pipe2(pipefd, O_CLOEXEC), ==, 0);
        g_assert_cmpint(pipe2(readyfd, O_CLOEXEC), ==, 0);
        outer = fork();
        g_assert_cmpint(outer, >=, 0);
        if (outer == 0) {
                for (char **c = cgroups; *c; c++) {
                        g_autofree char *procs = g_strdup_printf("%s/cgroup.procs", *c);
                        write_file(procs, "0");
                }
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
        g_assert_cmpint(read(pipefd[0], &inner, sizeof(inner)), ==, sizeof(inner));
        g_assert_cmpint(read(readyfd[0], &ready, 1), ==, 1);
        close(pipefd[0]);
        close(readyfd[0]);
        *ret_outer = outer;
        return inner;
}

static int run_entered_child(pid_t zone, int pidfd) {
        g_autofree char *ours = NULL, *theirs = NULL, *path = g_strdup_printf("/proc/%i/cgroup", (int) zone);
        char host[64] = {};

        if (zone_enter_cgroups(zone, pidfd) < 0)
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

static void test_enter_gone(void) {
        pid_t pid = fork();
        int pidfd = -1;

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0)
                _exit(0);
        g_assert_cmpint(zone_leader_open(pid, &pidfd), ==, 0);
        g_assert_cmpint(waitpid(pid, NULL, 0), ==, pid);
        /* The leader is gone (and reaped): nothing is joined, whoever got its pid since. */
        g_assert_cmpint(zone_enter_cgroups(pid, pidfd), <, 0);
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
        g_test_add_func("/zone-enter/enter-gone", test_enter_gone);
        return g_test_run();
}
