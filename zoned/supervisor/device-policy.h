/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

/* What a zone may do with device nodes: create any (package scripts do), open only the ones a
 * zone's /dev has (null, zero, ptys, ...), as systemd-nspawn and LXC allow, and those of its
 * DeviceAllow= (allow_mask: a mask of zone-devices.h). One rule table, enforced by two
 * back-ends: the cgroup v1 devices controller, and a BPF device program on a cgroup2 cgroup.
 * The kernel asks both where both are set, and each must allow. */

/* Writes the allow list to the v1 devices controller's files of the cgroup directory: "a" to
 * devices.deny, then one rule per write to devices.allow. */
int device_policy_apply_v1(const char *cgroup, unsigned allow_mask);

/* Enough room for the program below. */
#define DEVICE_POLICY_PROGRAM_MAX 128

/* The allow list as a BPF_PROG_TYPE_CGROUP_DEVICE program into insns; returns the number of
 * instructions, or -ENOBUFS if max is less than DEVICE_POLICY_PROGRAM_MAX. */
int device_policy_build_program(unsigned allow_mask, struct bpf_insn *insns, size_t max);

/* Loads that program into the kernel; returns its fd. -EOPNOTSUPP if the kernel has no BPF
 * device programs, -EPERM if bpf() is refused. */
int device_policy_load_program(unsigned allow_mask);

/* Attaches the loaded program to the cgroup2 directory (BPF_F_ALLOW_MULTI: the programs of the
 * cgroup and of its ancestors all run, and each must allow). The attachment keeps the program
 * until the cgroup is removed; one loaded program serves any number of cgroups. */
int device_policy_attach_program(int program_fd, const char *cgroup);
