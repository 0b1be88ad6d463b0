/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "net-address.h"

/* The launch plan: everything the supervisor needs to start a zone, computed
 * by zoned from the zone's configuration and its brand ("parse into a plan,
 * then execute it"). zoned writes it as "key=value" lines to the zone's
 * runtime directory; the supervisor reads it and does what it says. A unit
 * test can look at a plan without starting anything. */

typedef enum RootMode {
        ROOT_OVERLAY,   /* overlayfs: lower = template rootfs, upper/work in the zone's state dir */
        ROOT_DIRECTORY, /* a full copy of the template: rootfs is the tree itself */
        _ROOT_MODE_MAX,
        _ROOT_MODE_INVALID = -EINVAL,
} RootMode;

typedef enum ReadyMode {
        READY_EXEC,    /* running once the init was executed */
        READY_NOTIFY,  /* running once the init sends READY=1 on NOTIFY_SOCKET */
        READY_PROCESS, /* running once a process named ready_target runs in the zone */
        READY_FILE,    /* running once the zone has the file ready_target */
        READY_CONSOLE, /* running once the zone's console showed the text ready_target */
        _READY_MODE_MAX,
        _READY_MODE_INVALID = -EINVAL,
} ReadyMode;

/* The file system of a zone's disk image, and the options it is mounted with: minixdf makes
 * statfs() count the whole image, the file system's own bookkeeping as used, so that df in the
 * zone shows the quota as the disk's size. */
#define ZONE_DISK_FSTYPE "ext4"
#define ZONE_DISK_OPTIONS "minixdf"

typedef struct LaunchPlan {
        char *name;     /* zone name */
        char *hostname; /* set in the zone's UTS namespace */
        RootMode root_mode;
        /* ROOT_DIRECTORY whose files already carry the zone's host ids (Storage=shifted-copy):
         * bound as it is, without an idmap. */
        bool root_shifted;
        char *rootfs; /* mount point of the zone's root (overlay target or the copied tree) */
        char *lower;  /* overlay: the template's rootfs */
        char *upper;  /* overlay: upper dir */
        char *work;   /* overlay: work dir */
        /* A zone with a disk quota: the file system image holding its writable layer (upper and
         * work, or the copied tree), mounted on disk_mount in the zone's mount namespace before
         * the root (zone-disk.h). NULL for both without a quota. */
        char *disk_image;
        char *disk_mount;
        char **init_argv; /* argv[0] is the init's path inside the zone */
        /* Where else the init may be, tried in order when argv[0] is not an executable of the
         * zone's tree (a brand's Init= search list). */
        char **init_search;
        /* personality(2) of the init (PER_LINUX32, UNAME26, ...); 0: the host's (PER_LINUX). */
        uint32_t personality;
        /* The brand's fix-ups, "Verb=ARGUMENTS" (fixup-rule.h), applied in order to the zone's
         * tree by its child, as the zone's root, before the init runs. */
        char **fixups;
        char **init_env; /* environment of the init: "container=zoned", ... */
        int poweroff_signal;
        int reboot_signal;
        int halt_signal;
        uint64_t stop_timeout_usec;
        /* What the stop protocol prepares before each signal: "PATH:MODE" (stop-prepare.h). */
        char **poweroff_prepare;
        char **reboot_prepare;
        char **halt_prepare;
        ReadyMode ready;
        char *ready_target; /* READY_PROCESS: the process name (comm); READY_FILE: the path;
                             * READY_CONSOLE: the text */
        /* How long the init has to become ready before the zone is failed; 0: no limit. */
        uint64_t ready_timeout_usec;
        char *runtime_dir;        /* per-zone runtime dir: control socket lives here */
        char *console_log;        /* console log path */
        uint64_t console_log_max; /* bytes; the log is rotated once past this */
        char *cgroup;             /* zone cgroup path relative to each hierarchy's root, e.g. "zoned/web" */
        char *machine_id;     /* 32 lowercase hex digits: the zone's /etc/machine-id and container_uuid */
        char *seccomp_filter; /* file with the compiled system call filter (struct sock_filter[]) */
        char *lxcfs; /* mount point of zoned's lxcfs, whose files are bound over /proc's; NULL: none */
        /* Nesting=yes: a procfs and a read-only sysfs without masks under /dev/.zoned-nesting, so
         * that a container manager in the zone may mount fresh ones (zone-mounts.h). */
        bool nesting;
        /* DeviceAllow=: the paths of the devices of zone-devices.h the zone gets in its /dev and
         * may open; NULL for none. */
        char **device_allow;
        /* The zone's user namespace: zone ids 0..uid_range-1 are host ids uid_shift.. (the same
         * for gids). uid_range 0: no user namespace of its own (PrivateUsers=no). */
        uint32_t uid_shift;
        uint32_t uid_range;
        /* The capability bounding set of the zone (bit N = capability N), when the brand or the
         * zone file set one; else the default set of capabilities.h. */
        bool capabilities_set;
        uint64_t capabilities;
        /* The zone's cgroup limits as "Property=Text" (limits.h; IO devices as "MAJ:MIN"), written
         * to its cgroup before its init runs. */
        char **limits;
        /* The zone's network (net-address.h). none: a network namespace with only loopback;
         * host: the host's. bridge: a veth pair, network_host_ifname on the bridge network_link
         * (zoned made it), ZONE_IFNAME in the zone; macvlan/ipvlan: ZONE_IFNAME on the host
         * interface network_link. The supervisor configures the zone's side before the init runs:
         * network_mac, network_addresses ("10.42.0.5/24", "fd42::5/64"; none for "dhcp", which
         * leaves them to the zone's own client), default routes via network_gateways, network_mtu
         * (0: the kernel's). network_ports ("tcp:8080:80") are the zone's forwards, for the ::1
         * proxy; network_dns, nameservers written to the zone's /etc/resolv.conf (none: the file
         * is left alone). */
        NetworkMode network_mode;
        char *network_link;
        char *network_host_ifname;
        char *network_mac;
        bool network_dhcp;
        char **network_addresses;
        char **network_gateways;
        uint32_t network_mtu;
        char **network_ports;
        char **network_dns;
} LaunchPlan;

/* Whether the plan runs the zone in a user namespace of its own. */
static inline bool launch_plan_private_users(const LaunchPlan *p) {
        return p->uid_range > 0;
}

LaunchPlan *launch_plan_free(LaunchPlan *p);
static inline void launch_plan_freep(LaunchPlan **p) {
        launch_plan_free(*p);
}

LaunchPlan *launch_plan_new(void);
/* Plan → text. -EINVAL if a value cannot be represented (newline in it, missing field). */
int launch_plan_serialize(const LaunchPlan *p, char **ret);
/* Text → plan. -EBADMSG on unknown keys or bad values; *ret_line gets the line number. */
int launch_plan_parse(const char *text, LaunchPlan **ret, unsigned *ret_line);
int launch_plan_load(const char *path, LaunchPlan **ret, unsigned *ret_line);

/* A user namespace's range: none (0, 0), or a shift above the host's root whose range ends below
 * (uid_t) -1. */
bool uid_range_is_valid(uint32_t shift, uint32_t range);

/* 32 lowercase hex digits, not all zero (the format of /etc/machine-id). */
bool machine_id_is_valid(const char *s);

const char *root_mode_to_string(RootMode m);
RootMode root_mode_from_string(const char *s);
const char *ready_mode_to_string(ReadyMode m);
ReadyMode ready_mode_from_string(const char *s);
