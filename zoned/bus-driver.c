/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>

#include "bus-driver.h"
#include "macro.h"

#define DRIVER_NAME "org.freedesktop.DBus"
#define DRIVER_PATH "/org/freedesktop/DBus"
#define ZONED_NAME "org.zoned1"
#define ERROR_NAME_HAS_NO_OWNER "org.freedesktop.DBus.Error.NameHasNoOwner"
#define ERROR_SERVICE_UNKNOWN "org.freedesktop.DBus.Error.ServiceUnknown"
#define DBUS_START_REPLY_ALREADY_RUNNING 2U

typedef struct BusDriver {
        char *unique_name; /* the peer's */
        bool hello;        /* it said Hello already */
} BusDriver;

static void bus_driver_free(void *userdata) {
        BusDriver *d = userdata;

        free(d->unique_name);
        free(d);
}

typedef enum NameOwner {
        OWNER_NONE,
        OWNER_DRIVER, /* org.freedesktop.DBus: zoned answers for it */
        OWNER_ZONED,
        OWNER_PEER,
} NameOwner;

static NameOwner name_owner(const BusDriver *d, const char *name) {
        if (streq(name, DRIVER_NAME))
                return OWNER_DRIVER;
        if (streq(name, ZONED_NAME) || streq(name, BUS_DRIVER_ZONED_NAME))
                return OWNER_ZONED;
        if (streq(name, d->unique_name))
                return OWNER_PEER;
        return OWNER_NONE;
}

static int read_owned_name(sd_bus_message *m, const BusDriver *d, NameOwner *ret, sd_bus_error *error) {
        const char *name;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        *ret = name_owner(d, name);
        if (*ret == OWNER_NONE)
                return sd_bus_error_setf(error, ERROR_NAME_HAS_NO_OWNER, "Name \"%s\" does not exist here.",
                                         name);
        return 0;
}

static int method_hello(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusDriver *d = userdata;

        if (d->hello)
                return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, "Already handled an Hello message.");
        d->hello = true;
        return sd_bus_reply_method_return(m, "s", d->unique_name);
}

static int method_get_id(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_id128_t id;
        int r;

        r = sd_bus_get_bus_id(sd_bus_message_get_bus(m), &id);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "s", SD_ID128_TO_STRING(id));
}

static int method_get_name_owner(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusDriver *d = userdata;
        NameOwner owner;
        int r;

        r = read_owned_name(m, d, &owner, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "s",
                                          owner == OWNER_DRIVER  ? DRIVER_NAME
                                          : owner == OWNER_ZONED ? BUS_DRIVER_ZONED_NAME
                                                                 : d->unique_name);
}

static int method_name_has_owner(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "b", name_owner(userdata, name) != OWNER_NONE);
}

static int method_list_names(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusDriver *d = userdata;

        return sd_bus_reply_method_return(m, "as", 4, DRIVER_NAME, ZONED_NAME, BUS_DRIVER_ZONED_NAME,
                                          d->unique_name);
}

static int method_list_activatable_names(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, "as", 1, DRIVER_NAME);
}

static int method_start_service_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &name, &flags);
        if (r < 0)
                return r;
        if (name_owner(userdata, name) == OWNER_NONE)
                return sd_bus_error_setf(error, ERROR_SERVICE_UNKNOWN, "Name \"%s\" cannot be started here.",
                                         name);
        return sd_bus_reply_method_return(m, "u", DBUS_START_REPLY_ALREADY_RUNNING);
}

/* Every signal reaches every peer: a match rule changes nothing, the client filters. */
static int method_match(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *rule;
        int r;

        r = sd_bus_message_read(m, "s", &rule);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

/* The uid and pid of zoned itself or of the peer (its SO_PEERCRED). */
static int name_creds(sd_bus_message *m, NameOwner owner, uid_t *ret_uid, pid_t *ret_pid) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        int r;

        if (owner != OWNER_PEER) {
                *ret_uid = geteuid();
                *ret_pid = getpid();
                return 0;
        }
        r = sd_bus_get_owner_creds(sd_bus_message_get_bus(m), SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, ret_uid);
        if (r < 0)
                return r;
        return sd_bus_creds_get_pid(creds, ret_pid);
}

/* The uid and pid of the connection that owns the name the call asks about. */
static int read_name_creds(sd_bus_message *m, void *userdata, uid_t *ret_uid, pid_t *ret_pid,
                           sd_bus_error *error) {
        NameOwner owner;
        int r;

        r = read_owned_name(m, userdata, &owner, error);
        if (r < 0)
                return r;
        return name_creds(m, owner, ret_uid, ret_pid);
}

static int method_get_connection_unix_user(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uid_t uid;
        pid_t pid;
        int r;

        r = read_name_creds(m, userdata, &uid, &pid, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "u", (uint32_t) uid);
}

static int method_get_connection_unix_process_id(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uid_t uid;
        pid_t pid;
        int r;

        r = read_name_creds(m, userdata, &uid, &pid, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "u", (uint32_t) pid);
}

static int method_get_connection_credentials(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uid_t uid;
        pid_t pid;
        int r;

        r = read_name_creds(m, userdata, &uid, &pid, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "a{sv}", 2, "UnixUserID", "u", (uint32_t) uid, "ProcessID", "u",
                                          (uint32_t) pid);
}

#define U SD_BUS_VTABLE_UNPRIVILEGED
static const sd_bus_vtable driver_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("Hello", NULL, , "s", SD_BUS_PARAM(unique_name), method_hello, U),
        SD_BUS_METHOD_WITH_NAMES("GetId", NULL, , "s", SD_BUS_PARAM(id), method_get_id, U),
        SD_BUS_METHOD_WITH_NAMES("GetNameOwner", "s", SD_BUS_PARAM(name), "s", SD_BUS_PARAM(owner),
                                 method_get_name_owner, U),
        SD_BUS_METHOD_WITH_NAMES("NameHasOwner", "s", SD_BUS_PARAM(name), "b", SD_BUS_PARAM(has_owner),
                                 method_name_has_owner, U),
        SD_BUS_METHOD_WITH_NAMES("ListNames", NULL, , "as", SD_BUS_PARAM(names), method_list_names, U),
        SD_BUS_METHOD_WITH_NAMES("ListActivatableNames", NULL, , "as", SD_BUS_PARAM(names),
                                 method_list_activatable_names, U),
        SD_BUS_METHOD_WITH_NAMES("StartServiceByName", "su", SD_BUS_PARAM(name) SD_BUS_PARAM(flags), "u",
                                 SD_BUS_PARAM(result), method_start_service_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("AddMatch", "s", SD_BUS_PARAM(rule), NULL, , method_match, U),
        SD_BUS_METHOD_WITH_NAMES("RemoveMatch", "s", SD_BUS_PARAM(rule), NULL, , method_match, U),
        SD_BUS_METHOD_WITH_NAMES("GetConnectionUnixUser", "s", SD_BUS_PARAM(name), "u", SD_BUS_PARAM(uid),
                                 method_get_connection_unix_user, U),
        SD_BUS_METHOD_WITH_NAMES("GetConnectionUnixProcessID", "s", SD_BUS_PARAM(name), "u",
                                 SD_BUS_PARAM(pid), method_get_connection_unix_process_id, U),
        SD_BUS_METHOD_WITH_NAMES("GetConnectionCredentials", "s", SD_BUS_PARAM(name), "a{sv}",
                                 SD_BUS_PARAM(credentials), method_get_connection_credentials, U),
        SD_BUS_VTABLE_END,
};
#undef U

int bus_driver_add(sd_bus *bus, uint64_t id) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        BusDriver *d;
        int r;

        d = new0(BusDriver, 1);
        if (!d || asprintf(&d->unique_name, ":1.%" PRIu64, id) < 0) {
                free(d);
                return -ENOMEM;
        }
        r = sd_bus_add_object_vtable(bus, &slot, DRIVER_PATH, DRIVER_NAME, driver_vtable, d);
        if (r < 0) {
                bus_driver_free(d);
                return r;
        }
        (void) sd_bus_slot_set_destroy_callback(slot, bus_driver_free);
        r = sd_bus_slot_set_floating(slot, 1);
        if (r < 0)
                return r;
        /* Everything zoned sends comes from the owner of org.zoned1, as on a bus. */
        return sd_bus_set_sender(bus, BUS_DRIVER_ZONED_NAME);
}
