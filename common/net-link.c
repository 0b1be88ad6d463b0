/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ipvlan.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "net-link.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_sock *, nl_socket_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_link *, rtnl_link_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_addr *, rtnl_addr_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_route *, rtnl_route_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_addr *, nl_addr_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_cache *, nl_cache_free);

/* libnl answers with its own codes (NLE_*), made from the kernel's errno: back to an errno. */
static int nl_errno(int nle) {
        static const int map[] = {
                [NLE_INTR] = EINTR,          [NLE_AGAIN] = EAGAIN,         [NLE_NOMEM] = ENOMEM,
                [NLE_EXIST] = EEXIST,        [NLE_INVAL] = EINVAL,         [NLE_RANGE] = ERANGE,
                [NLE_MSGSIZE] = EMSGSIZE,    [NLE_OPNOTSUPP] = EOPNOTSUPP, [NLE_AF_NOSUPPORT] = EAFNOSUPPORT,
                [NLE_OBJ_NOTFOUND] = ENODEV, [NLE_NOADDR] = EADDRNOTAVAIL, [NLE_BUSY] = EBUSY,
                [NLE_NOACCESS] = EACCES,     [NLE_PERM] = EPERM,           [NLE_NODEV] = ENODEV,
        };
        int n = nle < 0 ? -nle : nle;

        if (n == 0)
                return 0;
        if ((size_t) n < ELEMENTSOF(map) && map[n] != 0)
                return -map[n];
        return -EIO;
}

static int nl_open(struct nl_sock **ret) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = nl_socket_alloc();
        int r;

        if (!sk)
                return -ENOMEM;
        r = nl_connect(sk, NETLINK_ROUTE);
        if (r < 0)
                return nl_errno(r);
        *ret = TAKE_PTR(sk);
        return 0;
}

static int link_get(struct nl_sock *sk, const char *ifname, struct rtnl_link **ret) {
        return nl_errno(rtnl_link_get_kernel(sk, 0, ifname, ret));
}

static int nl_addr_from_prefix(const InetPrefix *p, struct nl_addr **ret) {
        struct nl_addr *a = nl_addr_build(p->family, p->addr.bytes, p->family == AF_INET ? 4 : 16);

        if (!a)
                return -ENOMEM;
        nl_addr_set_prefixlen(a, p->prefixlen);
        *ret = a;
        return 0;
}

static int set_mac(struct rtnl_link *link, const uint8_t *mac) {
        _cleanup_(nl_addr_putp) struct nl_addr *a = NULL;

        if (!mac)
                return 0;
        a = nl_addr_build(AF_LLC, mac, 6);
        if (!a)
                return -ENOMEM;
        rtnl_link_set_addr(link, a);
        return 0;
}

/* Sets IFF_UP (and the mtu, if not 0, and the alias, if not NULL) of an existing link. */
static int link_up_full(struct nl_sock *sk, const char *ifname, uint32_t mtu, const char *alias) {
        _cleanup_(rtnl_link_putp) struct rtnl_link *old = NULL, *change = NULL;
        int r;

        r = link_get(sk, ifname, &old);
        if (r < 0)
                return r;
        change = rtnl_link_alloc();
        if (!change)
                return -ENOMEM;
        rtnl_link_set_flags(change, IFF_UP);
        if (mtu > 0)
                rtnl_link_set_mtu(change, mtu);
        if (alias)
                rtnl_link_set_ifalias(change, alias);
        return nl_errno(rtnl_link_change(sk, old, change, 0));
}

static int link_up(struct nl_sock *sk, const char *ifname, uint32_t mtu) {
        return link_up_full(sk, ifname, mtu, NULL);
}

static int add_addresses(struct nl_sock *sk, int ifindex, const InetPrefix *addresses, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_(rtnl_addr_putp) struct rtnl_addr *a = rtnl_addr_alloc();
                _cleanup_(nl_addr_putp) struct nl_addr *local = NULL;
                int r;

                if (!a)
                        return -ENOMEM;
                r = nl_addr_from_prefix(&addresses[i], &local);
                if (r < 0)
                        return r;
                rtnl_addr_set_ifindex(a, ifindex);
                rtnl_addr_set_family(a, addresses[i].family);
                r = nl_errno(rtnl_addr_set_local(a, local));
                if (r < 0)
                        return r;
                /* A fresh link's address is its own: DAD would only delay its first packets. */
                rtnl_addr_set_flags(a, IFA_F_NODAD);
                r = nl_errno(rtnl_addr_add(sk, a, 0));
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}

static int bridge_create(struct nl_sock *sk, const char *name, uint32_t mtu) {
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = rtnl_link_alloc();
        int r;

        if (!link)
                return -ENOMEM;
        r = nl_errno(rtnl_link_set_type(link, "bridge"));
        if (r < 0)
                return r;
        rtnl_link_set_name(link, name);
        if (mtu > 0)
                rtnl_link_set_mtu(link, mtu);
        return nl_errno(rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL));
}

static bool link_is_bridge(struct rtnl_link *link) {
        const char *type = rtnl_link_get_type(link);

        return type && streq(type, "bridge");
}

int net_bridge_ensure(const char *name, const InetPrefix *addresses, size_t n, uint32_t mtu) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        bool made = false;
        int r;

        if (!ifname_is_valid(name))
                return -EINVAL;
        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = link_get(sk, name, &link);
        if (r == -ENODEV) {
                r = bridge_create(sk, name, mtu);
                made = r >= 0;
                /* Another one made it meanwhile: use it. */
                if (r == -EEXIST)
                        r = 0;
                if (r >= 0)
                        r = link_get(sk, name, &link);
        }
        if (r < 0)
                return r;
        if (!link_is_bridge(link))
                return -ENOTTY;
        /* The kernel takes no alias with a new link: it is set with the link's first change. */
        r = link_up_full(sk, name, made ? 0 : mtu, made ? NET_BRIDGE_ALIAS : NULL);
        if (r >= 0)
                r = add_addresses(sk, rtnl_link_get_ifindex(link), addresses, n);
        if (r < 0) {
                if (made)
                        (void) rtnl_link_delete(sk, link);
                return r;
        }
        return made;
}

int net_bridge_is_ours(const char *name) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        int r;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = link_get(sk, name, &link);
        if (r == -ENODEV)
                return 0;
        if (r < 0)
                return r;
        return link_is_bridge(link) && streq_ptr(rtnl_link_get_ifalias(link), NET_BRIDGE_ALIAS);
}

int net_bridges_ours(char ***ret) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = nl_errno(rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache));
        if (r < 0)
                return r;
        l = new0(char *, 1);
        if (!l)
                return -ENOMEM;
        for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_link *link = (struct rtnl_link *) o;

                if (link_is_bridge(link) && streq_ptr(rtnl_link_get_ifalias(link), NET_BRIDGE_ALIAS) &&
                    strv_extend(&l, rtnl_link_get_name(link)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* rtnl_route_foreach_nexthop's callback: the nexthop's link name, once, into the list. */
typedef struct UplinkCollect {
        struct nl_cache *links;
        char ***list;
        int r;
} UplinkCollect;

static void collect_nexthop(struct rtnl_nexthop *nh, void *userdata) {
        UplinkCollect *u = userdata;
        char name[IFNAMSIZ];

        if (u->r < 0 || !rtnl_link_i2name(u->links, rtnl_route_nh_get_ifindex(nh), name, sizeof(name)) ||
            strv_contains(*u->list, name))
                return;
        if (strv_extend(u->list, name) < 0)
                u->r = -ENOMEM;
}

int net_default_route_links(char ***ret) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(nl_cache_freep) struct nl_cache *links = NULL, *routes = NULL;
        _cleanup_strv_free_ char **l = NULL;
        UplinkCollect u = { .list = &l };
        int r;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = nl_errno(rtnl_link_alloc_cache(sk, AF_UNSPEC, &links));
        if (r < 0)
                return r;
        r = nl_errno(rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &routes));
        if (r < 0)
                return r;
        l = new0(char *, 1);
        if (!l)
                return -ENOMEM;
        u.links = links;
        for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
                struct rtnl_route *route = (struct rtnl_route *) o;
                struct nl_addr *dst = rtnl_route_get_dst(route); /* NULL or /0: a default route */
                int family = rtnl_route_get_family(route);

                if ((family != AF_INET && family != AF_INET6) ||
                    rtnl_route_get_table(route) != RT_TABLE_MAIN ||
                    rtnl_route_get_type(route) != RTN_UNICAST || (dst && nl_addr_get_prefixlen(dst) != 0))
                        continue;
                rtnl_route_foreach_nexthop(route, collect_nexthop, &u);
                if (u.r < 0)
                        return u.r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int net_link_remove(const char *ifname) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        int r;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        link = rtnl_link_alloc();
        if (!link)
                return -ENOMEM;
        rtnl_link_set_name(link, ifname);
        r = nl_errno(rtnl_link_delete(sk, link));
        if (r == -ENODEV)
                return 0;
        return r < 0 ? r : 1;
}

int net_link_exists(const char *ifname) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        int r;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = link_get(sk, ifname, &link);
        if (r == -ENODEV)
                return 0;
        return r < 0 ? r : 1;
}

int net_veth_into_netns(const char *host_ifname, const char *bridge, int netns_fd, const char *zone_ifname,
                        const uint8_t *mac, uint32_t mtu) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *br = NULL, *link = NULL, *peer = NULL;
        int r;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = link_get(sk, bridge, &br);
        if (r < 0)
                return r;
        link = rtnl_link_veth_alloc();
        if (!link)
                return -ENOMEM;
        peer = rtnl_link_veth_get_peer(link);
        rtnl_link_set_name(link, host_ifname);
        rtnl_link_set_master(link, rtnl_link_get_ifindex(br));
        rtnl_link_set_flags(link, IFF_UP);
        rtnl_link_set_name(peer, zone_ifname);
        rtnl_link_set_ns_fd(peer, netns_fd);
        r = set_mac(peer, mac);
        if (r < 0)
                return r;
        if (mtu > 0) {
                rtnl_link_set_mtu(link, mtu);
                rtnl_link_set_mtu(peer, mtu);
        }
        return nl_errno(rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL));
}

/* A link of kind on parent, made in netns_fd as ifname. */
static int sublink_into_netns(struct rtnl_link *link, const char *parent, int netns_fd, const char *ifname,
                              const uint8_t *mac) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *p = NULL;
        int r;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = link_get(sk, parent, &p);
        if (r < 0)
                return r;
        rtnl_link_set_link(link, rtnl_link_get_ifindex(p));
        rtnl_link_set_name(link, ifname);
        rtnl_link_set_ns_fd(link, netns_fd);
        r = set_mac(link, mac);
        if (r < 0)
                return r;
        return nl_errno(rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL));
}

int net_macvlan_into_netns(const char *parent, int netns_fd, const char *ifname, const uint8_t *mac) {
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = rtnl_link_macvlan_alloc();
        int r;

        if (!link)
                return -ENOMEM;
        /* Bridge mode: macvlans on one parent (zones on the same LAN interface) reach each other. */
        r = nl_errno(rtnl_link_macvlan_set_mode(link, MACVLAN_MODE_BRIDGE));
        if (r < 0)
                return r;
        return sublink_into_netns(link, parent, netns_fd, ifname, mac);
}

int net_ipvlan_into_netns(const char *parent, int netns_fd, const char *ifname) {
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = rtnl_link_ipvlan_alloc();
        int r;

        if (!link)
                return -ENOMEM;
        r = nl_errno(rtnl_link_ipvlan_set_mode(link, IPVLAN_MODE_L2));
        if (r < 0)
                return r;
        /* A kernel without ipvlan answers "Unknown device type" (EOPNOTSUPP). */
        return sublink_into_netns(link, parent, netns_fd, ifname, NULL);
}

int net_ipvlan_supported(void) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = rtnl_link_ipvlan_alloc();
        int r;

        if (!link)
                return -ENOMEM;
        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = nl_errno(rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL));
        if (r == -EOPNOTSUPP)
                return 0;
        /* Made after all (a kernel that did not want a parent): not ours to keep. */
        if (r >= 0)
                return -EPROTO;
        return 1;
}

static int add_default_route(struct nl_sock *sk, int ifindex, const InetPrefix *gateway) {
        _cleanup_(rtnl_route_putp) struct rtnl_route *route = rtnl_route_alloc();
        _cleanup_(nl_addr_putp) struct nl_addr *dst = NULL, *via = NULL;
        struct rtnl_nexthop *nh;
        InetPrefix host = *gateway;
        int r;

        if (!route)
                return -ENOMEM;
        /* The default route: the family's zero address, prefix 0 (not nl_addr_parse(), which
         * links the resolver into a static supervisor). */
        r = nl_addr_from_prefix(&(InetPrefix) { .family = gateway->family }, &dst);
        if (r < 0)
                return r;
        host.prefixlen = gateway->family == AF_INET ? 32 : 128;
        r = nl_addr_from_prefix(&host, &via);
        if (r < 0)
                return r;
        nh = rtnl_route_nh_alloc();
        if (!nh)
                return -ENOMEM;
        rtnl_route_nh_set_ifindex(nh, ifindex);
        rtnl_route_nh_set_gateway(nh, via);
        rtnl_route_add_nexthop(route, nh);
        rtnl_route_set_family(route, gateway->family);
        rtnl_route_set_dst(route, dst);
        rtnl_route_set_table(route, RT_TABLE_MAIN);
        rtnl_route_set_protocol(route, RTPROT_STATIC);
        return nl_errno(rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_REPLACE));
}

/* A gateway is used if it is on the network of one of the zone's addresses. */
static bool on_link(const InetPrefix *a, size_t n, const InetPrefix *gateway) {
        for (size_t i = 0; i < n; i++)
                if (inet_prefix_contains(&a[i], gateway))
                        return true;
        return false;
}

typedef struct NetnsConfig {
        int netns_fd;
        const char *ifname;
        const InetPrefix *addresses, *gateways;
        size_t n_addresses, n_gateways;
        uint32_t mtu;
        int result;
} NetnsConfig;

static int configure_here(const NetnsConfig *c) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        int r, ifindex;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = link_up(sk, "lo", 0);
        if (r < 0 || !c->ifname)
                return r;
        r = link_up(sk, c->ifname, c->mtu);
        if (r < 0)
                return r;
        r = link_get(sk, c->ifname, &link);
        if (r < 0)
                return r;
        ifindex = rtnl_link_get_ifindex(link);
        r = add_addresses(sk, ifindex, c->addresses, c->n_addresses);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_gateways; i++) {
                if (!on_link(c->addresses, c->n_addresses, &c->gateways[i]))
                        continue;
                r = add_default_route(sk, ifindex, &c->gateways[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The thread enters the namespace and dies with it: the process never leaves its own. */
static void *configure_thread(void *userdata) {
        NetnsConfig *c = userdata;

        if (setns(c->netns_fd, CLONE_NEWNET) < 0)
                c->result = -errno;
        else
                c->result = configure_here(c);
        return NULL;
}

int net_configure_netns(int netns_fd, const char *ifname, const InetPrefix *addresses, size_t n_addresses,
                        const InetPrefix *gateways, size_t n_gateways, uint32_t mtu) {
        NetnsConfig c = {
                .netns_fd = netns_fd,
                .ifname = ifname,
                .addresses = addresses,
                .n_addresses = n_addresses,
                .gateways = gateways,
                .n_gateways = n_gateways,
                .mtu = mtu,
        };
        pthread_t t;
        int r;

        r = pthread_create(&t, NULL, configure_thread, &c);
        if (r != 0)
                return -r;
        r = pthread_join(t, NULL);
        if (r != 0)
                return -r;
        return c.result;
}

int net_link_stats(const char *ifname, uint64_t *ret_rx, uint64_t *ret_tx) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        int r;

        r = nl_open(&sk);
        if (r < 0)
                return r;
        r = link_get(sk, ifname, &link);
        if (r < 0)
                return r;
        *ret_rx = rtnl_link_get_stat(link, RTNL_LINK_RX_BYTES);
        *ret_tx = rtnl_link_get_stat(link, RTNL_LINK_TX_BYTES);
        return 0;
}
