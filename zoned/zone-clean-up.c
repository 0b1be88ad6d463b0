/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/wait.h>

#include "log.h"
#include "runtime-lock.h"
#include "supervisor-spawn.h"
#include "zone-clean-up.h"

/* The lock outlives a killed supervisor only in its children that had not executed the zone's
 * init yet (they inherited the fd); without their supervisor they exit or exec at once. */
#define LOCK_RETRY_USEC (50 * USEC_PER_MSEC)
#define LOCK_MAX_ATTEMPTS 200

struct ZoneCleanUp {
        Zone *zone;
        int pidfd;
        int lock_fd;
        bool locked;             /* we hold the lock, or there is no runtime dir */
        sd_event_source *source; /* the supervisor's pidfd, the lock retry timer, or the clean-up process */
        unsigned lock_attempts;
        ZoneState final;
        char *status;
};

ZoneCleanUp *zone_clean_up_free(ZoneCleanUp *c) {
        if (!c)
                return NULL;
        if (c->zone && c->zone->clean_up == c)
                c->zone->clean_up = NULL;
        sd_event_source_disable_unref(c->source);
        safe_close(c->pidfd);
        safe_close(c->lock_fd);
        g_free(c->status);
        g_free(c);
        return NULL;
}

static void clean_up_finish(ZoneCleanUp *c, const char *problem) {
        Zone *z = c->zone;
        g_autofree char *rt = zone_runtime_path(z), *status = NULL;
        ZoneState final = problem ? ZONE_FAILED : c->final;

        if (c->locked)
                (void) rm_rf(rt);
        if (problem) {
                log_warning("Zone %s: %s", z->name, problem);
                status = g_strdup_printf("%s%s%s", strempty(c->status), c->status ? " " : "", problem);
        } else
                status = g_strdup(strempty(c->status)); /* stopped: the clean-up's text goes */
        zone_clean_up_free(c);
        zone_set_runtime(z, final, 0, 0, status);
}

static int on_clean_up_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        ZoneCleanUp *c = userdata;

        if (si->si_code == CLD_EXITED && si->si_status == 0)
                clean_up_finish(c, NULL);
        else
                clean_up_finish(c, "Not all of its processes and cgroups could be removed.");
        return 0;
}

static void clean_up_run(ZoneCleanUp *c) {
        Zone *z = c->zone;
        g_autofree char *cgroup = zone_cgroup_path(z);
        pid_t pid;
        int r;

        c->source = sd_event_source_disable_unref(c->source);
        r = supervisor_spawn_clean_up(z->manager, cgroup, &pid);
        if (r < 0) {
                log_warning_errno(r, "Zone %s: cannot start %s --clean-up: %m", z->name,
                                  z->manager->supervisor_path);
                clean_up_finish(c, "Its processes and cgroups could not be removed.");
                return;
        }
        r = sd_event_add_child(z->manager->event, &c->source, pid, WEXITED, on_clean_up_exit, c);
        if (r < 0) {
                (void) waitpid(pid, NULL, 0); /* it does not take long */
                clean_up_finish(c, NULL);
        }
}

static void clean_up_lock(ZoneCleanUp *c);

static int on_lock_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        clean_up_lock(userdata);
        return 0;
}

static void clean_up_lock(ZoneCleanUp *c) {
        Zone *z = c->zone;
        g_autofree char *rt = zone_runtime_path(z);
        int r;

        c->source = sd_event_source_disable_unref(c->source);
        r = c->lock_fd >= 0 ? 0 : runtime_dir_lock(rt, &c->lock_fd);
        if (r == -EBUSY && ++c->lock_attempts <= LOCK_MAX_ATTEMPTS) {
                r = sd_event_add_time_relative(z->manager->event, &c->source, CLOCK_MONOTONIC,
                                               LOCK_RETRY_USEC, 0, on_lock_retry, c);
                if (r >= 0)
                        return;
        }
        if (r == -EBUSY) {
                /* Whoever holds it owns the runtime dir, and maybe the cgroups: leave both. */
                clean_up_finish(c, "Its runtime directory is still held by another process.");
                return;
        }
        c->locked = r >= 0 || r == -ENOENT;
        clean_up_run(c);
}

static int on_supervisor_gone(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        clean_up_lock(userdata);
        return 0;
}

int zone_clean_up_start(Zone *z, int pidfd, int lock_fd, ZoneState final, const char *status) {
        _cleanup_close_ int pid_fd = pidfd, lock = lock_fd;
        ZoneCleanUp *c;
        int r;

        if (z->clean_up)
                return -EBUSY;
        c = g_new0(ZoneCleanUp, 1);
        c->zone = z;
        c->pidfd = TAKE_FD(pid_fd);
        c->lock_fd = TAKE_FD(lock);
        c->final = final;
        c->status = g_strdup(status);
        z->clean_up = c;
        zone_set_runtime(z, ZONE_STOPPING, 0, 0, "Removing what the zone's supervisor left.");
        if (c->pidfd >= 0) {
                /* A pidfd is readable once the process has exited, and all its fds are closed. */
                r = sd_event_add_io(z->manager->event, &c->source, c->pidfd, EPOLLIN, on_supervisor_gone, c);
                if (r >= 0)
                        return 0;
        }
        clean_up_lock(c);
        return 0;
}
