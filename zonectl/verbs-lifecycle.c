/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* boot, poweroff, reboot, terminate: start the action, then wait for the
 * state it leads to (unless --no-block). */

#include "cli-error.h"
#include "wait-state.h"
#include "zonectl.h"

typedef struct Action {
        const char *method; /* Manager method */
        const char *doing;  /* for messages: "boot" */
        ZoneGoal goal;
} Action;

static int log_wait_error(int r, const ZoneWait *w, const Action *a) {
        switch (r) {
        case -EIO:
                if (!isempty(w->info.status_text))
                        return cli_error_errno(r, "zone \"%s\" failed to %s: %s", w->name, a->doing,
                                               w->info.status_text);
                return cli_error_errno(r, "zone \"%s\" failed to %s: it is %s", w->name, a->doing,
                                       strna(w->info.state));
        case -EIDRM:
                return cli_error_errno(r, "zone \"%s\" was removed while waiting for it to %s", w->name,
                                       a->doing);
        case -ECONNRESET:
                return cli_error_errno(r, "zoned went away while waiting for zone \"%s\" to %s", w->name,
                                       a->doing);
        case -ETIME:
                return cli_error_errno(r, "timed out waiting for zone \"%s\" to %s (it is %s)", w->name,
                                       a->doing, strna(w->info.state));
        default:
                return cli_error_errno(r, "cannot follow zone \"%s\": %m", w->name);
        }
}

static int run_action(Client *c, const char *name, const Action *a) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(zone_wait_done) ZoneWait w = ZONE_WAIT_NULL;
        int r;

        /* Subscribe before the call, so that no state change can be missed. */
        if (arg_block) {
                r = zone_wait_prepare(&w, c, name, NULL, a->goal, &error);
                if (r < 0)
                        return cli_bus_error(&error, r, "cannot look up zone \"%s\"", name);
        }
        r = manager_call(c, a->method, &error, NULL, "s", name);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot %s zone \"%s\"", a->doing, name);
        if (!arg_block)
                return 0;
        r = zone_wait_run(&w, timeout_deadline());
        if (r < 0)
                return log_wait_error(r, &w, a);
        return 0;
}

int verb_boot(int argc, char *argv[], Client *c) {
        static const Action a = { "BootZone", "boot", ZONE_GOAL_RUNNING };
        return run_action(c, argv[1], &a);
}

int verb_poweroff(int argc, char *argv[], Client *c) {
        static const Action a = { "PoweroffZone", "power off", ZONE_GOAL_STOPPED };
        return run_action(c, argv[1], &a);
}

int verb_reboot(int argc, char *argv[], Client *c) {
        static const Action a = { "RebootZone", "reboot", ZONE_GOAL_REBOOTED };
        return run_action(c, argv[1], &a);
}

int verb_terminate(int argc, char *argv[], Client *c) {
        static const Action a = { "TerminateZone", "terminate", ZONE_GOAL_STOPPED };
        return run_action(c, argv[1], &a);
}
