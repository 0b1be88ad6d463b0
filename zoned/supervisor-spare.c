/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-id128.h>

#include "log.h"
#include "zone-leader.h"
#include "supervisor-spare.h"
#include "supervisor-spawn.h"

/* A used spare is replaced this much later: after the busy part of the boot it served. */
#define SPARE_REPLACE_DELAY_USEC (500 * USEC_PER_MSEC)
#define SPARE_START_MESSAGE "START=1\n"

struct SpareSupervisor {
        pid_t pid;
        int fd; /* zoned's end of its control socket */
        char *plan_path;
};

static SpareSupervisor *spare_free(SpareSupervisor *s) {
        if (!s)
                return NULL;
        safe_close(s->fd);
        g_free(s->plan_path);
        free(s);
        return NULL;
}

static char *spare_plans_dir(Manager *m) {
        return g_build_filename(m->runtime_dir, "supervisors", NULL);
}

/* A fresh random name: a plan path is never reused, also not by the next zoned. */
static int spare_new_plan_path(Manager *m, char **ret) {
        g_autofree char *dir = spare_plans_dir(m);
        char id[SD_ID128_STRING_MAX];
        sd_id128_t rnd;
        int r;

        r = mkdir_parents_and_self(dir, 0700);
        if (r < 0)
                return r;
        r = sd_id128_randomize(&rnd);
        if (r < 0)
                return r;
        *ret = g_strdup_printf("%s/%s.plan", dir, sd_id128_to_string(rnd, id));
        return 0;
}

static void spare_freep(SpareSupervisor **s) {
        spare_free(*s);
}

static int spare_start(Manager *m) {
        _cleanup_(spare_freep) SpareSupervisor *s = NULL;
        int r;

        s = new0(SpareSupervisor, 1);
        if (!s)
                return -ENOMEM;
        s->fd = -EBADF;
        r = spare_new_plan_path(m, &s->plan_path);
        if (r < 0)
                return r;
        r = supervisor_spawn(m, s->plan_path, true, &s->pid, &s->fd);
        if (r < 0)
                return r;
        m->spare = TAKE_PTR(s);
        return 0;
}

static int on_spare_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int r;

        if (m->spare || !m->use_spare_supervisor)
                return 0;
        r = spare_start(m);
        if (r < 0)
                /* Boots start their own supervisor then; the next boot tries again. */
                log_warning_errno(r, "Cannot start a spare supervisor: %m");
        return 0;
}

void spare_supervisor_schedule(Manager *m, uint64_t delay_usec) {
        int r;

        if (m->spare || !m->use_spare_supervisor)
                return;
        if (m->spare_timer) {
                r = sd_event_source_set_time_relative(m->spare_timer, delay_usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(m->spare_timer, SD_EVENT_ONESHOT);
        } else {
                r = sd_event_add_time_relative(m->event, &m->spare_timer, CLOCK_MONOTONIC, delay_usec, 0,
                                               on_spare_timer, m);
                /* After whatever else is ready: bus calls go first. */
                if (r >= 0)
                        r = sd_event_source_set_priority(m->spare_timer, SD_EVENT_PRIORITY_IDLE);
        }
        if (r < 0)
                log_warning_errno(r, "Cannot schedule a spare supervisor: %m");
}

bool spare_supervisor_plan_is_unique(Manager *m, const char *plan_path) {
        g_autofree char *dir = spare_plans_dir(m);
        const char *rest = g_str_has_prefix(plan_path, dir) ? plan_path + strlen(dir) : NULL;

        return rest && rest[0] == '/' && !strchr(rest + 1, '/');
}

const char *spare_supervisor_plan_path(Manager *m) {
        return m->spare ? m->spare->plan_path : NULL;
}

int spare_supervisor_take(Manager *m, const char *plan_path, pid_t *ret_pid, int *ret_fd) {
        _cleanup_(spare_freep) SpareSupervisor *s = NULL;

        if (m->spare && streq(m->spare->plan_path, plan_path))
                s = TAKE_PTR(m->spare);
        /* Whatever comes of this boot: the next one finds a spare again. */
        spare_supervisor_schedule(m, SPARE_REPLACE_DELAY_USEC);
        if (!s)
                return -ESRCH; /* this boot starts its own */
        /* EPIPE: it died, and its end is seen before its SIGCHLD. */
        if (send(s->fd, SPARE_START_MESSAGE, strlen(SPARE_START_MESSAGE), MSG_NOSIGNAL) < 0)
                return -errno;
        *ret_pid = s->pid;
        *ret_fd = TAKE_FD(s->fd);
        return 0;
}

void spare_supervisor_exited(Manager *m, pid_t pid) {
        if (!m->spare || m->spare->pid != pid)
                return;
        /* Not replaced at once (it might die again at once): the next boot schedules one. */
        log_warning("The spare supervisor %i ended before it was used.", (int) pid);
        m->spare = spare_free(m->spare);
}

/* The plan paths on the command lines of running supervisors. */
static GHashTable *plans_in_use(void) {
        GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
        g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
        const char *pid;

        while (proc && (pid = g_dir_read_name(proc))) {
                char *plan;

                if (g_ascii_isdigit(pid[0]) && zone_supervisor_plan_path((pid_t) atoi(pid), &plan) >= 0)
                        g_hash_table_add(set, plan);
        }
        return set;
}

void spare_supervisor_clean_leftovers(Manager *m) {
        g_autofree char *dir = spare_plans_dir(m);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        g_autoptr(GHashTable) used = NULL;
        const char *name;

        if (!d)
                return;
        used = plans_in_use();
        while ((name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);

                if (g_str_has_suffix(name, ".plan") && !g_hash_table_contains(used, path) &&
                    unlink(path) >= 0)
                        log_info("Removed %s: its supervisor is gone.", path);
        }
}

void spare_supervisor_done(Manager *m) {
        /* Gone with zoned, not a moment later: nothing of ours outlives us but the zones. */
        if (m->spare) {
                (void) kill(m->spare->pid, SIGKILL);
                (void) waitpid(m->spare->pid, NULL, 0);
        }
        m->spare = spare_free(m->spare);
        m->spare_timer = sd_event_source_disable_unref(m->spare_timer);
}
