/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network on the bus (zone-network-dbus.h). */

#include <sys/socket.h>

#include "bus-errors.h"
#include "bus-list.h"
#include "bus-options.h"
#include "manager-dbus.h"
#include "manager-network.h"
#include "zone-network-dbus.h"
#include "zone-network-update.h"

void zone_network_request_done(ZoneNetworkRequest *q) {
        strv_free(q->addresses);
        strv_free(q->dns);
        free(q->ports);
        free(q->add);
        free(q->remove);
        *q = (ZoneNetworkRequest) {};
}

/* a(sqq), or a(sq) without zone ports, as a variant. */
static int read_forwards(sd_bus_message *msg, const char *key, bool with_zone, PortForward **ret,
                         size_t *ret_n, sd_bus_error *error) {
        const char *type = with_zone ? "a(sqq)" : "a(sq)";
        _cleanup_free_ PortForward *l = NULL;
        const char *protocol;
        size_t n = 0;
        int r;

        r = sd_bus_message_enter_container(msg, 'v', type);
        if (r == -ENXIO || r == -EBADMSG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s must be of type %s.", key,
                                         type);
        if (r >= 0)
                r = sd_bus_message_enter_container(msg, 'a', type + 1);
        for (;;) {
                PortForward f = {};
                PortForward *grown;
                int p;

                if (r < 0)
                        return r;
                r = with_zone ? sd_bus_message_read(msg, "(sqq)", &protocol, &f.host_port, &f.zone_port)
                              : sd_bus_message_read(msg, "(sq)", &protocol, &f.host_port);
                if (r <= 0)
                        break;
                p = ip_protocol_from_string(protocol);
                if (p < 0 || f.host_port == 0 || (with_zone && f.zone_port == 0))
                        return sd_bus_error_setf(
                                error, SD_BUS_ERROR_INVALID_ARGS,
                                "%s: \"%s\" port %u is no forward (tcp or udp, ports 1…65535).", key,
                                protocol, f.host_port);
                f.protocol = (uint8_t) p;
                grown = reallocarray(l, n + 1, sizeof(PortForward));
                if (!grown)
                        return -ENOMEM;
                l = grown;
                l[n++] = f;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(msg);
        if (r >= 0)
                r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

static int read_strv_variant(sd_bus_message *msg, const char *key, char ***ret, sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(msg, 'v', "as");
        if (r == -ENXIO || r == -EBADMSG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s must be of type as.", key);
        if (r >= 0)
                r = bus_read_strv(msg, ret);
        if (r >= 0)
                r = sd_bus_message_exit_container(msg);
        return r;
}

int bus_read_network(sd_bus_message *msg, const char *key, void *userdata, sd_bus_error *error) {
        ZoneNetworkRequest *q = userdata;
        int r;

        if (streq(key, "NetworkMode")) {
                r = sd_bus_message_read(msg, "v", "s", &q->mode);
                if (r == -ENXIO || r == -EBADMSG)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "NetworkMode must be of type s.");
                return r;
        }
        if (streq(key, "Addresses")) {
                q->addresses_set = true;
                return read_strv_variant(msg, key, &q->addresses, error);
        }
        if (streq(key, "DNS")) {
                q->dns_set = true;
                return read_strv_variant(msg, key, &q->dns, error);
        }
        if (streq(key, "MTU")) {
                q->mtu_set = true;
                r = sd_bus_message_read(msg, "v", "u", &q->mtu);
                if (r == -ENXIO || r == -EBADMSG)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "MTU must be of type u.");
                return r;
        }
        if (streq(key, "PortForwards")) {
                q->ports_set = true;
                return read_forwards(msg, key, true, &q->ports, &q->n_ports, error);
        }
        if (streq(key, "AddPortForwards"))
                return read_forwards(msg, key, true, &q->add, &q->n_add, error);
        if (streq(key, "RemovePortForwards"))
                return read_forwards(msg, key, false, &q->remove, &q->n_remove, error);
        return -ENOENT;
}

static int read_network_or_refuse(sd_bus_message *msg, const char *key, void *userdata,
                                  sd_bus_error *error) {
        int r = bus_read_network(msg, key, userdata, error);

        if (r == -ENOENT)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown network setting \"%s\".",
                                         key);
        return r;
}

static int parse_prefixes(char **l, const char *key, bool dhcp_allowed, InetPrefix **ret, size_t *ret_n,
                          bool *ret_dhcp, sd_bus_error *error) {
        _cleanup_free_ InetPrefix *p = NULL;
        size_t n = strv_length(l), k = 0;
        bool dhcp = false;

        p = new0(InetPrefix, n + 1);
        if (!p)
                return -ENOMEM;
        for (char **s = l; s && *s; s++) {
                if (dhcp_allowed && streq(*s, "dhcp")) {
                        dhcp = true;
                        continue;
                }
                if (inet_prefix_parse(*s, &p[k]) < 0 ||
                    (!dhcp_allowed && p[k].prefixlen != (p[k].family == AF_INET ? 32 : 128)))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s: \"%s\" is not %s.",
                                                 key, *s,
                                                 dhcp_allowed ? "ADDRESS/LENGTH or dhcp" : "an IP address");
                for (size_t j = 0; j < k; j++)
                        if (dhcp_allowed && p[j].family == p[k].family)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "%s: one address per family (\"%s\").", key, *s);
                k++;
        }
        if (dhcp && k > 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s: dhcp goes alone.", key);
        *ret = TAKE_PTR(p);
        *ret_n = k;
        if (ret_dhcp)
                *ret_dhcp = dhcp;
        return 0;
}

static int apply_forwards(ZoneNetwork *to, const ZoneNetworkRequest *q, sd_bus_error *error) {
        char buf[PORT_FORWARD_STRLEN];
        int r;

        if (q->ports_set) {
                free(to->ports);
                to->ports = NULL;
                to->n_ports = 0;
                for (size_t i = 0; i < q->n_ports; i++) {
                        for (size_t j = 0; j < i; j++)
                                if (port_forward_same_key(&q->ports[i], &q->ports[j]))
                                        return sd_bus_error_setf(
                                                error, SD_BUS_ERROR_INVALID_ARGS,
                                                "PortForwards: host port %s given twice.",
                                                port_forward_format(&(PortForward) { q->ports[i].protocol,
                                                                                     q->ports[i].host_port,
                                                                                     0 },
                                                                    buf));
                        r = zone_network_set_port(to, &q->ports[i]);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t i = 0; i < q->n_remove; i++) {
                r = zone_network_remove_port(to, &q->remove[i]);
                if (r == -ENOENT)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "There is no forward of %s.",
                                                 port_forward_format(&q->remove[i], buf));
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < q->n_add; i++) {
                r = zone_network_set_port(to, &q->add[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int zone_network_from_request(const ZoneNetwork *from, const ZoneNetworkRequest *q, ZoneNetwork *to,
                              sd_bus_error *error) {
        _cleanup_(zone_network_done) ZoneNetwork n = {};
        int r;

        r = zone_network_copy(from, &n);
        if (r < 0)
                return r;
        if (q->mode) {
                _cleanup_free_ char *link = NULL;
                NetworkMode mode;

                if (network_mode_parse(q->mode, &mode, &link) < 0)
                        return sd_bus_error_setf(
                                error, SD_BUS_ERROR_INVALID_ARGS,
                                "NetworkMode \"%s\" is none, host, bridge[:NAME], macvlan:IFACE or ipvlan:IFACE.",
                                q->mode);
                /* Another network: the addresses of the old one do not go with it. */
                if (mode != n.mode || !streq_ptr(link, n.link)) {
                        free(n.addresses);
                        n.addresses = NULL;
                        n.n_addresses = 0;
                        n.dhcp = false;
                }
                n.mode = mode;
                free(n.link);
                n.link = TAKE_PTR(link);
        }
        if (q->addresses_set) {
                free(n.addresses);
                n.addresses = NULL;
                r = parse_prefixes(q->addresses, "Addresses", true, &n.addresses, &n.n_addresses, &n.dhcp,
                                   error);
                if (r < 0)
                        return r;
        }
        if (q->dns_set) {
                free(n.dns);
                n.dns = NULL;
                r = parse_prefixes(q->dns, "DNS", false, &n.dns, &n.n_dns, NULL, error);
                if (r < 0)
                        return r;
        }
        if (q->mtu_set) {
                if (q->mtu != 0 && (q->mtu < 68 || q->mtu > 65535))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "MTU %u is not 68…65535.",
                                                 q->mtu);
                n.mtu = q->mtu;
        }
        r = apply_forwards(&n, q, error);
        if (r < 0)
                return r;
        if ((n.n_addresses > 0 || n.dhcp) && n.mode != NETWORK_BRIDGE && n.mode != NETWORK_MACVLAN &&
            n.mode != NETWORK_IPVLAN)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "A zone with network %s has no addresses of its own.",
                                         network_mode_to_string(n.mode));
        if (n.n_ports > 0 && n.mode != NETWORK_BRIDGE)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Port forwards need a bridged zone (network %s).",
                                         network_mode_to_string(n.mode));
        if (n.n_ports > 0 && n.dhcp)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Port forwards need an address of zoned's, not dhcp.");
        *to = n;
        n = (ZoneNetwork) {};
        return 0;
}

int zone_method_set_network(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        _cleanup_(zone_network_request_done) ZoneNetworkRequest q = {};
        int r;

        /* The caller first: a non-root caller learns nothing of its arguments. */
        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = bus_read_options_full(m, NULL, 0, read_network_or_refuse, &q, error);
        if (r < 0)
                return r;
        r = zone_set_network(z, &q, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

int zone_object_set_network(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return zone_method_set_network(m, userdata, error);
}

int manager_method_set_zone_network(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        Zone *z = NULL;
        int r;

        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = bus_get_zone(userdata, name, &z, error);
        if (r < 0)
                return r;
        return zone_method_set_network(m, z, error);
}

int manager_method_list_network(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sss)");
        if (r >= 0)
                r = manager_network_list(userdata, reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int append_addresses(sd_bus_message *reply, const ZoneNetwork *n) {
        char buf[INET_PREFIX_STRLEN];
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ys)");
        for (size_t i = 0; r >= 0 && i < n->n_addresses; i++)
                r = sd_bus_message_append(reply, "(ys)", (uint8_t) n->addresses[i].family,
                                          inet_prefix_format(&n->addresses[i], buf));
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int append_forwards(sd_bus_message *reply, const ZoneNetwork *n) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sqq)");
        for (size_t i = 0; r >= 0 && i < n->n_ports; i++)
                r = sd_bus_message_append(reply, "(sqq)", ip_protocol_to_string(n->ports[i].protocol),
                                          n->ports[i].host_port, n->ports[i].zone_port);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

int zone_property_get_network(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Zone *z = userdata;
        const ZoneNetwork *n = &z->config.network;
        char mac[MAC_STRLEN];
        uint64_t rx = UINT64_MAX, tx = UINT64_MAX;

        if (streq(property, "NetworkMode")) {
                _cleanup_free_ char *text = NULL;
                int r = network_mode_format(n->mode, n->link, &text);

                if (r < 0)
                        return r;
                return sd_bus_message_append(reply, "s", text);
        }
        if (streq(property, "Addresses"))
                return append_addresses(reply, n);
        if (streq(property, "PortForwards"))
                return append_forwards(reply, n);
        if (streq(property, "MACAddress")) {
                uint8_t m[6];

                zone_network_mac(z, m);
                return sd_bus_message_append(reply, "s",
                                             n->mode == NETWORK_NONE || n->mode == NETWORK_HOST
                                                     ? ""
                                                     : mac_address_format(m, mac));
        }
        (void) zone_network_traffic(z, &rx, &tx);
        return sd_bus_message_append(reply, "t", streq(property, "NetworkRXBytes") ? rx : tx);
}
