/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "uid-range.h"

typedef struct Zone Zone;
typedef struct Brand Brand;
typedef struct Transfer Transfer;
typedef struct PrivateBus PrivateBus;
typedef struct SpareSupervisor SpareSupervisor;
typedef struct NetworkConfig NetworkConfig;

/* The registry: the only global state of zoned. It owns every zone, brand
 * and transfer, the bus connections and the event loop. */
typedef struct Manager {
        sd_event *event;
        sd_bus *system_bus;      /* NULL when the host has no system bus */
        PrivateBus *private_bus; /* <runtime_dir>/bus and its connections (private-bus.h) */

        char *config_dir;
        char *state_dir;
        char *runtime_dir;
        char *log_dir;
        char *brands_dir;
        char *binfmt_dir; /* where binfmt_misc's handlers are (a foreign brand's emulator) */
        char *definitions_dir;
        char *supervisor_path;
        char *cgroup_root;
        bool use_system_bus;
        bool use_spare_supervisor;
        char *lxcfs_path; /* the lxcfs program (--lxcfs=), NULL: zones boot without it (lxcfs.h) */
        int lxcfs_result; /* the last failure to have lxcfs that was logged, or 0 */
        NetworkConfig *network_config; /* --network-config= (network-config.h), loaded before startup */

        GHashTable *zones;       /* name → Zone*, owned */
        GHashTable *brands;      /* name → Brand*, owned */
        GHashTable *definitions; /* name → TemplateDefinition*, owned */
        GHashTable *transfers;   /* GUINT_TO_POINTER(id) → Transfer*, owned */
        uint32_t next_transfer_id;
        GPtrArray *background;   /* Worker*: removals of trash dirs */
        GHashTable *supervisors; /* pid → what to do when it is reaped: the supervisors this zoned started */
        sd_event_source *sigchld; /* reaps them (supervisor-spawn.c) */
        SpareSupervisor *spare;   /* started ahead of the next boot (supervisor-spare.h), or NULL */
        sd_event_source *spare_timer;

        UidPool uid_pool; /* where the zones' host id ranges come from (--uid-pool=) */
        /* 0 on the host; in a container (zoned in a zone), how many ids zoned's own user namespace
         * maps, which the pool comes from (manager_pick_uid_pool()). */
        uint64_t nested_ids;
        /* The state directory cannot be idmapped (zoned in a zone, on the host's file system):
         * private zones are made as shifted copies (Storage=shifted-copy). */
        bool shifted_storage;
        GArray *reserved_uid_ranges; /* UidRange: those of zone files that did not load */
        int userns_probe_result;     /* 0 or -errno: whether the kernel gave zoned a user namespace... */
        uint64_t userns_probe_usec;  /* ...at this CLOCK_MONOTONIC time; 0: never asked */
} Manager;

Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        manager_free(*m);
}
int manager_new(Manager **ret);
int manager_startup(Manager *m);
int manager_run(Manager *m);

char *manager_templates_dir(Manager *m);
/* The compiled system call filter of the zones, written at startup. */
char *manager_seccomp_filter_path(Manager *m);

/* Calls f for the system bus (if any) and every private connection. Used to
 * send signals and PropertiesChanged to all clients. */
typedef void (*manager_bus_func)(sd_bus *bus, void *userdata);
void manager_foreach_bus(Manager *m, manager_bus_func f, void *userdata);

/* Registers the manager, zone and transfer objects on a connection. */
int manager_register_objects(Manager *m, sd_bus *bus);

/* Renames path to a ".trash-" sibling (at once) and removes it in a worker. */
int manager_remove_in_background(Manager *m, const char *path);
