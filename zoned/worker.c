/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "log.h"
#include "macro.h"
#include "rlimit-util.h"
#include "worker.h"

struct Worker {
        pid_t pid;
        sd_event_source *child;
        worker_done_func done;
        void *done_userdata;
        bool canceled;
};

static int worker_on_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Worker *w = userdata;
        int result;

        if (w->canceled)
                result = -ECANCELED;
        else if (si->si_code == CLD_EXITED)
                /* The child exits with the positive errno of its failure. */
                result = si->si_status == 0 ? 0 : -si->si_status;
        else
                result = -EINTR;
        w->pid = 0;
        w->child = sd_event_source_unref(w->child);
        w->done(w, result, w->done_userdata);
        return 0;
}

int worker_spawn(sd_event *e, const char *description, worker_func fn, void *fn_userdata,
                 worker_done_func done, void *done_userdata, Worker **ret) {
        _cleanup_free_ Worker *w = new0(Worker, 1);
        sigset_t all;
        pid_t pid, parent;
        int r;

        if (!w)
                return -ENOMEM;
        parent = getpid();
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* The worker dies with zoned: half-done work is cleaned up by the next start. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                /* A zoned killed before that line sent no signal: this worker would finish alone
                 * (a copy renamed into place after all), holding zoned's bus connection open. */
                if (getppid() != parent)
                        _exit(EXIT_FAILURE);
                (void) prctl(PR_SET_NAME, "zoned-worker");
                sigemptyset(&all);
                (void) sigprocmask(SIG_SETMASK, &all, NULL);
                /* zoned's raised limit is its own: what a worker executes (a login in a zone, a
                 * bootstrap tool) gets the usual one. */
                (void) rlimit_nofile_safe();
                r = fn(fn_userdata);
                if (r < 0)
                        log_debug_errno(r, "%s failed: %m", description);
                _exit(r < 0 ? MIN(-r, 255) : 0);
        }
        w->pid = pid;
        w->done = done;
        w->done_userdata = done_userdata;
        r = sd_event_add_child(e, &w->child, pid, WEXITED, worker_on_exit, w);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        *ret = TAKE_PTR(w);
        return 0;
}

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        if (w->pid > 0) {
                (void) kill(w->pid, SIGKILL);
                (void) waitpid(w->pid, NULL, 0);
        }
        sd_event_source_unref(w->child);
        free(w);
        return NULL;
}

int worker_cancel(Worker *w) {
        if (!w || w->pid <= 0)
                return -ESRCH;
        w->canceled = true;
        return kill(w->pid, SIGKILL) < 0 ? -errno : 0;
}

pid_t worker_pid(Worker *w) {
        return w ? w->pid : 0;
}
