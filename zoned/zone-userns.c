/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <inttypes.h>
#include <sys/mount.h>
#include <unistd.h>

#include "bus-errors.h"
#include "fd-util.h"
#include "log.h"
#include "userns-probe.h"
#include "zone-dbus.h"
#include "zone-userns.h"
#include "zone.h"

/* The probe forks: asking once for a burst of boots is enough, the answer only changes with the
 * host's policy. */
#define USERNS_PROBE_CACHE_USEC (5 * USEC_PER_SEC)

static UidRange zone_uid_range(const Zone *z) {
        return (UidRange) { .start = z->config.uid_shift, .size = z->config.uid_range };
}

int manager_taken_uid_ranges(Manager *m, const Zone *except, GArray **ret) {
        g_autoptr(GArray) taken = g_array_new(FALSE, FALSE, sizeof(UidRange));
        GHashTableIter it;
        gpointer v;
        int r;

        g_array_append_vals(taken, m->reserved_uid_ranges->data, m->reserved_uid_ranges->len);
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                UidRange z = zone_uid_range(v);
                if (v != except && z.size > 0)
                        g_array_append_val(taken, z);
        }
        /* What cannot be read might be in use: better no range than a shared one. */
        r = uid_ranges_add_subid_file(taken, "/etc/subuid");
        if (r >= 0)
                r = uid_ranges_add_subid_file(taken, "/etc/subgid");
        if (r >= 0)
                r = uid_ranges_add_proc_maps(taken, "/proc");
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&taken);
        return 0;
}

/* A nesting zone's range holds the ranges of the zones inside it too. */
uint32_t zone_wanted_uid_range(const Zone *z) {
        return z->config.nesting ? NESTING_UID_RANGE_SIZE : UID_RANGE_SIZE;
}

int zone_allocate_uid_range(Zone *z) {
        g_autoptr(GArray) taken = NULL;
        uint32_t shift;
        int r;

        r = manager_taken_uid_ranges(z->manager, z, &taken);
        if (r < 0)
                return r;
        r = uid_range_allocate(&z->manager->uid_pool, taken, zone_wanted_uid_range(z), &shift);
        if (r < 0)
                return r;
        z->config.uid_shift = shift;
        z->config.uid_range = zone_wanted_uid_range(z);
        return 0;
}

/* The container= of the init of our PID namespace ("zoned", "lxc", ...), or NULL: for the log. */
static char *container_name(void) {
        g_autofree char *env = NULL;
        gsize n = 0;

        if (!g_file_get_contents("/proc/1/environ", &env, &n, NULL))
                return g_strdup(g_getenv("container"));
        for (gsize i = 0; i < n; i += strlen(env + i) + 1)
                if (g_str_has_prefix(env + i, "container="))
                        return g_strdup(env + i + strlen("container="));
        return g_strdup(g_getenv("container"));
}

/* Whether the file system of dir (or of the nearest directory above it that exists) lets zoned
 * idmap it, asked with zoned's own user namespace as the map. */
static bool can_idmap(const char *dir) {
        g_autofree char *p = g_strdup(dir);
        _cleanup_close_ int tree = -EBADF, userns = -EBADF;
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };

        while (access(p, F_OK) < 0 && strlen(p) > 1) {
                char *up = g_path_get_dirname(p);
                g_free(p);
                p = up;
        }
        tree = open_tree(AT_FDCWD, p, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        userns = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
        if (tree < 0 || userns < 0)
                return false;
        attr.userns_fd = (uint64_t) userns;
        return mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0;
}

int manager_pick_uid_pool(Manager *m) {
        g_autofree char *uid_map = NULL, *gid_map = NULL, *container = NULL;
        uint64_t ids = 0;
        int r;

        if (!g_file_get_contents("/proc/self/uid_map", &uid_map, NULL, NULL) ||
            !g_file_get_contents("/proc/self/gid_map", &gid_map, NULL, NULL))
                return log_error_errno(EIO, "Cannot read zoned's own uid_map and gid_map.");
        r = uid_pool_from_maps(uid_map, gid_map, &m->uid_pool, &ids);
        if (r > 0)
                return 0; /* the host: the default pool */
        container = container_name();
        m->nested_ids = ids;
        m->shifted_storage = !can_idmap(m->state_dir);
        if (m->shifted_storage)
                log_info("zoned cannot idmap its state directory %s here: zones of their own users are "
                         "made as copies whose files carry their ids (Storage=shifted-copy).",
                         m->state_dir);
        if (r == -ENOSPC) {
                /* No range for any zone: allocation says why (zone_uid_range_error()). */
                m->uid_pool = (UidPool) { .first = 1, .last = 0 };
                log_warning("zoned runs in a container (container=%s) whose user namespace maps %" PRIu64
                            " ids, none beyond its own users: zones with PrivateUsers=yes cannot boot. "
                            "In a zone of zoned, give that zone Nesting=yes.",
                            strna(container), ids);
                return 0;
        }
        if (r < 0)
                return r;
        log_info("zoned runs in a container (container=%s): the zones' ids come from its user namespace, "
                 "%" PRIu32 "-%" PRIu32 ".",
                 strna(container), m->uid_pool.first, m->uid_pool.last);
        return 0;
}

int zone_uid_range_error(const Zone *z, int r, sd_bus_error *error) {
        const Manager *m = z->manager;

        if (r == -ENOSPC && m->nested_ids > 0 && m->uid_pool.first > m->uid_pool.last)
                return sd_bus_error_setf(
                        error, ZONED_ERROR_NO_UID_RANGE,
                        "No host ids for zone %s: zoned runs in a container whose user namespace maps "
                        "%" PRIu64 " ids, its own users' only. In a zone of zoned, give that zone "
                        "Nesting=yes (zoned.zone(5), NESTING).",
                        z->name, m->nested_ids);
        if (r == -ENOSPC)
                return sd_bus_error_setf(
                        error, ZONED_ERROR_NO_UID_RANGE,
                        "No range of %" PRIu32 " host ids is free for zone %s in zoned's pool "
                        "%" PRIu32 "-%" PRIu32 " (the other zones, /etc/subuid, /etc/subgid "
                        "and running containers use the rest).",
                        zone_wanted_uid_range(z), z->name, m->uid_pool.first, m->uid_pool.last);
        return sd_bus_error_set_errnof(error, r, "Cannot find the host ids in use for zone %s: %m", z->name);
}

/* Why z's range cannot be used, or NULL: it reaches below the pool, or overlaps that of a zone
 * whose name sorts before z's (whatever order the directory lists the files in). Asked again at
 * each boot, so that removing the other zone, or a new file and a restart, settles it. */
static char *zone_uid_conflict(Zone *z) {
        Manager *m = z->manager;
        UidRange mine = zone_uid_range(z);
        GHashTableIter it;
        gpointer v;

        if (mine.size == 0)
                return NULL;
        if (mine.start < m->uid_pool.first)
                return g_strdup_printf(
                        "The host ids of zone %s (UIDShift=%" PRIu32 ") reach below zoned's pool "
                        "%" PRIu32 "-%" PRIu32 ", among the host's own users: it does not boot "
                        "until its file gets another UIDShift=, or none (then zoned "
                        "allocates a range).",
                        z->name, z->config.uid_shift, m->uid_pool.first, m->uid_pool.last);
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *y = v;
                UidRange theirs = zone_uid_range(y);

                if (strcmp(y->name, z->name) < 0 && uid_range_overlaps(&mine, &theirs))
                        return g_strdup_printf(
                                "The host ids of zone %s (UIDShift=%" PRIu32 ") overlap those of "
                                "zone %s (UIDShift=%" PRIu32 "): %s does not boot until one of "
                                "the two files gets another UIDShift=, or none (then zoned "
                                "allocates a range).",
                                z->name, z->config.uid_shift, y->name, y->config.uid_shift, z->name);
        }
        return NULL;
}

/* A private zone whose file predates ranges gets one now, and keeps it. */
static void zone_give_uid_range(Zone *z) {
        g_autofree char *path = zone_config_path(z);
        int r;

        r = zone_allocate_uid_range(z);
        if (r < 0) {
                log_error_errno(r,
                                "Zone %s: no host id range for its user namespace (%m); it does not boot "
                                "until one is free.",
                                z->name);
                return;
        }
        log_info("Zone %s: host ids %" PRIu32 "-%" PRIu32 " for its user namespace.", z->name,
                 z->config.uid_shift, z->config.uid_shift + z->config.uid_range - 1);
        r = zone_config_save(path, &z->config);
        if (r < 0)
                log_warning_errno(r,
                                  "Zone %s: cannot save its range to %s (%m); it may get another one when "
                                  "zoned starts again.",
                                  z->name, path);
}

void manager_check_uid_ranges(Manager *m) {
        GHashTableIter it;
        gpointer v;

        /* Said once at start, in the log and as the zone's status; BootZone says it again. */
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;
                g_autofree char *conflict = zone_uid_conflict(z);

                if (!conflict)
                        continue;
                log_error("%s", conflict);
                if (!z->link)
                        zone_set_runtime(z, z->state, z->leader, 0, conflict);
        }
        /* Then the zones without a range, around all of those. */
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;

                /* A zone kept with a broken file: never overwrite the file the admin is to fix. */
                if (z->config.private_users && z->config.uid_range == 0 && !z->config_error)
                        zone_give_uid_range(z);
        }
}

static int manager_probe_user_namespaces(Manager *m) {
        uint64_t now = (uint64_t) g_get_monotonic_time();

        if (m->userns_probe_usec == 0 || now - m->userns_probe_usec > USERNS_PROBE_CACHE_USEC) {
                m->userns_probe_result = userns_probe();
                m->userns_probe_usec = now;
                if (m->userns_probe_result < 0)
                        log_warning_errno(m->userns_probe_result,
                                          "The kernel refuses zoned a user namespace: %m. Zones with "
                                          "PrivateUsers=yes cannot boot.");
        }
        return m->userns_probe_result;
}

/* A zone whose file got Nesting=yes after it had a range of the plain size: a bigger one, so that
 * the zones inside it get ids. Its files carry the zone's own ids (the root is idmapped), so moving
 * it changes nothing on disk; a shifted copy carries host ids and keeps its range. Without a bigger
 * range free the zone still boots, as before: its nested zoned says NoUIDRange. */
static bool zone_grow_uid_range(Zone *z) {
        uint32_t shift = z->config.uid_shift, range = z->config.uid_range;
        int r;

        if (range == 0 || range >= zone_wanted_uid_range(z) || z->config.shifted)
                return false;
        r = zone_allocate_uid_range(z);
        if (r < 0) {
                log_warning_errno(r,
                                  "Zone %s has Nesting=yes but only %" PRIu32 " host ids, and no range "
                                  "of %" PRIu32 " is free (%m): the zones in it get none.",
                                  z->name, range, zone_wanted_uid_range(z));
                z->config.uid_shift = shift;
                z->config.uid_range = range;
                return false;
        }
        log_info("Zone %s has Nesting=yes: host ids %" PRIu32 "-%" PRIu32 " instead of %" PRIu32 "-%" PRIu32
                 ".",
                 z->name, z->config.uid_shift, z->config.uid_shift + z->config.uid_range - 1, shift,
                 shift + range - 1);
        return true;
}

/* A private zone still without a range (the pool was full when zoned started) tries again; a
 * nesting zone with a small one grows it. */
static int zone_ensure_uid_range(Zone *z, sd_bus_error *error) {
        static const char *const changed[] = { "UIDShift", "UIDRange", NULL };
        g_autofree char *path = zone_config_path(z);
        uint32_t shift = z->config.uid_shift, range = z->config.uid_range;
        int r;

        if (range > 0 && !zone_grow_uid_range(z))
                return 0;
        if (range == 0) {
                r = zone_allocate_uid_range(z);
                if (r < 0)
                        return zone_uid_range_error(z, r, error);
        }
        r = zone_config_save(path, &z->config);
        if (r < 0) {
                z->config.uid_shift = shift;
                z->config.uid_range = range;
                return sd_bus_error_set_errnof(error, r, "Cannot write %s: %m", path);
        }
        zone_emit_properties_changed(z, changed);
        return 0;
}

int zone_check_user_namespace(Zone *z, sd_bus_error *error) {
        g_autofree char *conflict = NULL;
        int r;

        if (!z->config.private_users)
                return 0;
        conflict = zone_uid_conflict(z);
        if (conflict)
                return sd_bus_error_setf(error, ZONED_ERROR_UID_RANGE_CONFLICT, "%s", conflict);
        r = manager_probe_user_namespaces(z->manager);
        if (r < 0)
                return sd_bus_error_setf(
                        error, ZONED_ERROR_USER_NAMESPACES_UNAVAILABLE,
                        "User namespaces are unavailable: the kernel refuses zoned one (%s). "
                        "Zone %s has PrivateUsers=yes and never runs without one; allow "
                        "user namespaces on the host, or set PrivateUsers=no in its file "
                        "for a trusted zone.",
                        strerror(-r), z->name);
        return zone_ensure_uid_range(z, error);
}
