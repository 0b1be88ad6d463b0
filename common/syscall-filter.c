/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "macro.h"
#include "syscall-filter.h"

int syscall_filter_load(const char *path, SyscallFilter *ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ struct sock_filter *insns = NULL;
        struct stat st;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
            (size_t) st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -EBADMSG;
        insns = malloc((size_t) st.st_size);
        if (!insns)
                return -ENOMEM;
        n = read(fd, insns, (size_t) st.st_size);
        if (n < 0)
                return -errno;
        if (n != st.st_size)
                return -EBADMSG;
        *ret = (SyscallFilter) {
                .insns = TAKE_PTR(insns),
                .n_insns = (unsigned short) ((size_t) n / sizeof(struct sock_filter)),
        };
        return 0;
}

void syscall_filter_done(SyscallFilter *f) {
        free(f->insns);
        *f = (SyscallFilter) {};
}

int syscall_filter_apply(const SyscallFilter *f) {
        struct sock_fprog prog = { .len = f->n_insns, .filter = f->insns };

        if (f->n_insns == 0)
                return 0;
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0 ? -errno : 0;
}
