/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "ini-util.h"
#include "macro.h"
#include "zone-config-network.h"

#define GROUP "Network"

/* IPv4's minimum; a zone with IPv6 addresses needs 1280, which the kernel enforces. */
#define MTU_MIN 68U
#define MTU_MAX 65535U

void zone_network_done(ZoneNetwork *n) {
        g_clear_pointer(&n->link, g_free);
        g_clear_pointer(&n->addresses, g_free);
        g_clear_pointer(&n->ports, g_free);
        g_clear_pointer(&n->dns, g_free);
        *n = (ZoneNetwork) {};
}

int zone_network_copy(const ZoneNetwork *from, ZoneNetwork *to) {
        *to = *from;
        to->link = g_strdup(from->link);
        to->addresses = g_memdup2(from->addresses, from->n_addresses * sizeof(InetPrefix));
        to->ports = g_memdup2(from->ports, from->n_ports * sizeof(PortForward));
        to->dns = g_memdup2(from->dns, from->n_dns * sizeof(InetPrefix));
        return 0;
}

typedef struct NetworkLoad {
        GKeyFile *f;
        const char *text, *path;
        char **ret_error;
} NetworkLoad;

#define KEY_ERROR(l, key, ...) ini_key_error((l)->path, (l)->text, GROUP, key, (l)->ret_error, __VA_ARGS__)

static int load_mode(const NetworkLoad *l, const char *value, ZoneNetwork *n) {
        if (network_mode_parse(value, &n->mode, &n->link) < 0)
                return KEY_ERROR(l, "Mode",
                                 "Mode=%s is not none, host, bridge[:NAME], macvlan:IFACE or ipvlan:IFACE",
                                 value);
        return 0;
}

/* A list of "ADDRESS/LEN" (dns: addresses alone). */
static int load_prefixes(const NetworkLoad *l, const char *key, bool address_only, InetPrefix **ret,
                         size_t *ret_n) {
        g_auto(GStrv) items = g_key_file_get_string_list(l->f, GROUP, key, NULL, NULL);
        size_t n = items ? g_strv_length(items) : 0;
        g_autofree InetPrefix *a = g_new0(InetPrefix, MAX(n, 1));

        for (size_t i = 0; i < n; i++) {
                if (inet_prefix_parse(items[i], &a[i]) < 0 || (address_only && strchr(items[i], '/')))
                        return KEY_ERROR(l, key, "%s=: %s is not an IP %s", key, items[i],
                                         address_only ? "address" : "address with its prefix length");
                for (size_t j = 0; j < i; j++)
                        if (inet_prefix_equal(&a[i], &a[j]))
                                return KEY_ERROR(l, key, "%s=: %s is given twice", key, items[i]);
        }
        *ret = n > 0 ? g_steal_pointer(&a) : NULL;
        *ret_n = n;
        return 0;
}

static int load_addresses(const NetworkLoad *l, const char *value, ZoneNetwork *n) {
        if (streq(value, "dhcp")) {
                n->dhcp = true;
                return 0;
        }
        return load_prefixes(l, "Address", false, &n->addresses, &n->n_addresses);
}

static int load_mac(const NetworkLoad *l, const char *value, ZoneNetwork *n) {
        if (mac_address_parse(value, n->mac) < 0 || (n->mac[0] & 1))
                return KEY_ERROR(l, "MACAddress", "MACAddress=%s is not a unicast MAC address", value);
        n->mac_set = true;
        return 0;
}

static int load_mtu(const NetworkLoad *l, const char *value, ZoneNetwork *n) {
        guint64 v;

        if (!g_ascii_isdigit(value[0]) || !g_ascii_string_to_unsigned(value, 10, MTU_MIN, MTU_MAX, &v, NULL))
                return KEY_ERROR(l, "MTU", "MTU=%s is not a number from %u to %u", value, MTU_MIN, MTU_MAX);
        n->mtu = (uint32_t) v;
        return 0;
}

static int load_ports(const NetworkLoad *l, const char *value, ZoneNetwork *n) {
        g_auto(GStrv) items = g_key_file_get_string_list(l->f, GROUP, "Port", NULL, NULL);

        for (char **i = items; i && *i; i++) {
                PortForward p;

                if (port_forward_parse(*i, &p) < 0)
                        return KEY_ERROR(l, "Port", "Port=: %s is not PROTOCOL:HOSTPORT[:ZONEPORT]", *i);
                for (size_t j = 0; j < n->n_ports; j++)
                        if (port_forward_same_key(&p, &n->ports[j]))
                                return KEY_ERROR(l, "Port", "Port=: host port %s:%u is forwarded twice",
                                                 ip_protocol_to_string(p.protocol), p.host_port);
                (void) zone_network_set_port(n, &p);
        }
        return 0;
}

static int load_dns(const NetworkLoad *l, const char *value, ZoneNetwork *n) {
        return load_prefixes(l, "DNS", true, &n->dns, &n->n_dns);
}

static const struct {
        const char *key;
        int (*load)(const NetworkLoad *l, const char *value, ZoneNetwork *n);
} network_keys[] = {
        { "Mode", load_mode }, { "Address", load_addresses }, { "MACAddress", load_mac },
        { "MTU", load_mtu },   { "Port", load_ports },        { "DNS", load_dns },
};

/* What the mode makes of the other keys. */
static int check_mode(const NetworkLoad *l, const ZoneNetwork *n) {
        bool has_link = n->mode == NETWORK_BRIDGE || n->mode == NETWORK_MACVLAN || n->mode == NETWORK_IPVLAN;

        if (!has_link && (n->dhcp || n->n_addresses > 0))
                return KEY_ERROR(l, "Address", "Address= needs Mode=bridge, macvlan or ipvlan");
        if (!has_link && n->mac_set)
                return KEY_ERROR(l, "MACAddress", "MACAddress= needs Mode=bridge, macvlan or ipvlan");
        if (!has_link && n->mtu > 0)
                return KEY_ERROR(l, "MTU", "MTU= needs Mode=bridge, macvlan or ipvlan");
        if (n->n_ports > 0 && n->mode != NETWORK_BRIDGE)
                return KEY_ERROR(l, "Port", "Port= needs Mode=bridge");
        /* The forwards point at the zone's address: one its own DHCP client got is not zoned's. */
        if (n->n_ports > 0 && n->dhcp)
                return KEY_ERROR(l, "Port", "Port= does not go with Address=dhcp");
        if (n->mode == NETWORK_IPVLAN && n->mac_set)
                return KEY_ERROR(l, "MACAddress", "MACAddress= does not go with Mode=ipvlan (its parent's)");
        return 0;
}

static int lookup_key(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(network_keys); i++)
                if (streq(network_keys[i].key, key))
                        return (int) i;
        return -ENOENT;
}

int zone_config_network_load(GKeyFile *f, const char *text, const char *path, ZoneNetwork *ret,
                             char **ret_error) {
        g_auto(GStrv) keys = g_key_file_get_keys(f, GROUP, NULL, NULL);
        const NetworkLoad l = { .f = f, .text = text, .path = path, .ret_error = ret_error };
        ZoneNetwork n = {};
        int r = 0;

        for (char **k = keys; k && *k && r >= 0; k++) {
                g_autofree char *value = g_key_file_get_value(f, GROUP, *k, NULL);
                int i = lookup_key(*k);

                if (i < 0)
                        r = KEY_ERROR(&l, *k, "unknown key %s in [%s]", *k, GROUP);
                else
                        r = network_keys[i].load(&l, strempty(value), &n);
        }
        if (r >= 0)
                r = check_mode(&l, &n);
        if (r < 0) {
                zone_network_done(&n);
                return r;
        }
        (void) g_key_file_remove_group(f, GROUP, NULL);
        *ret = n;
        return 0;
}

static void save_prefixes(GKeyFile *f, const char *key, const InetPrefix *a, size_t n, bool address_only) {
        g_autofree char **items = g_new0(char *, n + 1);
        g_autofree char *buffers = g_malloc0(MAX(n, 1) * INET_PREFIX_STRLEN);

        if (n == 0)
                return;
        for (size_t i = 0; i < n; i++) {
                char *buf = buffers + i * INET_PREFIX_STRLEN;

                items[i] = (char *) (address_only ? inet_address_format(a[i].family, &a[i].addr, buf)
                                                  : inet_prefix_format(&a[i], buf));
        }
        g_key_file_set_string_list(f, GROUP, key, (const char *const *) items, n);
}

static void save_ports(GKeyFile *f, const ZoneNetwork *n) {
        g_autofree char **items = g_new0(char *, n->n_ports + 1);
        g_autofree char *buffers = g_malloc0(MAX(n->n_ports, 1) * PORT_FORWARD_STRLEN);

        if (n->n_ports == 0)
                return;
        for (size_t i = 0; i < n->n_ports; i++)
                items[i] = (char *) port_forward_format(&n->ports[i], buffers + i * PORT_FORWARD_STRLEN);
        g_key_file_set_string_list(f, GROUP, "Port", (const char *const *) items, n->n_ports);
}

void zone_config_network_save(GKeyFile *f, const ZoneNetwork *n) {
        _cleanup_free_ char *mode = NULL;
        char mac[MAC_STRLEN];

        /* A zone with the default (none) and nothing else has no section. */
        if (n->mode == NETWORK_NONE && n->n_ports == 0 && n->n_dns == 0)
                return;
        if (network_mode_format(n->mode, n->link, &mode) >= 0)
                g_key_file_set_string(f, GROUP, "Mode", mode);
        if (n->dhcp)
                g_key_file_set_string(f, GROUP, "Address", "dhcp");
        else
                save_prefixes(f, "Address", n->addresses, n->n_addresses, false);
        if (n->mac_set)
                g_key_file_set_string(f, GROUP, "MACAddress", mac_address_format(n->mac, mac));
        if (n->mtu > 0)
                g_key_file_set_uint64(f, GROUP, "MTU", n->mtu);
        save_ports(f, n);
        save_prefixes(f, "DNS", n->dns, n->n_dns, true);
}

int zone_network_set_port(ZoneNetwork *n, const PortForward *p) {
        for (size_t i = 0; i < n->n_ports; i++)
                if (port_forward_same_key(&n->ports[i], p)) {
                        n->ports[i] = *p;
                        return 0;
                }
        n->ports = g_renew(PortForward, n->ports, n->n_ports + 1);
        n->ports[n->n_ports++] = *p;
        return 0;
}

int zone_network_remove_port(ZoneNetwork *n, const PortForward *key) {
        for (size_t i = 0; i < n->n_ports; i++)
                if (port_forward_same_key(&n->ports[i], key)) {
                        memmove(n->ports + i, n->ports + i + 1, (n->n_ports - i - 1) * sizeof(PortForward));
                        n->n_ports--;
                        return 0;
                }
        return -ENOENT;
}
