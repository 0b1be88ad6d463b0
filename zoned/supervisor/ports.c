/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The zone's port forwards on the host's [::1] (port-proxy.h): from the plan when the supervisor
 * starts, so that they serve every boot of the zone and outlive a zoned that exits, and replaced
 * on COMMAND=ports. The supervisor never leaves the host's network namespace (the zone's is
 * made by clone3() for its init, or kept as an fd), so that is where they listen. */

#include "control-proto.h"
#include "log.h"
#include "net-address.h"
#include "port-proxy.h"
#include "supervisor.h"

int supervisor_ports_start(Supervisor *s) {
        const char *bad = NULL;
        int r;

        /* A zone on the host's network listens on the host's ports itself: a forward would take
         * them from it. */
        if (s->plan->network_mode == NETWORK_HOST) {
                if (s->plan->network_ports)
                        log_warning("Zone %s is on the host's network: its port forwards are ignored.",
                                    s->plan->name);
                return 0;
        }
        r = port_proxy_new(s->loop, s->plan->name, &s->proxy);
        if (r < 0)
                return r;
        r = port_proxy_set_zone_address(s->proxy, s->plan->network_addresses);
        if (r == -EINVAL)
                log_warning("Zone %s: a network address of the launch plan is invalid, its port forwards "
                            "are not served on [::1].",
                            s->plan->name);
        else if (r < 0)
                return r;
        r = port_proxy_set_forwards(s->proxy, s->plan->network_ports, &bad);
        if (r == -EINVAL)
                log_warning(
                        "Zone %s: invalid port forward \"%s\" in the launch plan, none is served on [::1].",
                        s->plan->name, bad);
        else if (r < 0)
                return r;
        return 0;
}

void supervisor_ports_stop(Supervisor *s) {
        s->proxy = port_proxy_free(s->proxy);
}

int supervisor_ports_set(Supervisor *s, const char *msg, size_t len, char **ret_status) {
        _cleanup_strv_free_ char **ports = NULL, **addresses = NULL;
        const char *bad = NULL;
        int r;

        if (!s->proxy) {
                *ret_status = strdup("A zone on the host's network has no port forwards");
                return -EOPNOTSUPP;
        }
        r = control_message_get_all(msg, len, "PORT", &ports);
        if (r >= 0)
                r = control_message_get_all(msg, len, "ADDRESS", &addresses);
        if (r < 0)
                return r;
        /* The addresses are checked first: a refused command changes nothing. */
        for (char **a = addresses; a && *a; a++) {
                InetPrefix prefix;

                if (inet_prefix_parse(*a, &prefix) < 0) {
                        (void) asprintf(ret_status, "Invalid zone address \"%s\"", *a);
                        return -EINVAL;
                }
        }
        r = port_proxy_set_forwards(s->proxy, ports, &bad);
        if (r == -EINVAL) {
                PortForward pf;

                if (port_forward_parse(bad, &pf) < 0)
                        (void) asprintf(ret_status, "Invalid port forward \"%s\"", bad);
                else
                        (void) asprintf(ret_status,
                                        "Port forward \"%s\" has the protocol and host port of another",
                                        bad);
                return r;
        }
        if (r < 0)
                return r;
        if (addresses) {
                r = port_proxy_set_zone_address(s->proxy, addresses);
                if (r < 0)
                        return r;
        }
        log_info("Zone %s: %zu port forward(s) on [::1].", s->plan->name, strv_length(ports));
        /* The PORTERROR= lines of the new set. */
        control_broadcast(s);
        return 0;
}
