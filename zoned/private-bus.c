/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-id128.h>

#include "bus-driver.h"
#include "log.h"
#include "private-bus.h"

/* Messages one dispatch of a connection handles before the others get their turn. */
#define PRIVATE_CLIENT_BATCH 32

typedef struct PrivateClient PrivateClient;

struct PrivateBus {
        Manager *manager;
        int fd; /* listening */
        sd_event_source *source;
        PrivateClient *clients;
        uint64_t next_id; /* of the next client's unique name, ":1.<id>" */
};

struct PrivateClient {
        PrivateBus *pb;
        sd_bus *bus;
        /* zoned drives the connection itself rather than by sd_bus_attach_event(): that runs
         * sd_bus_process() once per wake-up, and a call that came in the same read as the end of
         * the authentication then waits in sd-bus' buffer, with nothing on the socket to wake it. */
        sd_event_source *io;
        sd_event_source *timer;
        bool more; /* the last dispatch stopped with messages left */
        PrivateClient *next;
};

static PrivateClient *private_client_free(PrivateClient *c) {
        if (!c)
                return NULL;
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        sd_bus_flush_close_unref(c->bus);
        free(c);
        return NULL;
}

static void private_client_freep(PrivateClient **c) {
        private_client_free(*c);
}

static void private_client_unlink(PrivateBus *pb, PrivateClient *c) {
        for (PrivateClient **p = &pb->clients; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        return;
                }
}

/* Handles what the connection has, up to a batch: every message that is already read, not
 * only the first. Returns false once the connection is gone. */
static bool private_client_dispatch(PrivateClient *c) {
        int r = 0;

        for (unsigned i = 0; i < PRIVATE_CLIENT_BATCH; i++) {
                r = sd_bus_process(c->bus, NULL);
                if (r < 0 || !sd_bus_is_open(c->bus)) {
                        if (r < 0)
                                log_debug_errno(r, "Private bus connection failed, closing it: %m");
                        private_client_unlink(c->pb, c);
                        private_client_free(c);
                        return false;
                }
                if (r == 0)
                        break;
        }
        c->more = r > 0;
        return true;
}

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        (void) private_client_dispatch(userdata);
        return 0;
}

static int on_client_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) private_client_dispatch(userdata);
        return 0;
}

/* Before each wait: poll for what sd-bus waits for, and wake up at its timeout (the end of the
 * authentication, a closing connection) or at once when a dispatch left messages. */
static int on_client_prepare(sd_event_source *s, void *userdata) {
        PrivateClient *c = userdata;
        uint64_t until = 0;
        int events, r = 1;

        events = sd_bus_get_events(c->bus);
        (void) sd_event_source_set_io_events(c->io, events > 0 ? (uint32_t) events : 0);
        if (!c->more && events >= 0)
                r = sd_bus_get_timeout(c->bus, &until);
        if (r > 0 && sd_event_source_set_time(c->timer, until) >= 0)
                return sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
        return sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
}

static int private_client_attach(PrivateClient *c) {
        int r;

        r = sd_event_add_io(c->pb->manager->event, &c->io, sd_bus_get_fd(c->bus), EPOLLIN, on_client_io, c);
        if (r < 0)
                return r;
        r = sd_event_source_set_prepare(c->io, on_client_prepare);
        if (r < 0)
                return r;
        return sd_event_add_time(c->pb->manager->event, &c->timer, CLOCK_MONOTONIC, 0, 0, on_client_timer,
                                 c);
}

static int private_client_new(PrivateBus *pb, int fd) {
        _cleanup_(private_client_freep) PrivateClient *c = NULL;
        _cleanup_close_ int owned = fd;
        sd_id128_t id;
        int r;

        c = new0(PrivateClient, 1);
        if (!c)
                return -ENOMEM;
        c->pb = pb;
        r = sd_bus_new(&c->bus);
        if (r < 0)
                return r;
        r = sd_bus_set_fd(c->bus, owned, owned);
        if (r < 0)
                return r;
        TAKE_FD(owned);
        r = sd_id128_randomize(&id);
        if (r < 0)
                return r;
        r = sd_bus_set_server(c->bus, 1, id);
        if (r < 0)
                return r;
        /* The caller's uid comes from SO_PEERCRED; bus_verify_root() checks it. */
        r = manager_register_objects(pb->manager, c->bus);
        if (r < 0)
                return r;
        r = bus_driver_add(c->bus, pb->next_id++);
        if (r < 0)
                return r;
        r = sd_bus_start(c->bus);
        if (r < 0)
                return r;
        r = private_client_attach(c);
        if (r < 0)
                return r;
        c->next = pb->clients;
        pb->clients = TAKE_PTR(c);
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        PrivateBus *pb = userdata;
        int cfd, r;

        cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        log_warning_errno(errno, "accept() on the private socket failed: %m");
                return 0;
        }
        r = private_client_new(pb, cfd);
        if (r < 0)
                log_warning_errno(r, "Cannot set up a private bus connection: %m");
        return 0;
}

static PrivateBus *private_bus_free(PrivateBus *pb) {
        if (!pb)
                return NULL;
        while (pb->clients) {
                PrivateClient *c = pb->clients;
                pb->clients = c->next;
                private_client_free(c);
        }
        sd_event_source_disable_unref(pb->source);
        safe_close(pb->fd);
        free(pb);
        return NULL;
}

static void private_bus_freep(PrivateBus **pb) {
        private_bus_free(*pb);
}

static int private_bus_bind(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0666) < 0 ||
            listen(fd, SOMAXCONN) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int private_bus_listen(Manager *m) {
        _cleanup_(private_bus_freep) PrivateBus *pb = NULL;
        g_autofree char *path = g_build_filename(m->runtime_dir, "bus", NULL);
        int r;

        pb = new0(PrivateBus, 1);
        if (!pb)
                return -ENOMEM;
        pb->manager = m;
        pb->next_id = 1; /* ":1.0" is zoned */
        pb->fd = private_bus_bind(path);
        if (pb->fd < 0)
                return pb->fd;
        r = sd_event_add_io(m->event, &pb->source, pb->fd, EPOLLIN, on_accept, pb);
        if (r < 0)
                return r;
        m->private_bus = TAKE_PTR(pb);
        return 0;
}

void private_bus_close_all(Manager *m) {
        m->private_bus = private_bus_free(m->private_bus);
}

void private_bus_foreach(Manager *m, manager_bus_func f, void *userdata) {
        if (!m->private_bus)
                return;
        for (PrivateClient *c = m->private_bus->clients; c; c = c->next)
                f(c->bus, userdata);
}
