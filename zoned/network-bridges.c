/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ini-util.h"
#include "network-bridges.h"
#include "network-pool.h"

#define BRIDGE_PREFIX "Bridge "
/* A bridge's networks are searched for in at most this many of the pool's: a /48 has 65536
 * /64s, enough for any host. */
#define SUBNET_SCAN_MAX 65536

static const char *const state_keys[] = { "IPv4", "IPv6", NULL };

static const char *family_key(int family) {
        return family == AF_INET ? "IPv4" : "IPv6";
}

static const InetPrefix *bridge_prefix(const NetworkBridge *b, int family) {
        return family == AF_INET ? &b->ipv4 : &b->ipv6;
}

static InetPrefix *bridge_prefix_mut(NetworkBridge *b, int family) {
        return family == AF_INET ? &b->ipv4 : &b->ipv6;
}

static bool *bridge_auto(NetworkBridge *b, int family) {
        return family == AF_INET ? &b->auto4 : &b->auto6;
}

void network_bridges_first(const NetworkConfig *c, int family, InetPrefix *ret) {
        const InetPrefix *pool = family == AF_INET ? &c->pool4 : &c->pool6;
        InetPrefix p;

        /* The pools hold a bridge's network at least (network-config.c checks their lengths). */
        (void) inet_prefix_subnet(pool, family == AF_INET ? NETWORK_BRIDGE_PREFIX4 : NETWORK_BRIDGE_PREFIX6,
                                  0, &p);
        inet_or_bits(&p.addr, family == AF_INET ? 32 : 128, 1, 1);
        *ret = p;
}

/* The bridge (other than self) whose network of that family overlaps p, or NULL. */
static const NetworkBridge *find_overlap(const NetworkConfig *c, const NetworkBridge *self,
                                         const InetPrefix *p) {
        for (guint i = 0; i < c->bridges->len; i++) {
                const NetworkBridge *o = c->bridges->pdata[i];
                const InetPrefix *q = bridge_prefix(o, p->family);

                if (o != self && q->family == p->family && inet_prefix_overlaps(p, q))
                        return o;
        }
        return NULL;
}

int network_bridges_check_overlap(const NetworkConfig *c, const NetworkBridge *b, const char *path,
                                  const char *text, char **ret_error) {
        const int families[] = { AF_INET, AF_INET6 };
        g_autofree char *group = g_strconcat(BRIDGE_PREFIX, b->name, NULL);

        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                const InetPrefix *p = bridge_prefix(b, families[i]);
                const NetworkBridge *o;
                char buf[INET_PREFIX_STRLEN], obuf[INET_PREFIX_STRLEN];
                unsigned line;

                if (p->family != families[i])
                        continue;
                o = find_overlap(c, b, p);
                if (!o)
                        continue;
                line = ini_key_line(text, group, family_key(p->family));
                if (line == 0)
                        line = ini_key_line(text, group, NULL);
                *ret_error = g_strdup_printf("%s:%u: bridge %s's %s overlaps bridge %s's %s%s", path, line,
                                             b->name, inet_prefix_format(p, buf), o->name,
                                             inet_prefix_format(bridge_prefix(o, p->family), obuf),
                                             !o->configured && streq(o->name, NETWORK_DEFAULT_BRIDGE)
                                                     ? " (its default: a [Bridge " NETWORK_DEFAULT_BRIDGE
                                                       "] section gives it others)"
                                                     : "");
                return -EBADMSG;
        }
        return 0;
}

/* The first sub-network of the pool that no bridge's overlaps, with host address 1. */
static int allocate(const NetworkConfig *c, int family, InetPrefix *ret) {
        const InetPrefix *pool = family == AF_INET ? &c->pool4 : &c->pool6;
        uint8_t len = family == AF_INET ? NETWORK_BRIDGE_PREFIX4 : NETWORK_BRIDGE_PREFIX6;
        InetPrefix p;

        for (uint64_t i = 0; i < SUBNET_SCAN_MAX && inet_prefix_subnet(pool, len, i, &p); i++)
                if (!find_overlap(c, NULL, &p)) {
                        inet_or_bits(&p.addr, family == AF_INET ? 32 : 128, 1, 1);
                        *ret = p;
                        return 0;
                }
        return -ENOSPC;
}

static int allocate_missing(NetworkConfig *c, NetworkBridge *b, bool *changed) {
        const int families[] = { AF_INET, AF_INET6 };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                InetPrefix *p = bridge_prefix_mut(b, families[i]);

                if (p->family != AF_UNSPEC)
                        continue;
                r = allocate(c, families[i], p);
                if (r < 0)
                        return r;
                *bridge_auto(b, families[i]) = true;
                *changed = true;
        }
        return 0;
}

static NetworkBridge *find_bridge(NetworkConfig *c, const char *name) {
        return (NetworkBridge *) network_config_get_bridge(c, name);
}

/* One [Bridge NAME] section of the state file: its addresses go to the bridge of that name if
 * it has none of its own (else the entry is dropped), or make an automatic bridge. */
static int load_state_bridge(NetworkConfig *c, GKeyFile *f, const char *text, const char *group,
                             bool *changed, char **ret_error) {
        const int families[] = { AF_INET, AF_INET6 };
        const char *name;
        NetworkBridge *b;

        if (!g_str_has_prefix(group, BRIDGE_PREFIX) || !ifname_is_valid(group + strlen(BRIDGE_PREFIX))) {
                *ret_error = g_strdup_printf("%s:%u: unknown section [%s]", c->state_path,
                                             ini_key_line(text, group, NULL), group);
                return -EBADMSG;
        }
        name = group + strlen(BRIDGE_PREFIX);
        b = find_bridge(c, name);
        if (!b) {
                b = g_new0(NetworkBridge, 1);
                b->name = g_strdup(name);
                g_ptr_array_add(c->bridges, b);
        }
        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                g_autofree char *v = g_key_file_get_string(f, group, family_key(families[i]), NULL);
                InetPrefix p;

                if (!v)
                        continue;
                if (inet_prefix_parse(v, &p) < 0 || p.family != families[i])
                        return ini_key_error(c->state_path, text, group, family_key(families[i]), ret_error,
                                             "%s=%s is not an address of its family",
                                             family_key(families[i]), v);
                if (bridge_prefix(b, families[i])->family != AF_UNSPEC) {
                        *changed = true; /* the file gives it one now */
                        continue;
                }
                *bridge_prefix_mut(b, families[i]) = p;
                *bridge_auto(b, families[i]) = true;
        }
        return network_bridges_check_overlap(c, b, c->state_path, text, ret_error);
}

static int check_state_keys(GKeyFile *f, const char *text, const char *path, const char *group,
                            char **ret_error) {
        g_auto(GStrv) keys = g_key_file_get_keys(f, group, NULL, NULL);

        for (char **k = keys; k && *k; k++)
                if (!g_strv_contains(state_keys, *k))
                        return ini_key_error(path, text, group, *k, ret_error, "unknown key %s in [%s]", *k,
                                             group);
        return 0;
}

static int load_state(NetworkConfig *c, bool *changed, char **ret_error) {
        g_autoptr(GKeyFile) f = NULL;
        g_autofree char *text = NULL;
        g_auto(GStrv) groups = NULL;
        int r;

        r = ini_load_full(c->state_path, INI_NO_SYMLINK, &f, &text, ret_error);
        if (r == -ENOENT) {
                g_clear_pointer(ret_error, g_free);
                return 0;
        }
        if (r < 0)
                return r;
        groups = g_key_file_get_groups(f, NULL);
        for (char **g = groups; *g; g++) {
                r = check_state_keys(f, text, c->state_path, *g, ret_error);
                if (r < 0)
                        return r;
                r = load_state_bridge(c, f, text, *g, changed, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int network_bridges_save(const NetworkConfig *c) {
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autofree char *text = NULL, *dir = NULL;
        bool any = false;
        int r;

        if (!c->state_path)
                return 0;
        for (guint i = 0; i < c->bridges->len; i++) {
                const NetworkBridge *b = c->bridges->pdata[i];
                g_autofree char *group = g_strconcat(BRIDGE_PREFIX, b->name, NULL);
                char buf[INET_PREFIX_STRLEN];

                if (b->auto4)
                        g_key_file_set_string(f, group, "IPv4", inet_prefix_format(&b->ipv4, buf));
                if (b->auto6)
                        g_key_file_set_string(f, group, "IPv6", inet_prefix_format(&b->ipv6, buf));
                any = any || b->auto4 || b->auto6;
        }
        if (!any)
                return unlink(c->state_path) < 0 && errno != ENOENT ? -errno : 0;
        dir = g_path_get_dirname(c->state_path);
        r = mkdir_parents_and_self(dir, 0700);
        if (r < 0)
                return r;
        text = g_key_file_to_data(f, NULL, NULL);
        return write_file_atomic(c->state_path, text, 0644);
}

int network_bridges_complete(NetworkConfig *c, char **ret_error) {
        bool changed = false;
        int r;

        if (c->state_path) {
                r = load_state(c, &changed, ret_error);
                if (r < 0)
                        return r;
        }
        for (guint i = 0; i < c->bridges->len; i++) {
                NetworkBridge *b = c->bridges->pdata[i];

                r = allocate_missing(c, b, &changed);
                if (r < 0) {
                        *ret_error = g_strdup_printf("%s: the pools have no free network left for bridge %s",
                                                     c->path, b->name);
                        return r;
                }
        }
        if (!changed)
                return 0;
        r = network_bridges_save(c);
        if (r < 0)
                *ret_error = g_strdup_printf("%s: %s", c->state_path, g_strerror(-r));
        return r;
}

int network_config_add_bridge(NetworkConfig *c, const char *name, const NetworkBridge **ret) {
        g_autofree NetworkBridge *b = NULL;
        bool changed = false;
        int r;

        if (!ifname_is_valid(name))
                return -EINVAL;
        *ret = network_config_get_bridge(c, name);
        if (*ret)
                return 0;
        b = g_new0(NetworkBridge, 1);
        r = allocate_missing(c, b, &changed);
        if (r < 0)
                return r;
        b->name = g_strdup(name);
        g_ptr_array_add(c->bridges, b);
        r = network_bridges_save(c);
        if (r < 0) {
                g_ptr_array_remove(c->bridges, g_steal_pointer(&b));
                return r;
        }
        *ret = g_steal_pointer(&b);
        return 0;
}

int network_config_forget_unused(NetworkConfig *c, char *const *used) {
        bool changed = false;

        for (guint i = c->bridges->len; i > 0; i--) {
                const NetworkBridge *b = c->bridges->pdata[i - 1];

                if (b->configured || !(b->auto4 || b->auto6) || strv_contains(used, b->name))
                        continue;
                g_ptr_array_remove_index(c->bridges, i - 1);
                changed = true;
        }
        return changed ? network_bridges_save(c) : 0;
}
