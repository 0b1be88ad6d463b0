/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "device-policy.h"
#include "macro.h"
#include "zone-devices.h"

#define ANY (-1)
#define M BPF_DEVCG_ACC_MKNOD
#define RWM (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* The access bits are those of the kernel's v1 controller and of struct bpf_cgroup_dev_ctx. */
typedef struct DeviceRule {
        char type;        /* 'c', 'b', or 'a' for both */
        int major, minor; /* or ANY */
        unsigned access;  /* BPF_DEVCG_ACC_* */
} DeviceRule;

static const DeviceRule device_rules[] = {
        { 'c', ANY, ANY, M },   /* mknod of any node */
        { 'b', ANY, ANY, M },   /* (package scripts make them) */
        { 'c', 1, 3, RWM },     /* null */
        { 'c', 1, 5, RWM },     /* zero */
        { 'c', 1, 7, RWM },     /* full */
        { 'c', 1, 8, RWM },     /* random */
        { 'c', 1, 9, RWM },     /* urandom */
        { 'c', 5, 0, RWM },     /* tty */
        { 'c', 5, 1, RWM },     /* console */
        { 'c', 5, 2, RWM },     /* ptmx */
        { 'c', 136, ANY, RWM }, /* the zone's ptys */
};

#define RULES_MAX (ELEMENTSOF(device_rules) + ZONE_DEVICES_N)

/* The rules of a zone whose file allows the devices of mask (zone-devices.h): the base ones,
 * then one per allowed device. Returns how many. */
static size_t collect_rules(unsigned mask, DeviceRule rules[static RULES_MAX]) {
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(device_rules); i++)
                rules[n++] = device_rules[i];
        for (size_t i = 0; i < ZONE_DEVICES_N; i++)
                if (mask & (1u << i))
                        rules[n++] = (DeviceRule) { 'c', (int) zone_devices[i].major,
                                                    (int) zone_devices[i].minor, RWM };
        return n;
}

/* ---- cgroup v1: the devices controller ---- */

static void number_to_string(int n, char buf[static 12]) {
        if (n == ANY)
                strcpy(buf, "*");
        else
                snprintf(buf, 12, "%i", n);
}

/* "c 1:3 rwm" */
static void rule_to_v1(const DeviceRule *r, char type, char buf[static 64]) {
        char major[12], minor[12];

        number_to_string(r->major, major);
        number_to_string(r->minor, minor);
        snprintf(buf, 64, "%c %s:%s %s%s%s", type, major, minor, r->access & BPF_DEVCG_ACC_READ ? "r" : "",
                 r->access & BPF_DEVCG_ACC_WRITE ? "w" : "", r->access & BPF_DEVCG_ACC_MKNOD ? "m" : "");
}

/* Each write() to a v1 devices file is one rule. */
static int write_rule(int fd, const char *text) {
        size_t len = strlen(text);
        ssize_t k = write(fd, text, len);

        if (k < 0)
                return -errno;
        return (size_t) k == len ? 0 : -EIO;
}

int device_policy_apply_v1(const char *cgroup, unsigned allow_mask) {
        _cleanup_close_ int dfd = -EBADF, deny = -EBADF, allow = -EBADF;
        DeviceRule rules[RULES_MAX];
        size_t n_rules = collect_rules(allow_mask, rules);
        int r;

        dfd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        deny = openat(dfd, "devices.deny", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (deny < 0)
                return -errno;
        allow = openat(dfd, "devices.allow", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (allow < 0)
                return -errno;
        r = write_rule(deny, "a");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_rules; i++) {
                const DeviceRule *rule = &rules[i];

                /* In v1, a rule of type "a" means "every device", whatever follows it. */
                const char *types = rule->type == 'a' ? "cb" : rule->type == 'c' ? "c" : "b";

                for (const char *t = types; *t; t++) {
                        char text[64];

                        rule_to_v1(rule, *t, text);
                        r = write_rule(allow, text);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* ---- cgroup2: a BPF device program ---- */

/* Registers while the program runs; R1 holds the context at entry, then serves as scratch. */
#define REG_TYPE BPF_REG_2
#define REG_ACCESS BPF_REG_3
#define REG_MAJOR BPF_REG_4
#define REG_MINOR BPF_REG_5

/* The most a rule takes: type, access (3), major, minor, return (2). */
#define RULE_MAX 8
/* The prologue, the rules and the epilogue. */
_Static_assert(6 + RULES_MAX * RULE_MAX + 2 <= DEVICE_POLICY_PROGRAM_MAX,
               "DEVICE_POLICY_PROGRAM_MAX is too small for the rules");

#define INSN(c, d, s, o, i) \
        ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LOAD_CTX_U32(reg, field) \
        INSN(BPF_LDX | BPF_MEM | BPF_W, reg, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, field), 0)
/* "if dst != imm" and "if dst != src", jumping to a target that emit_rule() fills in. */
#define JNE_IMM(dst, imm) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, 0, imm)
#define JNE_REG(dst, src) INSN(BPF_JMP | BPF_JNE | BPF_X, dst, src, 0, 0)
#define MOV_R0(v) INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, v)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static bool rule_matches_all(const DeviceRule *r) {
        return r->type == 'a' && r->access == RWM && r->major == ANY && r->minor == ANY;
}

/* One rule, "return 1" if the request meets each of its conditions; a condition it does not meet
 * jumps past that. The requested access (one bit, or read and write for an open O_RDWR) must be
 * within the rule's, as in v1. Returns the number of instructions, at most RULE_MAX. */
static size_t emit_rule(const DeviceRule *r, struct bpf_insn *p) {
        size_t n = 0, jumps[4], n_jumps = 0;

        if (r->type != 'a') {
                jumps[n_jumps++] = n;
                p[n++] = JNE_IMM(REG_TYPE, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
        }
        if (r->access != RWM) {
                p[n++] = INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, REG_ACCESS, 0, 0);
                p[n++] = INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t) r->access);
                jumps[n_jumps++] = n;
                p[n++] = JNE_REG(BPF_REG_1, REG_ACCESS);
        }
        if (r->major != ANY) {
                jumps[n_jumps++] = n;
                p[n++] = JNE_IMM(REG_MAJOR, r->major);
        }
        if (r->minor != ANY) {
                jumps[n_jumps++] = n;
                p[n++] = JNE_IMM(REG_MINOR, r->minor);
        }
        p[n++] = MOV_R0(1);
        p[n++] = EXIT;
        for (size_t i = 0; i < n_jumps; i++)
                p[jumps[i]].off = (int16_t) (n - jumps[i] - 1);
        return n;
}

int device_policy_build_program(unsigned allow_mask, struct bpf_insn *insns, size_t max) {
        const struct bpf_insn prologue[] = {
                LOAD_CTX_U32(REG_TYPE, access_type),
                INSN(BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xFFFF),
                LOAD_CTX_U32(REG_ACCESS, access_type),
                INSN(BPF_ALU | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16),
                LOAD_CTX_U32(REG_MAJOR, major),
                LOAD_CTX_U32(REG_MINOR, minor),
        };
        DeviceRule rules[RULES_MAX];
        size_t n = ELEMENTSOF(prologue), n_rules = collect_rules(allow_mask, rules);

        if (max < DEVICE_POLICY_PROGRAM_MAX)
                return -ENOBUFS;
        memcpy(insns, prologue, sizeof(prologue));
        for (size_t i = 0; i < n_rules; i++) {
                n += emit_rule(&rules[i], insns + n);
                /* What would follow is unreachable, which the verifier refuses. */
                if (rule_matches_all(&rules[i]))
                        return (int) n;
        }
        insns[n++] = MOV_R0(0);
        insns[n++] = EXIT;
        return (int) n;
}

static int sys_bpf(int cmd, union bpf_attr *attr) {
        long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));

        return r < 0 ? -errno : (int) r;
}

static int program_load(const struct bpf_insn *insns, size_t n) {
        union bpf_attr attr = {
                .prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
                .insn_cnt = (uint32_t) n,
                .insns = (uint64_t) (uintptr_t) insns,
                /* The program calls no helper, so no GPL-only one: any license will do. */
                .license = (uint64_t) (uintptr_t) "LGPL-2.1-or-later",
                .prog_name = "zoned_devices",
        };
        struct rlimit old, unlimited = { RLIM_INFINITY, RLIM_INFINITY };
        int fd;

        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd != -EPERM || getrlimit(RLIMIT_MEMLOCK, &old) < 0 || old.rlim_cur == RLIM_INFINITY)
                return fd;
        /* Before Linux 5.11 a program counts against RLIMIT_MEMLOCK, and against the locked
         * memory of all of root's processes at that. Raised for this one call only: the zone's
         * init inherits the supervisor's limits. */
        if (setrlimit(RLIMIT_MEMLOCK, &unlimited) < 0)
                return fd;
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        (void) setrlimit(RLIMIT_MEMLOCK, &old);
        return fd;
}

int device_policy_load_program(unsigned allow_mask) {
        struct bpf_insn insns[DEVICE_POLICY_PROGRAM_MAX];
        int n, fd;

        n = device_policy_build_program(allow_mask, insns, ELEMENTSOF(insns));
        if (n < 0)
                return n;
        fd = program_load(insns, (size_t) n);
        /* No bpf() (ENOSYS), no such program type (EINVAL; a program that the verifier refused
         * would say so too, which the tests would see), or a kernel older than the attributes
         * (E2BIG, before 4.15, which has no device programs either). */
        if (fd == -ENOSYS || fd == -EINVAL || fd == -E2BIG)
                return -EOPNOTSUPP;
        return fd;
}

int device_policy_attach_program(int program_fd, const char *cgroup) {
        _cleanup_close_ int cgroup_fd = -EBADF;
        union bpf_attr attr;
        int r;

        cgroup_fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cgroup_fd < 0)
                return -errno;
        attr = (union bpf_attr) {
                .target_fd = (uint32_t) cgroup_fd,
                .attach_bpf_fd = (uint32_t) program_fd,
                .attach_type = BPF_CGROUP_DEVICE,
                .attach_flags = BPF_F_ALLOW_MULTI,
        };
        r = sys_bpf(BPF_PROG_ATTACH, &attr);
        /* The attachment holds the program until the cgroup goes. */
        return r < 0 ? r : 0;
}
