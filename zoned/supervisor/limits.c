/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The zone's limits in its cgroups. The supervisor is their only writer, as it owns the zone's
 * cgroups (it makes them at each boot and removes them after): it writes the plan's limits once
 * the cgroups exist and before the init is executed, and changes them live on COMMAND=limits. A
 * change it cannot make in full is undone, so that a refused one changes nothing. The plan's
 * limits serve every boot; a runtime change lasts until the next one. */

#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "log.h"
#include "supervisor.h"

int supervisor_limits_load(Supervisor *s) {
        int r;

        if (s->limits_loaded)
                return 0;
        for (char **l = s->plan->limits; l && *l; l++) {
                r = zone_limits_parse_assignment(&s->boot_limits, *l);
                if (r < 0)
                        return r;
        }
        r = cgroup_limit_paths_find(s->plan->cgroup, NULL, &s->limit_paths);
        if (r < 0)
                return r;
        s->limits_loaded = true;
        return 0;
}

static void set_error(char **ret, LimitKey k, const char *why) {
        free(*ret);
        *ret = NULL;
        (void) asprintf(ret, "Limit %s: %s", limit_info(k)->property, why);
}

/* How long after the kernel's word of an OOM the kill may show in the counter: v1 signals when the
 * cgroup runs out of memory, before its OOM killer has chosen and killed. */
#define OOM_RECHECK_USEC (20 * USEC_PER_MSEC)
#define OOM_RECHECKS 100

/* Sends the new count to every client in a snapshot (OOMKILLS=); true if it changed. */
static bool oom_check(Supervisor *s) {
        uint64_t n = cgroup_usage_oom_kills(&s->limit_paths);

        if (n == UINT64_MAX || n == s->oom_kills)
                return false;
        s->oom_kills = n;
        control_broadcast(s);
        return true;
}

static int on_oom_timer(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;
        uint64_t expirations;

        (void) !read(fd, &expirations, sizeof(expirations));
        if (!oom_check(s) && s->oom_rechecks > 0) {
                s->oom_rechecks--;
                return event_timer_arm(source, OOM_RECHECK_USEC);
        }
        return 0;
}

/* The kernel's word of an OOM in the zone: the counter goes to zoned in the snapshot, so that it
 * announces it without a descriptor of its own per zone. */
static int on_oom(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;
        char buf[4096];

        /* Drain the eventfd (v1) or the inotify events (v2). */
        while (read(fd, buf, sizeof(buf)) > 0)
                ;
        if (!oom_check(s) && s->oom_timer) {
                s->oom_rechecks = OOM_RECHECKS;
                (void) event_timer_arm(s->oom_timer, OOM_RECHECK_USEC);
        }
        return 0;
}

static void oom_watch_start(Supervisor *s) {
        int fd = -EBADF, r;

        supervisor_limits_stop(s);
        s->oom_kills = 0;
        r = cgroup_oom_eventfd(&s->limit_paths, &fd);
        if (r >= 0) {
                r = event_add_io(s->loop, fd, EPOLLIN, on_oom, s, &s->oom_source);
                if (r < 0)
                        safe_close(fd);
        }
        if (r >= 0)
                r = event_add_timer(s->loop, 0, on_oom_timer, s, &s->oom_timer);
        if (r < 0)
                log_debug_errno(r, "Zone %s: OOM kills are not watched: %m", s->plan->name);
}

void supervisor_limits_stop(Supervisor *s) {
        s->oom_source = event_source_free(s->oom_source);
        s->oom_timer = event_source_free(s->oom_timer);
}

int supervisor_limits_apply_boot(void *userdata) {
        Supervisor *s = userdata;
        const char *why = NULL;
        LimitMask mask;
        LimitKey k = 0;
        int r;

        r = zone_limits_copy(&s->limits, &s->boot_limits);
        if (r < 0)
                return r;
        mask = zone_limits_cgroup_mask(&s->limits);
        r = cgroup_limits_check(&s->limit_paths, &s->limits, mask, &k, &why);
        if (r >= 0)
                r = cgroup_limits_apply(&s->limit_paths, &s->limits, mask, &k);
        if (r < 0) {
                set_error(&s->spawn_error, k, why ? why : strerror(-r));
                s->spawn_error_final = true;
                log_error("Zone %s: %s", s->plan->name, s->spawn_error);
                return r;
        }
        oom_watch_start(s);
        return 0;
}

/* LIMIT=Property=Text lines of a message. */
static int parse_request(const char *msg, size_t len, ZoneLimits *req, bool *ret_runtime) {
        const char *end = msg + len;

        *ret_runtime = false;
        for (const char *line = msg; line < end;) {
                const char *nl = memchr(line, '\n', (size_t) (end - line));
                size_t n = nl ? (size_t) (nl - line) : (size_t) (end - line);
                _cleanup_free_ char *text = strndup(line, n);
                int r;

                if (!text)
                        return -ENOMEM;
                if (strncmp(text, "LIMIT=", 6) == 0) {
                        r = zone_limits_parse_assignment(req, text + 6);
                        if (r < 0)
                                return r;
                } else if (streq(text, "RUNTIME=1"))
                        *ret_runtime = true;
                line += n + 1;
        }
        return 0;
}

int supervisor_limits_set(Supervisor *s, const char *msg, size_t len, char **ret_status) {
        ZoneLimits req = {}, next = {}, boot = {};
        const char *why = NULL;
        LimitKey k = 0;
        LimitMask mask;
        bool runtime;
        int r;

        r = parse_request(msg, len, &req, &runtime);
        if (r < 0) {
                *ret_status = strdup("limits needs LIMIT=Property=Value lines");
                goto finish;
        }
        if (s->state != ZONE_RUNNING && s->state != ZONE_STARTING) {
                r = -ESRCH;
                goto finish;
        }
        mask = zone_limits_cgroup_mask(&req);
        r = zone_limits_copy(&next, &s->limits);
        if (r >= 0)
                r = zone_limits_copy(&boot, &s->boot_limits);
        if (r < 0)
                goto finish;
        zone_limits_merge(&next, &req);
        r = cgroup_limits_check(&s->limit_paths, &next, mask, &k, &why);
        if (r >= 0) {
                r = cgroup_limits_apply(&s->limit_paths, &next, mask, &k);
                if (r < 0) {
                        LimitKey ignored;

                        why = strerror(-r);
                        /* Back to what was: a refused change changes nothing. */
                        (void) cgroup_limits_apply(&s->limit_paths, &s->limits, mask, &ignored);
                }
        }
        if (r < 0) {
                set_error(ret_status, k, why);
                goto finish;
        }
        log_info("Zone %s: limits changed%s.", s->plan->name, runtime ? " until the next boot" : "");
        if (!runtime) {
                ZoneLimits kept = {};

                r = zone_limits_copy(&kept, &next);
                if (r < 0)
                        goto finish;
                /* Only the limits the request set become the boot's. */
                for (LimitKey i = 0; i < _LIMIT_KEY_MAX; i++)
                        if (!(mask & LIMIT_MASK(i)))
                                limit_value_done(&kept.v[i]);
                zone_limits_merge(&boot, &kept);
                zone_limits_done(&kept);
                zone_limits_done(&s->boot_limits);
                s->boot_limits = boot;
                boot = (ZoneLimits) {};
        }
        zone_limits_done(&s->limits);
        s->limits = next;
        next = (ZoneLimits) {};
finish:
        zone_limits_done(&req);
        zone_limits_done(&next);
        zone_limits_done(&boot);
        return r;
}
