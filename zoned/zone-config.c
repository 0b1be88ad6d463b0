/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <inttypes.h>
#include <sys/random.h>

#include "ini-util.h"
#include "launch-plan.h"
#include "macro.h"
#include "names.h"
#include "uid-range.h"
#include "zone-config-limits.h"
#include "zone-config.h"
#include "zone-devices.h"

#define GROUP "Zone"
#define GROUP_LIMITS "Limits"

void zone_config_done(ZoneConfig *c) {
        g_clear_pointer(&c->template_name, g_free);
        g_clear_pointer(&c->brand, g_free);
        g_clear_pointer(&c->machine_id, g_free);
        zone_limits_done(&c->limits);
        zone_network_done(&c->network);
}

int zone_config_new_machine_id(char **ret) {
        uint8_t b[16];
        char *s;

        if (getrandom(b, sizeof(b), 0) != (ssize_t) sizeof(b))
                return -EIO;
        /* RFC 4122 version 4, variant 1: what sd_id128_randomize() makes. */
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        s = g_malloc(33);
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(s + 2 * i, 3, "%02x", b[i]);
        *ret = s;
        return 0;
}

static int get_bool(GKeyFile *f, const char *key, bool def, bool *ret) {
        g_autofree char *v = g_key_file_get_value(f, GROUP, key, NULL);

        if (!v) {
                *ret = def;
                return 0;
        }
        if (streq(v, "true") || streq(v, "yes") || streq(v, "1"))
                *ret = true;
        else if (streq(v, "false") || streq(v, "no") || streq(v, "0"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

/* A decimal number of 32 bits, nothing around it. 0: not given (*ret untouched), 1: given. */
static int get_u32(GKeyFile *f, const char *key, uint32_t *ret) {
        g_autofree char *v = g_key_file_get_value(f, GROUP, key, NULL);
        guint64 n;

        if (!v)
                return 0;
        if (!g_ascii_string_to_unsigned(v, 10, 0, UINT32_MAX, &n, NULL) || !g_ascii_isdigit(v[0]))
                return -EINVAL;
        *ret = (uint32_t) n;
        return 1;
}

static int parse_basics(GKeyFile *f, const char *text, const char *path, ZoneConfig *c, char **ret_error) {
        g_autofree char *storage = g_key_file_get_string(f, GROUP, "Storage", NULL);

        c->template_name = g_key_file_get_string(f, GROUP, "Template", NULL);
        c->brand = g_key_file_get_string(f, GROUP, "Brand", NULL);
        c->machine_id = g_key_file_get_string(f, GROUP, "MachineID", NULL);
        if (!c->template_name || !zone_name_is_valid(c->template_name))
                return ini_key_error(path, text, GROUP, "Template", ret_error,
                                     "Template= missing or invalid");
        if (!c->brand || !zone_name_is_valid(c->brand))
                return ini_key_error(path, text, GROUP, "Brand", ret_error, "Brand= missing or invalid");
        if (storage && !streq(storage, "overlay") && !streq(storage, "copy") &&
            !streq(storage, "shifted-copy"))
                return ini_key_error(path, text, GROUP, "Storage", ret_error,
                                     "Storage=%s is not overlay, copy or shifted-copy", storage);
        c->shifted = streq_ptr(storage, "shifted-copy");
        c->copy = c->shifted || streq_ptr(storage, "copy");
        if (get_bool(f, "Autoboot", false, &c->autoboot) < 0)
                return ini_key_error(path, text, GROUP, "Autoboot", ret_error, "Autoboot= is not a boolean");
        if (c->machine_id && !machine_id_is_valid(c->machine_id))
                return ini_key_error(path, text, GROUP, "MachineID", ret_error,
                                     "MachineID=%s is not 32 lowercase hex digits", c->machine_id);
        if (get_bool(f, "LXCFS", true, &c->lxcfs) < 0)
                return ini_key_error(path, text, GROUP, "LXCFS", ret_error, "LXCFS= is not a boolean");
        if (get_bool(f, "Nesting", false, &c->nesting) < 0)
                return ini_key_error(path, text, GROUP, "Nesting", ret_error, "Nesting= is not a boolean");
        return 0;
}

/* DeviceAllow=: paths separated by spaces, each one of zone-devices.h. */
static int parse_devices(GKeyFile *f, const char *text, const char *path, ZoneConfig *c, char **ret_error) {
        g_autofree char *v = g_key_file_get_string(f, GROUP, "DeviceAllow", NULL);
        g_auto(GStrv) words = NULL;
        const char *bad = NULL;

        if (!v)
                return 0;
        words = g_strsplit_set(g_strstrip(v), " \t", -1);
        /* Runs of spaces give empty words: drop them. */
        for (char **w = words, **out = words;; w++) {
                if (*w && !**w) {
                        g_free(*w);
                        continue;
                }
                *out++ = *w;
                if (!*w)
                        break;
        }
        if (zone_devices_from_paths(words, &c->device_allow, &bad) < 0)
                return ini_key_error(
                        path, text, GROUP, "DeviceAllow", ret_error,
                        "DeviceAllow=: %s is not a device a zone may be given (only " ZONE_DEVICES_NAMES ")",
                        bad);
        return 0;
}

/* PrivateUsers=, UIDShift=, UIDRange=: a private zone has both or (not yet allocated) neither;
 * a zone without a user namespace has no range to keep. */
static int parse_users(GKeyFile *f, const char *text, const char *path, ZoneConfig *c, char **ret_error) {
        int has_shift, has_range;

        if (get_bool(f, "PrivateUsers", true, &c->private_users) < 0)
                return ini_key_error(path, text, GROUP, "PrivateUsers", ret_error,
                                     "PrivateUsers= is not a boolean");
        has_shift = get_u32(f, "UIDShift", &c->uid_shift);
        if (has_shift < 0)
                return ini_key_error(path, text, GROUP, "UIDShift", ret_error, "UIDShift= is not a host id");
        has_range = get_u32(f, "UIDRange", &c->uid_range);
        if (has_range < 0 || (has_range && !uid_range_size_is_valid(c->uid_range)))
                return ini_key_error(path, text, GROUP, "UIDRange", ret_error,
                                     "UIDRange= is not a multiple of %" PRIu32 " up to %" PRIu32,
                                     UID_RANGE_SIZE, UID_RANGE_SIZE_MAX);
        if (!c->private_users && (has_shift || has_range))
                return ini_key_error(path, text, GROUP, has_shift ? "UIDShift" : "UIDRange", ret_error,
                                     "%s= goes with PrivateUsers=yes only",
                                     has_shift ? "UIDShift" : "UIDRange");
        if (has_shift != has_range)
                return ini_key_error(path, text, GROUP, has_shift ? "UIDShift" : "UIDRange", ret_error,
                                     "UIDShift= and UIDRange= go together");
        /* A shifted copy's files carry its range: it cannot be without one, or get another. */
        if (c->shifted && (!c->private_users || !has_range))
                return ini_key_error(path, text, GROUP, "Storage", ret_error,
                                     "Storage=shifted-copy needs PrivateUsers=yes and the UIDShift= and "
                                     "UIDRange= its files were shifted to");
        if (!uid_range_is_valid(c->uid_shift, c->uid_range))
                return ini_key_error(path, text, GROUP, "UIDShift", ret_error,
                                     "UIDShift=%" PRIu32 ": the range must start above 0 and end below "
                                     "4294967295",
                                     c->uid_shift);
        return 0;
}

/* For a file that does not load (zone_config_salvage()): its [Limits] DiskQuota= alone, read as
 * every limit is, so that the zone's disk is still found. */
static void salvage_disk_quota(GKeyFile *f, ZoneConfig *c) {
        g_autofree char *v = g_key_file_get_value(f, GROUP_LIMITS, "DiskQuota", NULL);
        LimitValue l = {};

        if (v && limit_parse(LIMIT_DISK_QUOTA, v, &l) >= 0 && l.value != UINT64_MAX)
                c->disk_quota = l.value;
        limit_value_done(&l);
}

/* DiskQuota= is read with the other limits, but it is a property of the zone's storage, not of
 * its cgroups: it lives in disk_quota alone (0: none), and is written back from there. */
static void take_disk_quota(ZoneConfig *c) {
        LimitValue *v = &c->limits.v[LIMIT_DISK_QUOTA];

        if (v->set && v->value != UINT64_MAX)
                c->disk_quota = v->value;
        limit_value_done(v);
}

int zone_config_parse(const char *path, const char *text, ZoneConfig *ret, char **ret_error) {
        static const char *const keys[] = { "Template",         "Brand",     "Storage",
                                            "Autoboot",         "MachineID", "PrivateUsers",
                                            "UIDShift",         "UIDRange",  "Capabilities",
                                            "DropCapabilities", "LXCFS",     "Nesting",
                                            "DeviceAllow",      NULL };
        static const IniSection sections[] = { { GROUP, keys }, {} };
        g_autoptr(GKeyFile) f = NULL;
        ZoneConfig c = {};
        int r;

        r = ini_parse(path, text, &f, ret_error);
        if (r < 0)
                return r;
        /* [Limits] and [Network] first: each is read, checked and taken out of f (zone-config-limits.h). */
        r = zone_config_limits_load(f, text, path, &c.limits, ret_error);
        if (r >= 0)
                r = zone_config_network_load(f, text, path, &c.network, ret_error);
        if (r >= 0)
                r = ini_check_sections(f, text, path, sections, ret_error);
        if (r >= 0)
                r = parse_basics(f, text, path, &c, ret_error);
        if (r >= 0)
                r = parse_users(f, text, path, &c, ret_error);
        if (r >= 0)
                r = parse_devices(f, text, path, &c, ret_error);
        if (r >= 0)
                r = capability_change_load(f, text, path, GROUP, &c.capabilities, ret_error);
        if (r >= 0)
                take_disk_quota(&c);
        if (r < 0) {
                zone_config_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

int zone_config_load(const char *path, ZoneConfig *ret, char **ret_error) {
        g_autofree char *text = NULL;
        ZoneConfig c = {};
        int r;

        r = ini_read(path, INI_NO_SYMLINK, &text, ret_error);
        if (r >= 0)
                r = zone_config_parse(path, text, &c, ret_error);
        if (r >= 0 && !c.machine_id) {
                r = zone_config_new_machine_id(&c.machine_id);
                /* Failing to save is not fatal: the zone gets another id next time. */
                if (r >= 0)
                        (void) zone_config_save(path, &c);
        }
        if (r < 0) {
                zone_config_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

void zone_config_salvage(const char *path, ZoneConfig *ret) {
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autofree char *text = NULL, *error = NULL, *template_name = NULL, *brand = NULL, *storage = NULL;
        ZoneConfig c = { .private_users = true, .lxcfs = true };
        uint32_t shift = 0, range = 0;

        if (ini_read(path, INI_NO_SYMLINK, &text, &error) >= 0 &&
            g_key_file_load_from_data(f, text, strlen(text), G_KEY_FILE_NONE, NULL)) {
                template_name = g_key_file_get_string(f, GROUP, "Template", NULL);
                brand = g_key_file_get_string(f, GROUP, "Brand", NULL);
                storage = g_key_file_get_string(f, GROUP, "Storage", NULL);
                c.shifted = streq_ptr(storage, "shifted-copy");
                c.copy = c.shifted || streq_ptr(storage, "copy");
                if (get_bool(f, "PrivateUsers", true, &c.private_users) < 0)
                        c.private_users = true;
                salvage_disk_quota(f, &c);
                g_clear_pointer(&error, g_free);
                if (get_u32(f, "UIDShift", &shift) > 0 && get_u32(f, "UIDRange", &range) > 0 &&
                    uid_range_is_valid(shift, range)) {
                        c.uid_shift = shift;
                        c.uid_range = range;
                }
        }
        c.template_name = g_strdup(template_name && zone_name_is_valid(template_name) ? template_name : "");
        c.brand = g_strdup(brand && zone_name_is_valid(brand) ? brand : "");
        *ret = c;
}

void zone_config_peek_uid_range(const char *path, uint32_t *ret_shift, uint32_t *ret_range) {
        ZoneConfig c;

        zone_config_salvage(path, &c);
        *ret_shift = c.uid_shift;
        *ret_range = c.uid_range;
        zone_config_done(&c);
}

char *zone_config_device_allow_text(unsigned mask) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (size_t i = 0; i < ZONE_DEVICES_N; i++)
                if (mask & (1u << i))
                        g_string_append_printf(s, "%s%s", s->len ? " " : "", zone_devices[i].path);
        return g_string_free(g_steal_pointer(&s), FALSE);
}

char **zone_config_device_allow_paths(unsigned mask) {
        g_autoptr(GPtrArray) a = g_ptr_array_new();

        if (mask == 0)
                return NULL;
        for (size_t i = 0; i < ZONE_DEVICES_N; i++)
                if (mask & (1u << i))
                        g_ptr_array_add(a, g_strdup(zone_devices[i].path));
        g_ptr_array_add(a, NULL);
        return (char **) g_ptr_array_free(g_steal_pointer(&a), FALSE);
}

const char *zone_config_storage_name(const ZoneConfig *c) {
        return c->shifted ? "shifted-copy" : c->copy ? "copy" : "overlay";
}

int zone_config_save(const char *path, const ZoneConfig *c) {
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autofree char *text = NULL;

        if (!c->template_name || !c->brand || (c->machine_id && !machine_id_is_valid(c->machine_id)) ||
            !uid_range_is_valid(c->uid_shift, c->uid_range))
                return -EINVAL;
        g_key_file_set_string(f, GROUP, "Template", c->template_name);
        g_key_file_set_string(f, GROUP, "Brand", c->brand);
        g_key_file_set_string(f, GROUP, "Storage", zone_config_storage_name(c));
        g_key_file_set_boolean(f, GROUP, "Autoboot", c->autoboot);
        if (c->machine_id)
                g_key_file_set_string(f, GROUP, "MachineID", c->machine_id);
        g_key_file_set_boolean(f, GROUP, "PrivateUsers", c->private_users);
        if (c->private_users && c->uid_range > 0) {
                g_key_file_set_uint64(f, GROUP, "UIDShift", c->uid_shift);
                g_key_file_set_uint64(f, GROUP, "UIDRange", c->uid_range);
        }
        capability_change_save(f, GROUP, &c->capabilities);
        if (c->disk_quota > 0)
                g_key_file_set_uint64(f, GROUP_LIMITS, "DiskQuota", c->disk_quota);
        if (!c->lxcfs)
                g_key_file_set_boolean(f, GROUP, "LXCFS", false);
        if (c->nesting)
                g_key_file_set_boolean(f, GROUP, "Nesting", true);
        if (c->device_allow) {
                g_autofree char *devices = zone_config_device_allow_text(c->device_allow);
                g_key_file_set_string(f, GROUP, "DeviceAllow", devices);
        }
        zone_config_limits_save(f, &c->limits);
        zone_config_network_save(f, &c->network);
        text = g_key_file_to_data(f, NULL, NULL);
        return write_file_atomic(path, text, 0644);
}
