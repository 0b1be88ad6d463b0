/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A zone's users, read from its own files (never through NSS, which would load the zone's
 * libraries into a host process), and what a session of one gets. See zone-user.h. */

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>

#include "fd-util.h"
#include "macro.h"
#include "zone-user.h"

void zone_user_done(ZoneUser *u) {
        free(u->name);
        free(u->home);
        free(u->shell);
        free(u->groups);
        *u = (ZoneUser) {};
}

/* Opens a file of the zone, with every path component resolved inside root. */
static int open_in_root(const char *root, const char *path, FILE **ret) {
        _cleanup_close_ int root_fd = -EBADF, fd = -EBADF;
        FILE *f;

        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        fd = openat_in_root(root_fd, path, O_RDONLY, 0);
        if (fd < 0)
                return fd;
        f = fdopen(fd, "re");
        if (!f)
                return -errno;
        TAKE_FD(fd);
        *ret = f;
        return 0;
}

static int parse_id(const char *s, uid_t *ret) {
        unsigned long long v = 0;

        if (isempty(s))
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long long) (*s - '0');
                if (v >= UINT32_MAX) /* (uid_t) -1 is no user */
                        return -ERANGE;
        }
        *ret = (uid_t) v;
        return 0;
}

static int user_fill(ZoneUser *u, const char *name, uid_t uid, gid_t gid, const char *home,
                     const char *shell) {
        u->name = strdup(name);
        u->home = strdup(isempty(home) ? "/" : home);
        u->shell = strdup(isempty(shell) ? "/bin/sh" : shell);
        u->groups = new (gid_t, 1);
        if (!u->name || !u->home || !u->shell || !u->groups)
                return -ENOMEM;
        u->uid = uid;
        u->gid = gid;
        u->groups[0] = gid;
        u->n_groups = 1;
        return 0;
}

static int lookup_passwd(const char *root, const char *user, ZoneUser *u) {
        _cleanup_fclose_ FILE *f = NULL;
        uid_t want = 0;
        bool numeric = parse_id(user, &want) >= 0, found = false;
        struct passwd *pw;
        int r;

        r = open_in_root(root, "/etc/passwd", &f);
        if (r == -ENOENT && (streq(user, "root") || (numeric && want == 0)))
                /* A minimal tree without a user database still has root. */
                return user_fill(u, "root", 0, 0, "/root", "/bin/sh");
        if (r < 0)
                return r;
        while ((pw = fgetpwent(f))) {
                if (streq(pw->pw_name, user)) {
                        zone_user_done(u);
                        return user_fill(u, pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_dir, pw->pw_shell);
                }
                /* A number names a user only if no user is called that. */
                if (numeric && !found && pw->pw_uid == want) {
                        r = user_fill(u, pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_dir, pw->pw_shell);
                        if (r < 0)
                                return r;
                        found = true;
                }
        }
        if (ferror(f))
                return -EIO;
        return found ? 0 : -ESRCH;
}

static int lookup_groups(const char *root, ZoneUser *u) {
        _cleanup_fclose_ FILE *f = NULL;
        struct group *gr;
        int r;

        r = open_in_root(root, "/etc/group", &f);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        while ((gr = fgetgrent(f))) {
                bool member = false;
                gid_t *n;

                for (char **m = gr->gr_mem; m && *m && !member; m++)
                        member = streq(*m, u->name);
                for (size_t i = 0; i < u->n_groups && member; i++)
                        if (u->groups[i] == gr->gr_gid)
                                member = false;
                if (!member)
                        continue;
                n = realloc(u->groups, (u->n_groups + 1) * sizeof(gid_t));
                if (!n)
                        return -ENOMEM;
                u->groups = n;
                u->groups[u->n_groups++] = gr->gr_gid;
        }
        return ferror(f) ? -EIO : 0;
}

int zone_user_lookup(const char *root, const char *user, ZoneUser *ret) {
        ZoneUser u = {};
        int r;

        if (isempty(user) || strchr(user, ':') || strchr(user, '\n'))
                return -EINVAL;
        r = lookup_passwd(root, user, &u);
        if (r >= 0)
                r = lookup_groups(root, &u);
        if (r < 0) {
                zone_user_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

int zone_user_become(const ZoneUser *u) {
        if (setgroups(u->n_groups, u->groups) < 0)
                return -errno;
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return -errno;
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return -errno;
        return 0;
}

static int strv_extend_pair(char ***l, const char *key, const char *value) {
        _cleanup_free_ char *s = NULL;

        if (asprintf(&s, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_extend(l, s);
}

int zone_user_environment(const ZoneUser *u, const char *term, char ***ret) {
        _cleanup_strv_free_ char **env = new0(char *, 1);
        int r;

        if (!env)
                return -ENOMEM;
        if ((r = strv_extend_pair(&env, "HOME", u->home)) < 0 ||
            (r = strv_extend_pair(&env, "SHELL", u->shell)) < 0 ||
            (r = strv_extend_pair(&env, "USER", u->name)) < 0 ||
            (r = strv_extend_pair(&env, "LOGNAME", u->name)) < 0 ||
            (r = strv_extend_pair(&env, "PATH", ZONE_DEFAULT_PATH)) < 0 ||
            (term && (r = strv_extend_pair(&env, "TERM", term)) < 0) ||
            (r = strv_extend_pair(&env, "container", "zoned")) < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}

static char **strv_find_key(char **l, const char *entry) {
        size_t k = strcspn(entry, "=");

        for (char **e = l; e && *e; e++)
                if (strncmp(*e, entry, k) == 0 && (*e)[k] == '=')
                        return e;
        return NULL;
}

int zone_user_environment_merge(const ZoneUser *u, const char *term, char *const *extra, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        int r;

        r = zone_user_environment(u, term, &env);
        if (r < 0)
                return r;
        for (char *const *e = extra; e && *e; e++) {
                char **old;

                if (**e == '=' || !strchr(*e, '='))
                        return -EINVAL;
                old = strv_find_key(env, *e);
                if (old) {
                        char *copy = strdup(*e);
                        if (!copy)
                                return -ENOMEM;
                        free(*old);
                        *old = copy;
                } else if ((r = strv_extend(&env, *e)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(env);
        return 0;
}
