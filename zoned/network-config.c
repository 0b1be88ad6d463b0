/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ini-util.h"
#include "network-bridges.h"
#include "network-config.h"

#define BRIDGE_PREFIX "Bridge "

static const char *const network_keys[] = { "DefaultMode", "Uplinks", NULL };
static const char *const pools_keys[] = { "IPv4", "IPv6", NULL };
static const char *const bridge_keys[] = {
        "IPv4", "IPv6", "Masquerade", "Isolated", "AllowHost", "MTU", NULL
};

/* The file being read, for errors that name its lines. */
typedef struct Source {
        const char *path;
        const char *text;
} Source;

static void bridge_free(gpointer p) {
        NetworkBridge *b = p;

        if (!b)
                return;
        g_free(b->name);
        g_free(b);
}

static void bridge_freep(NetworkBridge **b) {
        bridge_free(*b);
}

NetworkConfig *network_config_free(NetworkConfig *c) {
        if (!c)
                return NULL;
        g_free(c->path);
        g_free(c->state_path);
        g_free(c->default_link);
        g_strfreev(c->uplinks);
        if (c->bridges)
                g_ptr_array_unref(c->bridges);
        g_free(c);
        return NULL;
}

const NetworkBridge *network_config_get_bridge(const NetworkConfig *c, const char *name) {
        for (guint i = 0; i < c->bridges->len; i++) {
                const NetworkBridge *b = c->bridges->pdata[i];

                if (streq(b->name, name))
                        return b;
        }
        return NULL;
}

/* As the zone files say them (zone-config.c): yes/no, true/false, 1/0. */
static int get_bool(GKeyFile *f, const Source *s, const char *group, const char *key, bool *ret,
                    char **ret_error) {
        g_autofree char *v = g_key_file_get_value(f, group, key, NULL);

        if (!v)
                return 0;
        if (streq(v, "yes") || streq(v, "true") || streq(v, "1"))
                *ret = true;
        else if (streq(v, "no") || streq(v, "false") || streq(v, "0"))
                *ret = false;
        else
                return ini_key_error(s->path, s->text, group, key, ret_error, "%s=%s is not a boolean", key,
                                     v);
        return 0;
}

/* A prefix of one family no wider than min and no narrower than max. Returns 1 if the key is
 * there, 0 if not. */
static int get_prefix(GKeyFile *f, const Source *s, const char *group, const char *key, int family,
                      unsigned min, unsigned max, InetPrefix *ret, char **ret_error) {
        g_autofree char *v = g_key_file_get_string(f, group, key, NULL);
        InetPrefix p;

        if (!v)
                return 0;
        if (inet_prefix_parse(v, &p) < 0 || p.family != family || !strchr(v, '/'))
                return ini_key_error(s->path, s->text, group, key, ret_error,
                                     "%s=%s is not an %s ADDRESS/LENGTH", key, v, key);
        if (p.prefixlen < min)
                return ini_key_error(s->path, s->text, group, key, ret_error, "%s=%s is wider than /%u", key,
                                     v, min);
        if (p.prefixlen > max)
                return ini_key_error(s->path, s->text, group, key, ret_error, "%s=%s is narrower than /%u",
                                     key, v, max);
        *ret = p;
        return 1;
}

/* Uplinks=: interface names, separated by white space; empty is none. */
static int parse_uplinks(GKeyFile *f, const Source *s, NetworkConfig *c, char **ret_error) {
        g_autofree char *v = g_key_file_get_string(f, "Network", "Uplinks", NULL);
        g_auto(GStrv) words = NULL;
        g_autoptr(GPtrArray) l = g_ptr_array_new_with_free_func(g_free);

        if (!v)
                return 0;
        words = g_strsplit_set(v, " \t", -1);
        for (char **w = words; *w; w++) {
                if (!**w)
                        continue;
                if (!ifname_is_valid(*w))
                        return ini_key_error(s->path, s->text, "Network", "Uplinks", ret_error,
                                             "Uplinks=: \"%s\" is not an interface name", *w);
                g_ptr_array_add(l, g_strdup(*w));
        }
        g_ptr_array_add(l, NULL);
        c->uplinks = (char **) g_ptr_array_steal(l, NULL);
        return 0;
}

static int parse_network(GKeyFile *f, const Source *s, NetworkConfig *c, char **ret_error) {
        g_autofree char *v = g_key_file_get_string(f, "Network", "DefaultMode", NULL);
        NetworkMode mode;
        int r;

        r = parse_uplinks(f, s, c, ret_error);
        if (r < 0 || !v)
                return r;
        if (network_mode_parse(v, &mode, &c->default_link) < 0)
                return ini_key_error(
                        s->path, s->text, "Network", "DefaultMode", ret_error,
                        "DefaultMode=%s is not none, bridge[:NAME], macvlan:IFACE or ipvlan:IFACE", v);
        /* Sharing the host's network is for a zone whose file says so, never a default. */
        if (mode == NETWORK_HOST)
                return ini_key_error(
                        s->path, s->text, "Network", "DefaultMode", ret_error,
                        "DefaultMode=host is refused: a zone shares the host's network only when "
                        "its own file says Mode=host");
        c->default_mode = mode;
        return 0;
}

static int parse_pools(GKeyFile *f, const Source *s, NetworkConfig *c, char **ret_error) {
        const struct {
                const char *key;
                int family;
                unsigned min, max;
                InetPrefix *p;
        } pools[] = {
                { "IPv4", AF_INET, NETWORK_PREFIX4_MIN, NETWORK_BRIDGE_PREFIX4, &c->pool4 },
                { "IPv6", AF_INET6, NETWORK_PREFIX6_MIN, NETWORK_BRIDGE_PREFIX6, &c->pool6 },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(pools); i++) {
                InetPrefix net;

                r = get_prefix(f, s, "Pools", pools[i].key, pools[i].family, pools[i].min, pools[i].max,
                               pools[i].p, ret_error);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                net = inet_prefix_network(pools[i].p);
                if (!inet_prefix_equal(&net, pools[i].p)) {
                        char buf[INET_PREFIX_STRLEN];

                        return ini_key_error(s->path, s->text, "Pools", pools[i].key, ret_error,
                                             "%s= has host bits set: the pool is %s", pools[i].key,
                                             inet_prefix_format(&net, buf));
                }
        }
        return 0;
}

/* The bridge's address is a host of its network: not the network itself nor (IPv4) its
 * broadcast address. */
static int check_bridge_address(const Source *s, const char *group, const char *key, const InetPrefix *p,
                                char **ret_error) {
        InetPrefix net = inet_prefix_network(p);
        InetPrefix last = *p;
        char buf[INET_PREFIX_STRLEN];

        for (unsigned i = p->prefixlen; i < (p->family == AF_INET ? 32u : 128u); i++)
                last.addr.bytes[i / 8] |= (uint8_t) (0x80u >> (i % 8));
        if (inet_prefix_equal(&net, p))
                return ini_key_error(s->path, s->text, group, key, ret_error,
                                     "%s=%s is its network's address, not a host's", key,
                                     inet_prefix_format(p, buf));
        if (p->family == AF_INET && inet_prefix_equal(&last, p))
                return ini_key_error(s->path, s->text, group, key, ret_error,
                                     "%s=%s is its network's broadcast address", key,
                                     inet_prefix_format(p, buf));
        return 0;
}

static int parse_bridge(GKeyFile *f, const Source *s, const char *group, NetworkBridge *b, bool *ret_has4,
                        bool *ret_has6, char **ret_error) {
        g_autofree char *mtu = g_key_file_get_string(f, group, "MTU", NULL);
        int r;

        r = get_prefix(f, s, group, "IPv4", AF_INET, NETWORK_PREFIX4_MIN, 30, &b->ipv4, ret_error);
        if (r < 0)
                return r;
        *ret_has4 = r > 0;
        if (r > 0 && (r = check_bridge_address(s, group, "IPv4", &b->ipv4, ret_error)) < 0)
                return r;
        /* IPv6 host parts are the IPv4 ones: at /96 there is room for those of a /16. */
        r = get_prefix(f, s, group, "IPv6", AF_INET6, NETWORK_PREFIX6_MIN, 96, &b->ipv6, ret_error);
        if (r < 0)
                return r;
        *ret_has6 = r > 0;
        if (r > 0 && (r = check_bridge_address(s, group, "IPv6", &b->ipv6, ret_error)) < 0)
                return r;
        if ((r = get_bool(f, s, group, "Masquerade", &b->masquerade, ret_error)) < 0 ||
            (r = get_bool(f, s, group, "Isolated", &b->isolated, ret_error)) < 0 ||
            (r = get_bool(f, s, group, "AllowHost", &b->allow_host, ret_error)) < 0)
                return r;
        if (mtu) {
                guint64 n;

                if (!g_ascii_string_to_unsigned(mtu, 10, 68, 65535, &n, NULL))
                        return ini_key_error(s->path, s->text, group, "MTU", ret_error,
                                             "MTU=%s is not a number of 68..65535", mtu);
                b->mtu = (uint32_t) n;
        }
        return 0;
}

/* Every section of the file, [Bridge NAME] ones included, with its keys. */
static int check_sections(GKeyFile *f, const Source *s, char **ret_error) {
        g_auto(GStrv) groups = g_key_file_get_groups(f, NULL);

        for (char **g = groups; g && *g; g++) {
                const char *const *keys = streq(*g, "Network")                  ? network_keys
                                          : streq(*g, "Pools")                  ? pools_keys
                                          : g_str_has_prefix(*g, BRIDGE_PREFIX) ? bridge_keys
                                                                                : NULL;
                g_auto(GStrv) names = NULL;

                if (!keys) {
                        *ret_error = g_strdup_printf(
                                "%s:%u: unknown section [%s], expected [Network], [Pools] "
                                "or [Bridge NAME]",
                                s->path, ini_key_line(s->text, *g, NULL), *g);
                        return -EBADMSG;
                }
                if (keys == bridge_keys && !ifname_is_valid(*g + strlen(BRIDGE_PREFIX))) {
                        *ret_error = g_strdup_printf("%s:%u: [%s]: \"%s\" is not an interface name", s->path,
                                                     ini_key_line(s->text, *g, NULL), *g,
                                                     *g + strlen(BRIDGE_PREFIX));
                        return -EBADMSG;
                }
                names = g_key_file_get_keys(f, *g, NULL, NULL);
                for (char **k = names; k && *k; k++)
                        if (!g_strv_contains(keys, *k))
                                return ini_key_error(s->path, s->text, *g, *k, ret_error,
                                                     "unknown key %s in [%s]", *k, *g);
        }
        return 0;
}

/* A bridge's address that its section leaves out comes from the pools: zbr0's is their first
 * network, another bridge's the next free one (network-bridges.c). */
static void bridge_defaults(const NetworkConfig *c, NetworkBridge *b, bool has4, bool has6) {
        bool is_default = streq(b->name, NETWORK_DEFAULT_BRIDGE);

        if (!has4)
                b->ipv4.family = AF_UNSPEC;
        if (!has6)
                b->ipv6.family = AF_UNSPEC;
        if (!has4 && is_default)
                network_bridges_first(c, AF_INET, &b->ipv4);
        if (!has6 && is_default)
                network_bridges_first(c, AF_INET6, &b->ipv6);
}

static int add_default_bridge(GKeyFile *f, NetworkConfig *c) {
        NetworkBridge *b;

        if (g_key_file_has_group(f, BRIDGE_PREFIX NETWORK_DEFAULT_BRIDGE))
                return 0;
        b = g_new0(NetworkBridge, 1);
        b->name = g_strdup(NETWORK_DEFAULT_BRIDGE);
        bridge_defaults(c, b, false, false);
        g_ptr_array_add(c->bridges, b);
        return 0;
}

static int parse_bridges(GKeyFile *f, const Source *s, NetworkConfig *c, char **ret_error) {
        g_auto(GStrv) groups = g_key_file_get_groups(f, NULL);
        int r;

        add_default_bridge(f, c);
        for (char **g = groups; g && *g; g++) {
                _cleanup_(bridge_freep) NetworkBridge *b = NULL;
                bool has4, has6;

                if (!g_str_has_prefix(*g, BRIDGE_PREFIX))
                        continue;
                b = g_new0(NetworkBridge, 1);
                b->configured = true;
                b->name = g_strdup(*g + strlen(BRIDGE_PREFIX));
                r = parse_bridge(f, s, *g, b, &has4, &has6, ret_error);
                if (r < 0)
                        return r;
                bridge_defaults(c, b, has4, has6);
                r = network_bridges_check_overlap(c, b, s->path, s->text, ret_error);
                if (r < 0)
                        return r;
                g_ptr_array_add(c->bridges, TAKE_PTR(b));
        }
        return 0;
}

static int parse_file(const char *path, NetworkConfig *c, char **ret_error) {
        g_autoptr(GKeyFile) f = NULL;
        g_autofree char *text = NULL;
        Source s;
        int r;

        r = ini_load(path, &f, &text, ret_error);
        if (r == -ENOENT) { /* the defaults: as an empty file */
                g_clear_pointer(ret_error, g_free);
                f = g_key_file_new();
                text = g_strdup("");
        } else if (r < 0)
                return r;
        s = (Source) { path, text };
        r = check_sections(f, &s, ret_error);
        if (r < 0)
                return r;
        r = parse_network(f, &s, c, ret_error);
        if (r < 0)
                return r;
        r = parse_pools(f, &s, c, ret_error);
        if (r < 0)
                return r;
        return parse_bridges(f, &s, c, ret_error);
}

int network_config_load(const char *path, const char *state_dir, NetworkConfig **ret, char **ret_error) {
        _cleanup_(network_config_freep) NetworkConfig *c = g_new0(NetworkConfig, 1);
        int r;

        c->path = g_strdup(path);
        if (state_dir)
                c->state_path = g_build_filename(state_dir, ".network", "bridges.ini", NULL);
        c->default_mode = NETWORK_NONE;
        c->bridges = g_ptr_array_new_with_free_func(bridge_free);
        (void) inet_prefix_parse(NETWORK_POOL4_DEFAULT, &c->pool4);
        (void) inet_prefix_parse(NETWORK_POOL6_DEFAULT, &c->pool6);
        r = parse_file(path, c, ret_error);
        if (r < 0)
                return r;
        r = network_bridges_complete(c, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}
