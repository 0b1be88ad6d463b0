/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "cgroup-limits.h"
#include "limit-table.h"
#include "manager.h"
#include "zone-config.h"
#include "zone-state.h"

typedef struct SupervisorLink SupervisorLink;
typedef struct Worker Worker;
typedef struct ZoneCleanUp ZoneCleanUp;

/* A zone: its configuration (persistent, <config_dir>/NAME.zone) and its
 * runtime state as the supervisor reports it. */
struct Zone {
        Manager *manager;
        char *name;
        char *object_path;
        ZoneConfig config;
        char *config_error; /* the zone file did not load (config is what could be read of it); the zone
                             * was kept because it runs: see zone_reload_config() */

        ZoneState state;
        uint32_t leader; /* host pid of the zone's init, 0 when none */
        uint64_t since;  /* CLOCK_REALTIME µs of the last state change */
        char *status_text;

        SupervisorLink *link;         /* set while a supervisor runs the zone */
        Worker *worker;               /* creating: the copy of the template */
        sd_bus_message *create_call;  /* CreateZone waiting for the copy */
        ZoneCleanUp *clean_up;        /* its supervisor died: what it left is being removed */
        sd_event_source *adopt_retry; /* at start: a live supervisor that cannot be reached yet */
        ZoneLimits runtime_limits;    /* set with runtime=true since the boot (zone-limits.h) */
        uint64_t oom_kills;           /* OOM kills in this boot, as its supervisor reports them */
        /* Where its cgroups are (zone_limit_paths()): found once, not for every usage figure. */
        CgroupLimitPaths cgroup_paths;
        bool cgroup_paths_found;
};

Zone *zone_free(Zone *z);
static inline void zone_freep(Zone **z) {
        zone_free(*z);
}
int zone_new(Manager *m, const char *name, Zone **ret);

char *zone_config_path(Zone *z);
char *zone_state_path(Zone *z);
char *zone_runtime_path(Zone *z);
/* The zone's cgroup, relative to each hierarchy's root: "zoned/NAME". */
char *zone_cgroup_path(Zone *z);
/* Removes the runtime dir unless a live supervisor holds it (-EBUSY; runtime-lock.h). */
int zone_runtime_dir_remove(Zone *z);

/* Loads every *.zone file of the config dir and re-adopts live supervisors (zone-adopt.h). A
 * file that does not load is skipped, unless the zone's supervisor runs: then the zone is kept,
 * reachable and stoppable, with z->config_error set. */
int zone_load_all(Manager *m);
/* A zone kept with a broken file reads it again (before it boots or its file is written): 0
 * once it loads, else org.zoned1.Error.BadZoneFile naming FILE:LINE. 0 for every other zone. */
int zone_reload_config(Zone *z, sd_bus_error *error);

/* What CreateZone's options ask for. */
typedef struct ZoneCreateOptions {
        bool copy;             /* a full copy of the template instead of an overlay */
        bool private_users;    /* a user namespace (and host id range) of its own */
        const char *brand;     /* the brand instead of the template's; NULL or "": the template's */
        bool nesting;          /* Nesting=yes (zone-config.h) */
        unsigned device_allow; /* DeviceAllow= (zone-config.h) */
        ZoneLimits limits;     /* its [Limits]; DiskQuota among them sizes its disk image (zone-disk.h) */
        ZoneNetwork network;   /* its [Network]: addresses are picked for a bridged zone that names none */
} ZoneCreateOptions;

/* Creates a zone from a template: writes the config, makes the storage. For
 * --copy the copy runs in a worker; the zone is "creating" until done. */
int zone_create(Manager *m, const char *name, const char *template_name, const ZoneCreateOptions *o,
                sd_bus_message *call, sd_bus_error *error, Zone **ret);
int zone_remove(Zone *z, sd_bus_error *error);
/* A copied zone whose copy never completed (zoned died during it): what is on disk is no rootfs.
 * Such a zone stays failed and unbootable until it is removed. */
bool zone_storage_is_incomplete(Zone *z);

int zone_boot(Zone *z, sd_bus_error *error);
/* verb: "poweroff", "reboot", "halt" or "terminate" */
int zone_stop(Zone *z, const char *verb, sd_bus_error *error);
int zone_kill(Zone *z, const char *whom, int sig, sd_bus_error *error);

/* Sets state/leader/since/status and emits PropertiesChanged for what changed. */
void zone_set_runtime(Zone *z, ZoneState state, uint32_t leader, uint64_t since, const char *status);
