/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's kernel, straight: modules, sysctls, sysfs, kernel memory and log, the keyring, BPF,
 * userfaultfd, perf, the clock, reboot(2). */

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

static void case_module(const EscapeHost *host) {
        static const char not_a_module[64] = "\177ELF";
        int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

        (void) host;
        escape_expect_refused("init_module",
                              syscall(SYS_init_module, not_a_module, sizeof(not_a_module), ""),
                              REFUSED_BY(EPERM, ENOSYS));
        escape_expect_refused("finit_module", syscall(SYS_finit_module, fd, "", 0),
                              REFUSED_BY(EPERM, ENOSYS));
        /* A name no module has: allowed, it would say ENOENT. */
        escape_expect_refused("delete_module", syscall(SYS_delete_module, "zone_escape_none", O_NONBLOCK),
                              REFUSED_BY(EPERM, ENOSYS));
        if (fd >= 0)
                close(fd);
}

/* Host-wide sysctls: the zone's /proc/sys is read-only (but for net/, its own). */
static void case_sysctl(const EscapeHost *host) {
        static const char *const sysctls[] = {
                "/proc/sys/kernel/hostname",
                "/proc/sys/kernel/core_pattern",
                "/proc/sys/kernel/panic",
                "/proc/sys/kernel/modprobe",
                "/proc/sys/vm/drop_caches",
                "/proc/sys/kernel/ctrl-alt-del",
                "/proc/sys/fs/binfmt_misc/register",
        };

        (void) host;
        for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++)
                escape_try_write_open(sysctls[i], REFUSED_BY(EROFS, EACCES, EPERM, ENOENT));
}

static void case_sysrq(const EscapeHost *host) {
        (void) host;
        /* ENOENT: a kernel without CONFIG_MAGIC_SYSRQ, or a zone that hides it. */
        escape_try_write_open("/proc/sysrq-trigger", REFUSED_BY(EROFS, EACCES, EPERM, ENOENT));
}

/* sysfs: knobs of the host's kernel, and the helper it runs as host root on uevents. */
static void case_sysfs(const EscapeHost *host) {
        static const char *const knobs[] = {
                "/sys/kernel/mm/transparent_hugepage/enabled",
                "/sys/kernel/uevent_helper",
                "/sys/kernel/profiling",
                "/sys/power/state",
                "/sys/module/loop/parameters/max_part",
        };

        (void) host;
        for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
                escape_try_write_open(knobs[i], REFUSED_BY(EROFS, EACCES, EPERM, ENOENT));
}

/* The kernel's memory and log: masked files, device nodes that are not there, and cannot be made. */
static void case_kread(const EscapeHost *host) {
        static const struct {
                const char *path;
                unsigned major, minor;
        } nodes[] = {
                { "kmsg", 1, 11 },
                { "mem", 1, 1 },
                { "kmem", 1, 2 },
                { "port", 1, 4 },
        };
        char path[64];

        (void) host;
        /* ENOENT: a kernel without CONFIG_PROC_KCORE. */
        escape_try_read("/proc/kcore", REFUSED_BY(EACCES, EPERM, ENOENT));
        escape_try_read("/proc/kallsyms", REFUSED_BY(EACCES, EPERM));
        for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
                snprintf(path, sizeof(path), "/dev/%s", nodes[i].path);
                escape_try_read(path, REFUSED_BY(ENOENT, EACCES, EPERM));
                snprintf(path, sizeof(path), "/tmp/zone-escape-%s", nodes[i].path);
                escape_try_node(path, S_IFCHR, nodes[i].major, nodes[i].minor);
        }
        escape_expect_refused("syslog(READ_ALL)", syscall(SYS_syslog, 3, path, (int) sizeof(path)),
                              REFUSED_BY(EPERM));
}

static void case_keyctl(const EscapeHost *host) {
        (void) host;
        escape_expect_refused("add_key",
                              syscall(SYS_add_key, "user", "zone-escape", "x", 1, -3 /* session */),
                              REFUSED_BY(ENOSYS, EPERM));
        escape_expect_refused("keyctl(GET_KEYRING_ID)", syscall(SYS_keyctl, 0, -4 /* user keyring */, 0),
                              REFUSED_BY(ENOSYS, EPERM));
        escape_expect_refused("request_key", syscall(SYS_request_key, "user", "zone-escape", NULL, 0),
                              REFUSED_BY(ENOSYS, EPERM));
}

static void case_bpf(const EscapeHost *host) {
        union bpf_attr map = {
                .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1
        };
        struct bpf_insn ret0[] = {
                { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
                { .code = BPF_JMP | BPF_EXIT },
        };
        union bpf_attr prog = {
                .prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
                .insn_cnt = 2,
                .insns = (unsigned long) ret0,
                .license = (unsigned long) "GPL",
        };
        long fd;

        (void) host;
        fd = syscall(SYS_bpf, BPF_MAP_CREATE, &map, sizeof(map));
        if (escape_expect_refused("bpf(MAP_CREATE)", fd, REFUSED_BY(EPERM)))
                close((int) fd);
        fd = syscall(SYS_bpf, BPF_PROG_LOAD, &prog, sizeof(prog));
        if (escape_expect_refused("bpf(PROG_LOAD) of a device program", fd, REFUSED_BY(EPERM)))
                close((int) fd);
}

static void case_userfaultfd(const EscapeHost *host) {
        long fd;

        (void) host;
        fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
        if (escape_expect_refused("userfaultfd", fd, REFUSED_BY(EPERM)))
                close((int) fd);
        fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
        if (escape_expect_refused("userfaultfd(UFFD_USER_MODE_ONLY)", fd, REFUSED_BY(EPERM)))
                close((int) fd);
        escape_try_read("/dev/userfaultfd", REFUSED_BY(ENOENT, EACCES, EPERM));
}

static void case_perf(const EscapeHost *host) {
        struct perf_event_attr attr = {
                .type = PERF_TYPE_SOFTWARE,
                .size = sizeof(attr),
                .config = PERF_COUNT_SW_CPU_CLOCK,
                .disabled = 1,
        };
        long fd;

        (void) host;
        /* Every process on CPU 0: the host's too. */
        fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);
        if (escape_expect_refused("perf_event_open(all processes, CPU 0)", fd, REFUSED_BY(EPERM, EACCES)))
                close((int) fd);
        attr.exclude_kernel = 1;
        fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
        if (escape_expect_refused("perf_event_open(self)", fd, REFUSED_BY(EPERM, EACCES)))
                close((int) fd);
}

/* The clock is the host's: set to what it is now, so that nothing changes if it worked. */
static void case_clock(const EscapeHost *host) {
        struct timex tx = { .modes = ADJ_OFFSET_SINGLESHOT, .offset = 0 };
        struct timespec now;

        (void) host;
        (void) clock_gettime(CLOCK_REALTIME, &now);
        escape_expect_refused("clock_settime(CLOCK_REALTIME)", clock_settime(CLOCK_REALTIME, &now),
                              REFUSED_BY(EPERM));
        escape_expect_refused("adjtimex(ADJ_OFFSET_SINGLESHOT)", adjtimex(&tx), REFUSED_BY(EPERM));
}

/* A reboot(2) of the zone's PID namespace reboots the zone; anything else must not reach the
 * host: Ctrl-Alt-Del off is the mildest command that is not a reboot of the namespace. */
static void case_reboot(const EscapeHost *host) {
        (void) host;
        escape_expect_refused("reboot(CAD_OFF)",
                              syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                                      LINUX_REBOOT_CMD_CAD_OFF, NULL),
                              REFUSED_BY(EPERM, EINVAL));
        escape_expect_refused("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0), REFUSED_BY(EPERM));
}

const EscapeCase escape_cases_kernel[] = {
        { "module", "load or remove a kernel module", case_module, false },
        { "sysctl", "write the host's sysctls (hostname, core_pattern, ...)", case_sysctl, true },
        { "sysrq", "write /proc/sysrq-trigger", case_sysrq, true },
        { "sysfs", "write the host kernel's knobs in /sys", case_sysfs, true },
        { "kread", "read /proc/kcore, /proc/kallsyms, /dev/kmsg, /dev/mem", case_kread, true },
        { "keyctl", "the kernel keyring", case_keyctl, false },
        { "bpf", "load a BPF map or program", case_bpf, true },
        { "userfaultfd", "userfaultfd()", case_userfaultfd, false },
        { "perf", "perf_event_open()", case_perf, false },
        { "clock", "set the clock", case_clock, true },
        { "reboot", "reboot(2) and kexec the host", case_reboot, false },
        { NULL, NULL, NULL, false },
};
