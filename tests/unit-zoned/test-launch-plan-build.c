/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-plan-build.c: a private zone's range and the capability set a brand or zone file made
 * go into the plan; a zone with the host's users, and one no file changed, say nothing; the
 * paths, the brand's init and a plan that reads back as it was written. */

#include <glib.h>

#include "capabilities.h"
#include "launch-plan-build.h"
#include "manager.h"
#include "network-config.h"

static Manager *manager;
static char *init_argv[] = { (char *) "/sbin/init", NULL };

static LaunchPlan *build(const ZoneConfig *c, const CapabilityChange *brand_change) {
        Brand b = { .name = (char *) "bb", .init_argv = init_argv, .poweroff_signal = 12 };
        LaunchPlan *p = NULL;
        Zone *z = NULL;

        if (brand_change)
                b.capabilities = *brand_change;
        g_assert_cmpint(zone_new(manager, "z1", &z), ==, 0);
        z->config = *c;
        z->config.template_name = g_strdup("bb");
        z->config.brand = g_strdup("bb");
        g_assert_cmpint(launch_plan_build(z, &b, &p), ==, 0);
        zone_free(z);
        return p;
}

static void test_users(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *priv = NULL, *shared = NULL;
        ZoneConfig c = { .private_users = true, .uid_shift = 589824, .uid_range = 65536 };
        g_autofree char *text = NULL;

        priv = build(&c, NULL);
        g_assert_true(launch_plan_private_users(priv));
        g_assert_cmpuint(priv->uid_shift, ==, 589824);
        g_assert_cmpuint(priv->uid_range, ==, 65536);
        g_assert_cmpint(launch_plan_serialize(priv, &text), ==, 0);
        g_assert_nonnull(strstr(text, "\nuid_shift=589824\nuid_range=65536\n"));

        c = (ZoneConfig) { .private_users = false };
        shared = build(&c, NULL);
        g_assert_false(launch_plan_private_users(shared));
        g_assert_cmpuint(shared->uid_shift, ==, 0);
}

/* Private without a range is a bug of the caller, never a zone without a user namespace. */
static void test_no_range(void) {
        Brand b = { .name = (char *) "bb", .init_argv = init_argv };
        LaunchPlan *p = NULL;
        Zone *z = NULL;

        g_assert_cmpint(zone_new(manager, "z2", &z), ==, 0);
        z->config.template_name = g_strdup("bb");
        z->config.private_users = true;
        g_assert_cmpint(launch_plan_build(z, &b, &p), ==, -ERANGE);
        g_assert_null(p);
        zone_free(z);
}

static void test_capabilities(void) {
        const uint64_t chown = 1 << 0, kill = 1 << 5, net_raw = 1 << 13, sys_admin = 1 << 21;
        CapabilityChange brand_drop = { .drop_given = true, .drop = net_raw };
        CapabilityChange brand_set = { .replace = true, .set = chown | kill | sys_admin };
        ZoneConfig c = { .private_users = false };
        LaunchPlan *p;

        /* Nobody changed it: the supervisor's default applies. */
        p = build(&c, NULL);
        g_assert_false(p->capabilities_set);
        launch_plan_free(p);

        /* The brand drops one from the default set. */
        p = build(&c, &brand_drop);
        g_assert_true(p->capabilities_set);
        g_assert_cmphex(p->capabilities, ==, capabilities_default_mask() & ~net_raw);
        launch_plan_free(p);

        /* The brand replaces the set, the zone drops from the brand's. */
        c.capabilities = (CapabilityChange) { .drop_given = true, .drop = sys_admin };
        p = build(&c, &brand_set);
        g_assert_cmphex(p->capabilities, ==, chown | kill);
        launch_plan_free(p);

        /* The zone's Capabilities= replaces whatever the brand made. */
        c.capabilities = (CapabilityChange) { .replace = true, .set = net_raw };
        p = build(&c, &brand_set);
        g_assert_cmphex(p->capabilities, ==, net_raw);
        launch_plan_free(p);

        /* A zone file alone. */
        c.capabilities = (CapabilityChange) { .drop_given = true, .drop = sys_admin };
        p = build(&c, NULL);
        g_assert_true(p->capabilities_set);
        g_assert_cmphex(p->capabilities, ==, capabilities_default_mask() & ~sys_admin);
        launch_plan_free(p);
}

/* Where everything of the zone is, what the brand says of its init, and a plan that reads back
 * as written. */
static void test_layout(void) {
        static char *env[] = { (char *) "LANG=C.UTF-8", NULL };
        Brand b = { .name = (char *) "bb",
                    .init_argv = init_argv,
                    .environment = env,
                    .poweroff_signal = 12,
                    .reboot_signal = 15,
                    .halt_signal = 10,
                    .stop_timeout_usec = 7000000,
                    .ready = READY_NOTIFY };
        _cleanup_(launch_plan_freep) LaunchPlan *overlay = NULL, *copy = NULL, *back = NULL;
        g_autofree char *state = NULL, *cgroup = NULL, *log = NULL, *text = NULL, *again = NULL;
        Zone *z = NULL;

        g_assert_cmpint(zone_new(manager, "web", &z), ==, 0);
        z->config.template_name = g_strdup("deb");
        z->config.machine_id = g_strdup("0123456789abcdef0123456789abcdef");
        g_assert_cmpint(launch_plan_build(z, &b, &overlay), ==, 0);
        state = zone_state_path(z);
        cgroup = g_build_filename(manager->cgroup_root, "web", NULL);
        log = g_build_filename(manager->log_dir, "web", "console.log", NULL);

        g_assert_cmpstr(overlay->name, ==, "web");
        g_assert_cmpstr(overlay->hostname, ==, "web");
        g_assert_cmpint(overlay->root_mode, ==, ROOT_OVERLAY);
        g_assert_true(g_str_has_prefix(overlay->rootfs, state));
        g_assert_true(g_str_has_suffix(overlay->lower, "/deb/rootfs"));
        g_assert_true(g_str_has_prefix(overlay->upper, state));
        g_assert_true(g_str_has_prefix(overlay->work, state));
        g_assert_cmpstr(overlay->init_argv[0], ==, "/sbin/init");
        g_assert_cmpstr(overlay->init_env[0], ==, "container=zoned");
        g_assert_cmpstr(overlay->init_env[1], ==, "LANG=C.UTF-8");
        g_assert_null(overlay->init_env[2]);
        g_assert_cmpint(overlay->poweroff_signal, ==, 12);
        g_assert_cmpint(overlay->reboot_signal, ==, 15);
        g_assert_cmpint(overlay->halt_signal, ==, 10);
        g_assert_cmpuint(overlay->stop_timeout_usec, ==, 7000000);
        g_assert_cmpint(overlay->ready, ==, READY_NOTIFY);
        g_assert_cmpstr(overlay->cgroup, ==, cgroup);
        g_assert_cmpstr(overlay->console_log, ==, log);
        g_assert_cmpstr(overlay->machine_id, ==, "0123456789abcdef0123456789abcdef");
        g_assert_nonnull(overlay->seccomp_filter);
        g_assert_nonnull(overlay->runtime_dir);

        /* Written and read back: the same plan, and the same text again. */
        g_assert_cmpint(launch_plan_serialize(overlay, &text), ==, 0);
        g_assert_cmpint(launch_plan_parse(text, &back, NULL), ==, 0);
        g_assert_cmpint(launch_plan_serialize(back, &again), ==, 0);
        g_assert_cmpstr(again, ==, text);
        g_assert_cmpstr(back->lower, ==, overlay->lower);
        g_assert_cmpint(back->ready, ==, READY_NOTIFY);

        /* A copied zone: its tree is the root, no layers. */
        z->config.copy = true;
        g_assert_cmpint(launch_plan_build(z, &b, &copy), ==, 0);
        g_assert_cmpint(copy->root_mode, ==, ROOT_DIRECTORY);
        g_assert_null(copy->lower);
        g_assert_null(copy->upper);
        g_assert_null(copy->work);
        g_assert_cmpstr(copy->rootfs, ==, overlay->rootfs);
        zone_free(z);
}

/* [Network] into the plan: the host side's name, a MAC from the machine id unless the file gives
 * one, the addresses, and the default bridge's addresses as gateways. */
static void test_network(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *bridged = NULL, *none = NULL, *mv = NULL;
        ZoneConfig c = { .machine_id = g_strdup("0123456789abcdef0123456789abcdef") };
        uint8_t seeded[6];
        char mac[MAC_STRLEN];
        g_autofree char *text = NULL;

        none = build(&c, NULL);
        g_assert_cmpint(none->network_mode, ==, NETWORK_NONE);
        g_assert_null(none->network_host_ifname);
        g_assert_null(none->network_addresses);

        c = (ZoneConfig) { .machine_id = g_strdup("0123456789abcdef0123456789abcdef") };
        c.network.mode = NETWORK_BRIDGE;
        c.network.addresses = g_new0(InetPrefix, 2);
        c.network.n_addresses = 2;
        g_assert_cmpint(inet_prefix_parse("10.42.0.2/24", &c.network.addresses[0]), ==, 0);
        g_assert_cmpint(inet_prefix_parse("fd42:7a6f:6e65::2/64", &c.network.addresses[1]), ==, 0);
        c.network.mtu = 1400;
        c.network.dns = g_new0(InetPrefix, 1);
        c.network.n_dns = 1;
        g_assert_cmpint(inet_prefix_parse("10.42.0.1", &c.network.dns[0]), ==, 0);
        bridged = build(&c, NULL);
        g_assert_cmpint(bridged->network_mode, ==, NETWORK_BRIDGE);
        g_assert_cmpstr(bridged->network_link, ==, "zbr0");
        g_assert_cmpstr(bridged->network_host_ifname, ==, "vz-z1");
        mac_address_from_seed("0123456789abcdef0123456789abcdef", seeded);
        g_assert_cmpstr(bridged->network_mac, ==, mac_address_format(seeded, mac));
        g_assert_cmpuint(g_strv_length(bridged->network_addresses), ==, 2);
        g_assert_cmpstr(bridged->network_addresses[1], ==, "fd42:7a6f:6e65::2/64");
        g_assert_cmpuint(g_strv_length(bridged->network_gateways), ==, 2);
        g_assert_cmpstr(bridged->network_gateways[0], ==, "10.42.0.1/24");
        g_assert_cmpstr(bridged->network_gateways[1], ==, "fd42:7a6f:6e65::1/64");
        g_assert_cmpuint(bridged->network_mtu, ==, 1400);
        g_assert_cmpstr(bridged->network_dns[0], ==, "10.42.0.1");
        g_assert_cmpint(launch_plan_serialize(bridged, &text), ==, 0);

        c = (ZoneConfig) { .machine_id = g_strdup("0123456789abcdef0123456789abcdef") };
        c.network.mode = NETWORK_MACVLAN;
        c.network.link = g_strdup("eth1");
        c.network.mac_set = true;
        g_assert_cmpint(mac_address_parse("02:00:00:00:00:07", c.network.mac), ==, 0);
        mv = build(&c, NULL);
        g_assert_cmpstr(mv->network_link, ==, "eth1");
        g_assert_null(mv->network_host_ifname);
        g_assert_cmpstr(mv->network_mac, ==, "02:00:00:00:00:07");
        g_assert_null(mv->network_gateways);
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        g_assert_cmpint(manager_new(&manager), ==, 0);
        /* zoned's defaults (no file, no state dir): zbr0 with the pools' first networks. */
        {
                g_autofree char *error = NULL;

                g_assert_cmpint(network_config_load("/nonexistent/zoned-network.conf", NULL,
                                                    &manager->network_config, &error),
                                ==, 0);
        }
        g_test_add_func("/launch-plan-build/network", test_network);
        g_test_add_func("/launch-plan-build/users", test_users);
        g_test_add_func("/launch-plan-build/no-range", test_no_range);
        g_test_add_func("/launch-plan-build/capabilities", test_capabilities);
        g_test_add_func("/launch-plan-build/layout", test_layout);
        r = g_test_run();
        manager_free(manager);
        return r;
}
