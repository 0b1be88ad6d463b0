/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net-address.h"
#include "port-proxy.h"

/* The pieces of port-proxy.c shared with its TCP (port-proxy-tcp.c) and UDP (port-proxy-udp.c)
 * relays. */

/* Per direction of a TCP connection: what was read from one side and not yet written to the
 * other. Bounded, so that a side that reads nothing holds at most this much of ours. */
#define PORT_PROXY_TCP_BUFFER (16U * 1024U)

/* The largest datagram; one buffer of it serves every UDP flow, allocated with the first. */
#define UDP_DATAGRAM_MAX 65536

typedef struct Forward Forward;
typedef struct TcpRelay TcpRelay;
typedef struct UdpFlow UdpFlow;

struct Forward {
        PortProxy *proxy;
        PortForward pf;
        EventSource *listener; /* [::1]:host_port; NULL when it could not be had */
        int error;             /* why not */
        unsigned relays;
        bool paused;  /* TCP: the listener is not polled, a cap is reached or descriptors ran out */
        bool starved; /* TCP: accept() ran out of descriptors; tried again by the retry timer */
        bool keep;    /* port_proxy_set_forwards(): in the new set */
        UdpFlow *flows;
        Forward *next;
};

struct PortProxy {
        EventLoop *loop;
        char *name; /* the zone's, for the log */
        Forward *forwards;
        TcpRelay *tcp; /* every open connection, also those of removed forwards */
        unsigned relays;
        struct sockaddr_storage target; /* the zone's address, port 0; AF_UNSPEC: none */
        socklen_t target_len;
        EventSource *retry_timer; /* resumes starved listeners */
        EventSource *udp_timer;   /* forgets idle UDP flows */
        bool udp_timer_armed;
        uint64_t udp_idle_usec;
        uint8_t *udp_buffer; /* one datagram, for every flow */
};

/* Whether f may take one more relay now. */
bool forward_may_relay(const Forward *f);
/* Counts a relay of f (NULL: of a removed forward) in or out, pausing or resuming listeners. */
void forward_relay_added(PortProxy *p, Forward *f);
void forward_relay_gone(PortProxy *p, Forward *f);
/* accept() found no descriptor: f's listener rests until the retry timer. */
void forward_starve(Forward *f);
/* Where f's relays go: the zone's address at f's zone port. -EHOSTUNREACH when there is none. */
int forward_target(const Forward *f, struct sockaddr_storage *ret, socklen_t *ret_len);

/* port-proxy-tcp.c */
int tcp_on_listener(EventSource *s, int fd, uint32_t revents, void *userdata);
void tcp_relays_free(PortProxy *p);
/* f goes: its open connections may finish, counted for the proxy only. */
void tcp_relays_detach(PortProxy *p, Forward *f);

/* port-proxy-udp.c */
int udp_on_listener(EventSource *s, int fd, uint32_t revents, void *userdata);
int udp_on_timer(EventSource *s, int fd, uint32_t revents, void *userdata);
void udp_flows_free(Forward *f);
