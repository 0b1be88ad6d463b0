/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "names.h"
#include "template-check.h"
#include "template.h"
#include "transfer.h"
#include "zone.h"

Zone *template_user(Manager *m, const char *name) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;

                if (streq(z->config.template_name, name) && (!z->config.copy || z->state == ZONE_CREATING))
                        return z;
        }
        return NULL;
}

int template_check_new(Manager *m, const char *name, bool replace, Zone **ret_user) {
        g_autofree char *templates = manager_templates_dir(m);
        Zone *user;

        if (!zone_name_is_valid(name))
                return -EINVAL;
        if (transfer_makes_template(m, name))
                return -EEXIST;
        if (!template_exists(templates, name))
                return 0;
        if (!replace)
                return -EEXIST;
        user = template_user(m, name);
        if (!user)
                return 0;
        if (ret_user)
                *ret_user = user;
        return -ETXTBSY;
}

int template_check_usable(Manager *m, const char *name) {
        g_autofree char *templates = manager_templates_dir(m);

        if (!zone_name_is_valid(name))
                return -EINVAL;
        if (!template_exists(templates, name))
                return -ENOENT;
        if (transfer_makes_template(m, name))
                return -EBUSY;
        return 0;
}

int brand_check_installed(Manager *m, const char *brand) {
        if (!zone_name_is_valid(brand) || !g_hash_table_contains(m->brands, brand))
                return -ENOPKG;
        return 0;
}
