/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

/* A zone's resource limits: one table for zoned (zone file, D-Bus), zonectl (options, set, show)
 * and the supervisor (launch plan, control protocol, cgroup backends). Each limit has a CLI key
 * ("memory"), a D-Bus property name that is also its zone-file key ("MemoryMax"), a D-Bus type and
 * a kind that says how its value is parsed and written. Values parse like systemd's: sizes with
 * K/M/G/T/P/E suffixes (base 1024; bandwidths base 1000, as systemd's IO*BandwidthMax=), "1.5G",
 * "150%", "infinity". UINT64_MAX is "no limit". */

typedef enum LimitKey {
        LIMIT_MEMORY_MAX,
        LIMIT_MEMORY_HIGH,
        LIMIT_MEMORY_SWAP_MAX,
        LIMIT_CPU_QUOTA,
        LIMIT_CPU_WEIGHT,
        LIMIT_ALLOWED_CPUS,
        LIMIT_TASKS_MAX,
        LIMIT_IO_WEIGHT,
        LIMIT_IO_READ_BANDWIDTH_MAX,
        LIMIT_IO_WRITE_BANDWIDTH_MAX,
        LIMIT_IO_READ_IOPS_MAX,
        LIMIT_IO_WRITE_IOPS_MAX,
        LIMIT_DISK_QUOTA,
        _LIMIT_KEY_MAX,
        _LIMIT_KEY_INVALID = -EINVAL,
} LimitKey;

typedef enum LimitKind {
        LIMIT_KIND_BYTES,     /* "512M", "1.5G", "infinity" (base 1024) */
        LIMIT_KIND_CPU_QUOTA, /* "150%" or "1.5" CPUs → µs of CPU time per second; "infinity" */
        LIMIT_KIND_WEIGHT,    /* 1..10000 */
        LIMIT_KIND_CPU_LIST,  /* "0-1,3": text, kept in canonical form */
        LIMIT_KIND_COUNT,     /* a number > 0, or "infinity" */
        LIMIT_KIND_IO_BYTES,  /* "[DEVICE:]50M" (base 1000), or "infinity" */
        LIMIT_KIND_IO_COUNT,  /* "[DEVICE:]1000", or "infinity" */
        _LIMIT_KIND_MAX,
} LimitKind;

typedef struct LimitInfo {
        const char *cli;       /* "memory": zonectl's key and option (--memory=) */
        const char *property;  /* "MemoryMax": D-Bus property, a{sv} key and [Limits] key */
        const char *dbus_type; /* "t" or "s" */
        LimitKind kind;
} LimitInfo;

/* One limit of a zone. A limit that is not set is the default: no limit, weight 100, all CPUs. */
typedef struct LimitValue {
        bool set;
        uint64_t value; /* all but CPU lists */
        char *text;     /* CPU list: "0-1,3"; IO limits: the device ("/dev/vda", "254:0") or NULL: the
                         * device under the zone's writable layer */
} LimitValue;

typedef struct ZoneLimits {
        LimitValue v[_LIMIT_KEY_MAX];
} ZoneLimits;

/* The highest CPU number a CPU list may name. */
#define LIMIT_CPU_LIST_MAX 8191
#define LIMIT_WEIGHT_MIN 1
#define LIMIT_WEIGHT_MAX 10000
#define LIMIT_WEIGHT_DEFAULT 100

const LimitInfo *limit_info(LimitKey k);
LimitKey limit_key_from_cli(const char *s);
LimitKey limit_key_from_property(const char *s);
/* The key a value is for, given either as a CLI key or as a property name. */
LimitKey limit_key_from_any(const char *s);
bool limit_key_is_io(LimitKey k);

void limit_value_done(LimitValue *v);
int limit_value_copy(LimitValue *dst, const LimitValue *src);
bool limit_value_equal(const LimitValue *a, const LimitValue *b);
/* The effective number: UINT64_MAX for an unset limit, 100 for an unset weight. */
uint64_t limit_value_effective(LimitKey k, const LimitValue *v);

/* Text (CLI, zone file, launch plan, control protocol) → value. -EINVAL for a bad one, -ERANGE for
 * one out of range. */
int limit_parse(LimitKey k, const char *text, LimitValue *ret);
/* A D-Bus number (type t) → value: what limit_parse() would accept, as a number. */
int limit_from_number(LimitKey k, uint64_t n, LimitValue *ret);
/* Value → text that limit_parse() reads back to the same value ("536870912", "150%",
 * "/dev/vda:50000000", "infinity"). */
int limit_format(LimitKey k, const LimitValue *v, char **ret);
/* Value → text for people ("512M", "1.5G", "150%", "infinity"); "-" for an unset limit. */
int limit_format_human(LimitKey k, const LimitValue *v, char **ret);

/* The parsers under limit_parse(), for their own tests. */
int parse_size(const char *s, uint64_t base, uint64_t *ret);
int parse_cpu_quota(const char *s, uint64_t *ret_usec_per_sec);
int parse_cpu_list(const char *s, char **ret_canonical);
/* "DEVICE:VALUE" → the device (NULL if none) and the value text; a device is an absolute path or
 * "MAJ:MIN". */
int parse_io_device_value(const char *s, char **ret_device, const char **ret_value);
/* A size as people write it: "512M", "1.5G", "1023" (base 1024). */
int format_size(uint64_t n, char **ret);

void zone_limits_done(ZoneLimits *l);
int zone_limits_copy(ZoneLimits *dst, const ZoneLimits *src);
/* Takes the set limits of src into dst (src's values are moved: src is left empty). */
void zone_limits_merge(ZoneLimits *dst, ZoneLimits *src);

/* "Property=Text" (a launch-plan or control-protocol line) → the limit in *l. */
int zone_limits_parse_assignment(ZoneLimits *l, const char *assignment);
/* Every set limit as "Property=Text", into a NULL-terminated list. */
int zone_limits_to_strv(const ZoneLimits *l, char ***ret);
