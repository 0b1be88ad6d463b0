/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <signal.h>

#include "capabilities.h"
#include "zone-limits.h"
#include "launch-plan-build.h"
#include "template.h"
#include "zone-disk.h"
#include "zone-network.h"

/* The default set, changed by the brand, then by the zone; in the plan only if one changed it. */
static void plan_capabilities(LaunchPlan *p, const Brand *b, const ZoneConfig *c) {
        if (!capability_change_is_set(&b->capabilities) && !capability_change_is_set(&c->capabilities))
                return;
        p->capabilities_set = true;
        p->capabilities = capability_change_apply(
                &c->capabilities, capability_change_apply(&b->capabilities, capabilities_default_mask()));
}

/* The signal to send for the one the guest is to get: shifted for an emulator's real-time signals. */
static int brand_host_signal(const Brand *b, int sig) {
        if (sig >= SIGRTMIN && sig + b->realtime_signal_offset <= SIGRTMAX)
                return sig + b->realtime_signal_offset;
        return sig;
}

int launch_plan_build(Zone *z, const Brand *b, LaunchPlan **ret) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = launch_plan_new();
        Manager *m = z->manager;
        g_autofree char *state = zone_state_path(z), *templates = manager_templates_dir(m);
        int r;

        if (!p)
                return -ENOMEM;
        p->name = g_strdup(z->name);
        p->hostname = g_strdup(z->name);
        p->root_mode = z->config.copy ? ROOT_DIRECTORY : ROOT_OVERLAY;
        p->root_shifted = z->config.shifted;
        p->rootfs = g_build_filename(state, "rootfs", NULL);
        if (!z->config.copy) {
                p->lower = template_rootfs(templates, z->config.template_name);
                p->upper = g_build_filename(state, "upper", NULL);
                p->work = g_build_filename(state, "work", NULL);
        }
        zone_disk_plan(z, p);
        p->init_argv = strv_copy(b->init_argv);
        p->init_search = strv_copy(b->init_search);
        p->fixups = strv_copy(b->fixups);
        p->poweroff_prepare = strv_copy(b->poweroff_prepare);
        p->reboot_prepare = strv_copy(b->reboot_prepare);
        p->halt_prepare = strv_copy(b->halt_prepare);
        if (!p->init_argv || !p->init_search || !p->fixups || !p->poweroff_prepare || !p->reboot_prepare ||
            !p->halt_prepare)
                return -ENOMEM;
        p->personality = b->personality;
        r = strv_extend(&p->init_env, "container=zoned");
        if (r < 0)
                return r;
        for (char **e = b->environment; e && *e; e++) {
                r = strv_extend(&p->init_env, *e);
                if (r < 0)
                        return r;
        }
        p->poweroff_signal = brand_host_signal(b, b->poweroff_signal);
        p->reboot_signal = brand_host_signal(b, b->reboot_signal);
        p->halt_signal = brand_host_signal(b, b->halt_signal);
        p->stop_timeout_usec = b->stop_timeout_usec;
        p->ready = b->ready;
        p->ready_target = g_strdup(b->ready_target);
        p->ready_timeout_usec = b->ready_timeout_usec;
        p->runtime_dir = zone_runtime_path(z);
        p->console_log = g_build_filename(m->log_dir, z->name, "console.log", NULL);
        p->console_log_max = 1024 * 1024;
        p->cgroup = zone_cgroup_path(z);
        p->machine_id = g_strdup(z->config.machine_id);
        p->seccomp_filter = manager_seccomp_filter_path(m);
        p->nesting = z->config.nesting;
        p->device_allow = zone_config_device_allow_paths(z->config.device_allow);
        if (z->config.private_users) {
                /* zone-userns.c made sure there is one before the boot got here. */
                if (z->config.uid_range == 0)
                        return -ERANGE;
                p->uid_shift = z->config.uid_shift;
                p->uid_range = z->config.uid_range;
        }
        plan_capabilities(p, b, &z->config);
        r = zone_limits_plan(z, &p->limits);
        if (r < 0)
                return r;
        r = zone_network_plan(z, p);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}
