/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* network, the network keys of set and unset, the network of create and status. */

#include <arpa/inet.h>
#include <inttypes.h>
#include <sys/socket.h>

#include "cli-error.h"
#include "net-address.h"
#include "zonectl.h"

/* The network keys of set (and the one of unset), each checked here for an error that names it. */
typedef enum NetworkKey {
        NETWORK_KEY_MODE, /* network=bridge:lab */
        NETWORK_KEY_IP,   /* ip=10.42.0.20/24, ip=dhcp; repeated for IPv4 and IPv6 */
        NETWORK_KEY_DNS,  /* dns=10.42.0.1, repeated */
        NETWORK_KEY_MTU,  /* mtu=1400 */
        NETWORK_KEY_PORT, /* port=tcp:8080:80; unset: port=tcp:8080 */
        _NETWORK_KEY_MAX,
        _NETWORK_KEY_INVALID = -EINVAL,
} NetworkKey;

static const char *const network_key_table[_NETWORK_KEY_MAX] = {
        [NETWORK_KEY_MODE] = "network", [NETWORK_KEY_IP] = "ip",     [NETWORK_KEY_DNS] = "dns",
        [NETWORK_KEY_MTU] = "mtu",      [NETWORK_KEY_PORT] = "port",
};

static NetworkKey network_key_from_string(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(network_key_table); i++)
                if (streq(network_key_table[i], s))
                        return (NetworkKey) i;
        return _NETWORK_KEY_INVALID;
}

static NetworkKey key_of(const char *assignment, const char **ret_value) {
        const char *eq = strchr(assignment, '=');
        char key[16];

        if (!eq || (size_t) (eq - assignment) >= sizeof(key))
                return _NETWORK_KEY_INVALID;
        memcpy(key, assignment, eq - assignment);
        key[eq - assignment] = 0;
        *ret_value = eq + 1;
        return network_key_from_string(key);
}

bool network_assignment(const char *assignment) {
        const char *v;

        return key_of(assignment, &v) >= 0;
}

/* The settings of one SetZoneNetwork call, gathered from set's (or unset's) assignments. */
typedef struct NetworkSettings {
        const char *mode;
        char **addresses;
        char **dns;
        uint32_t mtu;
        bool mtu_set;
        PortForward *add;
        size_t n_add;
        PortForward *remove;
        size_t n_remove;
} NetworkSettings;

static void network_settings_done(NetworkSettings *s) {
        strv_free(s->addresses);
        strv_free(s->dns);
        free(s->add);
        free(s->remove);
}

static int add_forward(PortForward **list, size_t *n, const PortForward *f) {
        PortForward *l = reallocarray(*list, *n + 1, sizeof(PortForward));

        if (!l)
                return -ENOMEM;
        l[(*n)++] = *f;
        *list = l;
        return 0;
}

static int gather(NetworkSettings *s, const char *assignment, bool unset) {
        const char *v;
        NetworkKey k = key_of(assignment, &v);
        PortForward f;
        InetPrefix p;
        unsigned long mtu;
        char *end;

        if (unset && k != NETWORK_KEY_PORT)
                return cli_error_errno(EINVAL, "unset takes port=PROTOCOL:HOSTPORT, not \"%s\"", assignment);
        switch (k) {
        case NETWORK_KEY_MODE: {
                _cleanup_free_ char *link = NULL;
                NetworkMode m;

                if (network_mode_parse(v, &m, &link) < 0)
                        return cli_error_errno(EINVAL,
                                               "invalid network \"%s\" (none, host, bridge[:NAME], "
                                               "macvlan:IFACE or ipvlan:IFACE)",
                                               v);
                s->mode = v;
                return 0;
        }
        case NETWORK_KEY_IP:
                if (!streq(v, "dhcp") && inet_prefix_parse(v, &p) < 0)
                        return cli_error_errno(EINVAL, "invalid ip \"%s\" (ADDRESS/LENGTH or dhcp)", v);
                return strv_extend(&s->addresses, v) < 0 ? cli_error_errno(ENOMEM, "out of memory") : 0;
        case NETWORK_KEY_DNS:
                if (inet_prefix_parse(v, &p) < 0 || strchr(v, '/'))
                        return cli_error_errno(EINVAL, "invalid dns \"%s\" (an IPv4 or IPv6 address)", v);
                return strv_extend(&s->dns, v) < 0 ? cli_error_errno(ENOMEM, "out of memory") : 0;
        case NETWORK_KEY_MTU:
                errno = 0;
                mtu = strtoul(v, &end, 10);
                if (!*v || *end || errno || mtu < 68 || mtu > 65535)
                        return cli_error_errno(EINVAL, "invalid mtu \"%s\" (68…65535)", v);
                s->mtu = (uint32_t) mtu;
                s->mtu_set = true;
                return 0;
        case NETWORK_KEY_PORT:
                if (unset ? port_forward_parse_key(v, &f) < 0 : port_forward_parse(v, &f) < 0)
                        return cli_error_errno(EINVAL, "invalid port \"%s\" (%s)", v,
                                               unset ? "tcp|udp:HOSTPORT" : "tcp|udp:HOSTPORT[:ZONEPORT]");
                if (add_forward(unset ? &s->remove : &s->add, unset ? &s->n_remove : &s->n_add, &f) < 0)
                        return cli_error_errno(ENOMEM, "out of memory");
                return 0;
        default:
                return cli_error_errno(EINVAL, "unknown key in \"%s\"", assignment);
        }
}

static int append_forwards(sd_bus_message *m, const char *key, const PortForward *l, size_t n,
                           bool with_zone) {
        int r;

        if (n == 0)
                return 0;
        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', with_zone ? "a(sqq)" : "a(sq)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', with_zone ? "(sqq)" : "(sq)");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = with_zone ? sd_bus_message_append(m, "(sqq)", ip_protocol_to_string(l[i].protocol),
                                                      l[i].host_port, l[i].zone_port)
                              : sd_bus_message_append(m, "(sq)", ip_protocol_to_string(l[i].protocol),
                                                      l[i].host_port);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

int bus_append_strv_option(sd_bus_message *m, const char *key, char **l) {
        int r;

        if (!l)
                return 0;
        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, l);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* The create options of the network: the same keys as SetZoneNetwork's. */
int network_append_create_options(sd_bus_message *m) {
        int r = 0;

        if (arg_network)
                r = sd_bus_message_append(m, "{sv}", "NetworkMode", "s", arg_network);
        if (r >= 0)
                r = bus_append_strv_option(m, "Addresses", arg_ip);
        return r;
}

static int append_settings(sd_bus_message *m, const NetworkSettings *s) {
        int r = 0;

        if (s->mode)
                r = sd_bus_message_append(m, "{sv}", "NetworkMode", "s", s->mode);
        if (r >= 0)
                r = bus_append_strv_option(m, "Addresses", s->addresses);
        if (r >= 0)
                r = bus_append_strv_option(m, "DNS", s->dns);
        if (r >= 0 && s->mtu_set)
                r = sd_bus_message_append(m, "{sv}", "MTU", "u", s->mtu);
        if (r >= 0)
                r = append_forwards(m, "AddPortForwards", s->add, s->n_add, true);
        if (r >= 0)
                r = append_forwards(m, "RemovePortForwards", s->remove, s->n_remove, false);
        return r;
}

/* One SetZoneNetwork call with the network assignments among assignments (others are skipped:
 * set sends them to SetZoneLimits). 0 when there were none. */
int network_set(Client *c, const char *name, char **assignments, size_t n, bool unset) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(network_settings_done) NetworkSettings s = {};
        size_t found = 0;
        int r;

        for (size_t i = 0; i < n; i++)
                if (unset || network_assignment(assignments[i])) {
                        r = gather(&s, assignments[i], unset);
                        if (r < 0)
                                return r;
                        found++;
                }
        if (found == 0)
                return 0;
        r = sd_bus_message_new_method_call(c->bus, &m, c->destination, ZONED_MANAGER_PATH,
                                           ZONED_MANAGER_INTERFACE, "SetZoneNetwork");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = append_settings(m, &s);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return cli_error_errno(r, "cannot build the call: %m");
        r = sd_bus_call(c->bus, m, 0, &error, NULL);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot set the network of zone \"%s\"", name);
        return 1;
}

/* Checks every network assignment before anything is sent. */
int network_check(char **assignments, size_t n, bool unset) {
        _cleanup_(network_settings_done) NetworkSettings s = {};

        for (size_t i = 0; i < n; i++)
                if (unset || network_assignment(assignments[i])) {
                        int r = gather(&s, assignments[i], unset);

                        if (r < 0)
                                return r;
                }
        return 0;
}

int verb_unset(int argc, char *argv[], Client *c) {
        int r = network_set(c, argv[1], argv + 2, (size_t) argc - 2, true);

        return r < 0 ? r : 0;
}

/* ---- status ---- */

static int print_addresses(sd_bus_message *reply) {
        const char *address;
        bool first = true;
        uint8_t family;
        int r;

        r = sd_bus_message_enter_container(reply, 'v', "a(ys)");
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(ys)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ys)", &family, &address)) > 0) {
                if (first)
                        printf("%11s: %s", "Address", address);
                else
                        printf(", %s", address);
                first = false;
        }
        if (!first)
                putchar('\n');
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        return r;
}

static int print_forwards(sd_bus_message *reply) {
        const char *protocol;
        uint16_t host, zone;
        bool first = true;
        int r;

        r = sd_bus_message_enter_container(reply, 'v', "a(sqq)");
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(sqq)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sqq)", &protocol, &host, &zone)) > 0) {
                printf(first ? "%11s: " : ", ", first ? "Ports" : "");
                printf("%s:%u→%u", protocol, host, zone);
                first = false;
        }
        if (!first)
                putchar('\n');
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        return r;
}

/* Network:, Address: and Ports: of the zone at path (nothing for a zone with none). */
void print_zone_network(Client *c, const char *path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t rx = UINT64_MAX, tx = UINT64_MAX;
        int r;

        r = client_call(c, path, "org.freedesktop.DBus.Properties", "GetAll", NULL, &reply, "s",
                        ZONED_ZONE_INTERFACE);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *name, *mode;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        break;
                if (streq(name, "NetworkMode")) {
                        r = sd_bus_message_read(reply, "v", "s", &mode);
                        if (r >= 0)
                                printf("%11s: %s\n", "Network", mode);
                } else if (streq(name, "Addresses"))
                        r = print_addresses(reply);
                else if (streq(name, "PortForwards"))
                        r = print_forwards(reply);
                else if (streq(name, "NetworkRXBytes"))
                        r = sd_bus_message_read(reply, "v", "t", &rx);
                else if (streq(name, "NetworkTXBytes"))
                        r = sd_bus_message_read(reply, "v", "t", &tx);
                else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r >= 0 && rx != UINT64_MAX && tx != UINT64_MAX)
                printf("%11s: received %" PRIu64 " bytes, sent %" PRIu64 " bytes\n", "Traffic", rx, tx);
}

/* ---- network ---- */

int verb_network(int argc, char *argv[], Client *c) {
        static const TableColumn columns[] = {
                { "KIND", "kind", CELL_STRING },
                { "NAME", "name", CELL_STRING },
                { "DETAIL", "detail", CELL_STRING },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_table_ Table *t = table_new(columns, ELEMENTSOF(columns));
        const char *kind, *name, *detail;
        int r;

        if (!t)
                return cli_error_errno(ENOMEM, "out of memory");
        r = manager_call(c, "ListNetwork", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list what zoned added to the host's network");
        r = sd_bus_message_enter_container(reply, 'a', "(sss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sss)", &kind, &name, &detail)) > 0)
                if ((r = table_add_string(t, kind)) < 0 || (r = table_add_string(t, name)) < 0 ||
                    (r = table_add_string(t, detail)) < 0)
                        break;
        if (r < 0)
                return cli_error_errno(r, "cannot read the list: %m");
        return output_table(t, "entries");
}
