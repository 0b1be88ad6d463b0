/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-id128.h>

#include "bus-driver.h"
#include "log.h"
#include "private-bus.h"

/* Messages one dispatch of a connection handles before the others get their turn. */
#define PRIVATE_CLIENT_BATCH 32
/* Connections one dispatch of the listening socket accepts (or refuses). */
#define PRIVATE_ACCEPT_BATCH 256
/* How long accepting pauses when zoned is out of file descriptors. */
#define PRIVATE_ACCEPT_PAUSE_USEC (100 * USEC_PER_MSEC)
/* How often a refusal, or a pause, is logged at most. */
#define PRIVATE_LOG_INTERVAL_USEC (10 * USEC_PER_SEC)

typedef struct PrivateClient PrivateClient;

struct PrivateBus {
        Manager *manager;
        int fd; /* listening */
        sd_event_source *source;
        sd_event_source *resume; /* accepting again after EMFILE */
        PrivateClient *clients;
        uint64_t next_id;    /* of the next client's unique name, ":1.<id>" */
        GHashTable *per_uid; /* uid → its number of connections */
        unsigned n_others;   /* connections of uids other than root */
        uint64_t refused;    /* connections refused since the last log line */
        uint64_t refused_log_usec;
        uint64_t pause_log_usec;
};

struct PrivateClient {
        PrivateBus *pb;
        sd_bus *bus;
        uid_t uid; /* SO_PEERCRED at accept() */
        /* zoned drives the connection itself rather than by sd_bus_attach_event(): that runs
         * sd_bus_process() once per wake-up, and a call that came in the same read as the end of
         * the authentication then waits in sd-bus' buffer, with nothing on the socket to wake it. */
        sd_event_source *io;
        sd_event_source *timer;
        bool more; /* the last dispatch stopped with messages left */
        PrivateClient *prev, *next;
};

static unsigned uid_count(PrivateBus *pb, uid_t uid) {
        return GPOINTER_TO_UINT(g_hash_table_lookup(pb->per_uid, GUINT_TO_POINTER(uid)));
}

static void uid_count_add(PrivateBus *pb, uid_t uid, int delta) {
        unsigned n = uid_count(pb, uid) + delta;

        if (n == 0)
                g_hash_table_remove(pb->per_uid, GUINT_TO_POINTER(uid));
        else
                g_hash_table_insert(pb->per_uid, GUINT_TO_POINTER(uid), GUINT_TO_POINTER(n));
        if (uid != 0)
                pb->n_others += delta;
}

/* Also for one not linked and counted yet (pb NULL). */
static PrivateClient *private_client_free(PrivateClient *c) {
        if (!c)
                return NULL;
        if (c->pb) {
                if (c->prev)
                        c->prev->next = c->next;
                else
                        c->pb->clients = c->next;
                if (c->next)
                        c->next->prev = c->prev;
                uid_count_add(c->pb, c->uid, -1);
        }
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        /* No flush: a client that does not read would keep zoned waiting, even from exiting. */
        sd_bus_close_unref(c->bus);
        free(c);
        return NULL;
}

static void private_client_freep(PrivateClient **c) {
        private_client_free(*c);
}

/* Whether sd-bus holds messages it could not write yet. */
static bool private_client_writing(PrivateClient *c) {
        int events = sd_bus_get_events(c->bus);

        return events > 0 && (events & POLLOUT);
}

/* Handles what the connection has, up to a batch: every message that is already read, not
 * only the first. A client that does not read its answers is not read from either until it
 * did, so that what zoned holds for it stays small. Returns false once the connection is gone. */
static bool private_client_dispatch(PrivateClient *c) {
        int r = 0;

        for (unsigned i = 0; i < PRIVATE_CLIENT_BATCH; i++) {
                r = sd_bus_process(c->bus, NULL);
                if (r < 0 || !sd_bus_is_open(c->bus)) {
                        if (r < 0)
                                log_debug_errno(r, "Private bus connection failed, closing it: %m");
                        private_client_free(c);
                        return false;
                }
                if (r == 0 || private_client_writing(c))
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

/* Before each wait: poll for what sd-bus waits for (only for room to write while it has
 * something to write), and wake up at its timeout (the end of the authentication, a closing
 * connection) or at once when a dispatch left messages. */
static int on_client_prepare(sd_event_source *s, void *userdata) {
        PrivateClient *c = userdata;
        uint64_t until = 0;
        int events, r = 1;

        events = sd_bus_get_events(c->bus);
        if (events > 0 && (events & POLLOUT))
                events = POLLOUT;
        (void) sd_event_source_set_io_events(c->io, events > 0 ? (uint32_t) events : 0);
        if (events == POLLOUT)
                r = 0;
        else if (!c->more && events >= 0)
                r = sd_bus_get_timeout(c->bus, &until);
        if (r > 0 && sd_event_source_set_time(c->timer, until) >= 0)
                return sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
        return sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
}

static int private_client_attach(PrivateClient *c, sd_event *e) {
        int r;

        r = sd_event_add_io(e, &c->io, sd_bus_get_fd(c->bus), EPOLLIN, on_client_io, c);
        if (r < 0)
                return r;
        r = sd_event_source_set_prepare(c->io, on_client_prepare);
        if (r < 0)
                return r;
        return sd_event_add_time(e, &c->timer, CLOCK_MONOTONIC, 0, 0, on_client_timer, c);
}

/* The sd-bus server connection, the objects on it, and its event sources. */
static int private_client_new(PrivateBus *pb, int fd, uid_t uid, PrivateClient **ret) {
        _cleanup_(private_client_freep) PrivateClient *c = NULL;
        _cleanup_close_ int owned = fd;
        sd_id128_t id;
        int r;

        c = new0(PrivateClient, 1);
        if (!c)
                return -ENOMEM;
        c->uid = uid;
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
        r = private_client_attach(c, pb->manager->event);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

static void private_client_link(PrivateBus *pb, PrivateClient *c) {
        c->pb = pb;
        c->next = pb->clients;
        if (c->next)
                c->next->prev = c;
        pb->clients = c;
        uid_count_add(pb, c->uid, +1);
}

/* Whether uid may have one connection more: root up to its own limit, which no other user's
 * connections take from; any other uid up to its limit, and all of those together up to theirs. */
static bool private_bus_admits(PrivateBus *pb, uid_t uid) {
        if (uid_count(pb, uid) >= PRIVATE_CONNECTIONS_PER_UID_MAX)
                return false;
        return uid == 0 || pb->n_others < PRIVATE_CONNECTIONS_MAX;
}

/* A refused connection is closed at once, before the authentication: answering it with an
 * error would mean keeping it through the handshake and a call, the very cost the limits
 * bound. Logged at most every PRIVATE_LOG_INTERVAL_USEC, with the count since. */
static void private_bus_refuse(PrivateBus *pb, int fd, uid_t uid) {
        uint64_t now = 0;

        safe_close(fd);
        pb->refused++;
        (void) sd_event_now(pb->manager->event, CLOCK_MONOTONIC, &now);
        if (pb->refused_log_usec != 0 && now < pb->refused_log_usec + PRIVATE_LOG_INTERVAL_USEC)
                return;
        log_warning("Private socket: refused %" PRIu64 " connection%s, the last of uid %u, which has %u; "
                    "users other than root have %u in all.",
                    pb->refused, pb->refused == 1 ? "" : "s", (unsigned) uid, uid_count(pb, uid),
                    pb->n_others);
        pb->refused = 0;
        pb->refused_log_usec = now;
}

static void private_bus_take(PrivateBus *pb, int fd) {
        struct ucred cred = {};
        socklen_t len = sizeof(cred);
        PrivateClient *c = NULL;
        int r;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                log_warning_errno(errno, "Cannot tell who connected to the private socket: %m");
                safe_close(fd);
                return;
        }
        if (!private_bus_admits(pb, cred.uid)) {
                private_bus_refuse(pb, fd, cred.uid);
                return;
        }
        r = private_client_new(pb, fd, cred.uid, &c);
        if (r < 0) {
                log_warning_errno(r, "Cannot set up a private bus connection: %m");
                return;
        }
        private_client_link(pb, c);
}

static int on_accept_resume(sd_event_source *s, uint64_t usec, void *userdata) {
        PrivateBus *pb = userdata;

        return sd_event_source_set_enabled(pb->source, SD_EVENT_ON);
}

/* Out of file descriptors: the socket stays readable, and accepting again at once would spin. */
static void private_bus_pause(PrivateBus *pb, int error) {
        uint64_t until = 0;
        int r;

        (void) sd_event_now(pb->manager->event, CLOCK_MONOTONIC, &until);
        if (pb->pause_log_usec == 0 || until >= pb->pause_log_usec + PRIVATE_LOG_INTERVAL_USEC) {
                log_warning_errno(error, "Cannot accept on the private socket (%m); pausing.");
                pb->pause_log_usec = until;
        }
        until += PRIVATE_ACCEPT_PAUSE_USEC;
        if (pb->resume) {
                r = sd_event_source_set_time(pb->resume, until);
                if (r >= 0)
                        r = sd_event_source_set_enabled(pb->resume, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time(pb->manager->event, &pb->resume, CLOCK_MONOTONIC, until, 0,
                                      on_accept_resume, pb);
        if (r >= 0) /* else keep trying */
                (void) sd_event_source_set_enabled(pb->source, SD_EVENT_OFF);
}

/* Accepts what waits, a batch at a time, so that a flood of connections to refuse leaves the
 * backlog quickly and root's connection in it is reached. */
static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        PrivateBus *pb = userdata;

        for (unsigned i = 0; i < PRIVATE_ACCEPT_BATCH; i++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), error = errno;

                if (cfd >= 0) {
                        private_bus_take(pb, cfd);
                        continue;
                }
                if (error == ECONNABORTED || error == EINTR)
                        continue;
                if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM)
                        private_bus_pause(pb, error);
                else if (error != EAGAIN)
                        log_warning_errno(error, "accept() on the private socket failed: %m");
                break;
        }
        return 0;
}

static PrivateBus *private_bus_free(PrivateBus *pb) {
        if (!pb)
                return NULL;
        while (pb->clients)
                private_client_free(pb->clients);
        sd_event_source_disable_unref(pb->source);
        sd_event_source_disable_unref(pb->resume);
        safe_close(pb->fd);
        if (pb->per_uid)
                g_hash_table_unref(pb->per_uid);
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
        pb->fd = -EBADF;
        pb->next_id = 1; /* ":1.0" is zoned */
        pb->per_uid = g_hash_table_new(g_direct_hash, g_direct_equal);
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
