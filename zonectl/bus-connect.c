/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <poll.h>
#include <signal.h>
#include <time.h>

#include "bus-connect.h"
#include "config.h"
#include "format-util.h"

static sd_bus *bus_unref(sd_bus *bus) {
        return sd_bus_flush_close_unref(bus);
}

static void bus_unrefp(sd_bus **bus) {
        *bus = bus_unref(*bus);
}

/* zoned's private socket: a peer-to-peer connection, no Hello, no bus daemon. */
static int bus_open_direct(const char *address, sd_bus **ret) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;
        r = sd_bus_set_bus_client(bus, false);
        if (r < 0)
                return r;
        r = sd_bus_negotiate_fds(bus, true);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

static int client_new(sd_bus *bus, const char *address, char *owner, Client **ret) {
        Client *c = new0(Client, 1);

        if (!c)
                return -ENOMEM;
        c->address = strdup(address);
        if (!c->address) {
                free(c);
                return -ENOMEM;
        }
        c->bus = bus;
        c->owner = owner;
        c->destination = owner ? ZONED_SERVICE : NULL;
        *ret = c;
        return 0;
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Client *c = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (streq(name, ZONED_SERVICE) && !streq_ptr(new_owner, c->owner))
                c->lost = true;
        return 0;
}

/* The system bus, and zoned's unique name on it; -ENXIO when zoned is not there. */
static int client_open_system(Client **ret) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *owner = NULL;
        const char *o;
        Client *c;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetNameOwner", &error, &reply, "s", ZONED_SERVICE);
        if (r < 0)
                return sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ? -ENXIO : r;
        r = sd_bus_message_read(reply, "s", &o);
        if (r < 0)
                return r;
        owner = strdup(o);
        if (!owner)
                return -ENOMEM;
        r = client_new(bus, "the system bus", owner, &c);
        if (r < 0)
                return r;
        TAKE_PTR(bus);
        TAKE_PTR(owner);
        /* Notice when zoned leaves the bus while we wait for it. */
        r = sd_bus_add_match_async(
                c->bus, &c->owner_slot,
                "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                "arg0='" ZONED_SERVICE "'",
                on_name_owner_changed, NULL, c);
        if (r < 0) {
                client_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

static int client_open_direct(const char *address, Client **ret) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        int r;

        r = bus_open_direct(address, &bus);
        if (r < 0)
                return r;
        r = client_new(bus, address, NULL, ret);
        if (r < 0)
                return r;
        TAKE_PTR(bus);
        return 0;
}

int client_connect(const char *address, const char *runtime_dir, Client **ret, char **ret_tried,
                   int *ret_system_error) {
        _cleanup_free_ char *fallback = NULL;
        int r;

        if (!address)
                address = getenv("ZONED_ADDRESS");
        if (!isempty(address)) {
                r = client_open_direct(address, ret);
                if (r < 0 && ret_tried)
                        *ret_tried = strdup(address);
                return r;
        }

        r = client_open_system(ret);
        if (r >= 0)
                return 0;
        if (ret_system_error)
                *ret_system_error = r;

        if (!runtime_dir)
                runtime_dir = getenv("ZONED_RUNTIME_DIR");
        if (isempty(runtime_dir))
                runtime_dir = DEFAULT_RUNTIME_DIR;
        if (asprintf(&fallback, "unix:path=%s/" ZONED_BUS_SOCKET, runtime_dir) < 0)
                return -ENOMEM;
        /* No system bus, or no zoned on it: zoned's private socket. */
        r = client_open_direct(fallback, ret);
        if (r >= 0)
                return 0;
        if (ret_tried)
                *ret_tried = TAKE_PTR(fallback);
        return r;
}

void client_close(Client *c) {
        if (!c)
                return;
        c->owner_slot = sd_bus_slot_unref(c->owner_slot);
        c->bus = bus_unref(c->bus);
}

Client *client_free(Client *c) {
        if (!c)
                return NULL;
        client_close(c);
        free(c->address);
        free(c->owner);
        free(c);
        return NULL;
}

int client_match_signal(Client *c, sd_bus_slot **ret_slot, const char *path, const char *interface,
                        const char *member, sd_bus_message_handler_t callback, void *userdata) {
        /* On a message bus only zoned's own signals count; on the private socket
         * everything comes from zoned, and messages carry no sender. */
        return sd_bus_match_signal(c->bus, ret_slot, c->owner, path, interface, member, callback, userdata);
}

int client_match_signal_async(Client *c, sd_bus_slot **ret_slot, const char *path, const char *interface,
                              const char *member, sd_bus_message_handler_t callback, void *userdata) {
        /* A failed AddMatch closes the connection (no install callback): waiting then ends in an
         * error instead of missing signals. */
        return sd_bus_match_signal_async(c->bus, ret_slot, c->owner, path, interface, member, callback, NULL,
                                         userdata);
}

/* sd_bus_wait(), but with sigmask in place only while it sleeps (ppoll): a signal blocked
 * outside is taken at once if it came before, and ends the wait with -EINTR. */
static int bus_wait_sigmask(sd_bus *bus, uint64_t timeout, const sigset_t *sigmask) {
        struct pollfd p = { .fd = sd_bus_get_fd(bus) };
        struct timespec ts, *tsp = NULL;
        uint64_t until, now;
        int r;

        if (p.fd < 0)
                return p.fd;
        r = sd_bus_get_events(bus);
        if (r < 0)
                return r;
        p.events = (short) r;
        r = sd_bus_get_timeout(bus, &until);
        if (r < 0)
                return r;
        now = now_usec(CLOCK_MONOTONIC);
        if (until != UINT64_MAX)
                timeout = MIN(timeout, until > now ? until - now : 0);
        if (timeout != UINT64_MAX) {
                ts = (struct timespec) { .tv_sec = (time_t) (timeout / USEC_PER_SEC),
                                         .tv_nsec = (long) (timeout % USEC_PER_SEC) * 1000 };
                tsp = &ts;
        }
        r = ppoll(&p, 1, tsp, sigmask);
        return r < 0 ? -errno : r;
}

int client_wait(Client *c, uint64_t deadline, int (*check)(void *userdata), void *userdata) {
        return client_wait_sigmask(c, deadline, check, userdata, NULL);
}

int client_wait_sigmask(Client *c, uint64_t deadline, int (*check)(void *userdata), void *userdata,
                        const sigset_t *sigmask) {
        int r;

        for (;;) {
                uint64_t now, timeout = UINT64_MAX;

                r = check(userdata);
                if (r != 0)
                        return r;
                if (c->lost)
                        return -ECONNRESET;

                r = sd_bus_process(c->bus, NULL);
                if (r == -ENOTCONN || r == -ECONNRESET || r == -EPIPE)
                        return -ECONNRESET;
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;

                if (deadline != USEC_INFINITY) {
                        now = now_usec(CLOCK_MONOTONIC);
                        if (now >= deadline)
                                return -ETIME;
                        timeout = deadline - now;
                }
                r = sigmask ? bus_wait_sigmask(c->bus, timeout, sigmask) : sd_bus_wait(c->bus, timeout);
                if (r == -ENOTCONN || r == -ECONNRESET || r == -EPIPE)
                        return -ECONNRESET;
                if (r < 0)
                        return r;
        }
}
