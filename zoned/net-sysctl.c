/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host sysctls zoned changes for its bridges, recorded (net-sysctl.h). */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "net-address.h"
#include "net-sysctl.h"

#define PROC_SYS "/proc/sys/"
#define RECORD_MAX (64 * 1024)

/* A path under /proc/sys/net that stays there. */
static bool key_is_valid(const char *key) {
        const char *p = key;

        if (!key || strncmp(key, "net/", 4) != 0)
                return false;
        while (*p) {
                size_t n = strcspn(p, "/");

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += n;
                if (*p == '/')
                        p++;
        }
        return p[-1] != '/' && !strpbrk(key, " \n");
}

static int sysctl_path(const char *key, char **ret) {
        if (!key_is_valid(key))
                return -EINVAL;
        return asprintf(ret, PROC_SYS "%s", key) < 0 ? -ENOMEM : 0;
}

int net_sysctl_read(const char *key, char **ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r;

        r = sysctl_path(key, &path);
        if (r < 0)
                return r;
        r = read_full_file(path, 4096, &text);
        if (r < 0)
                return r;
        text[strcspn(text, "\n")] = 0;
        *ret = TAKE_PTR(text);
        return 0;
}

int net_sysctl_write(const char *key, const char *value) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = sysctl_path(key, &path);
        if (r < 0)
                return r;
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return loop_write(fd, value, strlen(value));
}

static void entry_done(NetSysctl *e) {
        free(e->key);
        free(e->original);
        free(e->value);
        *e = (NetSysctl) {};
}

NetSysctls *net_sysctls_free(NetSysctls *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_entries; i++)
                entry_done(&s->entries[i]);
        free(s->entries);
        free(s->state_path);
        free(s);
        return NULL;
}

static int entry_add(NetSysctls *s, const char *key, const char *original, const char *value) {
        NetSysctl *n, e = {};

        e.key = strdup(key);
        e.original = strdup(original);
        e.value = strdup(value);
        n = reallocarray(s->entries, s->n_entries + 1, sizeof(NetSysctl));
        if (!e.key || !e.original || !e.value || !n) {
                if (n)
                        s->entries = n;
                entry_done(&e);
                return -ENOMEM;
        }
        s->entries = n;
        s->entries[s->n_entries++] = e;
        return 0;
}

static void entry_remove(NetSysctls *s, size_t i) {
        entry_done(&s->entries[i]);
        memmove(&s->entries[i], &s->entries[i + 1], (s->n_entries - i - 1) * sizeof(NetSysctl));
        s->n_entries--;
}

static NetSysctl *entry_find(NetSysctls *s, const char *key) {
        for (size_t i = 0; i < s->n_entries; i++)
                if (streq(s->entries[i].key, key))
                        return &s->entries[i];
        return NULL;
}

/* One "KEY ORIGINAL VALUE" line each; an empty record is no file. */
static int record_save(NetSysctls *s) {
        _cleanup_free_ char *text = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        size_t size = 0;

        if (s->n_entries == 0)
                return unlink(s->state_path) < 0 && errno != ENOENT ? -errno : 0;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_entries; i++)
                fprintf(f, "%s %s %s\n", s->entries[i].key, s->entries[i].original, s->entries[i].value);
        if (fflush(f) != 0 || ferror(f))
                return -ENOMEM;
        fclose(TAKE_PTR(f));
        return write_file_atomic(s->state_path, text, 0644);
}

static int record_load(NetSysctls *s) {
        _cleanup_free_ char *text = NULL;
        char *saveptr = NULL;
        int r;

        r = read_full_file(s->state_path, RECORD_MAX, &text);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (char *line = strtok_r(text, "\n", &saveptr); line; line = strtok_r(NULL, "\n", &saveptr)) {
                _cleanup_free_ char *key = NULL, *original = NULL, *value = NULL;

                if (sscanf(line, "%ms %ms %ms", &key, &original, &value) != 3 || !key_is_valid(key))
                        return -EBADMSG;
                r = entry_add(s, key, original, value);
                if (r < 0)
                        return r;
        }
        return 0;
}

int net_sysctls_new(const char *state_path, NetSysctls **ret) {
        _cleanup_(net_sysctls_freep) NetSysctls *s = NULL;
        int r;

        s = new0(NetSysctls, 1);
        if (!s)
                return -ENOMEM;
        s->state_path = strdup(state_path);
        if (!s->state_path)
                return -ENOMEM;
        r = record_load(s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

static bool wanted_has(char *const *wanted, const char *key) {
        size_t n = strlen(key);

        for (char *const *w = wanted; w && *w; w++)
                if (strncmp(*w, key, n) == 0 && (*w)[n] == '=')
                        return true;
        return false;
}

/* A recorded sysctl back to its original value; gone with its interface is as good. */
static int restore_unwanted(NetSysctls *s, char *const *wanted) {
        for (size_t i = s->n_entries; i > 0; i--) {
                NetSysctl *e = &s->entries[i - 1];
                int r;

                if (wanted_has(wanted, e->key))
                        continue;
                r = net_sysctl_write(e->key, e->original);
                if (r < 0 && r != -ENOENT)
                        return r;
                entry_remove(s, i - 1);
                r = record_save(s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int set_one(NetSysctls *s, const char *key, const char *value) {
        _cleanup_free_ char *current = NULL;
        int r;

        r = net_sysctl_read(key, &current);
        if (r < 0)
                return r;
        if (streq(current, value))
                return 0;
        /* Recorded before it changes: a kill -9 between the two leaves a record of a sysctl that
         * still has its original value, which restoring writes again, harmlessly. */
        if (!entry_find(s, key)) {
                r = entry_add(s, key, current, value);
                if (r < 0)
                        return r;
                r = record_save(s);
                if (r < 0) {
                        entry_remove(s, s->n_entries - 1);
                        return r;
                }
        }
        return net_sysctl_write(key, value);
}

int net_sysctls_apply(NetSysctls *s, char *const *wanted) {
        int r;

        r = restore_unwanted(s, wanted);
        if (r < 0)
                return r;
        for (char *const *w = wanted; w && *w; w++) {
                _cleanup_free_ char *key = NULL;
                const char *eq = strchr(*w, '=');

                if (!eq || isempty(eq + 1) || strchr(eq + 1, ' '))
                        return -EINVAL;
                key = strndup(*w, eq - *w);
                if (!key)
                        return -ENOMEM;
                r = set_one(s, key, eq + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

int net_sysctls_restore_all(NetSysctls *s) {
        return net_sysctls_apply(s, NULL);
}

/* "net/FAMILY/conf/IFNAME/NAME=1" */
static int want(char ***wanted, const char *family, const char *ifname, const char *name) {
        _cleanup_free_ char *w = NULL;

        if (asprintf(&w, "net/%s/conf/%s/%s=1", family, ifname, name) < 0)
                return -ENOMEM;
        return strv_extend(wanted, w);
}

static bool have_force_forwarding(void) {
        return access(PROC_SYS "net/ipv6/conf/all/force_forwarding", F_OK) == 0;
}

static int want_forwarding(const char *ifname, bool ipv6, char ***wanted) {
        int r;

        r = want(wanted, "ipv4", ifname, "forwarding");
        if (r < 0 || !ipv6 || !have_force_forwarding())
                return r;
        return want(wanted, "ipv6", ifname, "force_forwarding");
}

int net_sysctls_want_bridge(const char *bridge, bool ipv6, char ***wanted) {
        int r;

        if (!ifname_is_valid(bridge))
                return -EINVAL;
        r = want_forwarding(bridge, ipv6, wanted);
        if (r < 0)
                return r;
        return want(wanted, "ipv4", bridge, "route_localnet");
}

int net_sysctls_want_uplink(const char *ifname, bool ipv6, char ***wanted) {
        if (!ifname_is_valid(ifname))
                return -EINVAL;
        return want_forwarding(ifname, ipv6, wanted);
}
