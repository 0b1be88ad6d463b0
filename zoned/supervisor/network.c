/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "net-link.h"
#include "network.h"

bool zone_network_has_link(const LaunchPlan *plan) {
        return plan->network_mode == NETWORK_BRIDGE || plan->network_mode == NETWORK_MACVLAN ||
               plan->network_mode == NETWORK_IPVLAN;
}

/* "ADDRESS/LEN" strings of the plan. */
static int parse_prefixes(char **l, InetPrefix **ret, size_t *ret_n) {
        size_t n = strv_length(l);
        _cleanup_free_ InetPrefix *a = new0(InetPrefix, n);

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (inet_prefix_parse(l[i], &a[i]) < 0)
                        return -EINVAL;
        *ret = TAKE_PTR(a);
        *ret_n = n;
        return 0;
}

static int make_link(const LaunchPlan *plan, int netns_fd, const uint8_t *mac) {
        int r;

        switch (plan->network_mode) {
        case NETWORK_BRIDGE:
                r = net_veth_into_netns(plan->network_host_ifname, plan->network_link, netns_fd, ZONE_IFNAME,
                                        mac, plan->network_mtu);
                if (r != -EEXIST)
                        return r;
                /* The host side of a veth whose namespace is still being torn down (this zone's
                 * previous boot: a zone runs once): it goes now. */
                r = net_link_remove(plan->network_host_ifname);
                if (r < 0)
                        return r;
                return net_veth_into_netns(plan->network_host_ifname, plan->network_link, netns_fd,
                                           ZONE_IFNAME, mac, plan->network_mtu);
        case NETWORK_MACVLAN:
                return net_macvlan_into_netns(plan->network_link, netns_fd, ZONE_IFNAME, mac);
        case NETWORK_IPVLAN:
                return net_ipvlan_into_netns(plan->network_link, netns_fd, ZONE_IFNAME);
        default:
                return -EINVAL;
        }
}

int zone_network_setup(const LaunchPlan *plan, int netns_fd) {
        _cleanup_free_ InetPrefix *addresses = NULL, *gateways = NULL;
        size_t n_addresses = 0, n_gateways = 0;
        uint8_t mac[6];
        int r;

        if (!zone_network_has_link(plan))
                return 0;
        if (!plan->network_link || (plan->network_mode == NETWORK_BRIDGE && !plan->network_host_ifname))
                return -EINVAL;
        if (plan->network_mac && mac_address_parse(plan->network_mac, mac) < 0)
                return -EINVAL;
        r = parse_prefixes(plan->network_addresses, &addresses, &n_addresses);
        if (r >= 0)
                r = parse_prefixes(plan->network_gateways, &gateways, &n_gateways);
        if (r < 0)
                return r;
        r = make_link(plan, netns_fd, plan->network_mac ? mac : NULL);
        if (r < 0)
                return r;
        return net_configure_netns(netns_fd, ZONE_IFNAME, addresses, n_addresses, gateways, n_gateways,
                                   plan->network_mtu);
}

int zone_network_write_resolv_conf(const LaunchPlan *plan) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (strv_length(plan->network_dns) == 0)
                return 0;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fputs("# Written by zoned from the zone's DNS= at its boot.\n", f);
        for (char **d = plan->network_dns; *d; d++)
                fprintf(f, "nameserver %s\n", *d);
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_file_replace("/etc/resolv.conf", text, 0644);
}
