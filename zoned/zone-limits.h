/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "cgroup-limits.h"
#include "limit-table.h"
#include "zone.h"

/* A zone's limits as zoned keeps them: those of its file (z->config.limits) and, over them, the
 * runtime ones set since its boot (z->runtime_limits, kept in its runtime dir so that a restarted
 * zoned knows them; dropped at the next boot). The supervisor writes them to the zone's cgroups
 * (zoned/supervisor/limits.c); zoned reads the usage there. */

/* What the zone has now: file limits, then runtime ones. */
int zone_limits_effective(Zone *z, ZoneLimits *ret);
/* The file's limits for the launch plan, "Property=Text" with IO devices resolved ("MAJ:MIN") and
 * without DiskQuota (no cgroup limit). */
int zone_limits_plan(Zone *z, char ***ret);

/* Sets the limits of req (a change of every limit it has set), live if the zone runs, and in its
 * file unless runtime; answers call when done (1), or fails with a named error and changes
 * nothing. */
int zone_set_limits(Zone *z, ZoneLimits *req, bool runtime, sd_bus_message *call, sd_bus_error *error);

/* The limits of a new zone (CreateZone's options): checked as SetLimits checks them, then made
 * the zone's file limits (z->config.limits). */
int zone_limits_check_new(Zone *z, const ZoneLimits *l, sd_bus_error *error);

/* Applies a DiskQuota= of a zone (SetLimits): its disk image is resized (zone_disk_set_quota(),
 * which keeps it in the zone file); runtime and "infinity" are InvalidArgs, the resize's failures
 * named as zone_disk_set_quota_error() names them. */
int zone_apply_disk_quota(Zone *z, const LimitValue *v, bool runtime, sd_bus_error *error);

/* The zone's cgroups as the limits and usage see them: the hierarchies are looked up in
 * mountinfo once per boot (a GetAll reads many usage figures), then kept in the zone. */
int zone_limit_paths(Zone *z, const CgroupLimitPaths **ret);
/* Forgets them: the next zone_limit_paths() looks again (at each boot). */
void zone_limit_paths_forget(Zone *z);
/* Usage figures, read now (all UINT64_MAX for a zone that does not run). */
void zone_usage(Zone *z, ZoneUsage *ret);

/* The supervisor's snapshot says how many OOM kills the zone had in this boot: PropertiesChanged of
 * OOMKills when that changed. (The supervisor watches the kernel's OOM notification, so that zoned
 * needs no descriptor per zone for it.) */
void zone_set_oom_kills(Zone *z, uint64_t n);
/* zone_set_runtime() tells of a state change: a boot drops the runtime limits. */
void zone_limits_state_changed(Zone *z, ZoneState old);
void zone_limits_free_runtime(Zone *z);
