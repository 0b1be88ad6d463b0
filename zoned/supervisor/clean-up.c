/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>
#include <time.h>

#include "cgroup.h"
#include "clean-up.h"
#include "log.h"

/* As the supervisor's own clean-up after its init: the cgroups are polled this often, this many
 * times, until they are empty. */
#define CLEAN_UP_INTERVAL_USEC (20 * USEC_PER_MSEC)
#define CLEAN_UP_MAX_TICKS 500

static void sleep_usec(uint64_t usec) {
        struct timespec ts = { .tv_sec = (time_t) (usec / USEC_PER_SEC),
                               .tv_nsec = (long) (usec % USEC_PER_SEC * NSEC_PER_USEC) };

        (void) nanosleep(&ts, NULL);
}

/* SIGKILL to every process of the zone until none is left; false if some outlived the wait. */
static bool kill_all(const CgroupSet *s) {
        for (unsigned tick = 0; tick < CLEAN_UP_MAX_TICKS; tick++) {
                int r = cgroup_set_is_empty(s);

                if (r != 0)
                        return true; /* empty, or unreadable: removing them tells */
                (void) cgroup_set_kill(s, SIGKILL);
                sleep_usec(CLEAN_UP_INTERVAL_USEC);
        }
        return false;
}

int supervisor_clean_up(const char *cgroup) {
        _cleanup_(cgroup_set_done) CgroupSet s = {};
        int r;

        r = cgroup_set_discover(cgroup, NULL, &s);
        if (r == -EINVAL)
                return log_error_errno(r, "Invalid cgroup path \"%s\".", cgroup);
        if (r < 0)
                return log_error_errno(r, "Failed to find the cgroup hierarchies: %m");
        if (!kill_all(&s))
                log_warning("Processes in cgroup %s are still alive, removing it anyway.", cgroup);
        r = cgroup_set_remove(&s);
        if (r < 0)
                return log_error_errno(r, "Failed to remove cgroup %s: %m", cgroup);
        return 0;
}
