/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "launch-plan.h"
#include "macro.h"
#include "syscall-filter.h"
#include "userns.h"

/* The processes that zone_spawn() starts for a zone (zone-spawn.h): what each does, as a list of
 * steps that each role runs its part of, in one order that serves all of them. */

/* One line of error text from a child. */
#define SPAWN_MESSAGE_MAX 1024

/* Who runs a step (zone-spawn.h, userns.h). */
typedef enum ChildRole {
        ROLE_PLAIN = 1 << 0,   /* the init of a zone without a user namespace: it does every step */
        ROLE_INIT = 1 << 1,    /* the init of a zone with one, born in it: it joins the built tree */
        ROLE_BUILDER = 1 << 2, /* the host's root that builds such a zone's tree, hands it over, exits */
} ChildRole;

#define ROLE_ALL (ROLE_PLAIN | ROLE_INIT | ROLE_BUILDER)
#define ROLE_TREE (ROLE_PLAIN | ROLE_BUILDER) /* builds the tree */
#define ROLE_ZONE (ROLE_PLAIN | ROLE_INIT)    /* becomes the init */

typedef struct ZoneChild {
        ChildRole role;
        const LaunchPlan *plan;
        const CgroupSet *cgroups;
        const SyscallFilter *filter;
        const ZoneUserns *userns; /* builder: the zone's user namespace and what it owns */
        uid_t owner;              /* host uid (and gid) of the zone's root, 0 without a user namespace */
        const char *root;
        int sock;             /* init: to the supervisor; builder: to the init */
        int builder;          /* init of a zone with a user namespace: from its builder */
        int netns;            /* made ahead (ZonePrepared), or -EBADF */
        int disk;             /* the zone's disk image, mounted detached (zone_disk_open()), or -EBADF */
        bool born_in_unified; /* clone3(CLONE_INTO_CGROUP) put it into the zone's cgroup2 cgroup */
        bool console_open;    /* fds 0-2 are the zone's console: errors are shown there too */
} ZoneChild;

/* Runs the steps of c->role; the init ends by executing the init, the builder by exiting. A step
 * that fails is reported (ERROR=) over c->sock and ends the process. */
_noreturn_ void zone_child_run(ZoneChild *c);
