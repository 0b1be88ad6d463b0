/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* When a zone is running: for Ready=exec once its init was executed; for notify once it sends
 * READY=1 (notify.c); for process:NAME once a process of that name runs in the zone's cgroup (a
 * getty on the console: the login prompt is there); for file:PATH once the zone's tree has PATH.
 * Any brand that waits can have a ReadyTimeoutSec=: an init that is not ready by then is killed
 * and the zone failed, with a status that says why. */

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd-util.h"
#include "log.h"
#include "macro.h"
#include "supervisor.h"

/* How often the sign is looked for: a fraction of a getty's start, a small cost while booting. */
#define READY_POLL_USEC (25 * USEC_PER_MSEC)

static bool process_runs(const Supervisor *s, const char *comm) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;

        if (cgroup_set_get_pids(&s->cgroups, &pids, &n) < 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                char path[64], buf[32];
                _cleanup_close_ int fd = -EBADF;
                ssize_t k;

                snprintf(path, sizeof(path), "/proc/%d/comm", (int) pids[i]);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                k = read(fd, buf, sizeof(buf) - 1);
                if (k <= 0)
                        continue;
                buf[k] = 0;
                buf[strcspn(buf, "\n")] = 0;
                if (streq(buf, comm))
                        return true;
        }
        return false;
}

static bool file_exists(const Supervisor *s, const char *path) {
        _cleanup_close_ int root = -EBADF, fd = -EBADF;
        char proc[64];

        snprintf(proc, sizeof(proc), "/proc/%d/root", (int) s->leader);
        root = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return false;
        fd = openat_in_root(root, path, O_PATH, 0);
        return fd >= 0;
}

static bool sign_seen(const Supervisor *s) {
        switch (s->plan->ready) {
        case READY_PROCESS:
                return process_runs(s, s->plan->ready_target);
        case READY_FILE:
                return file_exists(s, s->plan->ready_target);
        case READY_CONSOLE:
                return s->console.ready_seen;
        default:
                return false; /* notify: notify.c sees READY=1 */
        }
}

static void give_up(Supervisor *s) {
        static const char line[] =
                "\r\nzoned-supervisor: the zone did not become ready in time, killing it.\r\n";

        log_warning("Zone %s did not become ready in time, killing it.", s->plan->name);
        (void) console_log_write(&s->console, line, sizeof(line) - 1);
        s->ready_killed = true;
        (void) kill(s->leader, SIGKILL);
}

/* The next look: after READY_POLL_USEC for a sign to look for, at the deadline for notify. */
static void arm_next(Supervisor *s, uint64_t now) {
        uint64_t next = s->plan->ready == READY_NOTIFY ? USEC_INFINITY : READY_POLL_USEC;

        if (s->ready_deadline > 0)
                next = MIN(next, s->ready_deadline > now ? s->ready_deadline - now : 1);
        (void) event_timer_arm(s->ready_timer, next);
}

static int on_ready_timer(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;
        uint64_t expirations, now;

        (void) !read(fd, &expirations, sizeof(expirations));
        if (s->leader <= 0 || s->state != ZONE_STARTING || s->ready_killed)
                return 0;
        if (sign_seen(s)) {
                supervisor_readiness_end(s);
                supervisor_set_state(s, ZONE_RUNNING, NULL);
                return 0;
        }
        now = now_monotonic_usec();
        if (s->ready_deadline > 0 && now >= s->ready_deadline) {
                give_up(s);
                return 0;
        }
        arm_next(s, now);
        return 0;
}

int supervisor_readiness_init(Supervisor *s) {
        return event_add_timer(s->loop, 0, on_ready_timer, s, &s->ready_timer);
}

void supervisor_readiness_begin(Supervisor *s) {
        uint64_t now = now_monotonic_usec();

        if (s->plan->ready == READY_EXEC) {
                supervisor_set_state(s, ZONE_RUNNING, NULL);
                return;
        }
        s->ready_deadline = s->plan->ready_timeout_usec > 0 ? now + s->plan->ready_timeout_usec : 0;
        if (s->plan->ready == READY_NOTIFY && s->ready_deadline == 0)
                return; /* nothing to look for, no time limit */
        arm_next(s, now);
}

void supervisor_readiness_end(Supervisor *s) {
        s->ready_deadline = 0;
        (void) event_timer_arm(s->ready_timer, 0);
}

char *supervisor_readiness_failure(const Supervisor *s) {
        const char *mode = ready_mode_to_string(s->plan->ready);
        char *text;

        if (asprintf(&text, "Did not become ready within %" PRIu64 " s (Ready=%s%s%s), killed",
                     s->plan->ready_timeout_usec / USEC_PER_SEC, strna(mode),
                     s->plan->ready_target ? ":" : "", strempty(s->plan->ready_target)) < 0)
                return NULL;
        return text;
}
