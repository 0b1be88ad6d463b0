/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-errors.h"
#include "log.h"
#include "zone-autoboot.h"
#include "zone-config.h"
#include "zone-dbus.h"

int zone_set_autoboot(Zone *z, bool autoboot, sd_bus_error *error) {
        g_autofree char *path = zone_config_path(z);
        int r;

        r = zone_reload_config(z, error);
        if (r < 0)
                return r;
        if (z->config.autoboot == autoboot)
                return 0;
        z->config.autoboot = autoboot;
        r = zone_config_save(path, &z->config);
        if (r < 0) {
                z->config.autoboot = !autoboot;
                return sd_bus_error_set_errnof(error, r, "Cannot write the file of zone %s: %m", z->name);
        }
        log_info("Zone %s: autoboot %s.", z->name, autoboot ? "on" : "off");
        zone_emit_properties_changed(z, (const char *const[]) { "Autoboot", NULL });
        return 0;
}

int zone_method_set_autoboot(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        int autoboot, r;

        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "b", &autoboot);
        if (r < 0)
                return r;
        r = zone_set_autoboot(z, autoboot, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}
