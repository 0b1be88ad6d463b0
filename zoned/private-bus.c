/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-id128.h>

#include "log.h"
#include "private-bus.h"

struct PrivateClient {
        Manager *manager;
        sd_bus *bus;
        PrivateClient *next;
};

static void private_client_free(PrivateClient *c) {
        if (!c)
                return;
        sd_bus_detach_event(c->bus);
        sd_bus_flush_close_unref(c->bus);
        free(c);
}

static void private_client_unlink(Manager *m, PrivateClient *c) {
        for (PrivateClient **p = &m->private_clients; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        return;
                }
}

static int on_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        PrivateClient *c = userdata;

        /* sd-bus holds a reference to the bus while it dispatches this. */
        private_client_unlink(c->manager, c);
        private_client_free(c);
        return 0;
}

static int private_client_new(Manager *m, int fd) {
        PrivateClient *c = new0(PrivateClient, 1);
        sd_id128_t id;
        int r;

        if (!c) {
                safe_close(fd);
                return -ENOMEM;
        }
        c->manager = m;
        r = sd_bus_new(&c->bus);
        if (r < 0) {
                safe_close(fd);
                free(c);
                return r;
        }
        r = sd_bus_set_fd(c->bus, fd, fd);
        if (r < 0) {
                safe_close(fd);
                goto fail;
        }
        r = sd_id128_randomize(&id);
        if (r < 0)
                goto fail;
        r = sd_bus_set_server(c->bus, 1, id);
        if (r < 0)
                goto fail;
        /* The caller's uid comes from SO_PEERCRED; bus_verify_root() checks it. */
        r = manager_register_objects(m, c->bus);
        if (r < 0)
                goto fail;
        r = sd_bus_match_signal(c->bus, NULL, NULL, "/org/freedesktop/DBus/Local",
                                "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, c);
        if (r < 0)
                goto fail;
        r = sd_bus_attach_event(c->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                goto fail;
        r = sd_bus_start(c->bus);
        if (r < 0)
                goto fail;
        c->next = m->private_clients;
        m->private_clients = c;
        return 0;
fail:
        private_client_free(c);
        return r;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        int cfd, r;

        cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        log_warning_errno(errno, "accept() on the private socket failed: %m");
                return 0;
        }
        r = private_client_new(m, cfd);
        if (r < 0)
                log_warning_errno(r, "Cannot set up a private bus connection: %m");
        return 0;
}

int private_bus_listen(Manager *m) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/bus", m->runtime_dir) >=
            sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0666) < 0 ||
            listen(fd, SOMAXCONN) < 0) {
                r = -errno;
                safe_close(fd);
                return r;
        }
        r = sd_event_add_io(m->event, &m->private_source, fd, EPOLLIN, on_accept, m);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        m->private_fd = fd;
        return 0;
}

void private_bus_close_all(Manager *m) {
        while (m->private_clients) {
                PrivateClient *c = m->private_clients;
                m->private_clients = c->next;
                private_client_free(c);
        }
        m->private_source = sd_event_source_disable_unref(m->private_source);
        m->private_fd = safe_close(m->private_fd);
}

void private_bus_foreach(Manager *m, manager_bus_func f, void *userdata) {
        for (PrivateClient *c = m->private_clients; c; c = c->next)
                f(c->bus, userdata);
}
