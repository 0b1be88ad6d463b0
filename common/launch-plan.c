/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <stddef.h>

#include "fixup-rule.h"
#include "launch-plan.h"
#include "macro.h"
#include "signal-name.h"
#include "stop-prepare.h"

static const char *const root_mode_table[_ROOT_MODE_MAX] = {
        [ROOT_OVERLAY] = "overlay",
        [ROOT_DIRECTORY] = "directory",
};

static const char *const ready_mode_table[_READY_MODE_MAX] = {
        [READY_EXEC] = "exec", [READY_NOTIFY] = "notify",   [READY_PROCESS] = "process",
        [READY_FILE] = "file", [READY_CONSOLE] = "console",
};

DEFINE_STRING_TABLE_LOOKUP(root_mode, RootMode);
DEFINE_STRING_TABLE_LOOKUP(ready_mode, ReadyMode);

bool machine_id_is_valid(const char *s) {
        bool nonzero = false;
        size_t n = 0;

        for (; s && *s; s++, n++) {
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
                nonzero = nonzero || *s != '0';
        }
        return n == 32 && nonzero;
}

LaunchPlan *launch_plan_new(void) {
        LaunchPlan *p = new0(LaunchPlan, 1);

        if (!p)
                return NULL;
        p->root_mode = ROOT_OVERLAY;
        p->ready = READY_EXEC;
        p->poweroff_signal = p->reboot_signal = p->halt_signal = 0;
        p->stop_timeout_usec = 30 * USEC_PER_SEC;
        p->console_log_max = 1024 * 1024;
        return p;
}

/* ---- the plan's fields: one table for freeing, writing and reading them ---- */

typedef enum FieldType {
        FIELD_STRING,       /* char*, written when set */
        FIELD_PATH,         /* char*, an absolute path */
        FIELD_MACHINE_ID,   /* char*, machine_id_is_valid() */
        FIELD_ARGV,         /* char**, one line per entry */
        FIELD_ENV,          /* char**, one line per "KEY=VALUE" entry */
        FIELD_PATH_LIST,    /* char**, one line per absolute path */
        FIELD_FIXUP,        /* char**, one line per fix-up rule (fixup-rule.h) */
        FIELD_PREPARE,      /* char**, one line per "PATH:MODE" (stop-prepare.h) */
        FIELD_ROOT_MODE,    /* RootMode */
        FIELD_READY,        /* ReadyMode */
        FIELD_U64,          /* uint64_t, always written */
        FIELD_U32_NONZERO,  /* uint32_t, written when not 0 */
        FIELD_SIGNAL,       /* int, a signal name, written when > 0 */
        FIELD_CAPABILITIES, /* uint64_t as 0x..., written (and read) with capabilities_set */
        FIELD_NETWORK_MODE, /* NetworkMode, written when not none */
        FIELD_BOOL,         /* bool, written when true */
} FieldType;

typedef struct PlanField {
        const char *key;
        FieldType type;
        size_t offset;
} PlanField;

#define FIELD(key, type, member) \
        { key, type, offsetof(LaunchPlan, member) }

static const PlanField plan_fields[] = {
        FIELD("name", FIELD_STRING, name),
        FIELD("hostname", FIELD_STRING, hostname),
        FIELD("root_mode", FIELD_ROOT_MODE, root_mode),
        FIELD("rootfs", FIELD_STRING, rootfs),
        FIELD("lower", FIELD_STRING, lower),
        FIELD("upper", FIELD_STRING, upper),
        FIELD("work", FIELD_STRING, work),
        FIELD("disk_image", FIELD_PATH, disk_image),
        FIELD("disk_mount", FIELD_PATH, disk_mount),
        FIELD("init_arg", FIELD_ARGV, init_argv),
        FIELD("init_search", FIELD_PATH_LIST, init_search),
        FIELD("personality", FIELD_U32_NONZERO, personality),
        FIELD("fixup", FIELD_FIXUP, fixups),
        FIELD("init_env", FIELD_ENV, init_env),
        FIELD("poweroff_signal", FIELD_SIGNAL, poweroff_signal),
        FIELD("reboot_signal", FIELD_SIGNAL, reboot_signal),
        FIELD("halt_signal", FIELD_SIGNAL, halt_signal),
        FIELD("stop_timeout_usec", FIELD_U64, stop_timeout_usec),
        FIELD("poweroff_prepare", FIELD_PREPARE, poweroff_prepare),
        FIELD("reboot_prepare", FIELD_PREPARE, reboot_prepare),
        FIELD("halt_prepare", FIELD_PREPARE, halt_prepare),
        FIELD("ready", FIELD_READY, ready),
        FIELD("ready_target", FIELD_STRING, ready_target),
        FIELD("ready_timeout_usec", FIELD_U64, ready_timeout_usec),
        FIELD("runtime_dir", FIELD_STRING, runtime_dir),
        FIELD("console_log", FIELD_STRING, console_log),
        FIELD("console_log_max", FIELD_U64, console_log_max),
        FIELD("cgroup", FIELD_STRING, cgroup),
        FIELD("machine_id", FIELD_MACHINE_ID, machine_id),
        FIELD("seccomp_filter", FIELD_PATH, seccomp_filter),
        FIELD("lxcfs", FIELD_PATH, lxcfs),
        FIELD("nesting", FIELD_BOOL, nesting),
        FIELD("device_allow", FIELD_PATH_LIST, device_allow),
        FIELD("root_shifted", FIELD_BOOL, root_shifted),
        FIELD("uid_shift", FIELD_U32_NONZERO, uid_shift),
        FIELD("uid_range", FIELD_U32_NONZERO, uid_range),
        FIELD("capabilities", FIELD_CAPABILITIES, capabilities),
        FIELD("limit", FIELD_ENV, limits),
        FIELD("network_mode", FIELD_NETWORK_MODE, network_mode),
        FIELD("network_link", FIELD_STRING, network_link),
        FIELD("network_host_ifname", FIELD_STRING, network_host_ifname),
        FIELD("network_mac", FIELD_STRING, network_mac),
        FIELD("network_dhcp", FIELD_BOOL, network_dhcp),
        FIELD("network_address", FIELD_ARGV, network_addresses),
        FIELD("network_gateway", FIELD_ARGV, network_gateways),
        FIELD("network_mtu", FIELD_U32_NONZERO, network_mtu),
        FIELD("network_port", FIELD_ARGV, network_ports),
        FIELD("network_dns", FIELD_ARGV, network_dns),
};

static void *field_of(const LaunchPlan *p, const PlanField *f) {
        return (uint8_t *) p + f->offset;
}

LaunchPlan *launch_plan_free(LaunchPlan *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(plan_fields); i++) {
                const PlanField *f = &plan_fields[i];

                if (f->type == FIELD_STRING || f->type == FIELD_PATH || f->type == FIELD_MACHINE_ID)
                        free(*(char **) field_of(p, f));
                else if (f->type == FIELD_ARGV || f->type == FIELD_ENV || f->type == FIELD_PATH_LIST ||
                         f->type == FIELD_FIXUP || f->type == FIELD_PREPARE)
                        strv_free(*(char ***) field_of(p, f));
        }
        free(p);
        return NULL;
}

/* What a plan must have, written or read. */
static bool plan_is_complete(const LaunchPlan *p) {
        if (!p->name || !p->rootfs || !p->runtime_dir || !p->cgroup || strv_length(p->init_argv) == 0)
                return false;
        if (p->root_mode == ROOT_OVERLAY && (!p->lower || !p->upper || !p->work))
                return false;
        if ((p->ready == READY_PROCESS || p->ready == READY_FILE || p->ready == READY_CONSOLE) !=
            !!p->ready_target)
                return false;
        if (p->ready == READY_FILE && p->ready_target[0] != '/')
                return false;
        if (p->machine_id && !machine_id_is_valid(p->machine_id))
                return false;
        if (!p->disk_image != !p->disk_mount)
                return false;
        if (p->network_mode < 0 || p->network_mode >= _NETWORK_MODE_MAX)
                return false;
        if ((p->network_mode == NETWORK_BRIDGE || p->network_mode == NETWORK_MACVLAN ||
             p->network_mode == NETWORK_IPVLAN) != !!p->network_link)
                return false;
        if ((p->network_mode == NETWORK_BRIDGE) != !!p->network_host_ifname)
                return false;
        return uid_range_is_valid(p->uid_shift, p->uid_range);
}

static int put(FILE *out, const char *key, const char *value) {
        if (!value)
                return 0;
        if (strchr(value, '\n'))
                return -EINVAL;
        fprintf(out, "%s=%s\n", key, value);
        return 0;
}

static int put_field(FILE *out, const LaunchPlan *p, const PlanField *f) {
        void *v = field_of(p, f);
        char sig[16];
        int r = 0;

        switch (f->type) {
        case FIELD_STRING:
        case FIELD_PATH:
        case FIELD_MACHINE_ID:
                return put(out, f->key, *(char **) v);
        case FIELD_ARGV:
        case FIELD_ENV:
        case FIELD_PATH_LIST:
        case FIELD_FIXUP:
        case FIELD_PREPARE:
                for (char **e = *(char ***) v; e && *e && r >= 0; e++)
                        r = put(out, f->key, *e);
                return r;
        case FIELD_ROOT_MODE:
                return put(out, f->key, root_mode_to_string(*(RootMode *) v));
        case FIELD_READY:
                return put(out, f->key, ready_mode_to_string(*(ReadyMode *) v));
        case FIELD_U64:
                fprintf(out, "%s=%" PRIu64 "\n", f->key, *(uint64_t *) v);
                return 0;
        case FIELD_U32_NONZERO:
                if (*(uint32_t *) v > 0)
                        fprintf(out, "%s=%" PRIu32 "\n", f->key, *(uint32_t *) v);
                return 0;
        case FIELD_SIGNAL:
                return *(int *) v > 0 ? put(out, f->key, signal_to_string(*(int *) v, sig)) : 0;
        case FIELD_CAPABILITIES:
                if (p->capabilities_set)
                        fprintf(out, "%s=0x%" PRIx64 "\n", f->key, *(uint64_t *) v);
                return 0;
        case FIELD_NETWORK_MODE:
                if (*(NetworkMode *) v == NETWORK_NONE)
                        return 0;
                return put(out, f->key, network_mode_to_string(*(NetworkMode *) v));
        case FIELD_BOOL:
                return *(bool *) v ? put(out, f->key, "yes") : 0;
        }
        return -EINVAL;
}

int launch_plan_serialize(const LaunchPlan *p, char **ret) {
        char *data = NULL;
        size_t size = 0;
        FILE *out;
        int r = 0;

        if (!plan_is_complete(p))
                return -EINVAL;
        out = open_memstream(&data, &size);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(plan_fields) && r >= 0; i++)
                r = put_field(out, p, &plan_fields[i]);
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(data);
                return r;
        }
        *ret = data;
        return 0;
}

static int parse_u64(const char *s, uint64_t *ret) {
        char *end;

        if (!*s || *s == '-')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_u32(const char *s, uint32_t *ret) {
        uint64_t v;
        int r;

        r = parse_u64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

static int parse_capabilities(const char *s, uint64_t *ret) {
        char *end;

        if (strncmp(s, "0x", 2) != 0 || !s[2])
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s + 2, &end, 16);
        if (errno != 0 || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

bool uid_range_is_valid(uint32_t shift, uint32_t range) {
        if (range == 0)
                return shift == 0;
        /* Never the host's root, and the whole range below (uid_t) -1, which is no user. */
        return shift > 0 && (uint64_t) shift + range <= UINT32_MAX;
}

static int set_str(char **field, const char *v) {
        char *c = strdup(v);

        if (!c)
                return -ENOMEM;
        free(*field);
        *field = c;
        return 0;
}

static bool fixup_is_valid(const char *line) {
        FixupRule r;
        const char *reason;

        if (fixup_rule_parse_line(line, &r, &reason) < 0)
                return false;
        fixup_rule_done(&r);
        return true;
}

static int set_field(LaunchPlan *p, const PlanField *f, const char *v) {
        void *field = field_of(p, f);
        int s;

        switch (f->type) {
        case FIELD_STRING:
                return set_str(field, v);
        case FIELD_PATH:
                return v[0] == '/' ? set_str(field, v) : -EINVAL;
        case FIELD_MACHINE_ID:
                return machine_id_is_valid(v) ? set_str(field, v) : -EINVAL;
        case FIELD_ARGV:
                return strv_extend(field, v);
        case FIELD_ENV:
                return strchr(v, '=') ? strv_extend(field, v) : -EINVAL;
        case FIELD_PATH_LIST:
                return v[0] == '/' ? strv_extend(field, v) : -EINVAL;
        case FIELD_FIXUP:
                return fixup_is_valid(v) ? strv_extend(field, v) : -EINVAL;
        case FIELD_PREPARE:
                return stop_prepare_parse(v, NULL, NULL) < 0 ? -EINVAL : strv_extend(field, v);
        case FIELD_ROOT_MODE:
                return (*(RootMode *) field = root_mode_from_string(v)) < 0 ? -EINVAL : 0;
        case FIELD_READY:
                return (*(ReadyMode *) field = ready_mode_from_string(v)) < 0 ? -EINVAL : 0;
        case FIELD_U64:
                return parse_u64(v, field);
        case FIELD_U32_NONZERO:
                return parse_u32(v, field);
        case FIELD_SIGNAL:
                s = signal_from_string(v);
                if (s < 0)
                        return s;
                *(int *) field = s;
                return 0;
        case FIELD_CAPABILITIES:
                p->capabilities_set = true;
                return parse_capabilities(v, field);
        case FIELD_NETWORK_MODE:
                return (*(NetworkMode *) field = network_mode_from_string(v)) < 0 ? -EINVAL : 0;
        case FIELD_BOOL:
                if (!streq(v, "yes"))
                        return -EINVAL;
                *(bool *) field = true;
                return 0;
        }
        return -EINVAL;
}

static int plan_set(LaunchPlan *p, const char *key, const char *v) {
        for (size_t i = 0; i < ELEMENTSOF(plan_fields); i++)
                if (streq(plan_fields[i].key, key))
                        return set_field(p, &plan_fields[i], v);
        return -EBADMSG;
}

int launch_plan_parse(const char *text, LaunchPlan **ret, unsigned *ret_line) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = launch_plan_new();
        unsigned line = 0;
        int r;

        if (!p)
                return -ENOMEM;
        for (const char *s = text; *s;) {
                const char *nl = strchrnul(s, '\n');
                _cleanup_free_ char *l = strndup(s, (size_t) (nl - s));
                char *eq;

                if (!l)
                        return -ENOMEM;
                line++;
                s = *nl ? nl + 1 : nl;
                if (!*l)
                        continue;
                eq = strchr(l, '=');
                if (!eq)
                        goto bad;
                *eq = 0;
                r = plan_set(p, l, eq + 1);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        goto bad;
        }
        line = 0;
        if (!plan_is_complete(p))
                goto bad;
        *ret = TAKE_PTR(p);
        return 0;
bad:
        if (ret_line)
                *ret_line = line;
        return -EBADMSG;
}

int launch_plan_load(const char *path, LaunchPlan **ret, unsigned *ret_line) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_full_file(path, 1024 * 1024, &text);
        if (r < 0)
                return r;
        return launch_plan_parse(text, ret, ret_line);
}
