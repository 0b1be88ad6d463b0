/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>

/* The zone's system call filter as zoned compiled it (zoned/seccomp-filter.h):
 * classic BPF, read from the file the launch plan names and installed in the
 * zone's init right before exec. The supervisor neither links libseccomp nor
 * compiles anything. */
typedef struct SyscallFilter {
        struct sock_filter *insns;
        unsigned short n_insns; /* 0: no filter */
} SyscallFilter;

/* -EBADMSG if the file is empty, not a whole number of instructions or longer than
 * the kernel takes (BPF_MAXINSNS). */
int syscall_filter_load(const char *path, SyscallFilter *ret);
void syscall_filter_done(SyscallFilter *f);

/* Installs the filter on the calling thread; it then holds for everything it executes.
 * Needs CAP_SYS_ADMIN: the zone's programs may gain privileges (setuid), so no_new_privs
 * is not set. */
int syscall_filter_apply(const SyscallFilter *f);
