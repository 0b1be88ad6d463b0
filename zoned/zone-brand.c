/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "brand.h"
#include "bus-errors.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "zone-brand.h"
#include "zone-config.h"
#include "zone-dbus.h"

int zone_set_brand(Zone *z, const char *brand, sd_bus_error *error) {
        g_autofree char *path = zone_config_path(z), *old = NULL;
        int r;

        if (!g_hash_table_contains(z->manager->brands, brand)) {
                g_autofree char *known = brand_names(z->manager->brands);

                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND,
                                         "Brand \"%s\" is not installed (brands: %s).", brand, known);
        }
        if ((z->state != ZONE_STOPPED && z->state != ZONE_FAILED) || z->link)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY,
                                         "Zone %s is %s: its brand can be changed only while it is stopped.",
                                         z->name, zone_state_to_string(z->state));
        if (streq(z->config.brand, brand))
                return 0;
        /* Saved with the new brand; the zone keeps its old one if that fails. */
        old = z->config.brand;
        z->config.brand = g_strdup(brand);
        r = zone_config_save(path, &z->config);
        if (r < 0) {
                g_free(z->config.brand);
                z->config.brand = g_steal_pointer(&old);
                return sd_bus_error_set_errnof(error, r, "Cannot write the file of zone %s: %m", z->name);
        }
        log_info("Zone %s: brand %s → %s.", z->name, old, brand);
        zone_emit_properties_changed(z, (const char *const[]) { "Brand", NULL });
        return 0;
}

int zone_method_set_brand(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        const char *brand;
        int r;

        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &brand);
        if (r < 0)
                return r;
        r = zone_set_brand(z, brand, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}
