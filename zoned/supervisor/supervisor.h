/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup-limits.h"
#include "cgroup.h"
#include "syscall-filter.h"
#include "console.h"
#include "event-loop.h"
#include "launch-plan.h"
#include "port-proxy.h"
#include "zone-spawn.h"
#include "zone-state.h"

/* One supervisor runs one zone: it starts the zone's init in new namespaces,
 * holds the console, keeps the state, and serves the control socket (see
 * control-proto.h). It outlives zoned; zoned re-adopts it through the socket. */

typedef enum StopAction {
        STOP_NONE, /* nobody asked: the init exits on its own */
        STOP_POWEROFF,
        STOP_HALT,
        STOP_REBOOT,
        STOP_TERMINATE,
        _STOP_ACTION_MAX,
} StopAction;

/* What happens once the init is gone and the zone's cgroups are empty. */
typedef enum ZoneOutcome {
        OUTCOME_STOPPED,
        OUTCOME_FAILED,
        OUTCOME_RESTART,
} ZoneOutcome;

typedef struct Supervisor Supervisor;

typedef struct Client {
        Supervisor *supervisor;
        EventSource *source;   /* owns the connection */
        bool snapshot_pending; /* the last snapshot hit a full socket: sent again on EPOLLOUT */
        bool busy;             /* a command of this client is being handled */
        bool dead;             /* dropped while busy: freed when its handler returns */
        struct Client *next;
} Client;

struct Supervisor {
        LaunchPlan *plan;
        char *plan_path;
        char *control_path;
        int runtime_lock_fd; /* the lock of plan->runtime_dir (runtime-lock.h), held until we exit */
        EventLoop *loop;

        EventSource *signal_source;
        EventSource *listen_source;
        Client *clients;

        ZoneState state;
        uint64_t since; /* CLOCK_REALTIME µs of the last state change */
        char *status;
        pid_t leader;               /* host pid of the zone's init; 0 when there is none */
        char *spawn_error;          /* what the child reported before it gave up */
        EventSource *spawn_source;  /* our end of the child's error socket */
        EventSource *notify_source; /* the zone's NOTIFY_SOCKET (notify.h), while the init runs */

        StopAction action;       /* what was asked of the running init */
        EventSource *stop_timer; /* stop timeout: SIGKILL of the leader */
        bool stop_timer_armed;
        bool stop_killed;           /* the stop timeout's SIGKILL ended the init: no clean stop */
        EventSource *ready_timer;   /* readiness.c: looks for the brand's sign of readiness */
        uint64_t ready_deadline;    /* CLOCK_MONOTONIC µs when the init is given up on; 0: none */
        bool ready_killed;          /* the ready timeout's SIGKILL ended the init */
        EventSource *cleanup_timer; /* polls the zone's cgroups until they are empty */
        unsigned cleanup_ticks;
        bool cleaning_up;              /* the init is gone, its cgroups are being emptied and removed */
        ZoneOutcome outcome;           /* decided when the init is gone */
        char *outcome_status;          /* STATUS= of a failed outcome */
        uint64_t restart_window_start; /* CLOCK_MONOTONIC µs: restarts are counted from here */
        unsigned restarts;             /* in that window */

        CgroupSet cgroups;
        CgroupLimitPaths limit_paths; /* where the limits go */
        ZoneLimits boot_limits;       /* the plan's, and what changed for good since */
        ZoneLimits limits;            /* what the zone's cgroups have now */
        bool limits_loaded;
        EventSource *oom_source; /* the kernel's word of an OOM kill in the zone's cgroup */
        EventSource *oom_timer;  /* re-reads the counter shortly after */
        unsigned oom_rechecks;
        uint64_t oom_kills;     /* in this boot (the zone's cgroups are new at each) */
        bool spawn_error_final; /* spawn_error says why the start failed: the child's report does not replace
                                   it */
        SyscallFilter syscall_filter; /* read at the first start, kept for reboots */
        Console console;
        PortProxy *proxy;      /* the zone's port forwards on the host's [::1] (ports.c) */
        ZonePrepared prepared; /* device program, and a network namespace for the next boot */
};

/* supervisor.c */
/* Takes what *prepared holds (a spare's, or ZONE_PREPARED_NULL). */
int supervisor_new(const char *plan_path, int control_fd, ZonePrepared *prepared, Supervisor **ret);
Supervisor *supervisor_free(Supervisor *s);
static inline void supervisor_freep(Supervisor **s) {
        supervisor_free(*s);
}
/* Starts the zone and runs the loop; returns the exit status of the process. */
int supervisor_run(Supervisor *s);

/* lifecycle.c: the state machine. */
int supervisor_lifecycle_init(Supervisor *s);
void supervisor_set_state(Supervisor *s, ZoneState state, const char *status);
uint64_t now_realtime_usec(void);
uint64_t now_monotonic_usec(void);
int supervisor_start_zone(Supervisor *s);
int supervisor_request_stop(Supervisor *s, StopAction action);
int supervisor_kill(Supervisor *s, bool all, int sig);
void supervisor_on_leader_exit(Supervisor *s, int wait_status);
const char *stop_action_to_string(StopAction a);
StopAction stop_action_from_string(const char *s);

/* readiness.c: a brand's readiness other than the init's exec or its READY=1 (a process, a file),
 * and the ready timeout of every brand that waits. */
int supervisor_readiness_init(Supervisor *s);
/* The init was executed: watch for its readiness (a running zone for Ready=exec). */
void supervisor_readiness_begin(Supervisor *s);
/* The zone is running or its init is gone: stop watching. */
void supervisor_readiness_end(Supervisor *s);
/* What a ready timeout's kill says, for the failed zone's status; NULL if there was none. */
char *supervisor_readiness_failure(const Supervisor *s);

/* notify.c: READY=1, STATUS=, STOPPING=1 from the zone's init. Takes fd on success. */
int supervisor_notify_attach(Supervisor *s, int fd);

/* limits.c: the zone's limits in its cgroups. */
int supervisor_limits_load(Supervisor *s);
/* A zone_spawn_cgroups_func: the boot's limits into the new cgroups, before the init runs. */
int supervisor_limits_apply_boot(void *userdata);
/* The zone's cgroups go: no more OOM watch. */
void supervisor_limits_stop(Supervisor *s);
/* COMMAND=limits: RUNTIME=0|1 and LIMIT=Property=Value lines. */
int supervisor_limits_set(Supervisor *s, const char *msg, size_t len, char **ret_status);

/* ports.c: the zone's port forwards on the host's [::1], for the supervisor's whole life. */
int supervisor_ports_start(Supervisor *s);
void supervisor_ports_stop(Supervisor *s);
/* COMMAND=ports: PORT=proto:host[:zone] and ADDRESS=addr[/len] lines. */
int supervisor_ports_set(Supervisor *s, const char *msg, size_t len, char **ret_status);

/* control.c: the control socket. */
int control_listen(Supervisor *s);
int control_add_client(Supervisor *s, int fd);
void control_broadcast(Supervisor *s);
void control_close(Supervisor *s);
/* The reply to one client message; exported for the unit tests. */
int control_handle_message(Supervisor *s, const char *msg, size_t len, char **ret_status);
/* The snapshot message (STATE=..., LEADER=..., ...). */
int control_format_snapshot(const Supervisor *s, char *buf, size_t size);
