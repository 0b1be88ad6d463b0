/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the harness files share among themselves; tests use harness.h. */

#include "harness.h"

/* The environment of a child: ours, with env_set applied ("K=V" sets, "K" unsets). */
char **harness_child_env(const char *const *env_set);

/* Adds "KEY=VALUE" to b, or "KEY" (unset) when value is NULL. */
void harness_env_add(GStrvBuilder *b, const char *key, const char *value);

/* fork + exec of a long-running program (dbus-daemon, zoned): stdin from
 * /dev/null, stdout to out_fd (-1: our stderr), stderr to ours. The pid is
 * remembered so that the orphan reaper leaves it alone; harness_forget_pid()
 * after waiting for it. Returns -errno on failure. */
pid_t harness_spawn_daemon(const char *const *argv, char **envp, int out_fd);
/* The same with stderr to err_fd. */
pid_t harness_spawn_daemon_full(const char *const *argv, char **envp, int out_fd, int err_fd);
void harness_forget_pid(pid_t pid);
/* Waits up to timeout_ms for a child; returns its wait status, or -ETIMEDOUT. */
int harness_wait_pid(pid_t pid, guint timeout_ms);
int harness_pidfd_open(pid_t pid);

/* Kills every process descended from us but the ones spawned with
 * harness_spawn_daemon, waits until they are gone, and returns a
 * description of the live ones it found (NULL if none). */
char *harness_kill_descendants(void);

/* Removes the cgroup root name from every hierarchy; returns a description of
 * what was still in it (sub-cgroups, processes; NULL if it was clean). */
char *harness_clean_cgroup_root(const char *root);
/* Unmounts everything at or below path; returns what was mounted (NULL if nothing). */
char *harness_clean_mounts(const char *path);
/* Loop devices whose backing file is below path (a zone's disk image, say): waited for a moment
 * (they detach when their last user goes), then detached; NULL if there were none, else text. */
char *harness_clean_loop_devices(const char *path);
/* rm -rf without crossing mount points. */
int harness_rm_rf(const char *path);

/* Temp dirs are "<tmp>/zoned-itest-<pid>-XXXXXX"; the guardian removes the
 * ones of a test process that died without its teardown. */
#define HARNESS_TMPDIR_PREFIX "zoned-itest-"

/* A GDBus connection to zoned: through the bus (bus=true) or directly to its
 * private socket; subscribes to the Manager's and ObjectManager's signals. */
void harness_connect(Harness *h, const char *address, bool bus);
void harness_disconnect(Harness *h);

static inline int safe_close_fd(int fd) {
        if (fd >= 0)
                (void) close(fd);
        return -1;
}
