/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* A zone's user database, read from the zone's own files (never through NSS, which would load
 * the zone's libraries into a host process), and what a session of a user gets. */

typedef struct ZoneUser {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;
        char *shell;
        gid_t *groups; /* the primary group first, then those of the group file that list the user */
        size_t n_groups;
} ZoneUser;

void zone_user_done(ZoneUser *u);

/* Looks a user up by name (or, for a number that names nobody, by uid) in
 * <root>/etc/passwd and its groups in <root>/etc/group, resolving the paths
 * inside root. A root without /etc/passwd still has root (uid 0). -ESRCH if
 * there is no such user. */
int zone_user_lookup(const char *root, const char *user, ZoneUser *ret);

/* setgroups, setresgid, setresuid. */
int zone_user_become(const ZoneUser *u);

/* The environment of a command run as u in the zone: HOME, SHELL, USER,
 * LOGNAME, PATH, TERM (if term is set) and container=zoned. */
int zone_user_environment(const ZoneUser *u, const char *term, char ***ret);

#define ZONE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The environment of u's session (zone_user_environment) with the entries
 * of extra ("KEY=VALUE") added, replacing those of the same key. -EINVAL for
 * an entry that is not KEY=VALUE. */
int zone_user_environment_merge(const ZoneUser *u, const char *term, char *const *extra, char ***ret);
