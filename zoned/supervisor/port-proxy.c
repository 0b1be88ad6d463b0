/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The set of forwards and their listeners on [::1]; the relays are in port-proxy-tcp.c and
 * port-proxy-udp.c. See port-proxy.h. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "log.h"
#include "port-proxy-internal.h"

#define LISTEN_BACKLOG 128
/* How long a listener whose accept() found no free descriptor rests. */
#define RETRY_USEC (1 * USEC_PER_SEC)

static void update_listeners(PortProxy *p);

static int on_retry_timer(EventSource *s, int fd, uint32_t revents, void *userdata) {
        PortProxy *p = userdata;
        uint64_t expirations;

        (void) !read(fd, &expirations, sizeof(expirations));
        for (Forward *f = p->forwards; f; f = f->next)
                f->starved = false;
        update_listeners(p);
        return 0;
}

int port_proxy_new(EventLoop *loop, const char *name, PortProxy **ret) {
        _cleanup_(port_proxy_freep) PortProxy *p = NULL;
        int r;

        p = new0(PortProxy, 1);
        if (!p)
                return -ENOMEM;
        p->loop = loop;
        p->target.ss_family = AF_UNSPEC;
        p->udp_idle_usec = PORT_PROXY_UDP_IDLE_USEC;
        p->name = strdup(name);
        if (!p->name)
                return -ENOMEM;
        r = event_add_timer(loop, 0, on_retry_timer, p, &p->retry_timer);
        if (r < 0)
                return r;
        r = event_add_timer(loop, 0, udp_on_timer, p, &p->udp_timer);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

static Forward *forward_free(Forward *f) {
        if (!f)
                return NULL;
        udp_flows_free(f);
        if (f->proxy)
                tcp_relays_detach(f->proxy, f);
        event_source_free(f->listener);
        free(f);
        return NULL;
}

PortProxy *port_proxy_free(PortProxy *p) {
        if (!p)
                return NULL;
        tcp_relays_free(p);
        while (p->forwards) {
                Forward *f = p->forwards;

                p->forwards = f->next;
                forward_free(f);
        }
        event_source_free(p->retry_timer);
        event_source_free(p->udp_timer);
        free(p->udp_buffer);
        free(p->name);
        free(p);
        return NULL;
}

int port_proxy_set_zone_address(PortProxy *p, char *const *addresses) {
        const char *v4 = NULL, *v6 = NULL;
        InetPrefix a;
        int r;

        for (char *const *i = addresses; i && *i; i++) {
                r = inet_prefix_parse(*i, &a);
                if (r < 0)
                        return r;
                if (a.family == AF_INET6 && !v6)
                        v6 = *i;
                else if (a.family == AF_INET && !v4)
                        v4 = *i;
        }
        memset(&p->target, 0, sizeof(p->target));
        p->target.ss_family = AF_UNSPEC;
        p->target_len = 0;
        if ((v6 || v4) && inet_prefix_parse(v6 ?: v4, &a) < 0)
                return -EINVAL; /* parsed above */
        if (v6) {
                struct sockaddr_in6 *sa = (struct sockaddr_in6 *) &p->target;

                sa->sin6_family = AF_INET6;
                sa->sin6_addr = a.addr.in6;
                p->target_len = sizeof(*sa);
        } else if (v4) {
                struct sockaddr_in *sa = (struct sockaddr_in *) &p->target;

                sa->sin_family = AF_INET;
                sa->sin_addr = a.addr.in;
                p->target_len = sizeof(*sa);
        }
        return 0;
}

int forward_target(const Forward *f, struct sockaddr_storage *ret, socklen_t *ret_len) {
        const PortProxy *p = f->proxy;

        if (p->target.ss_family == AF_UNSPEC)
                return -EHOSTUNREACH;
        *ret = p->target;
        *ret_len = p->target_len;
        if (ret->ss_family == AF_INET6)
                ((struct sockaddr_in6 *) ret)->sin6_port = htons(f->pf.zone_port);
        else
                ((struct sockaddr_in *) ret)->sin_port = htons(f->pf.zone_port);
        return 0;
}

bool forward_may_relay(const Forward *f) {
        return f->relays < PORT_PROXY_MAX_PER_FORWARD && f->proxy->relays < PORT_PROXY_MAX_TOTAL;
}

/* A TCP listener is polled only while it may accept: one left readable at a cap would wake the
 * loop for ever. (UDP listeners are always read: their datagrams also serve the flows there are,
 * and one from a new client over the cap is dropped.) */
static void forward_update_listener(Forward *f) {
        bool pause;

        if (!f->listener || f->pf.protocol != IPPROTO_TCP)
                return;
        pause = f->starved || !forward_may_relay(f);
        if (pause == f->paused)
                return;
        if (event_source_set_events(f->listener, pause ? 0 : EPOLLIN) >= 0)
                f->paused = pause;
}

static void update_listeners(PortProxy *p) {
        for (Forward *f = p->forwards; f; f = f->next)
                forward_update_listener(f);
}

void forward_relay_added(PortProxy *p, Forward *f) {
        p->relays++;
        if (f)
                f->relays++;
        update_listeners(p);
}

void forward_relay_gone(PortProxy *p, Forward *f) {
        p->relays--;
        if (f)
                f->relays--;
        update_listeners(p);
}

void forward_starve(Forward *f) {
        f->starved = true;
        forward_update_listener(f);
        (void) event_timer_arm(f->proxy->retry_timer, RETRY_USEC);
}

static int listen_socket(const PortForward *pf) {
        struct sockaddr_in6 sa = {
                .sin6_family = AF_INET6,
                .sin6_port = htons(pf->host_port),
                .sin6_addr = IN6ADDR_LOOPBACK_INIT,
        };
        bool tcp = pf->protocol == IPPROTO_TCP;
        _cleanup_close_ int fd = -EBADF;
        int one = 1;

        fd = socket(AF_INET6, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
                return -errno;
        /* TCP: a port whose last connections are in TIME_WAIT (a supervisor that just exited, a
         * forward removed and added again) can be had at once. Not for UDP, where it would let
         * two sockets share the port instead of telling us that it is taken. */
        if (tcp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        if (tcp && listen(fd, LISTEN_BACKLOG) < 0)
                return -errno;
        return TAKE_FD(fd);
}

static void forward_listen(Forward *f) {
        char text[PORT_FORWARD_STRLEN];
        int fd, r;

        if (f->pf.protocol == IPPROTO_UDP && !f->proxy->udp_buffer) {
                f->proxy->udp_buffer = malloc(UDP_DATAGRAM_MAX);
                if (!f->proxy->udp_buffer) {
                        f->error = -ENOMEM;
                        return;
                }
        }
        fd = listen_socket(&f->pf);
        r = fd;
        if (fd >= 0) {
                r = event_add_io(f->proxy->loop, fd, EPOLLIN,
                                 f->pf.protocol == IPPROTO_TCP ? tcp_on_listener : udp_on_listener, f,
                                 &f->listener);
                if (r < 0)
                        safe_close(fd);
        }
        f->error = r < 0 ? r : 0;
        f->paused = false;
        if (r < 0)
                log_warning_errno(r, "Zone %s: forward %s is not served on [::1]:%u: %m", f->proxy->name,
                                  port_forward_format(&f->pf, text), f->pf.host_port);
        else
                forward_update_listener(f);
}

static Forward *forward_find(PortProxy *p, const PortForward *pf) {
        for (Forward *f = p->forwards; f; f = f->next)
                if (port_forward_same_key(&f->pf, pf))
                        return f;
        return NULL;
}

/* Parses the whole set first: a bad one changes nothing. */
static int parse_forwards(char *const *forwards, PortForward **ret, size_t *ret_n, const char **ret_bad) {
        size_t n = strv_length(forwards);
        _cleanup_free_ PortForward *pfs = new0(PortForward, n);

        if (!pfs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (port_forward_parse(forwards[i], &pfs[i]) < 0) {
                        *ret_bad = forwards[i];
                        return -EINVAL;
                }
                for (size_t j = 0; j < i; j++)
                        if (port_forward_same_key(&pfs[i], &pfs[j])) {
                                *ret_bad = forwards[i];
                                return -EINVAL;
                        }
        }
        *ret = TAKE_PTR(pfs);
        *ret_n = n;
        return 0;
}

/* The forwards of the new set that are not there yet, unlinked: allocated before anything
 * changes. */
static int new_forwards(PortProxy *p, const PortForward *pfs, size_t n, Forward **ret) {
        Forward *added = NULL;

        for (size_t i = 0; i < n; i++) {
                Forward *f;

                if (forward_find(p, &pfs[i]))
                        continue;
                f = new0(Forward, 1);
                if (!f) {
                        while (added) {
                                f = added;
                                added = f->next;
                                free(f);
                        }
                        return -ENOMEM;
                }
                *f = (Forward) { .proxy = p, .pf = pfs[i], .keep = true, .next = added };
                added = f;
        }
        *ret = added;
        return 0;
}

int port_proxy_set_forwards(PortProxy *p, char *const *forwards, const char **ret_bad) {
        _cleanup_free_ PortForward *pfs = NULL;
        Forward *added = NULL, **i;
        size_t n = 0;
        int r;

        *ret_bad = NULL;
        r = parse_forwards(forwards, &pfs, &n, ret_bad);
        if (r < 0)
                return r;
        r = new_forwards(p, pfs, n, &added);
        if (r < 0)
                return r;

        for (Forward *f = p->forwards; f; f = f->next)
                f->keep = false;
        for (size_t k = 0; k < n; k++) {
                Forward *f = forward_find(p, &pfs[k]);

                if (!f)
                        continue;
                f->keep = true;
                f->pf.zone_port = pfs[k].zone_port;
                /* One that could not listen gets another chance: the port may be free now. */
                if (!f->listener)
                        forward_listen(f);
        }
        for (i = &p->forwards; *i;) {
                Forward *f = *i;

                if (f->keep) {
                        i = &f->next;
                        continue;
                }
                *i = f->next;
                forward_free(f);
        }
        /* i is the list's tail now. */
        while (added) {
                Forward *f = added;

                added = f->next;
                f->next = NULL;
                *i = f;
                i = &f->next;
                forward_listen(f);
        }
        update_listeners(p);
        return 0;
}

size_t port_proxy_format_errors(const PortProxy *p, char *buf, size_t size) {
        size_t len = 0;

        if (size == 0)
                return 0;
        for (const Forward *f = p->forwards; f; f = f->next) {
                char text[PORT_FORWARD_STRLEN];
                int k;

                if (f->listener)
                        continue;
                k = snprintf(buf + len, size - len, "PORTERROR=%s %s\n", port_forward_format(&f->pf, text),
                             strerror(-f->error));
                if (k < 0 || (size_t) k >= size - len) {
                        buf[len] = 0;
                        break;
                }
                len += (size_t) k;
        }
        return len;
}

void port_proxy_set_udp_idle(PortProxy *p, uint64_t usec) {
        p->udp_idle_usec = usec;
}

unsigned port_proxy_relays(const PortProxy *p) {
        return p ? p->relays : 0;
}
