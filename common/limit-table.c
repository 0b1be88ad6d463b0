/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "limit-table.h"
#include "macro.h"

static const LimitInfo limit_table[_LIMIT_KEY_MAX] = {
        [LIMIT_MEMORY_MAX] = { "memory", "MemoryMax", "t", LIMIT_KIND_BYTES },
        [LIMIT_MEMORY_HIGH] = { "memory-high", "MemoryHigh", "t", LIMIT_KIND_BYTES },
        [LIMIT_MEMORY_SWAP_MAX] = { "swap", "MemorySwapMax", "t", LIMIT_KIND_BYTES },
        [LIMIT_CPU_QUOTA] = { "cpu-quota", "CPUQuotaPerSecUSec", "t", LIMIT_KIND_CPU_QUOTA },
        [LIMIT_CPU_WEIGHT] = { "cpu-weight", "CPUWeight", "t", LIMIT_KIND_WEIGHT },
        [LIMIT_ALLOWED_CPUS] = { "cpus", "AllowedCPUs", "s", LIMIT_KIND_CPU_LIST },
        [LIMIT_TASKS_MAX] = { "tasks", "TasksMax", "t", LIMIT_KIND_COUNT },
        [LIMIT_IO_WEIGHT] = { "io-weight", "IOWeight", "t", LIMIT_KIND_WEIGHT },
        [LIMIT_IO_READ_BANDWIDTH_MAX] = { "io-read-bandwidth", "IOReadBandwidthMax", "t",
                                          LIMIT_KIND_IO_BYTES },
        [LIMIT_IO_WRITE_BANDWIDTH_MAX] = { "io-write-bandwidth", "IOWriteBandwidthMax", "t",
                                           LIMIT_KIND_IO_BYTES },
        [LIMIT_IO_READ_IOPS_MAX] = { "io-read-iops", "IOReadIOPSMax", "t", LIMIT_KIND_IO_COUNT },
        [LIMIT_IO_WRITE_IOPS_MAX] = { "io-write-iops", "IOWriteIOPSMax", "t", LIMIT_KIND_IO_COUNT },
        [LIMIT_DISK_QUOTA] = { "disk", "DiskQuota", "t", LIMIT_KIND_BYTES },
};

const LimitInfo *limit_info(LimitKey k) {
        return k >= 0 && k < _LIMIT_KEY_MAX ? &limit_table[k] : NULL;
}

LimitKey limit_key_from_cli(const char *s) {
        for (LimitKey k = 0; s && k < _LIMIT_KEY_MAX; k++)
                if (streq(limit_table[k].cli, s))
                        return k;
        return _LIMIT_KEY_INVALID;
}

LimitKey limit_key_from_property(const char *s) {
        for (LimitKey k = 0; s && k < _LIMIT_KEY_MAX; k++)
                if (streq(limit_table[k].property, s))
                        return k;
        return _LIMIT_KEY_INVALID;
}

LimitKey limit_key_from_any(const char *s) {
        LimitKey k = limit_key_from_cli(s);

        return k >= 0 ? k : limit_key_from_property(s);
}

bool limit_key_is_io(LimitKey k) {
        const LimitInfo *i = limit_info(k);

        return i && (i->kind == LIMIT_KIND_IO_BYTES || i->kind == LIMIT_KIND_IO_COUNT);
}

void limit_value_done(LimitValue *v) {
        free(v->text);
        *v = (LimitValue) {};
}

int limit_value_copy(LimitValue *dst, const LimitValue *src) {
        char *t = NULL;

        if (src->text) {
                t = strdup(src->text);
                if (!t)
                        return -ENOMEM;
        }
        limit_value_done(dst);
        *dst = *src;
        dst->text = t;
        return 0;
}

bool limit_value_equal(const LimitValue *a, const LimitValue *b) {
        return a->set == b->set && a->value == b->value && streq_ptr(a->text, b->text);
}

uint64_t limit_value_effective(LimitKey k, const LimitValue *v) {
        if (v->set)
                return v->value;
        return limit_info(k)->kind == LIMIT_KIND_WEIGHT ? LIMIT_WEIGHT_DEFAULT : UINT64_MAX;
}

/* A decimal number times mult, rounded down: "1.5" × 1024 → 1536. *end is what follows it. */
static int parse_decimal(const char *s, uint64_t mult, const char **end, uint64_t *ret) {
        unsigned __int128 whole = 0, frac = 0, scale = 1, v;
        const char *c = s;

        if (*c < '0' || *c > '9')
                return -EINVAL;
        for (; *c >= '0' && *c <= '9'; c++) {
                whole = whole * 10 + (unsigned) (*c - '0');
                if (whole > UINT64_MAX)
                        return -ERANGE;
        }
        if (*c == '.') {
                c++;
                if (*c < '0' || *c > '9')
                        return -EINVAL;
                for (; *c >= '0' && *c <= '9'; c++)
                        if (scale < 1000000000000000000ULL) { /* more digits than that change nothing */
                                frac = frac * 10 + (unsigned) (*c - '0');
                                scale *= 10;
                        }
        }
        v = whole * mult + frac * mult / scale;
        if (v > UINT64_MAX)
                return -ERANGE;
        *end = c;
        *ret = (uint64_t) v;
        return 0;
}

int parse_size(const char *s, uint64_t base, uint64_t *ret) {
        static const char suffixes[] = "KMGTPE";
        const char *end, *p;
        uint64_t mult = 1, v;
        size_t n;
        int r;

        if (isempty(s))
                return -EINVAL;
        n = strlen(s);
        p = strchr(suffixes, s[n - 1]);
        if (s[n - 1] == 'B')
                n--;
        else if (p) {
                for (const char *i = suffixes; i <= p; i++)
                        mult *= base;
                n--;
        }
        r = parse_decimal(s, mult, &end, &v);
        if (r < 0)
                return r;
        if (end != s + n)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_cpu_quota(const char *s, uint64_t *ret_usec_per_sec) {
        const char *end;
        uint64_t v;
        bool percent;
        int r;

        if (isempty(s))
                return -EINVAL;
        percent = s[strlen(s) - 1] == '%';
        /* 100% (one CPU) is a second of CPU time per second. */
        r = parse_decimal(s, percent ? USEC_PER_SEC / 100 : USEC_PER_SEC, &end, &v);
        if (r < 0)
                return r;
        if (*end != (percent ? '%' : 0) || (percent && end[1] != 0))
                return -EINVAL;
        if (v == 0)
                return -ERANGE;
        if (v == UINT64_MAX)
                return -ERANGE; /* that is "infinity", which is said so */
        *ret_usec_per_sec = v;
        return 0;
}

static int parse_cpu_number(const char *s, const char **end, unsigned *ret) {
        unsigned v = 0;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (unsigned) (*s - '0');
                if (v > LIMIT_CPU_LIST_MAX)
                        return -ERANGE;
        }
        *end = s;
        *ret = v;
        return 0;
}

static int cpu_mask_format(const uint8_t *mask, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        bool first = true;

        if (!f)
                return -ENOMEM;
        for (unsigned i = 0; i <= LIMIT_CPU_LIST_MAX; i++) {
                unsigned j = i;

                if (!(mask[i / 8] & (1u << (i % 8))))
                        continue;
                while (j + 1 <= LIMIT_CPU_LIST_MAX && (mask[(j + 1) / 8] & (1u << ((j + 1) % 8))))
                        j++;
                fprintf(f, j > i ? "%s%u-%u" : "%s%u", first ? "" : ",", i, j);
                first = false;
                i = j;
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int parse_cpu_list(const char *s, char **ret_canonical) {
        uint8_t mask[LIMIT_CPU_LIST_MAX / 8 + 1] = {};
        const char *c = s;
        int r;

        if (isempty(s))
                return -EINVAL;
        for (;;) {
                unsigned from, to;

                r = parse_cpu_number(c, &c, &from);
                if (r < 0)
                        return r;
                to = from;
                if (*c == '-') {
                        r = parse_cpu_number(c + 1, &c, &to);
                        if (r < 0)
                                return r;
                        if (to < from)
                                return -EINVAL;
                }
                for (unsigned i = from; i <= to; i++)
                        mask[i / 8] |= (uint8_t) (1u << (i % 8));
                if (*c == 0)
                        break;
                if (*c != ',')
                        return -EINVAL;
                c++;
        }
        return cpu_mask_format(mask, ret_canonical);
}

static bool is_dev_number(const char *s, size_t n) {
        size_t colon = 0, digits = 0;

        for (size_t i = 0; i < n; i++)
                if (s[i] == ':' && colon == 0 && digits > 0) {
                        colon = i;
                        digits = 0;
                } else if (s[i] >= '0' && s[i] <= '9')
                        digits++;
                else
                        return false;
        return colon > 0 && digits > 0;
}

int parse_io_device_value(const char *s, char **ret_device, const char **ret_value) {
        const char *colon = strrchr(s, ':');
        char *d;

        if (!colon) {
                *ret_device = NULL;
                *ret_value = s;
                return 0;
        }
        if (!(s[0] == '/' && colon > s + 1) && !is_dev_number(s, (size_t) (colon - s)))
                return -EINVAL;
        d = strndup(s, (size_t) (colon - s));
        if (!d)
                return -ENOMEM;
        *ret_device = d;
        *ret_value = colon + 1;
        return 0;
}

static int parse_count(const char *s, uint64_t *ret) {
        const char *end;
        uint64_t v;
        int r;

        if (strchr(s, '.'))
                return -EINVAL;
        r = parse_decimal(s, 1, &end, &v);
        if (r < 0)
                return r;
        if (*end != 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Whether n is a value of key k (ranges; "infinity" where the kind has one). */
static int limit_check_number(LimitKey k, uint64_t n) {
        switch (limit_table[k].kind) {
        case LIMIT_KIND_WEIGHT:
                return n >= LIMIT_WEIGHT_MIN && n <= LIMIT_WEIGHT_MAX ? 0 : -ERANGE;
        case LIMIT_KIND_CPU_LIST:
                return -EINVAL;
        case LIMIT_KIND_BYTES:
                /* No swap is a choice; no memory or no disk is not. */
                return n > 0 || k == LIMIT_MEMORY_SWAP_MAX ? 0 : -ERANGE;
        default:
                return n > 0 ? 0 : -ERANGE;
        }
}

int limit_from_number(LimitKey k, uint64_t n, LimitValue *ret) {
        int r;

        if (!limit_info(k))
                return -EINVAL;
        r = limit_check_number(k, n);
        if (r < 0)
                return r;
        *ret = (LimitValue) { .set = true, .value = n };
        return 0;
}

static int parse_number(LimitKey k, const char *s, uint64_t *ret) {
        LimitKind kind = limit_table[k].kind;
        int r;

        if (streq(s, "infinity") && kind != LIMIT_KIND_WEIGHT) {
                *ret = UINT64_MAX;
                return 0;
        }
        switch (kind) {
        case LIMIT_KIND_BYTES:
                r = parse_size(s, 1024, ret);
                break;
        case LIMIT_KIND_IO_BYTES:
                r = parse_size(s, 1000, ret);
                break;
        case LIMIT_KIND_CPU_QUOTA:
                r = parse_cpu_quota(s, ret);
                break;
        default:
                r = parse_count(s, ret);
        }
        if (r < 0)
                return r;
        if (*ret == UINT64_MAX)
                return -ERANGE; /* spelt "infinity" */
        return limit_check_number(k, *ret);
}

int limit_parse(LimitKey k, const char *text, LimitValue *ret) {
        _cleanup_free_ char *device = NULL;
        const char *value = text;
        uint64_t n;
        int r;

        if (!limit_info(k) || !text)
                return -EINVAL;
        if (limit_table[k].kind == LIMIT_KIND_CPU_LIST) {
                char *list;

                r = parse_cpu_list(text, &list);
                if (r < 0)
                        return r;
                *ret = (LimitValue) { .set = true, .text = list };
                return 0;
        }
        if (limit_key_is_io(k)) {
                r = parse_io_device_value(text, &device, &value);
                if (r < 0)
                        return r;
        }
        r = parse_number(k, value, &n);
        if (r < 0)
                return r;
        *ret = (LimitValue) { .set = true, .value = n, .text = TAKE_PTR(device) };
        return 0;
}

/* "150%", "12.5%", "0.0001%": exact, since 1% is 10000 µs. */
static int format_percent(uint64_t usec, char **ret) {
        uint64_t whole = usec / 10000, frac = usec % 10000;
        char buf[64];
        int n;

        if (frac == 0)
                return asprintf(ret, "%" PRIu64 "%%", whole) < 0 ? -ENOMEM : 0;
        n = snprintf(buf, sizeof(buf), "%" PRIu64 ".%04" PRIu64, whole, frac);
        while (n > 0 && buf[n - 1] == '0')
                buf[--n] = 0;
        return asprintf(ret, "%s%%", buf) < 0 ? -ENOMEM : 0;
}

static int format_value(LimitKey k, uint64_t n, bool human, char **ret) {
        LimitKind kind = limit_table[k].kind;

        if (n == UINT64_MAX && kind != LIMIT_KIND_WEIGHT)
                return (*ret = strdup("infinity")) ? 0 : -ENOMEM;
        if (kind == LIMIT_KIND_CPU_QUOTA)
                return format_percent(n, ret);
        if (human && kind == LIMIT_KIND_BYTES)
                return format_size(n, ret);
        return asprintf(ret, "%" PRIu64, n) < 0 ? -ENOMEM : 0;
}

static int format_full(LimitKey k, const LimitValue *v, bool human, char **ret) {
        _cleanup_free_ char *number = NULL;
        int r;

        if (!limit_info(k))
                return -EINVAL;
        if (human && !v->set)
                return (*ret = strdup("-")) ? 0 : -ENOMEM;
        if (limit_table[k].kind == LIMIT_KIND_CPU_LIST)
                return (*ret = strdup(v->text ? v->text : "")) ? 0 : -ENOMEM;
        r = format_value(k, v->value, human, &number);
        if (r < 0)
                return r;
        if (v->text && limit_key_is_io(k))
                return asprintf(ret, "%s:%s", v->text, number) < 0 ? -ENOMEM : 0;
        *ret = TAKE_PTR(number);
        return 0;
}

int limit_format(LimitKey k, const LimitValue *v, char **ret) {
        return format_full(k, v, false, ret);
}

int limit_format_human(LimitKey k, const LimitValue *v, char **ret) {
        return format_full(k, v, true, ret);
}

int format_size(uint64_t n, char **ret) {
        static const char suffixes[] = "KMGTPE";

        for (int i = (int) sizeof(suffixes) - 2; i >= 0; i--) {
                uint64_t unit = (uint64_t) 1 << (10 * (i + 1));

                if (n < unit)
                        continue;
                if (n % unit == 0)
                        return asprintf(ret, "%" PRIu64 "%c", n / unit, suffixes[i]) < 0 ? -ENOMEM : 0;
                return asprintf(ret, "%.1f%c", (double) n / (double) unit, suffixes[i]) < 0 ? -ENOMEM : 0;
        }
        return asprintf(ret, "%" PRIu64 "B", n) < 0 ? -ENOMEM : 0;
}

void zone_limits_done(ZoneLimits *l) {
        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++)
                limit_value_done(&l->v[k]);
}

int zone_limits_copy(ZoneLimits *dst, const ZoneLimits *src) {
        ZoneLimits c = {};

        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++)
                if (limit_value_copy(&c.v[k], &src->v[k]) < 0) {
                        zone_limits_done(&c);
                        return -ENOMEM;
                }
        zone_limits_done(dst);
        *dst = c;
        return 0;
}

void zone_limits_merge(ZoneLimits *dst, ZoneLimits *src) {
        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++)
                if (src->v[k].set) {
                        limit_value_done(&dst->v[k]);
                        dst->v[k] = src->v[k];
                        src->v[k] = (LimitValue) {};
                }
}

int zone_limits_parse_assignment(ZoneLimits *l, const char *assignment) {
        _cleanup_free_ char *key = NULL;
        const char *eq = strchr(assignment, '=');
        LimitValue v;
        LimitKey k;
        int r;

        if (!eq)
                return -EINVAL;
        key = strndup(assignment, (size_t) (eq - assignment));
        if (!key)
                return -ENOMEM;
        k = limit_key_from_property(key);
        if (k < 0)
                return -EINVAL;
        r = limit_parse(k, eq + 1, &v);
        if (r < 0)
                return r;
        limit_value_done(&l->v[k]);
        l->v[k] = v;
        return 0;
}

int zone_limits_to_strv(const ZoneLimits *l, char ***ret) {
        _cleanup_strv_free_ char **list = NULL;

        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++) {
                _cleanup_free_ char *text = NULL, *line = NULL;
                int r;

                if (!l->v[k].set)
                        continue;
                r = limit_format(k, &l->v[k], &text);
                if (r < 0)
                        return r;
                if (asprintf(&line, "%s=%s", limit_table[k].property, text) < 0)
                        return -ENOMEM;
                r = strv_extend(&list, line);
                if (r < 0)
                        return r;
        }
        if (!list) {
                list = new0(char *, 1);
                if (!list)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(list);
        return 0;
}
