/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BPF device program on a real cgroup2 cgroup of this host (a hybrid host
 * has one too, without controllers): a child born in a cgroup with the program
 * may open /dev/null and /dev/zero but not /dev/kmsg, a host device no zone
 * has; a child in a cgroup without it may (so that the check can fail). The
 * rule table's v1 form is checked on the v1 devices controller where the host
 * has one. Needs root; skips, saying why, without it or without cgroup2. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "device-policy.h"
#include "zone-devices.h"

/* errno of opening path in a child born in the cgroup2 directory cgroup (0: it opened). */
static int open_in_cgroup(const char *cgroup, const char *path, int flags) {
        int dir = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC), status;
        struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
        pid_t pid;

        g_assert_cmpint(dir, >=, 0);
        args.cgroup = (uint64_t) dir;
        pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                int fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
                _exit(fd < 0 ? errno : 0);
        }
        close(dir);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static char *unified_path(const CgroupSet *s) {
        for (size_t i = 0; i < s->n_hierarchies; i++)
                if (s->hierarchies[i].unified)
                        return g_strdup(s->hierarchies[i].path);
        return NULL;
}

static bool skip_reason(void) {
        if (geteuid() != 0) {
                g_test_skip("needs root (cgroups, BPF programs)");
                return true;
        }
        return false;
}

static void test_program(void) {
        g_autofree char *relative = g_strdup_printf("zoned-unit-devices-%d/zone", (int) getpid()),
                        *bare = g_strdup_printf("zoned-unit-devices-%d/bare", (int) getpid()),
                        *zone_dir = NULL, *bare_dir = NULL;
        CgroupSet zone = {}, plain = {};
        int program;

        if (skip_reason())
                return;
        g_assert_cmpint(cgroup_set_discover(relative, NULL, &zone), ==, 0);
        g_assert_cmpint(cgroup_set_discover(bare, NULL, &plain), ==, 0);
        if (!cgroup_set_has_unified(&zone)) {
                g_test_skip("no cgroup2 hierarchy on this host");
                cgroup_set_done(&zone);
                cgroup_set_done(&plain);
                return;
        }
        g_assert_cmpint(cgroup_set_create(&zone, true, 0), ==, 0);
        g_assert_cmpint(cgroup_set_create(&plain, true, 0), ==, 0);
        zone_dir = unified_path(&zone);
        bare_dir = unified_path(&plain);
        program = device_policy_load_program(0);
        g_assert_cmpint(program, >=, 0);
        g_assert_cmpint(device_policy_attach_program(program, zone_dir), ==, 0);

        /* Without the program root opens the host's kernel log; with it, not. */
        g_assert_cmpint(open_in_cgroup(bare_dir, "/dev/kmsg", O_RDONLY), ==, 0);
        g_assert_cmpint(open_in_cgroup(zone_dir, "/dev/kmsg", O_RDONLY), ==, EPERM);
        g_assert_cmpint(open_in_cgroup(zone_dir, "/dev/null", O_RDWR), ==, 0);
        g_assert_cmpint(open_in_cgroup(zone_dir, "/dev/zero", O_RDONLY), ==, 0);
        g_assert_cmpint(open_in_cgroup(zone_dir, "/dev/urandom", O_RDONLY), ==, 0);

        /* One loaded program serves the next boot's cgroup too (a supervisor keeps it). */
        g_assert_cmpint(cgroup_set_remove(&zone), ==, 0);
        g_assert_cmpint(cgroup_set_create(&zone, true, 0), ==, 0);
        g_assert_cmpint(open_in_cgroup(zone_dir, "/dev/kmsg", O_RDONLY), ==, 0);
        g_assert_cmpint(device_policy_attach_program(program, zone_dir), ==, 0);
        g_assert_cmpint(open_in_cgroup(zone_dir, "/dev/kmsg", O_RDONLY), ==, EPERM);
        g_assert_cmpint(open_in_cgroup(zone_dir, "/dev/null", O_RDWR), ==, 0);
        close(program);

        g_assert_cmpint(cgroup_set_remove(&zone), ==, 0);
        g_assert_cmpint(cgroup_set_remove(&plain), ==, 0);
        cgroup_set_done(&zone);
        cgroup_set_done(&plain);
}

static void test_program_shape(void) {
        struct bpf_insn insns[DEVICE_POLICY_PROGRAM_MAX];
        int n = device_policy_build_program(0, insns, G_N_ELEMENTS(insns));

        g_assert_cmpint(n, >, 0);
        g_assert_cmpint(n, <=, DEVICE_POLICY_PROGRAM_MAX);
        /* It ends with "return 0": what no rule allows is denied. */
        g_assert_cmpint(insns[n - 1].code, ==, BPF_JMP | BPF_EXIT);
        g_assert_cmpint(insns[n - 2].code, ==, BPF_ALU64 | BPF_MOV | BPF_K);
        g_assert_cmpint(insns[n - 2].imm, ==, 0);
        g_assert_cmpint(device_policy_build_program(0, insns, DEVICE_POLICY_PROGRAM_MAX - 1), ==, -ENOBUFS);
        /* Every device of DeviceAllow= fits too. */
        n = device_policy_build_program((1u << ZONE_DEVICES_N) - 1, insns, G_N_ELEMENTS(insns));
        g_assert_cmpint(n, >, 0);
        g_assert_cmpint(insns[n - 2].imm, ==, 0);
}

/* DeviceAllow=: /dev/fuse and /dev/net/tun open only in a cgroup whose program allows them; a
 * zone without them (and one given only the other) is refused. */
static void test_allow(void) {
        g_autofree char *base_rel = g_strdup_printf("zoned-unit-devices-%d/base", (int) getpid()),
                        *tun_rel = g_strdup_printf("zoned-unit-devices-%d/tun", (int) getpid()),
                        *both_rel = g_strdup_printf("zoned-unit-devices-%d/both", (int) getpid());
        CgroupSet base = {}, tun = {}, both = {};
        unsigned tun_mask = 0, both_mask = 0;
        char *tun_path[] = { (char *) "/dev/net/tun", NULL },
             *both_paths[] = { (char *) "/dev/fuse", (char *) "/dev/net/tun", NULL };
        int p0, p1, p2;

        if (skip_reason())
                return;
        if (access("/dev/fuse", F_OK) < 0 || access("/dev/net/tun", F_OK) < 0) {
                g_test_skip("this host has no /dev/fuse or /dev/net/tun to open");
                return;
        }
        g_assert_cmpint(zone_devices_from_paths(tun_path, &tun_mask, NULL), ==, 0);
        g_assert_cmpint(zone_devices_from_paths(both_paths, &both_mask, NULL), ==, 0);
        g_assert_cmpint(cgroup_set_discover(base_rel, NULL, &base), ==, 0);
        g_assert_cmpint(cgroup_set_discover(tun_rel, NULL, &tun), ==, 0);
        g_assert_cmpint(cgroup_set_discover(both_rel, NULL, &both), ==, 0);
        if (!cgroup_set_has_unified(&base)) {
                g_test_skip("no cgroup2 hierarchy on this host");
                cgroup_set_done(&base);
                cgroup_set_done(&tun);
                cgroup_set_done(&both);
                return;
        }
        g_assert_cmpint(cgroup_set_create(&base, true, 0), ==, 0);
        g_assert_cmpint(cgroup_set_create(&tun, true, 0), ==, 0);
        g_assert_cmpint(cgroup_set_create(&both, true, 0), ==, 0);
        p0 = device_policy_load_program(0);
        p1 = device_policy_load_program(tun_mask);
        p2 = device_policy_load_program(both_mask);
        g_assert_cmpint(p0, >=, 0);
        g_assert_cmpint(p1, >=, 0);
        g_assert_cmpint(p2, >=, 0);
        g_autofree char *base_dir = unified_path(&base), *tun_dir = unified_path(&tun),
                        *both_dir = unified_path(&both);
        g_assert_cmpint(device_policy_attach_program(p0, base_dir), ==, 0);
        g_assert_cmpint(device_policy_attach_program(p1, tun_dir), ==, 0);
        g_assert_cmpint(device_policy_attach_program(p2, both_dir), ==, 0);

        g_assert_cmpint(open_in_cgroup(base_dir, "/dev/net/tun", O_RDWR), ==, EPERM);
        g_assert_cmpint(open_in_cgroup(base_dir, "/dev/fuse", O_RDWR), ==, EPERM);
        g_assert_cmpint(open_in_cgroup(tun_dir, "/dev/net/tun", O_RDWR), ==, 0);
        g_assert_cmpint(open_in_cgroup(tun_dir, "/dev/fuse", O_RDWR), ==, EPERM);
        g_assert_cmpint(open_in_cgroup(both_dir, "/dev/net/tun", O_RDWR), ==, 0);
        g_assert_cmpint(open_in_cgroup(both_dir, "/dev/fuse", O_RDWR), ==, 0);
        g_assert_cmpint(open_in_cgroup(both_dir, "/dev/kmsg", O_RDONLY), ==, EPERM);
        g_assert_cmpint(open_in_cgroup(both_dir, "/dev/null", O_RDWR), ==, 0);
        close(p0);
        close(p1);
        close(p2);
        g_assert_cmpint(cgroup_set_remove(&base), ==, 0);
        g_assert_cmpint(cgroup_set_remove(&tun), ==, 0);
        g_assert_cmpint(cgroup_set_remove(&both), ==, 0);
        cgroup_set_done(&base);
        cgroup_set_done(&tun);
        cgroup_set_done(&both);
}

/* The table: its paths and nothing else. */
static void test_paths(void) {
        char *ok[] = { (char *) "/dev/net/tun", (char *) "/dev/fuse", (char *) "/dev/fuse", NULL };
        char *bad[] = { (char *) "/dev/fuse", (char *) "/dev/sda", NULL };
        char *sneaky[] = { (char *) "/dev/../dev/fuse", NULL };
        const char *what = NULL;
        unsigned mask = 0;

        g_assert_cmpint(zone_devices_from_paths(NULL, &mask, NULL), ==, 0);
        g_assert_cmpuint(mask, ==, 0);
        g_assert_cmpint(zone_devices_from_paths(ok, &mask, NULL), ==, 0);
        g_assert_cmpuint(mask, ==, 3);
        g_assert_true(zone_devices_mask_is_valid(mask));
        g_assert_false(zone_devices_mask_is_valid(4));
        g_assert_cmpint(zone_devices_from_paths(bad, &mask, &what), ==, -EINVAL);
        g_assert_cmpstr(what, ==, "/dev/sda");
        g_assert_cmpint(zone_devices_from_paths(sneaky, &mask, &what), ==, -EINVAL);
        g_assert_cmpstr(what, ==, "/dev/../dev/fuse");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/device-policy/program-shape", test_program_shape);
        g_test_add_func("/device-policy/program", test_program);
        g_test_add_func("/device-policy/allow", test_allow);
        g_test_add_func("/device-policy/paths", test_paths);
        return g_test_run();
}
