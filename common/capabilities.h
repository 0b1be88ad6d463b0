/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The capabilities a zone's init keeps: those systemd-nspawn keeps by default,
 * plus CAP_NET_ADMIN (the zone has a network namespace of its own). Dropped
 * from the bounding set before the init is executed: loading modules, raw I/O,
 * setting the clock, the kernel log, MAC policy, BPF and perf are the host's.
 * Without CAP_SYS_RAWIO and CAP_SYS_MODULE the guest's systemd also skips
 * debugfs, tracefs and module loading by itself (ConditionCapability=). */

bool capability_kept(int cap);
/* The kept capabilities as a mask (bit N = capability N): a zone's bounding set by default. */
uint64_t capabilities_default_mask(void);
/* Drops every capability not in keep (bit N = capability N) from the bounding set of the calling
 * process; capabilities_drop_bounding() keeps the default set. */
int capabilities_drop_bounding_to(uint64_t keep);
int capabilities_drop_bounding(void);
/* The same, and from its effective, permitted, inheritable and ambient sets: for a process of
 * the host that enters a zone (zonectl shell, a login), which root in the zone can ptrace as soon
 * as it is in the zone's PID namespace, and must then find no more than the zone's own powers. */
int capabilities_restrict_to(uint64_t keep);
