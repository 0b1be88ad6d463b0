/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/epoll.h>

/* A tiny epoll loop: the supervisor only waits on fds (sockets, the pty
 * master, a signalfd, timerfds). Every source owns its fd and closes it when
 * freed. epoll_wait() hands out one event at a time, so a handler may free any
 * source (its own included) without leaving a stale pointer in a batch. */

typedef struct EventLoop EventLoop;
typedef struct EventSource EventSource;

/* Returns <0 on an error that the handler already logged; the loop goes on. */
typedef int (*event_io_handler_t)(EventSource *s, int fd, uint32_t revents, void *userdata);

int event_loop_new(EventLoop **ret);
EventLoop *event_loop_free(EventLoop *e);
static inline void event_loop_freep(EventLoop **e) {
        event_loop_free(*e);
}

/* Takes ownership of fd on success only. */
int event_add_io(EventLoop *e, int fd, uint32_t events, event_io_handler_t handler, void *userdata,
                 EventSource **ret);
int event_source_set_events(EventSource *s, uint32_t events);
int event_source_get_fd(const EventSource *s);
/* Removes the source from the loop and closes its fd. Accepts NULL. */
EventSource *event_source_free(EventSource *s);

/* A one-shot CLOCK_MONOTONIC timer (timerfd) as a source: fires once after usec (0: created disarmed). */
int event_add_timer(EventLoop *e, uint64_t usec, event_io_handler_t handler, void *userdata,
                    EventSource **ret);
/* Re-arms a timer source; 0 or USEC_INFINITY disarms it. */
int event_timer_arm(EventSource *s, uint64_t usec);

/* Runs until event_loop_exit() (called before or while it runs); it can be run again after. */
int event_loop_run(EventLoop *e);
void event_loop_exit(EventLoop *e, int code);
