/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zoned on a host whose only cgroup hierarchy is cgroup2. test-cgroup2-vm.sh
 * runs this program inside the VM of tests/fixtures/cgroup2-vm.sh (kernel
 * booted with cgroup_no_v1=all, cgroup2 mounted with nsdelegate, controllers
 * enabled in the root's subtree_control) and relays its TAP output.
 *
 * A busybox zone and a Debian systemd zone (a nesting one: a unit of its systemd gets the memory
 * and pids limits it asks for, and a user namespace in it mounts its own procfs) boot to
 * "running"; every process of the zone is in the zone's cgroup in the v2 hierarchy and every
 * process there is the zone's; the zone sees its own cgroup as the root of its cgroup2 at
 * /sys/fs/cgroup; poweroff leaves no process and no cgroup. The busybox zone makes device nodes
 * but opens only those of its /dev (the BPF device program on its cgroup); with bpf() refused to
 * the supervisor, a zone does not start at all. The limits' cgroup v2 backend is measured in a
 * busybox zone: memory.max OOM-kills inside (OOMKills), pids.max stops a fork loop, cpu.max caps a
 * busy loop, cpuset.cpus narrows what it may run on.
 *
 * Run on a host that is not pure cgroup2, it skips, unless
 * ZONED_TEST_CGROUP2_VM is set (as in the VM): then the host check fails. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "harness.h"

#define CGROUP2_MOUNT "/sys/fs/cgroup"
/* Bounded waits under software emulation (TCG), where everything is ~10x slower. */
#define VM_BOOT_TIMEOUT_MS (5 * 60 * 1000)
#define VM_STOP_TIMEOUT_MS (3 * 60 * 1000)
#define VM_IMPORT_TIMEOUT_MS (5 * 60 * 1000)
/* Set while zoned runs this program as its supervisor (test_without_bpf): the real one. */
#define REAL_SUPERVISOR_ENV "ZONED_TEST_CGROUP2_VM_REAL_SUPERVISOR"

static char *not_pure_cgroup2; /* why this host is not a pure cgroup2 host, or NULL */

/* NULL if /proc/self/mountinfo has one cgroup hierarchy, cgroup2 with nsdelegate at
 * CGROUP2_MOUNT; else what is different. */
static char *pure_cgroup2_problem(void) {
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GString) problem = g_string_new(NULL);
        unsigned n_cgroup2 = 0, n_v1 = 0;

        g_assert_true(g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) halves = g_strsplit(*l, " - ", 2);
                g_auto(GStrv) mount = NULL, super = NULL;

                if (!halves[0] || !halves[1])
                        continue;
                mount = g_strsplit(halves[0], " ", -1);
                super = g_strsplit(halves[1], " ", -1);
                if (g_strv_length(mount) < 5 || g_strv_length(super) < 3)
                        continue;
                n_v1 += g_str_equal(super[0], "cgroup");
                if (!g_str_equal(super[0], "cgroup2"))
                        continue;
                n_cgroup2++;
                if (!g_str_equal(mount[4], CGROUP2_MOUNT))
                        g_string_append_printf(problem, "cgroup2 at %s, not %s; ", mount[4], CGROUP2_MOUNT);
                if (!strstr(super[2], "nsdelegate"))
                        g_string_append_printf(problem, "cgroup2 without nsdelegate (%s); ", super[2]);
        }
        if (n_v1 > 0)
                g_string_append_printf(problem, "%u cgroup v1 hierarchies; ", n_v1);
        if (n_cgroup2 != 1)
                g_string_append_printf(problem, "%u cgroup2 mounts; ", n_cgroup2);
        if (problem->len)
                g_string_truncate(problem, problem->len - 2);
        return problem->len ? g_string_free(g_steal_pointer(&problem), FALSE) : NULL;
}

/* ---- processes and cgroups, seen from the host ---- */

static char *zone_cgroup(Harness *h, const char *zone) {
        return g_strdup_printf("/%s/%s", h->cgroup_root, zone);
}

/* Where the zone's init lives and its cgroup namespace starts: the payload below its cgroup. */
static char *zone_payload(Harness *h, const char *zone) {
        g_autofree char *cgroup = zone_cgroup(h, zone);

        return g_strconcat(cgroup, "/payload", NULL);
}

static bool path_at_or_below(const char *path, const char *top) {
        size_t n = strlen(top);
        return strncmp(path, top, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* The cgroup of pid as "/a/b"; NULL if pid is gone. On a pure cgroup2 host
 * /proc/PID/cgroup is one line, "0::PATH": anything else fails the test. */
static char *pid_cgroup(pid_t pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/cgroup", (int) pid), *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return NULL;
        if (!g_str_has_prefix(text, "0::/") || strchr(text, '\n') != text + strlen(text) - 1)
                g_error("%s is not one cgroup2 line: '%s'", path, text);
        text[strlen(text) - 1] = 0;
        return g_strdup(text + 3);
}

/* The inode of pid's pid namespace; 0 if pid is gone (or a zombie). */
static ino_t pid_ns(pid_t pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/ns/pid", (int) pid);
        struct stat st;

        return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Waits until a process named comm is in pid's pid namespace. Nothing announces it but /proc. */
static bool wait_zone_process(pid_t leader, const char *comm, guint timeout_ms) {
        gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
        ino_t ns = pid_ns(leader);

        while (ns != 0 && g_get_monotonic_time() < deadline) {
                g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
                const char *de;

                while (proc && (de = g_dir_read_name(proc))) {
                        g_autofree char *path = g_strdup_printf("/proc/%s/comm", de), *text = NULL;

                        if (g_ascii_isdigit(de[0]) && pid_ns((pid_t) g_ascii_strtoll(de, NULL, 10)) == ns &&
                            g_file_get_contents(path, &text, NULL, NULL) &&
                            g_str_equal(g_strstrip(text), comm))
                                return true;
                }
                g_usleep(20 * 1000);
        }
        return false;
}

static void add_subtree_pids(const char *dir, GArray *pids) {
        g_autofree char *procs_path = g_build_filename(dir, "cgroup.procs", NULL), *procs = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GDir) d = NULL;
        const char *de;

        if (!g_file_get_contents(procs_path, &procs, NULL, NULL))
                return; /* removed meanwhile */
        lines = g_strsplit(procs, "\n", -1);
        for (char **l = lines; *l; l++)
                if (**l) {
                        pid_t pid = (pid_t) g_ascii_strtoll(*l, NULL, 10);
                        g_array_append_val(pids, pid);
                }
        d = g_dir_open(dir, 0, NULL);
        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *sub = g_build_filename(dir, de, NULL);

                if (g_file_test(sub, G_FILE_TEST_IS_DIR) && !g_file_test(sub, G_FILE_TEST_IS_SYMLINK))
                        add_subtree_pids(sub, pids);
        }
}

/* The zone's processes (those in its init's pid namespace) and the processes of its cgroup
 * subtree in the v2 hierarchy are the same. A process that ends while we look is left out.
 * Returns how many processes the zone has. */
static guint assert_zone_processes(Harness *h, const char *zone, pid_t leader) {
        g_autofree char *cgroup = zone_cgroup(h, zone);
        g_autofree char *dir = g_strconcat(CGROUP2_MOUNT, cgroup, NULL);
        g_autoptr(GArray) in_cgroup = g_array_new(FALSE, FALSE, sizeof(pid_t));
        g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
        ino_t ns = pid_ns(leader);
        bool leader_listed = false;
        guint n = 0;
        const char *de;

        g_assert_cmpuint(ns, !=, 0);
        g_assert_nonnull(proc);
        while ((de = g_dir_read_name(proc))) {
                g_autofree char *cg = NULL;
                pid_t pid;

                if (!g_ascii_isdigit(de[0]))
                        continue;
                pid = (pid_t) g_ascii_strtoll(de, NULL, 10);
                if (pid_ns(pid) != ns || !(cg = pid_cgroup(pid)))
                        continue;
                if (!path_at_or_below(cg, cgroup))
                        g_error("process %d of zone %s is in cgroup %s, not in %s", (int) pid, zone, cg,
                                cgroup);
                n++;
        }

        add_subtree_pids(dir, in_cgroup);
        for (guint i = 0; i < in_cgroup->len; i++) {
                pid_t pid = g_array_index(in_cgroup, pid_t, i);
                ino_t theirs = pid_ns(pid);

                leader_listed = leader_listed || pid == leader;
                if (theirs != 0 && theirs != ns)
                        g_error("process %d in %s is not one of zone %s's", (int) pid, dir, zone);
        }
        if (!leader_listed)
                g_error("the zone's init %d is not listed in the cgroup.procs under %s", (int) leader, dir);
        g_test_message("zone %s: %u processes, all in %s", zone, n, cgroup);
        return n;
}

/* The zone's /sys/fs/cgroup, as the host sees it in the init's mountinfo: cgroup2, with the
 * zone's payload cgroup as its root (mountinfo shows roots relative to the reader's cgroup
 * namespace, ours being the host's). */
static void assert_zone_cgroup_mount(Harness *h, const char *zone, pid_t leader) {
        g_autofree char *path = g_strdup_printf("/proc/%d/mountinfo", (int) leader), *text = NULL;
        g_autofree char *cgroup = zone_payload(h, zone);
        g_auto(GStrv) lines = NULL;
        unsigned found = 0;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) halves = g_strsplit(*l, " - ", 2);
                g_auto(GStrv) mount = NULL;

                if (!halves[0] || !halves[1])
                        continue;
                mount = g_strsplit(halves[0], " ", -1);
                if (g_strv_length(mount) < 5 || !g_str_equal(mount[4], CGROUP2_MOUNT))
                        continue;
                found++;
                if (!g_str_has_prefix(halves[1], "cgroup2 "))
                        g_error("zone %s has %s on %s, not cgroup2: %s", zone, halves[1], CGROUP2_MOUNT, *l);
                g_assert_cmpstr(mount[3], ==, cgroup);
        }
        g_assert_cmpuint(found, ==, 1);
}

/* ---- inside the zone ---- */

/* zonectl shell ZONE -- /bin/sh -c COMMAND (without a terminal); returns the exit status and the
 * stripped stdout. */
static int zone_sh(Harness *h, const char *zone, const char *command, char **ret_out) {
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl(h, &r, NULL, "shell", zone, "--", "/bin/sh", "-c", command, NULL);
        if (r.err && *r.err)
                g_test_message("in zone %s, '%s': stderr: %s", zone, command, r.err);
        *ret_out = g_strdup(g_strstrip(r.out));
        return r.status;
}

static void assert_zone_output(Harness *h, const char *zone, const char *command, const char *want) {
        g_autofree char *out = NULL;
        int status;

        status = zone_sh(h, zone, command, &out);
        if (status != 0 || !g_str_equal(out, want))
                g_error("in zone %s, '%s' exited with %d and printed '%s'; expected 0 and '%s'", zone,
                        command, status, out, want);
}

/* What the zone sees: its cgroup namespace's root is its own cgroup, on cgroup2 at
 * /sys/fs/cgroup; its init is in init_cgroup there. */
static void assert_zone_view(Harness *h, const char *zone, const char *init_cgroup) {
        g_autofree char *init_line = g_strconcat("0::", init_cgroup, NULL);
        g_autofree char *controllers = NULL;

        assert_zone_output(h, zone, "cat /proc/1/cgroup", init_line);
        /* The shell joins the init's cgroup. */
        assert_zone_output(h, zone, "cat /proc/self/cgroup", init_line);
        /* mountinfo: ID PARENT MAJ:MIN ROOT MOUNT_POINT ... - FSTYPE SOURCE OPTIONS */
        assert_zone_output(h, zone,
                           "while read -r id parent dev root where rest; do "
                           "[ \"$where\" = /sys/fs/cgroup ] && echo \"$root ${rest#* - }\"; "
                           "done </proc/self/mountinfo | cut -d' ' -f1,2",
                           "/ cgroup2");
        /* zoned delegated every controller the host enabled below its root (test_host): the zone's
         * own systemd can account and limit its units. */
        g_assert_cmpint(zone_sh(h, zone, "cat /sys/fs/cgroup/cgroup.controllers", &controllers), ==, 0);
        g_test_message("zone %s: controllers in its cgroup: '%s'", zone, controllers);
        g_assert_cmpstr(g_strstrip(controllers), ==, "cpuset cpu io memory pids");
}

/* The zone may make any device node but open only those of its /dev: /dev/kmsg and a loop device
 * of the host, as nodes it made itself in its /dev (not /tmp: nodev there would refuse them for
 * another reason), are created but not opened; /dev/null and /dev/zero are. */
static void assert_devices_confined(Harness *h, const char *zone) {
        g_auto(HarnessRun) r = { 0 };
        g_auto(GStrv) denied = NULL;

        harness_zonectl(h, &r, NULL, "shell", zone, "--", "/bin/sh", "-c",
                        "for n in 'host-kmsg c 1 11' 'host-loop b 7 0'; do "
                        "set -- $n; mknod /dev/$1 $2 $3 $4 || exit 10; "
                        "head -c 0 /dev/$1; echo \"$1 $?\"; rm /dev/$1; done; "
                        "head -c 1 /dev/zero >/dev/null; echo \"zero $?\"; "
                        "echo x >/dev/null; echo \"null $?\"",
                        NULL);
        denied = g_strsplit(r.err, "Operation not permitted", -1);
        if (r.status != 0 || !g_str_equal(g_strstrip(r.out), "host-kmsg 1\nhost-loop 1\nzero 0\nnull 0") ||
            g_strv_length(denied) != 3)
                g_error("zone %s could open a host device, or not make it, or not use its own (exit %d):\n"
                        "%s\n%s",
                        zone, r.status, r.out, r.err);
}

/* A zone in a user namespace may not make device nodes at all (the kernel refuses mknod(2)), and
 * uses its own. */
static void assert_no_mknod(Harness *h, const char *zone) {
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl(
                h, &r, NULL, "shell", zone, "--", "/bin/sh", "-c",
                "mknod /dev/host-kmsg c 1 11 && exit 10; "
                "head -c 1 /dev/zero >/dev/null; echo \"zero $?\"; echo x >/dev/null; echo \"null $?\"",
                NULL);
        if (r.status != 0 || !g_str_equal(g_strstrip(r.out), "zero 0\nnull 0") ||
            !strstr(r.err, "Operation not permitted"))
                g_error("zone %s could make a device node, or not use its own (exit %d):\n%s\n%s", zone,
                        r.status, r.out, r.err);
}

static void assert_no_leftovers(Harness *h, const char *zone, pid_t leader) {
        g_autofree char *leftovers = NULL, *dir = NULL, *cgroup = zone_cgroup(h, zone);

        harness_reap_orphans();
        g_assert_false(harness_pid_alive(leader));
        leftovers = harness_zone_leftovers(h, zone);
        if (leftovers)
                g_error("zone %s is stopped but left: %s", zone, leftovers);
        dir = g_strconcat(CGROUP2_MOUNT, cgroup, NULL);
        g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
}

/* ---- tests ---- */

/* True (and the test marked skipped) if a zone test cannot run here. */
static bool zone_test_skipped(Harness *h) {
        if (not_pure_cgroup2) {
                g_test_skip(not_pure_cgroup2);
                return true;
        }
        return harness_skipped(h);
}

static void test_host(void) {
        g_autofree char *problem = pure_cgroup2_problem(), *controllers = NULL;

        if (problem && !g_getenv("ZONED_TEST_CGROUP2_VM")) {
                g_test_skip(not_pure_cgroup2);
                return;
        }
        if (problem)
                g_error("not a pure cgroup2 host: %s", problem);
        g_assert_true(
                g_file_get_contents(CGROUP2_MOUNT "/cgroup.subtree_control", &controllers, NULL, NULL));
        g_strstrip(controllers);
        g_test_message("controllers enabled below the root: %s", controllers);
        g_assert_cmpstr(controllers, ==, "cpuset cpu io memory pids");
}

static void test_busybox(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *state = NULL, *cgroup = NULL, *init_cgroup = NULL, *payload = NULL;
        g_autofree char *dir = NULL;
        guint32 leader;

        if (zone_test_skipped(h))
                return;

        harness_import_busybox(h);
        path = harness_create_zone(h, "bb1", "bb", false);
        leader = harness_boot_zone(h, "bb1");
        state = harness_zone_state(h, "bb1");
        g_assert_cmpstr(state, ==, "running");

        cgroup = zone_cgroup(h, "bb1");
        dir = g_strconcat(CGROUP2_MOUNT, cgroup, NULL);
        g_assert_true(g_file_test(dir, G_FILE_TEST_IS_DIR));
        /* busybox init stays where it was started: in the zone's own cgroup. */
        init_cgroup = pid_cgroup((pid_t) leader);
        payload = zone_payload(h, "bb1");
        g_assert_cmpstr(init_cgroup, ==, payload);
        /* init and the shell that its inittab respawns */
        g_assert_true(wait_zone_process((pid_t) leader, "sh", VM_BOOT_TIMEOUT_MS));
        g_assert_cmpuint(assert_zone_processes(h, "bb1", (pid_t) leader), >=, 2);
        assert_zone_cgroup_mount(h, "bb1", (pid_t) leader);

        assert_zone_view(h, "bb1", "/");
        /* The zone's cgroup is delegated to it: it may make cgroups of its own. */
        assert_zone_output(h, "bb1", "mkdir /sys/fs/cgroup/probe && rmdir /sys/fs/cgroup/probe && echo ok",
                           "ok");
        g_assert_true(harness_leader_has_userns((pid_t) leader));
        assert_no_mknod(h, "bb1");

        harness_poweroff_zone(h, "bb1");
        g_clear_pointer(&state, g_free);
        state = harness_zone_state(h, "bb1");
        g_assert_cmpstr(state, ==, "stopped");
        assert_no_leftovers(h, "bb1", (pid_t) leader);

        /* Without a user namespace a zone may make nodes: only the BPF device program keeps it from
         * opening the host's. */
        harness_zonectl_ok(h, NULL, "zonectl create --private-users=no", "create", "bb3", "-t", "bb",
                           "--private-users=no", NULL);
        leader = harness_boot_zone(h, "bb3");
        g_assert_false(harness_leader_has_userns((pid_t) leader));
        assert_devices_confined(h, "bb3");
        harness_poweroff_zone(h, "bb3");
        assert_no_leftovers(h, "bb3", (pid_t) leader);
}

/* zoned's lxcfs on a pure cgroup2 host: the zone's /proc/meminfo has its memory limit (zonectl
 * set, which the supervisor writes as the memory.max of the zone's group above the payload its init
 * is in) as MemTotal, its /proc/uptime counts from its boot. */
static void test_lxcfs(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *uptime = NULL, *host = NULL;

        if (zone_test_skipped(h))
                return;
        if (!g_file_test("/usr/bin/lxcfs", G_FILE_TEST_IS_EXECUTABLE)) {
                g_test_skip("lxcfs is not installed");
                return;
        }
        result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        g_free(harness_create_zone(h, "bb1", "bb", false));
        harness_boot_zone(h, "bb1");

        harness_zonectl_ok(h, NULL, "zonectl set memory=128M", "set", "bb1", "memory=128M", NULL);
        assert_zone_output(h, "bb1", "sed -n 's/^MemTotal: *\\([0-9]*\\) kB$/\\1/p' /proc/meminfo",
                           "131072");
        g_assert_cmpint(zone_sh(h, "bb1", "cut -d. -f1 /proc/uptime", &uptime), ==, 0);
        g_assert_true(g_file_get_contents("/proc/uptime", &host, NULL, NULL));
        g_test_message("uptime: zone %s s, host %s", uptime, host);
        g_assert_cmpuint(g_ascii_strtoull(uptime, NULL, 10), <, g_ascii_strtoull(host, NULL, 10));
        harness_poweroff_zone(h, "bb1");
}

/* What zoned runs as the supervisor in test_without_bpf: the real one, for which bpf() fails with
 * EPERM, as a host's own system call filter or security module may have it. */
static _Noreturn void exec_supervisor_without_bpf(const char *supervisor, char *argv[]) {
        /* The supervisor makes native system calls only. */
        struct sock_filter insns[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_bpf, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = G_N_ELEMENTS(insns), .filter = insns };

        harness_exec_filtered(supervisor, argv, &prog, REAL_SUPERVISOR_ENV);
}

/* On a pure cgroup2 host only the BPF device program keeps a zone from the host's devices: if
 * the supervisor cannot install it, the zone does not start, and says why. */
static void test_without_bpf(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *why = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        const char *settled;

        if (zone_test_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "bb2", "bb", false);

        /* zoned again, with this program as its supervisor (main()). */
        harness_restart_zoned_as_self(h, "ZONED_TEST_SUPERVISOR", REAL_SUPERVISOR_ENV);

        w = zone_watch_new(h, "bb2");
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", "bb2"), "()", &error);
        if (error)
                why = g_strdup(error->message);
        else {
                harness_flush(h);
                settled = zone_watch_wait_settled(w, VM_BOOT_TIMEOUT_MS);
                if (!settled)
                        g_error("zone bb2 stuck in %s", w->state);
                if (!g_str_equal(settled, "failed"))
                        g_error("zone bb2 started without its device program: State=%s", settled);
                why = g_strdup(w->status_text);
        }
        g_test_message("zone bb2 without bpf(): %s", why);
        if (!why || !strstr(why, "Operation not permitted"))
                g_error("zone bb2 did not start, but does not say that bpf() was refused: '%s'", why);
        g_assert_cmpuint(w->leader, ==, 0);
        assert_no_leftovers(h, "bb2", 0);
}

/* ListTemplates' brand of a template. */
static char *template_brand(Harness *h, const char *template_name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariantIter) it = NULL;
        const char *name, *brand;

        reply = harness_manager_call(h, "ListTemplates", NULL, "(a(ssst))", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(a(ssst))", &it);
        while (g_variant_iter_loop(it, "(&s&sst)", &name, &brand, NULL, NULL))
                if (g_str_equal(name, template_name))
                        return g_strdup(brand);
        return NULL;
}

static void zonectl_ok(Harness *h, guint timeout_ms, const char *const *args) {
        g_auto(HarnessRun) r = { 0 };
        g_autofree char *what = g_strjoinv(" ", (char **) args);

        harness_zonectl_full(h, &r, &(HarnessSpawn) { .argv = args, .timeout_ms = timeout_ms });
        harness_assert_run(&r, 0, what);
}

/* systemctl is-system-running says running; else the test fails naming the failed units. */
static void assert_system_running(Harness *h, const char *zone) {
        g_autofree char *state = NULL, *failed = NULL;
        int status;

        status = zone_sh(h, zone, "systemctl is-system-running --wait", &state);
        g_test_message("zone %s: systemctl is-system-running: %s (exit %d)", zone, state, status);
        if (status == 0 && g_str_equal(state, "running"))
                return;
        (void) zone_sh(h, zone, "systemctl list-units --failed --plain --no-legend --no-pager", &failed);
        g_error("zone %s: systemctl is-system-running says '%s' (exit %d); failed units:\n%s", zone, state,
                status, failed);
}

static char *console_log(Harness *h, const char *zone) {
        g_autofree char *path = g_build_filename(h->log_dir, zone, "console.log", NULL);
        char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return g_strdup("");
        return text;
}

static void test_systemd(Harness *h, gconstpointer data) {
        const char *tar = g_getenv("ZONED_TEST_CGROUP2_DEBIAN_TAR");
        g_autofree char *brand = NULL, *path = NULL, *cgroup = NULL, *init_cgroup = NULL, *want = NULL;
        g_autofree char *log = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint32 leader;
        gint64 t0;

        if (zone_test_skipped(h))
                return;
        if (!tar) {
                g_test_skip(g_getenv("ZONED_TEST_CGROUP2_DEBIAN_SKIP") ?: "no Debian rootfs tarball given");
                return;
        }

        t0 = g_get_monotonic_time();
        zonectl_ok(h, VM_IMPORT_TIMEOUT_MS, (const char *const[]) { "import-tar", tar, "deb", NULL });
        g_test_message("import-tar took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time() - t0) / 1000);
        brand = template_brand(h, "deb");
        g_assert_cmpstr(brand, ==, "systemd");
        /* A nesting zone: what a container manager in it needs on a pure cgroup2 host is checked
         * below (a zone without Nesting=yes boots the same way, but for the nesting mounts). */
        zonectl_ok(h, VM_IMPORT_TIMEOUT_MS,
                   (const char *const[]) { "create", "deb1", "-t", "deb", "--nesting=yes", NULL });
        path = harness_zone_path(h, "deb1");

        w = zone_watch_new(h, "deb1");
        t0 = g_get_monotonic_time();
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", "deb1"), "()", &error);
        g_assert_no_error(error);
        if (!zone_watch_wait_state(w, "running", VM_BOOT_TIMEOUT_MS))
                g_error("zone deb1 did not reach running: State=%s StatusText=%s", w->state,
                        w->status_text ?: "");
        g_test_message("boot to READY=1 took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time() - t0) / 1000);
        g_assert_cmpstr(g_ptr_array_index(w->states, 0), ==, "starting");
        leader = w->leader;
        g_assert_cmpuint(leader, !=, 0);

        assert_system_running(h, "deb1");
        /* systemd moved itself into init.scope of the cgroup2 tree that it was given. */
        cgroup = zone_payload(h, "deb1");
        want = g_strconcat(cgroup, "/init.scope", NULL);
        init_cgroup = pid_cgroup((pid_t) leader);
        g_assert_cmpstr(init_cgroup, ==, want);
        g_assert_cmpuint(assert_zone_processes(h, "deb1", (pid_t) leader), >=, 2);
        assert_zone_cgroup_mount(h, "deb1", (pid_t) leader);
        assert_zone_view(h, "deb1", "/init.scope");
        /* And its systemd uses them: task accounting (on by default) enables pids below its root. */
        assert_zone_output(h, "deb1", "tr ' ' '\\n' </sys/fs/cgroup/cgroup.subtree_control | grep -x pids",
                           "pids");
        /* A nested manager gets the controllers it asks for: a unit's MemoryMax and TasksMax are
         * its cgroup's memory.max and pids.max (what podman or a zoned in the zone write). */
        assert_zone_output(
                h, "deb1",
                "systemd-run --wait --pipe --quiet -p MemoryMax=50M -p TasksMax=17 sh -c "
                "'d=/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup); cat $d/memory.max $d/pids.max' "
                "| tr '\\n' ' '",
                "52428800 17");
        /* And a user namespace in it mounts a procfs of its own PID namespace. */
        assert_zone_output(h, "deb1", "unshare -Urpf --mount-proc sh -c 'echo $$'", "1");

        t0 = g_get_monotonic_time();
        g_clear_pointer(&reply, g_variant_unref);
        reply = harness_manager_call(h, "PoweroffZone", g_variant_new("(s)", "deb1"), "()", &error);
        g_assert_no_error(error);
        if (!zone_watch_wait_state(w, "stopped", VM_STOP_TIMEOUT_MS))
                g_error("zone deb1 did not reach stopped after PoweroffZone: State=%s", w->state);
        g_test_message("poweroff took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time() - t0) / 1000);
        g_assert_cmpuint(w->leader, ==, 0);
        /* Through systemd's own shutdown, not the supervisor's stop timeout. */
        log = console_log(h, "deb1");
        if (!strstr(log, "System Power Off") && !strstr(log, "Power-Off"))
                g_error("the console log shows no systemd shutdown:\n%s", log);
        g_assert_null(strstr(log, "did not stop in time"));
        assert_no_leftovers(h, "deb1", (pid_t) leader);
}

/* ---- limits: the cgroup v2 backend, measured in the zone ---- */

#define MiB (UINT64_C(1) << 20)
#define ALLOCATE_64M "dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null"
#define FORK_LOOP                                                                     \
        "i=0; trap 'echo $i' EXIT; while [ $i -lt 200 ]; do sleep 600 & i=$((i+1)); " \
        "done 2>/dev/null"

static void assert_running(Harness *h, const char *zone) {
        g_autofree char *state = harness_zone_state(h, zone);

        g_assert_cmpstr(state, ==, "running");
}

static guint64 zone_u64(Harness *h, const char *zone, const char *property) {
        g_autoptr(GVariant) v = harness_zone_property(h, zone, property);

        return g_variant_get_uint64(v);
}

static void test_limits(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *out = NULL, *loop = NULL, *cpus = NULL;
        guint64 cpu0, cpu1;
        gint64 t0, t1;
        double share;
        guint32 leader;

        if (zone_test_skipped(h))
                return;
        result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        harness_zonectl_ok(h, NULL, "zonectl create with limits", "create", "l1", "-t", "bb", "--memory=32M",
                           "--tasks=32", "--cpu-quota=50%", NULL);
        leader = harness_boot_zone(h, "l1");
        g_assert_true(harness_wait_init_started((pid_t) leader, VM_BOOT_TIMEOUT_MS));

        /* memory.max: the allocation is killed inside, the zone lives on; raised live, it passes. */
        g_assert_cmpint(zone_sh(h, "l1", ALLOCATE_64M, &out), !=, 0);
        g_assert_cmpuint(zone_u64(h, "l1", "OOMKills"), >=, 1);
        g_assert_cmpuint(harness_zone_leader(h, "l1"), ==, leader);
        harness_zonectl_ok(h, NULL, "zonectl set memory", "set", "l1", "memory=256M", "memory-high=200M",
                           NULL);
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(zone_sh(h, "l1", ALLOCATE_64M, &out), ==, 0);
        g_assert_cmpuint(zone_u64(h, "l1", "MemoryPeak"), >, 32 * MiB);

        /* pids.max: the fork loop stops below it, zoned answers meanwhile. */
        (void) zone_sh(h, "l1", FORK_LOOP, &loop);
        g_test_message("the fork loop started %s sleepers", loop);
        g_assert_cmpint(atoi(loop), <, 32);
        g_assert_cmpint(atoi(loop), >, 0);
        g_assert_cmpuint(zone_u64(h, "l1", "TasksCurrent"), <=, 32);
        assert_running(h, "l1");
        harness_zonectl_ok(h, NULL, "zonectl set tasks", "set", "l1", "--runtime", "tasks=512", NULL);
        g_clear_pointer(&out, g_free);
        (void) zone_sh(h, "l1", "killall sleep; true", &out);

        /* cpu.max: a busy loop gets about half a CPU of the zone's measured CPU time. */
        cpu0 = zone_u64(h, "l1", "CPUUsageNSec");
        t0 = g_get_monotonic_time();
        g_clear_pointer(&out, g_free);
        (void) zone_sh(h, "l1", "timeout 4 sh -c 'while :; do :; done'", &out);
        t1 = g_get_monotonic_time();
        cpu1 = zone_u64(h, "l1", "CPUUsageNSec");
        share = (double) (cpu1 - cpu0) / 1000.0 / (double) (t1 - t0);
        g_test_message("a busy loop at cpu-quota=50%% used %.2f CPUs", share);
        g_assert_cmpfloat(share, <, 0.8);
        g_assert_cmpfloat(share, >, 0.1);

        /* cpuset.cpus and the weights of cgroup2. */
        harness_zonectl_ok(h, NULL, "zonectl set cpus", "set", "l1", "cpus=0", "cpu-weight=200",
                           "io-weight=300", NULL);
        g_assert_cmpint(zone_sh(h, "l1", "grep Cpus_allowed_list /proc/self/status", &cpus), ==, 0);
        g_assert_cmpstr(cpus, ==, "Cpus_allowed_list:\t0");
        harness_poweroff_zone(h, "l1");
        assert_no_leftovers(h, "l1", (pid_t) leader);
}

/* A running zone's disk grows online (EXT4_IOC_RESIZE_FS on the mounted file system, which needs
 * CAP_SYS_RESOURCE: root has it here, not on every test host): zonectl set disk= while it runs,
 * and df in the zone sees the new size at once; what it wrote stays. */
static void test_disk_grow(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *out = NULL;
        guint32 leader;

        if (zone_test_skipped(h))
                return;
        result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        harness_zonectl_ok(h, NULL, "zonectl create --disk=64M", "create", "d1", "-t", "bb", "--disk=64M",
                           NULL);
        leader = harness_boot_zone(h, "d1");
        g_assert_true(harness_wait_init_started((pid_t) leader, VM_BOOT_TIMEOUT_MS));
        assert_zone_output(h, "d1", "echo kept > /kept && df -k / | tail -n 1 | awk '{ print $2 }'",
                           "65536");
        harness_zonectl_ok(h, NULL, "zonectl set disk=128M (running)", "set", "d1", "disk=128M", NULL);
        g_assert_cmpuint(zone_u64(h, "d1", "DiskQuota"), ==, 128 * MiB);
        assert_zone_output(h, "d1", "df -k / | tail -n 1 | awk '{ print $2 }'", "131072");
        assert_zone_output(h, "d1", "cat /kept", "kept");
        /* Written past the old size: the room is real. */
        g_assert_cmpint(zone_sh(h, "d1", "dd if=/dev/zero of=/more bs=1M count=80 && sync", &out), ==, 0);
        harness_poweroff_zone(h, "d1");
        assert_no_leftovers(h, "d1", (pid_t) leader);
}

int main(int argc, char *argv[]) {
        g_autofree char *problem = NULL;
        const char *supervisor = g_getenv(REAL_SUPERVISOR_ENV);

        if (supervisor)
                exec_supervisor_without_bpf(supervisor, argv);
        harness_init(&argc, &argv);
        problem = pure_cgroup2_problem();
        if (problem && !g_getenv("ZONED_TEST_CGROUP2_VM"))
                not_pure_cgroup2 = g_strdup_printf("not a pure cgroup2 host (%s); test-cgroup2-vm.sh runs "
                                                   "this program in a VM that is one",
                                                   problem);
        g_test_add_func("/cgroup2-vm/host", test_host);
        HARNESS_TEST("/cgroup2-vm/busybox", test_busybox, HARNESS_ZONECTL);
        HARNESS_TEST("/cgroup2-vm/without-bpf", test_without_bpf, HARNESS_DEFAULT);
        HARNESS_TEST("/cgroup2-vm/limits", test_limits, HARNESS_ZONECTL);
        HARNESS_TEST("/cgroup2-vm/systemd", test_systemd, HARNESS_ZONECTL);
        HARNESS_TEST("/cgroup2-vm/lxcfs", test_lxcfs, HARNESS_ZONECTL);
        HARNESS_TEST("/cgroup2-vm/disk-grow", test_disk_grow, HARNESS_ZONECTL);
        return g_test_run();
}
