/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/timerfd.h>

#include "event-loop.h"
#include "macro.h"

struct EventLoop {
        int epoll_fd;
        bool exiting;
        int exit_code;
};

struct EventSource {
        EventLoop *loop;
        int fd;
        event_io_handler_t handler;
        void *userdata;
};

int event_loop_new(EventLoop **ret) {
        EventLoop *e = new0(EventLoop, 1);

        if (!e)
                return -ENOMEM;
        e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (e->epoll_fd < 0) {
                int r = -errno;
                free(e);
                return r;
        }
        *ret = e;
        return 0;
}

EventLoop *event_loop_free(EventLoop *e) {
        if (!e)
                return NULL;
        safe_close(e->epoll_fd);
        free(e);
        return NULL;
}

int event_add_io(EventLoop *e, int fd, uint32_t events, event_io_handler_t handler, void *userdata,
                 EventSource **ret) {
        EventSource *s;
        struct epoll_event ev = { .events = events };

        s = new0(EventSource, 1);
        if (!s)
                return -ENOMEM;
        *s = (EventSource) { .loop = e, .fd = fd, .handler = handler, .userdata = userdata };
        ev.data.ptr = s;
        if (epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                int r = -errno;
                free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int event_source_set_events(EventSource *s, uint32_t events) {
        struct epoll_event ev = { .events = events, .data.ptr = s };

        return epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -errno : 0;
}

int event_source_get_fd(const EventSource *s) {
        return s ? s->fd : -EBADF;
}

EventSource *event_source_free(EventSource *s) {
        if (!s)
                return NULL;
        (void) epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
        safe_close(s->fd);
        free(s);
        return NULL;
}

int event_timer_arm(EventSource *s, uint64_t usec) {
        struct itimerspec its = {};

        /* 0 and USEC_INFINITY leave it_value zero, which disarms the timer. */
        if (usec != 0 && usec != USEC_INFINITY) {
                its.it_value.tv_sec = (time_t) (usec / USEC_PER_SEC);
                its.it_value.tv_nsec = (long) ((usec % USEC_PER_SEC) * NSEC_PER_USEC);
        }
        return timerfd_settime(s->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

int event_add_timer(EventLoop *e, uint64_t usec, event_io_handler_t handler, void *userdata,
                    EventSource **ret) {
        _cleanup_close_ int fd = -EBADF;
        EventSource *s;
        int r;

        fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = event_add_io(e, fd, EPOLLIN, handler, userdata, &s);
        if (r < 0)
                return r;
        TAKE_FD(fd);
        r = event_timer_arm(s, usec);
        if (r < 0) {
                event_source_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int event_loop_run(EventLoop *e) {
        while (!e->exiting) {
                struct epoll_event ev;
                EventSource *s;
                int n;

                n = epoll_wait(e->epoll_fd, &ev, 1, -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        continue;
                s = ev.data.ptr;
                (void) s->handler(s, s->fd, ev.events, s->userdata);
        }
        e->exiting = false;
        return e->exit_code;
}

void event_loop_exit(EventLoop *e, int code) {
        e->exiting = true;
        e->exit_code = code;
}
