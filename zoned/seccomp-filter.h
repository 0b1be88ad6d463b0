/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The system call filter of every zone: a deny list, as LXC's default one,
 * of what root in a zone keeps the capability for but must not do to the host
 * (open_by_handle_at, bpf, perf_event_open, swapon, the kernel keyring, ...)
 * or should never need (module loading, kexec), and the ioctl requests that
 * type into a terminal (TIOCSTI, TIOCLINUX). Everything else is allowed:
 * a zone is a whole OS, and capabilities, namespaces and the device cgroup do
 * the rest. It covers every ABI of the machine (on x86-64 also i386 and x32),
 * so a 32-bit program cannot go around it.
 *
 * zoned compiles it once with libseccomp into classic BPF (struct sock_filter
 * instructions) and writes that to a file the launch plan names; the
 * supervisor loads it in the zone's init just before exec, so that neither
 * links libseccomp nor compiles anything on the boot path. */

/* The compiled program: *ret is an array of struct sock_filter, *ret_size its size in bytes. */
int seccomp_filter_build(void **ret, size_t *ret_size);

/* Builds the filter and writes it to path (replacing the file atomically). */
int seccomp_filter_write(const char *path);
