/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* zone-escape: what root in a zone tries to get out (tests/integration/test-escape.c puts it into
 * real zones and checks the host outside). Static, libc only: it runs in a busybox zone.
 *
 * Every attempt ends in one line on stdout:
 *     refused CASE: WHAT: WHY          the kernel or the zone said no, for the reason expected
 *     ESCAPED CASE: WHAT               it worked: the host, or another zone, was reached
 *     UNCLEAR CASE: WHAT: WHY          it failed, but not where a protection would stop it
 * UNCLEAR fails the test as ESCAPED does: an attempt that fails for an unrelated reason (a typo,
 * a missing file) proves nothing. */

#include <stdbool.h>
#include <sys/types.h>

#define ESCAPE_SOCKETS_MAX 8

/* What the test tells the program about the host (options of every case). */
typedef struct EscapeHost {
        unsigned disk_major, disk_minor;         /* --disk=MAJ:MIN: the block device of the host's / */
        const char *disk_fstype;                 /* --fstype=: its file system */
        pid_t host_pid;                          /* --host-pid=: a process of the host */
        const char *host_mark;                   /* --host-mark=: a word in that process's command line */
        const char *other_host_path;             /* --other-path=: a file of another zone, host path */
        const char *other_zone_path;             /* --other-inside=: the same file, as that zone sees it */
        const char *sockets[ESCAPE_SOCKETS_MAX]; /* --socket=, repeated: the host's sockets of zoned */
        unsigned n_sockets;
        bool nesting;       /* --nesting: the zone has Nesting=yes (fresh procfs mounts are its right) */
        bool nested_userns; /* the cases run again in a user namespace of the zone's own */
} EscapeHost;

/* Where a nesting zone's unmasked procfs and sysfs are (zoned.zone(5), NESTING). */
#define ESCAPE_NESTING_PROC "/dev/.zoned-nesting/proc"
#define ESCAPE_NESTING_SYS "/dev/.zoned-nesting/sys"

typedef struct EscapeCase {
        const char *name;
        const char *summary;
        void (*run)(const EscapeHost *host);
        bool nested; /* run again in a user namespace of the zone's own (case "userns") */
} EscapeCase;

/* The errnos that mean "refused" for an attempt, 0-terminated. */
#define REFUSED_BY(...) ((const int[]) { __VA_ARGS__, 0 })

void escape_set_case(const char *name);
const char *escape_case(void);
void escape_refused(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void escape_escaped(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void escape_unclear(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned escape_n_escaped(void);

/* r is what the attempt returned (< 0: failed, errno says why): refused if errno is one of
 * expected, ESCAPED if it worked, UNCLEAR else. Returns true if it worked. */
bool escape_expect_refused(const char *what, long r, const int *expected);

/* Opens path for writing; refused if that fails with one of expected. Never writes. */
void escape_try_write_open(const char *path, const int *expected);
/* Opens path for reading and reads from it: refused if that fails with one of expected, or if it
 * reads nothing, or it is the zone's own /dev/null. */
void escape_try_read(const char *path, const int *expected);

/* Reads the first symbol of a kallsyms file: refused if its address is zero (what the kernel shows
 * to all but the host's root), or if reading fails with one of expected. */
void escape_try_kallsyms(const char *path, const int *expected);

/* What a procfs at base (/proc, a fresh one, a nesting zone's) must still refuse: the host's
 * memory and symbols, sysrq, a kernel sysctl. */
void escape_try_procfs(const char *base);

/* Makes a device node at path and reads it: refused if either is refused. */
void escape_try_node(const char *path, mode_t type, unsigned major, unsigned minor);

/* Is path a mount point of this mount namespace (per /proc/self/mountinfo)? */
bool escape_is_mount_point(const char *path);
/* mkdir -p of a scratch directory under /tmp, for mounts. */
const char *escape_scratch_dir(const char *name);

extern const EscapeCase escape_cases_kernel[];
extern const EscapeCase escape_cases_mount[];
extern const EscapeCase escape_cases_host[];
