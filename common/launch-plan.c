/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>

#include "launch-plan.h"
#include "macro.h"
#include "signal-name.h"

static const char *const root_mode_table[_ROOT_MODE_MAX] = {
        [ROOT_OVERLAY] = "overlay",
        [ROOT_DIRECTORY] = "directory",
};

static const char *const ready_mode_table[_READY_MODE_MAX] = {
        [READY_EXEC] = "exec",
        [READY_NOTIFY] = "notify",
};

const char *root_mode_to_string(RootMode m) {
        return m >= 0 && m < _ROOT_MODE_MAX ? root_mode_table[m] : NULL;
}

RootMode root_mode_from_string(const char *s) {
        for (int i = 0; s && i < _ROOT_MODE_MAX; i++)
                if (streq(root_mode_table[i], s))
                        return (RootMode) i;
        return _ROOT_MODE_INVALID;
}

const char *ready_mode_to_string(ReadyMode m) {
        return m >= 0 && m < _READY_MODE_MAX ? ready_mode_table[m] : NULL;
}

ReadyMode ready_mode_from_string(const char *s) {
        for (int i = 0; s && i < _READY_MODE_MAX; i++)
                if (streq(ready_mode_table[i], s))
                        return (ReadyMode) i;
        return _READY_MODE_INVALID;
}

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

LaunchPlan *launch_plan_free(LaunchPlan *p) {
        if (!p)
                return NULL;
        free(p->name);
        free(p->hostname);
        free(p->rootfs);
        free(p->lower);
        free(p->upper);
        free(p->work);
        strv_free(p->init_argv);
        strv_free(p->init_env);
        free(p->runtime_dir);
        free(p->console_log);
        free(p->cgroup);
        free(p->machine_id);
        free(p->seccomp_filter);
        free(p);
        return NULL;
}

/* A tiny append-only text buffer for serialisation. */
typedef struct Buf {
        FILE *f;
        char *data;
        size_t size;
        int error;
} Buf;

static void put(Buf *b, const char *key, const char *value) {
        if (!value)
                return;
        if (strchr(value, '\n'))
                b->error = -EINVAL;
        fprintf(b->f, "%s=%s\n", key, value);
}

static void put_u64(Buf *b, const char *key, uint64_t v) {
        fprintf(b->f, "%s=%" PRIu64 "\n", key, v);
}

int launch_plan_serialize(const LaunchPlan *p, char **ret) {
        Buf b = {};
        char sig[16];

        if (p->machine_id && !machine_id_is_valid(p->machine_id))
                return -EINVAL;
        if (!p->name || !p->rootfs || !p->runtime_dir || !p->cgroup || strv_length(p->init_argv) == 0)
                return -EINVAL;
        if (p->root_mode == ROOT_OVERLAY && (!p->lower || !p->upper || !p->work))
                return -EINVAL;
        if (!uid_range_is_valid(p->uid_shift, p->uid_range))
                return -EINVAL;

        b.f = open_memstream(&b.data, &b.size);
        if (!b.f)
                return -ENOMEM;
        put(&b, "name", p->name);
        put(&b, "hostname", p->hostname);
        put(&b, "root_mode", root_mode_to_string(p->root_mode));
        put(&b, "rootfs", p->rootfs);
        put(&b, "lower", p->lower);
        put(&b, "upper", p->upper);
        put(&b, "work", p->work);
        for (char **a = p->init_argv; *a; a++)
                put(&b, "init_arg", *a);
        for (char **e = p->init_env; e && *e; e++)
                put(&b, "init_env", *e);
        if (p->poweroff_signal > 0)
                put(&b, "poweroff_signal", signal_to_string(p->poweroff_signal, sig));
        if (p->reboot_signal > 0)
                put(&b, "reboot_signal", signal_to_string(p->reboot_signal, sig));
        if (p->halt_signal > 0)
                put(&b, "halt_signal", signal_to_string(p->halt_signal, sig));
        put_u64(&b, "stop_timeout_usec", p->stop_timeout_usec);
        put(&b, "ready", ready_mode_to_string(p->ready));
        put(&b, "runtime_dir", p->runtime_dir);
        put(&b, "console_log", p->console_log);
        put_u64(&b, "console_log_max", p->console_log_max);
        put(&b, "cgroup", p->cgroup);
        put(&b, "machine_id", p->machine_id);
        put(&b, "seccomp_filter", p->seccomp_filter);
        if (p->uid_range > 0) {
                put_u64(&b, "uid_shift", p->uid_shift);
                put_u64(&b, "uid_range", p->uid_range);
        }
        if (p->capabilities_set)
                fprintf(b.f, "capabilities=0x%" PRIx64 "\n", p->capabilities);
        if (fclose(b.f) != 0 && b.error == 0)
                b.error = -ENOMEM;
        if (b.error < 0) {
                free(b.data);
                return b.error;
        }
        *ret = b.data;
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

static int plan_set(LaunchPlan *p, const char *key, const char *v) {
        int s;

        if (streq(key, "name"))
                return set_str(&p->name, v);
        if (streq(key, "hostname"))
                return set_str(&p->hostname, v);
        if (streq(key, "rootfs"))
                return set_str(&p->rootfs, v);
        if (streq(key, "lower"))
                return set_str(&p->lower, v);
        if (streq(key, "upper"))
                return set_str(&p->upper, v);
        if (streq(key, "work"))
                return set_str(&p->work, v);
        if (streq(key, "runtime_dir"))
                return set_str(&p->runtime_dir, v);
        if (streq(key, "console_log"))
                return set_str(&p->console_log, v);
        if (streq(key, "cgroup"))
                return set_str(&p->cgroup, v);
        if (streq(key, "seccomp_filter"))
                return v[0] == '/' ? set_str(&p->seccomp_filter, v) : -EINVAL;
        if (streq(key, "machine_id"))
                return machine_id_is_valid(v) ? set_str(&p->machine_id, v) : -EINVAL;
        if (streq(key, "init_arg"))
                return strv_extend(&p->init_argv, v);
        if (streq(key, "init_env"))
                return strchr(v, '=') ? strv_extend(&p->init_env, v) : -EINVAL;
        if (streq(key, "root_mode"))
                return (p->root_mode = root_mode_from_string(v)) < 0 ? -EINVAL : 0;
        if (streq(key, "ready"))
                return (p->ready = ready_mode_from_string(v)) < 0 ? -EINVAL : 0;
        if (streq(key, "stop_timeout_usec"))
                return parse_u64(v, &p->stop_timeout_usec);
        if (streq(key, "console_log_max"))
                return parse_u64(v, &p->console_log_max);
        if (streq(key, "uid_shift"))
                return parse_u32(v, &p->uid_shift);
        if (streq(key, "uid_range"))
                return parse_u32(v, &p->uid_range);
        if (streq(key, "capabilities")) {
                p->capabilities_set = true;
                return parse_capabilities(v, &p->capabilities);
        }
        if (streq(key, "poweroff_signal") || streq(key, "reboot_signal") || streq(key, "halt_signal")) {
                s = signal_from_string(v);
                if (s < 0)
                        return s;
                if (key[0] == 'p')
                        p->poweroff_signal = s;
                else if (key[0] == 'r')
                        p->reboot_signal = s;
                else
                        p->halt_signal = s;
                return 0;
        }
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
        if (!p->name || !p->rootfs || !p->runtime_dir || !p->cgroup || strv_length(p->init_argv) == 0)
                goto bad;
        if (!uid_range_is_valid(p->uid_shift, p->uid_range))
                goto bad;
        if (p->root_mode == ROOT_OVERLAY && (!p->lower || !p->upper || !p->work))
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
