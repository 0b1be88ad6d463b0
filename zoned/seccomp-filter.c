/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <glib.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "macro.h"
#include "seccomp-filter.h"

/* What the kernel keyring answers in a zone: "not there" rather than "not allowed", so that
 * programs fall back (systemd: "Kernel keyring not supported, ignoring"). The keyring is one
 * for the whole host, not one per zone. */
#define ERRNO_KEYRING ENOSYS

static const struct {
        const char *name;
        int error;
} denied[] = {
        /* Opens any file of a file system by its handle, past the zone's root
         * (the "shocker" escape); root in a zone keeps CAP_DAC_READ_SEARCH. */
        { "open_by_handle_at", EPERM },
        /* Programs in the host's kernel; with CAP_SYS_ADMIN also detaching the zone's own
         * device program on cgroup v2. */
        { "bpf", EPERM },
        /* Watches every CPU and process of the host. */
        { "perf_event_open", EPERM },
        /* Holds the kernel at a page fault of the caller's choosing, the usual way to win a race in
         * the kernel; any user may have one that handles faults in user memory only
         * (UFFD_USER_MODE_ONLY), whatever vm.unprivileged_userfaultfd says. */
        { "userfaultfd", EPERM },
        /* Host-wide: swap, the kernel keyring, process accounting, the kernel log. */
        { "swapon", EPERM },
        { "swapoff", EPERM },
        { "keyctl", ERRNO_KEYRING },
        { "add_key", ERRNO_KEYRING },
        { "request_key", ERRNO_KEYRING },
        { "acct", EPERM },
        { "syslog", EPERM },
        /* The host's kernel itself; the capabilities are dropped too, this is the second lock. */
        { "kexec_load", EPERM },
        { "kexec_file_load", EPERM },
        { "init_module", EPERM },
        { "finit_module", EPERM },
        { "delete_module", EPERM },
        { "create_module", EPERM },
        { "iopl", EPERM },
        { "ioperm", EPERM },
        /* Obsolete, and only ever a way in. */
        { "uselib", EPERM },
        { "lookup_dcookie", EPERM },
        { "nfsservctl", EPERM },
        { "vm86", EPERM },
        { "vm86old", EPERM },
};

/* ioctl requests denied on whatever fd they are made. */
static const unsigned long denied_ioctls[] = {
        /* Pushes bytes into a terminal's input as if typed there: a host terminal that reached the
         * zone runs the zone's commands in the host's shell once the zone's program is gone. */
        TIOCSTI,
        /* The virtual console's: pastes its selection as input (TIOCL_PASTESEL), and more. */
        TIOCLINUX,
};

/* The ABIs a process of this machine can use besides the native one. */
static const uint32_t secondary_arches[] = {
#if defined(__x86_64__)
        SCMP_ARCH_X86,
        SCMP_ARCH_X32,
#elif defined(__aarch64__)
        SCMP_ARCH_ARM,
#endif
};

static void ctx_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

static int add_syscall_rules(scmp_filter_ctx ctx) {
        for (size_t i = 0; i < ELEMENTSOF(denied); i++) {
                int nr = seccomp_syscall_resolve_name(denied[i].name);
                int r;

                if (nr == __NR_SCMP_ERROR)
                        continue; /* unknown to this libseccomp: no ABI it knows has it */
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t) denied[i].error), nr, 0);
                /* -EDOM/-EINVAL: a syscall that none of the filter's ABIs has (vm86 on x86-64). */
                if (r < 0 && r != -EDOM && r != -EINVAL)
                        return r;
        }
        return 0;
}

static int add_ioctl_rules(scmp_filter_ctx ctx) {
        for (size_t i = 0; i < ELEMENTSOF(denied_ioctls); i++) {
                /* The request is an unsigned long, but the kernel takes only its low 32 bits (an
                 * unsigned int): with high bits set it is the same request, so only the low 32 bits
                 * are compared. */
                int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, denied_ioctls[i]));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int export_program(scmp_filter_ctx ctx, void **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        g_autofree void *buf = NULL;
        off_t size;
        int r;

        fd = memfd_create("zoned-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        size = lseek(fd, 0, SEEK_END);
        if (size <= 0)
                return size < 0 ? -errno : -EIO;
        buf = g_malloc((size_t) size);
        if (pread(fd, buf, (size_t) size, 0) != size)
                return -EIO;
        *ret = g_steal_pointer(&buf);
        *ret_size = (size_t) size;
        return 0;
}

int seccomp_filter_build(void **ret, size_t *ret_size) {
        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        /* The zone runs setuid programs (su, passwd): the filter must not set no_new_privs.
         * Loading it needs CAP_SYS_ADMIN instead, which the init still has at that point. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(secondary_arches); i++) {
                r = seccomp_arch_add(ctx, secondary_arches[i]);
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        r = add_syscall_rules(ctx);
        if (r < 0)
                return r;
        r = add_ioctl_rules(ctx);
        if (r < 0)
                return r;
        return export_program(ctx, ret, ret_size);
}

int seccomp_filter_write(const char *path) {
        g_autofree void *program = NULL;
        g_autofree char *tmp = g_strconcat(path, ".XXXXXX", NULL);
        _cleanup_close_ int fd = -EBADF;
        size_t size;
        int r;

        r = seccomp_filter_build(&program, &size);
        if (r < 0)
                return r;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, program, size) != (ssize_t) size || fchmod(fd, 0644) < 0 || rename(tmp, path) < 0) {
                r = errno > 0 ? -errno : -EIO;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}
