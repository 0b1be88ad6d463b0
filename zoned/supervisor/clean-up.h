/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* zoned-supervisor --clean-up=CGROUP: what a supervisor that was killed left of its zone, done by
 * the program that owns zones' cgroups, in a process of its own so that zoned only waits for it.
 * The zone's init may outlive its supervisor (the parent death signal does not survive the change
 * of credentials into the zone's user namespace), and a zone without a supervisor can neither be
 * reached nor stopped: whatever is left in the zone's cgroups is killed (SIGKILL), then the
 * cgroups are removed from every hierarchy, and their parents that no other zone uses.
 * Returns 0, or -errno (logged). */
int supervisor_clean_up(const char *cgroup);
