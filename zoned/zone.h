/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "manager.h"
#include "zone-config.h"
#include "zone-state.h"

typedef struct SupervisorLink SupervisorLink;
typedef struct Worker Worker;

/* A zone: its configuration (persistent, <config_dir>/NAME.zone) and its
 * runtime state as the supervisor reports it. */
struct Zone {
        Manager *manager;
        char *name;
        char *object_path;
        ZoneConfig config;

        ZoneState state;
        uint32_t leader; /* host pid of the zone's init, 0 when none */
        uint64_t since;  /* CLOCK_REALTIME µs of the last state change */
        char *status_text;

        SupervisorLink *link;        /* set while a supervisor runs the zone */
        Worker *worker;              /* creating: the copy of the template */
        sd_bus_message *create_call; /* CreateZone waiting for the copy */
};

Zone *zone_free(Zone *z);
static inline void zone_freep(Zone **z) {
        zone_free(*z);
}
int zone_new(Manager *m, const char *name, Zone **ret);

char *zone_config_path(Zone *z);
char *zone_state_path(Zone *z);
char *zone_runtime_path(Zone *z);

/* Loads every *.zone file of the config dir and re-adopts live supervisors. */
int zone_load_all(Manager *m);

/* What CreateZone's options ask for. */
typedef struct ZoneCreateOptions {
        bool copy;          /* a full copy of the template instead of an overlay */
        bool private_users; /* a user namespace (and host id range) of its own */
} ZoneCreateOptions;

/* Creates a zone from a template: writes the config, makes the storage. For
 * --copy the copy runs in a worker; the zone is "creating" until done. */
int zone_create(Manager *m, const char *name, const char *template_name, const ZoneCreateOptions *o,
                sd_bus_message *call, sd_bus_error *error, Zone **ret);
int zone_remove(Zone *z, sd_bus_error *error);

int zone_boot(Zone *z, sd_bus_error *error);
/* verb: "poweroff", "reboot", "halt" or "terminate" */
int zone_stop(Zone *z, const char *verb, sd_bus_error *error);
int zone_kill(Zone *z, const char *whom, int sig, sd_bus_error *error);

/* Sets state/leader/since/status and emits PropertiesChanged for what changed. */
void zone_set_runtime(Zone *z, ZoneState state, uint32_t leader, uint64_t since, const char *status);
