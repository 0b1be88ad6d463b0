/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zoned's nftables script (net-rules.h). */

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "names.h"
#include "net-rules.h"

/* Adding a table that exists is no error, and deleting one removes its chains with it: "add" then
 * "delete" in the same transaction removes the table whether it was there or not, and the full
 * table that follows replaces it, all or nothing. */
static const char remove_script[] = "add table inet " NET_RULES_TABLE "\n"
                                    "delete table inet " NET_RULES_TABLE "\n"
                                    "add table bridge " NET_RULES_TABLE "\n"
                                    "delete table bridge " NET_RULES_TABLE "\n";

const char *net_rules_remove_script(void) {
        return remove_script;
}

void net_rules_link_local(const uint8_t mac[static 6], InetPrefix *ret) {
        *ret = (InetPrefix) { .family = AF_INET6, .prefixlen = 64 };
        ret->addr.bytes[0] = 0xfe;
        ret->addr.bytes[1] = 0x80;
        ret->addr.bytes[8] = mac[0] ^ 0x02;
        ret->addr.bytes[9] = mac[1];
        ret->addr.bytes[10] = mac[2];
        ret->addr.bytes[11] = 0xff;
        ret->addr.bytes[12] = 0xfe;
        ret->addr.bytes[13] = mac[3];
        ret->addr.bytes[14] = mac[4];
        ret->addr.bytes[15] = mac[5];
}

/* Interface names go into the script in double quotes, which nft reads without escapes, and a
 * trailing '*' there is a wildcard. */
static bool nft_ifname_ok(const char *s) {
        return ifname_is_valid(s) && !strpbrk(s, "\"\\*");
}

static bool family_ok(const InetPrefix *p, int family) {
        return p->family == 0 || p->family == family;
}

static const NetRulesBridge *find_bridge(const NetRulesBridge *bridges, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(bridges[i].name, name))
                        return &bridges[i];
        return NULL;
}

static int check_ports(const NetRulesZone *zones, size_t n_zones, size_t zi) {
        const NetRulesZone *z = &zones[zi];

        for (size_t i = 0; i < z->n_ports; i++) {
                if (!ip_protocol_to_string(z->ports[i].protocol) || z->ports[i].host_port == 0)
                        return -EINVAL;
                for (size_t j = 0; j <= zi; j++)
                        for (size_t k = 0; k < (j == zi ? i : zones[j].n_ports); k++)
                                if (port_forward_same_key(&z->ports[i], &zones[j].ports[k]))
                                        return -EADDRINUSE;
        }
        return 0;
}

static int check_input(const NetRulesBridge *bridges, size_t n_bridges, const NetRulesZone *zones,
                       size_t n_zones) {
        int r;

        for (size_t i = 0; i < n_bridges; i++)
                if (!nft_ifname_ok(bridges[i].name) || !family_ok(&bridges[i].ipv4, AF_INET) ||
                    !family_ok(&bridges[i].ipv6, AF_INET6))
                        return -EINVAL;
        for (size_t i = 0; i < n_zones; i++) {
                const NetRulesZone *z = &zones[i];

                /* The zone's name makes its chain's name: "zone-NAME" is an nft identifier. */
                if (!zone_name_is_valid(z->name) || !nft_ifname_ok(z->host_ifname) || !z->bridge ||
                    !find_bridge(bridges, n_bridges, z->bridge) || !family_ok(&z->ipv4, AF_INET) ||
                    !family_ok(&z->ipv6, AF_INET6))
                        return -EINVAL;
                r = check_ports(zones, n_zones, i);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* One DNAT rule per forward and family the zone has an address of. The host's own connections
 * (output) to ::1 are left alone: IPv6 cannot route ::1 out of lo, so the zone's supervisor
 * proxies those from userspace, listening on [::1]:PORT itself. */
static void put_dnat(FILE *f, const NetRulesZone *z, bool output) {
        char a[INET_PREFIX_STRLEN];

        for (size_t i = 0; i < z->n_ports; i++) {
                const PortForward *p = &z->ports[i];
                const char *proto = ip_protocol_to_string(p->protocol);
                unsigned to = p->zone_port ? p->zone_port : p->host_port;

                if (z->ipv4.family == AF_INET)
                        fprintf(f,
                                "\t\tmeta nfproto ipv4 fib daddr type local %s dport %u dnat ip to "
                                "%s:%u\n",
                                proto, p->host_port, inet_address_format(AF_INET, &z->ipv4.addr, a), to);
                if (z->ipv6.family == AF_INET6)
                        fprintf(f,
                                "\t\tmeta nfproto ipv6 %sfib daddr type local %s dport %u dnat ip6 to "
                                "[%s]:%u\n",
                                output ? "ip6 daddr != ::1 " : "", proto, p->host_port,
                                inet_address_format(AF_INET6, &z->ipv6.addr, a), to);
        }
}

static void put_nat_chains(FILE *f, const NetRulesZone *zones, size_t n_zones) {
        fputs("\tchain prerouting {\n"
              "\t\ttype nat hook prerouting priority dstnat; policy accept;\n",
              f);
        for (size_t i = 0; i < n_zones; i++)
                put_dnat(f, &zones[i], false);
        fputs("\t}\n"
              "\tchain output {\n"
              "\t\ttype nat hook output priority -100; policy accept;\n",
              f);
        for (size_t i = 0; i < n_zones; i++)
                put_dnat(f, &zones[i], true);
        fputs("\t}\n", f);
}

static void put_ifname_set(FILE *f, const char *const *names, size_t n) {
        fputs("{ ", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s\"%s\"", i > 0 ? ", " : "", names[i]);
        fputs(" }", f);
}

/* The set of the bridges' names, as put_ifname_set() writes one. */
static void put_bridge_set(FILE *f, const NetRulesBridge *bridges, size_t n_bridges) {
        fputs("{ ", f);
        for (size_t i = 0; i < n_bridges; i++)
                fprintf(f, "%s\"%s\"", i > 0 ? ", " : "", bridges[i].name);
        fputs(" }", f);
}

/* Connections of the host to 127.0.0.1:PORT leave with source 127.0.0.1 (route_localnet lets them
 * out of the bridge) and a zone would answer nobody: they, hairpin connections (a client on the
 * bridge itself, whose answer would go straight back past the DNAT) and a zone's connections to
 * another bridge's zone through a forward (which the bridge table lets in only from the host's
 * own addresses, see put_routed) are masqueraded to the bridge's address. */
static void put_postrouting(FILE *f, const NetRulesBridge *bridges, size_t n_bridges) {
        char a[INET_PREFIX_STRLEN];

        fputs("\tchain postrouting {\n"
              "\t\ttype nat hook postrouting priority srcnat; policy accept;\n",
              f);
        if (n_bridges > 0) {
                fputs("\t\tiifname ", f);
                put_bridge_set(f, bridges, n_bridges);
                fputs(" oifname ", f);
                put_bridge_set(f, bridges, n_bridges);
                fputs(" ct status dnat masquerade\n", f);
        }
        for (size_t i = 0; i < n_bridges; i++) {
                const NetRulesBridge *b = &bridges[i];
                InetPrefix net;

                fprintf(f, "\t\toifname \"%s\" ip saddr 127.0.0.0/8 ct status dnat masquerade\n", b->name);
                if (!b->masquerade)
                        continue;
                if (b->ipv4.family == AF_INET) {
                        net = inet_prefix_network(&b->ipv4);
                        fprintf(f, "\t\tip saddr %s oifname != \"%s\" masquerade\n",
                                inet_prefix_format(&net, a), b->name);
                }
                if (b->ipv6.family == AF_INET6) {
                        net = inet_prefix_network(&b->ipv6);
                        fprintf(f, "\t\tip6 saddr %s oifname != \"%s\" masquerade\n",
                                inet_prefix_format(&net, a), b->name);
                }
        }
        fputs("\t}\n", f);
}

/* What comes from a bridge without AllowHost= to the host itself: answers of the host's own
 * connections, what a forward delivers locally, neighbour discovery (without it no IPv6 at all),
 * and nothing else. */
static int put_input(FILE *f, const NetRulesBridge *bridges, size_t n_bridges) {
        _cleanup_free_ const char **closed = new0(const char *, n_bridges);
        size_t n = 0;

        if (!closed)
                return -ENOMEM;
        for (size_t i = 0; i < n_bridges; i++)
                if (!bridges[i].allow_host)
                        closed[n++] = bridges[i].name;
        fputs("\tchain input {\n"
              "\t\ttype filter hook input priority filter; policy accept;\n",
              f);
        if (n > 0) {
                static const char *const verdicts[] = {
                        "ct state established,related accept",
                        "ct status dnat accept",
                        "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept",
                        /* a zone may ping its gateway: the first thing an admin tries */
                        "icmp type echo-request accept",
                        "icmpv6 type echo-request accept",
                        "drop",
                };

                for (size_t i = 0; i < ELEMENTSOF(verdicts); i++) {
                        fputs("\t\tiifname ", f);
                        put_ifname_set(f, closed, n);
                        fprintf(f, " %s\n", verdicts[i]);
                }
        }
        fputs("\t}\n", f);
        return 0;
}

/* route_localnet on a bridge also lets what comes in on it reach 127.0.0.0/8: a zone could talk to
 * the host's localhost-only services. Dropped before conntrack undoes the masquerade of the
 * answers to the host's own 127.0.0.1 connections, which arrive for the bridge's address. */
static void put_localnet(FILE *f, const NetRulesBridge *bridges, size_t n_bridges) {
        fputs("\tchain localnet {\n"
              "\t\ttype filter hook prerouting priority raw; policy accept;\n",
              f);
        if (n_bridges > 0) {
                fputs("\t\tiifname ", f);
                put_bridge_set(f, bridges, n_bridges);
                fputs(" ip daddr 127.0.0.0/8 drop\n", f);
        }
        fputs("\t}\n", f);
}

static int put_inet_table(FILE *f, const NetRulesBridge *bridges, size_t n_bridges,
                          const NetRulesZone *zones, size_t n_zones) {
        int r;

        fputs("table inet " NET_RULES_TABLE " {\n", f);
        put_localnet(f, bridges, n_bridges);
        put_nat_chains(f, zones, n_zones);
        put_postrouting(f, bridges, n_bridges);
        r = put_input(f, bridges, n_bridges);
        if (r < 0)
                return r;
        /* Accepted here, whatever later chains of this hook in this table would say; another
         * table's drop still wins: zoned does not override the host's own firewall. */
        fputs("\tchain forward {\n"
              "\t\ttype filter hook forward priority filter; policy accept;\n"
              "\t\tct state established,related accept\n"
              "\t\tct status dnat accept\n"
              "\t}\n"
              "}\n",
              f);
        return 0;
}

/* What a zone may send into the bridge: frames from its own MAC, with its own addresses as source
 * (0.0.0.0 for DHCP and ARP probes, :: for duplicate address detection, its link-local). */
static void put_zone_chain(FILE *f, const NetRulesZone *z) {
        char mac[MAC_STRLEN], a[INET_PREFIX_STRLEN];
        InetPrefix ll;

        mac_address_format(z->mac, mac);
        fprintf(f, "\tchain zone-%s {\n", z->name);
        fprintf(f, "\t\tether saddr != %s drop\n", mac);
        if (z->ipv4.family == AF_INET) {
                inet_address_format(AF_INET, &z->ipv4.addr, a);
                fprintf(f, "\t\tip saddr != { 0.0.0.0, %s } drop\n", a);
                fprintf(f, "\t\tarp saddr ip != { 0.0.0.0, %s } drop\n", a);
        }
        fprintf(f, "\t\tarp saddr ether != %s drop\n", mac);
        net_rules_link_local(z->mac, &ll);
        fprintf(f, "\t\tip6 saddr != { ::, %s", inet_address_format(AF_INET6, &ll.addr, a));
        if (z->ipv6.family == AF_INET6)
                fprintf(f, ", %s", inet_address_format(AF_INET6, &z->ipv6.addr, a));
        fputs(" } drop\n"
              "\t}\n",
              f);
}

/* Isolated=yes: nothing from one zone's port of the bridge to another's (the kernel sees a
 * bridged frame once per output port, floods included). */
static int put_isolation(FILE *f, const NetRulesBridge *bridges, size_t n_bridges, const NetRulesZone *zones,
                         size_t n_zones) {
        _cleanup_free_ const char **ports = new0(const char *, n_zones);

        if (!ports)
                return -ENOMEM;
        for (size_t i = 0; i < n_bridges; i++) {
                size_t n = 0;

                if (!bridges[i].isolated)
                        continue;
                for (size_t j = 0; j < n_zones; j++)
                        if (streq(zones[j].bridge, bridges[i].name))
                                ports[n++] = zones[j].host_ifname;
                if (n < 2)
                        continue;
                fputs("\t\tiifname ", f);
                put_ifname_set(f, ports, n);
                fputs(" oifname ", f);
                put_ifname_set(f, ports, n);
                fputs(" drop\n", f);
        }
        return 0;
}

static void put_address_set(FILE *f, const NetRulesBridge *bridges, size_t n_bridges, int family,
                            bool networks) {
        char a[INET_PREFIX_STRLEN];
        bool first = true;

        fputs("{ ", f);
        for (size_t i = 0; i < n_bridges; i++) {
                const InetPrefix *p = family == AF_INET ? &bridges[i].ipv4 : &bridges[i].ipv6;
                InetPrefix net;

                if (p->family != family)
                        continue;
                net = networks ? inet_prefix_network(p) : *p;
                if (!networks)
                        net.prefixlen = family == AF_INET ? 32 : 128;
                fprintf(f, "%s%s", first ? "" : ", ", inet_prefix_format(&net, a));
                first = false;
        }
        fputs(" }", f);
}

static bool have_family(const NetRulesBridge *bridges, size_t n_bridges, int family) {
        for (size_t i = 0; i < n_bridges; i++)
                if ((family == AF_INET ? bridges[i].ipv4.family : bridges[i].ipv6.family) == family)
                        return true;
        return false;
}

/* What the host routes into a bridge (frames its own bridge device sends) from a source in the
 * zones' networks that is none of the host's addresses there: a zone's packet to another zone,
 * of another bridge or of its own bridge through the gateway (past Isolated=). Dropped: zones of
 * different bridges, and isolated ones, reach each other only through port forwards, which
 * arrive masqueraded to a bridge's address (put_postrouting). Bridged frames, also those that
 * br_netfilter passes through the IP hooks, never go through this hook. */
static void put_routed(FILE *f, const NetRulesBridge *bridges, size_t n_bridges) {
        static const struct {
                int family;
                const char *match;
        } families[] = { { AF_INET, "ip" }, { AF_INET6, "ip6" } };

        fputs("\tchain output {\n"
              "\t\ttype filter hook output priority filter; policy accept;\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                if (!have_family(bridges, n_bridges, families[i].family))
                        continue;
                fprintf(f, "\t\t%s saddr ", families[i].match);
                put_address_set(f, bridges, n_bridges, families[i].family, true);
                fprintf(f, " %s saddr != ", families[i].match);
                put_address_set(f, bridges, n_bridges, families[i].family, false);
                fputs(" drop\n", f);
        }
        fputs("\t}\n", f);
}

static int put_bridge_table(FILE *f, const NetRulesBridge *bridges, size_t n_bridges,
                            const NetRulesZone *zones, size_t n_zones) {
        int r;

        fputs("table bridge " NET_RULES_TABLE " {\n"
              "\tchain prerouting {\n"
              "\t\ttype filter hook prerouting priority filter; policy accept;\n",
              f);
        for (size_t i = 0; i < n_zones; i++)
                fprintf(f, "\t\tiifname \"%s\" jump zone-%s\n", zones[i].host_ifname, zones[i].name);
        fputs("\t}\n", f);
        for (size_t i = 0; i < n_zones; i++)
                put_zone_chain(f, &zones[i]);
        fputs("\tchain forward {\n"
              "\t\ttype filter hook forward priority filter; policy accept;\n",
              f);
        r = put_isolation(f, bridges, n_bridges, zones, n_zones);
        if (r < 0)
                return r;
        fputs("\t}\n", f);
        put_routed(f, bridges, n_bridges);
        fputs("}\n", f);
        return 0;
}

int net_rules_build(const NetRulesBridge *bridges, size_t n_bridges, const NetRulesZone *zones,
                    size_t n_zones, char **ret) {
        _cleanup_free_ char *text = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        size_t size = 0;
        int r;

        r = check_input(bridges, n_bridges, zones, n_zones);
        if (r < 0)
                return r;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fputs(remove_script, f);
        if (n_bridges > 0 || n_zones > 0) {
                r = put_inet_table(f, bridges, n_bridges, zones, n_zones);
                if (r < 0)
                        return r;
        }
        if (n_zones > 0) {
                r = put_bridge_table(f, bridges, n_bridges, zones, n_zones);
                if (r < 0)
                        return r;
        }
        if (fflush(f) != 0 || ferror(f))
                return -ENOMEM;
        fclose(TAKE_PTR(f));
        *ret = TAKE_PTR(text);
        return 0;
}
