/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <time.h>

#include "log.h"
#include "runtime-lock.h"
#include "supervisor-link.h"
#include "zone-adopt.h"
#include "zone-clean-up.h"

/* A supervisor that holds its lock but does not listen is starting, or leaving: tried this often. */
#define ADOPT_RETRY_USEC (200 * USEC_PER_MSEC)
#define ADOPT_SETTLE_USEC (2 * USEC_PER_SEC)

#define WAITING_STATUS "Waiting for the zone's supervisor to answer."

static int on_adopt_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Zone *z = userdata;

        z->adopt_retry = sd_event_source_disable_unref(z->adopt_retry);
        zone_adopt(z);
        return 0;
}

static void zone_adopt_later(Zone *z) {
        int r;

        r = sd_event_add_time_relative(z->manager->event, &z->adopt_retry, CLOCK_MONOTONIC, ADOPT_RETRY_USEC,
                                       0, on_adopt_retry, z);
        if (r < 0)
                log_warning_errno(r, "Zone %s: cannot wait for its supervisor: %m", z->name);
}

void zone_adopt(Zone *z) {
        g_autofree char *rt = zone_runtime_path(z);
        _cleanup_close_ int lock = -EBADF;
        int r, q;

        r = supervisor_link_attach(z, &z->link);
        if (r >= 0)
                return;
        if (r != -ENOENT && r != -ECONNREFUSED && r != -EAGAIN)
                log_warning_errno(r, "Zone %s: cannot connect to its supervisor: %m", z->name);
        q = runtime_dir_lock(rt, &lock);
        if (q == -ENOENT)
                return; /* nothing ran there */
        if (q == -EBUSY || r == -EAGAIN) {
                zone_adopt_later(z);
                return;
        }
        if (q < 0) {
                log_warning_errno(q,
                                  "Zone %s: cannot tell whether its supervisor lives, leaving %s alone: %m",
                                  z->name, rt);
                return;
        }
        /* Nobody listens and nobody holds the lock: the supervisor died while zoned was not running. */
        log_info("Zone %s: its supervisor is gone, removing what it left.", z->name);
        r = zone_clean_up_start(z, -EBADF, TAKE_FD(lock), ZONE_FAILED,
                                "The zone's supervisor exited while zoned was not running.");
        if (r < 0)
                log_warning_errno(r, "Zone %s: cannot remove what its supervisor left: %m", z->name);
}

static bool zone_adopting(Zone *z) {
        return z->adopt_retry || (z->link && !supervisor_link_answered(z->link));
}

static bool manager_adopting(Manager *m) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;
                if (zone_adopting(z) || z->clean_up)
                        return true;
        }
        return false;
}

/* Not stopped, so that nobody boots it beside its supervisor. */
static void manager_mark_waiting(Manager *m) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;
                if (zone_adopting(z))
                        zone_set_runtime(z, ZONE_STARTING, 0, 0, WAITING_STATUS);
        }
}

static uint64_t now_monotonic_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

void zone_adopt_settle(Manager *m) {
        uint64_t deadline = now_monotonic_usec() + ADOPT_SETTLE_USEC;

        while (manager_adopting(m)) {
                uint64_t now = now_monotonic_usec();
                int r;

                if (now >= deadline)
                        break;
                r = sd_event_run(m->event, deadline - now);
                if (r < 0) {
                        log_warning_errno(r, "Waiting for the zones' supervisors failed: %m");
                        break;
                }
        }
        manager_mark_waiting(m);
}
