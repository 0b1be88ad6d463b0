/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "brand.h"
#include "fixup-rule.h"
#include "ini-util.h"
#include "macro.h"
#include "names.h"
#include "signal-name.h"
#include "stop-prepare.h"

#define GROUP "Brand"
#define FIXUPS_GROUP "FixUps"

Brand *brand_free(Brand *b) {
        if (!b)
                return NULL;
        g_free(b->name);
        g_free(b->inherits);
        g_free(b->description);
        g_strfreev(b->init_argv);
        g_strfreev(b->init_search);
        g_strfreev(b->environment);
        g_strfreev(b->poweroff_prepare);
        g_strfreev(b->reboot_prepare);
        g_strfreev(b->halt_prepare);
        g_free(b->ready_target);
        g_strfreev(b->fixups);
        g_strfreev(b->detect_init);
        g_strfreev(b->detect_paths);
        g_free(b->architecture);
        g_strfreev(b->proven);
        g_free(b);
        return NULL;
}

/* A brand that starts as a copy of parent (or empty, with the defaults). */
static Brand *brand_new_from(const Brand *parent) {
        Brand *b = g_new0(Brand, 1);

        if (!parent) {
                b->ready = READY_EXEC;
                b->stop_timeout_usec = 30 * USEC_PER_SEC;
                b->ready_timeout_usec = 0;
                b->description = g_strdup("");
                return b;
        }
        b->description = g_strdup(parent->description);
        b->init_argv = g_strdupv(parent->init_argv);
        b->init_search = g_strdupv(parent->init_search);
        b->environment = g_strdupv(parent->environment);
        b->poweroff_signal = parent->poweroff_signal;
        b->reboot_signal = parent->reboot_signal;
        b->halt_signal = parent->halt_signal;
        b->poweroff_prepare = g_strdupv(parent->poweroff_prepare);
        b->reboot_prepare = g_strdupv(parent->reboot_prepare);
        b->halt_prepare = g_strdupv(parent->halt_prepare);
        b->ready = parent->ready;
        b->ready_target = g_strdup(parent->ready_target);
        b->ready_timeout_usec = parent->ready_timeout_usec;
        b->stop_timeout_usec = parent->stop_timeout_usec;
        b->personality = parent->personality;
        b->realtime_signal_offset = parent->realtime_signal_offset;
        b->fixups = g_strdupv(parent->fixups);
        b->detect_init = g_strdupv(parent->detect_init);
        b->detect_paths = g_strdupv(parent->detect_paths);
        b->architecture = g_strdup(parent->architecture);
        b->capabilities = parent->capabilities;
        return b;
}

static char **split_words(const char *s) {
        g_auto(GStrv) parts = g_strsplit_set(s ? s : "", " \t", -1);
        GPtrArray *a = g_ptr_array_new();

        for (char **p = parts; *p; p++)
                if (**p)
                        g_ptr_array_add(a, g_strdup(*p));
        g_ptr_array_add(a, NULL);
        return (char **) g_ptr_array_free(a, FALSE);
}

/* A brand file's view: the key file, its text (for line numbers) and its path. */
typedef struct BrandFile {
        GKeyFile *f;
        const char *text;
        const char *path;
        char **error;
} BrandFile;

static char *get(const BrandFile *bf, const char *key) {
        return g_key_file_get_string(bf->f, GROUP, key, NULL);
}

static int brand_signal(const BrandFile *bf, const char *key, bool required, int *ret) {
        g_autofree char *v = get(bf, key);
        int sig;

        if (!v)
                return required ? ini_key_error(bf->path, bf->text, GROUP, key, bf->error, "%s= is missing",
                                                key)
                                : 0;
        sig = signal_from_string(v);
        if (sig < 0)
                return ini_key_error(bf->path, bf->text, GROUP, key, bf->error, "%s=%s is not a signal name",
                                     key, v);
        *ret = sig;
        return 0;
}

static int brand_signals(Brand *b, const BrandFile *bf, bool inherited) {
        int r;

        r = brand_signal(bf, "PoweroffSignal", !inherited, &b->poweroff_signal);
        if (r < 0)
                return r;
        r = brand_signal(bf, "RebootSignal", !inherited, &b->reboot_signal);
        if (r < 0)
                return r;
        return brand_signal(bf, "HaltSignal", !inherited, &b->halt_signal);
}

/* Init= is a search list: the first path is argv[0], the others are tried when it is missing. */
static int brand_parse_init(Brand *b, const BrandFile *bf) {
        g_autofree char *init = get(bf, "Init"), *args = get(bf, "InitArguments"),
                        *env = get(bf, "Environment");
        g_auto(GStrv) paths = NULL, argv = NULL;
        GPtrArray *a;

        if (!init && !b->init_argv)
                return ini_key_error(bf->path, bf->text, GROUP, "Init", bf->error, "Init= is missing");
        if (init) {
                paths = split_words(init);
                if (!paths[0])
                        return ini_key_error(bf->path, bf->text, GROUP, "Init", bf->error,
                                             "Init= needs at least one absolute path");
                for (char **p = paths; *p; p++)
                        if ((*p)[0] != '/')
                                return ini_key_error(bf->path, bf->text, GROUP, "Init", bf->error,
                                                     "Init= entry \"%s\" is not an absolute path", *p);
                g_strfreev(b->init_search);
                b->init_search = g_strdupv(paths + 1);
        }
        if (init || args) {
                const char *first = init ? paths[0] : b->init_argv[0];

                argv = split_words(args);
                a = g_ptr_array_new();
                g_ptr_array_add(a, g_strdup(first));
                /* InitArguments= not given: the inherited ones stay. */
                for (char **p = args ? argv : b->init_argv ? b->init_argv + 1 : argv; *p; p++)
                        g_ptr_array_add(a, g_strdup(*p));
                g_ptr_array_add(a, NULL);
                g_strfreev(b->init_argv);
                b->init_argv = (char **) g_ptr_array_free(a, FALSE);
        }
        if (!env)
                return 0;
        g_strfreev(b->environment);
        b->environment = split_words(env);
        for (char **e = b->environment; *e; e++)
                if (!strchr(*e, '=') || **e == '=')
                        return ini_key_error(bf->path, bf->text, GROUP, "Environment", bf->error,
                                             "Environment= entry \"%s\" is not KEY=VALUE", *e);
        return 0;
}

static int parse_seconds(const BrandFile *bf, const char *key, uint64_t *ret) {
        g_autofree char *v = get(bf, key);
        char *end;
        guint64 n;

        if (!v)
                return 0;
        n = g_ascii_strtoull(v, &end, 10);
        if (*v == '\0' || *end || n == 0 || n > 3600)
                return ini_key_error(bf->path, bf->text, GROUP, key, bf->error,
                                     "%s=%s is not a number of seconds in 1..3600", key, v);
        *ret = n * USEC_PER_SEC;
        return 0;
}

/* Ready=exec, notify, process:NAME (a process of that name runs in the zone) or file:PATH. */
static int brand_parse_ready(Brand *b, const BrandFile *bf) {
        g_autofree char *ready = get(bf, "Ready");
        const char *colon;
        int r;

        if (ready) {
                colon = strchr(ready, ':');
                g_autofree char *mode = colon ? g_strndup(ready, (gsize) (colon - ready)) : g_strdup(ready);

                b->ready = ready_mode_from_string(mode);
                g_clear_pointer(&b->ready_target, g_free);
                if (colon)
                        b->ready_target = g_strdup(colon + 1);
                bool wants_target = b->ready == READY_PROCESS || b->ready == READY_FILE ||
                                    b->ready == READY_CONSOLE;

                if (b->ready < 0 || wants_target != (colon && colon[1]) ||
                    (b->ready == READY_FILE && colon[1] != '/') || (colon && !wants_target) ||
                    (b->ready_target && strlen(b->ready_target) > 255) ||
                    (b->ready_target && b->ready != READY_CONSOLE && strpbrk(b->ready_target, " \t")))
                        return ini_key_error(bf->path, bf->text, GROUP, "Ready", bf->error,
                                             "Ready=%s is none of exec, notify, process:NAME, file:/PATH, "
                                             "console:TEXT",
                                             ready);
                if (b->ready == READY_PROCESS && strlen(b->ready_target) > 15)
                        return ini_key_error(bf->path, bf->text, GROUP, "Ready", bf->error,
                                             "Ready=%s: a process name is at most 15 characters (its comm)",
                                             ready);
        }
        r = parse_seconds(bf, "ReadyTimeoutSec", &b->ready_timeout_usec);
        if (r < 0)
                return r;
        return parse_seconds(bf, "StopTimeoutSec", &b->stop_timeout_usec);
}

static int parse_prepare(const BrandFile *bf, const char *key, char ***field) {
        g_autofree char *v = get(bf, key);
        g_auto(GStrv) words = NULL;

        if (!v)
                return 0;
        words = split_words(v);
        for (char **w = words; *w; w++)
                if (stop_prepare_parse(*w, NULL, NULL) < 0)
                        return ini_key_error(bf->path, bf->text, GROUP, key, bf->error,
                                             "%s= entry \"%s\" is not PATH:MODE (an absolute path, an "
                                             "octal mode)",
                                             key, *w);
        g_strfreev(*field);
        *field = g_steal_pointer(&words);
        return 0;
}

static int brand_parse_stop(Brand *b, const BrandFile *bf) {
        int r;

        r = parse_prepare(bf, "PoweroffPrepare", &b->poweroff_prepare);
        if (r < 0)
                return r;
        r = parse_prepare(bf, "RebootPrepare", &b->reboot_prepare);
        if (r < 0)
                return r;
        return parse_prepare(bf, "HaltPrepare", &b->halt_prepare);
}

/* Personality=linux, linux32, uname26 or "linux32 uname26": the execution domain and flags. */
static int brand_parse_personality(Brand *b, const BrandFile *bf) {
        g_autofree char *v = get(bf, "Personality");
        g_auto(GStrv) words = NULL;
        uint32_t p = 0;

        if (!v)
                return 0;
        words = split_words(v);
        for (char **w = words; *w; w++) {
                if (streq(*w, "linux"))
                        continue;
                else if (streq(*w, "linux32"))
                        p |= PER_LINUX32;
                else if (streq(*w, "uname26"))
                        p |= UNAME26;
                else
                        return ini_key_error(bf->path, bf->text, GROUP, "Personality", bf->error,
                                             "Personality= entry \"%s\" is none of linux, linux32, uname26",
                                             *w);
        }
        b->personality = p;
        return 0;
}

/* RealtimeSignalOffset=N: qemu-user delivers the host's real-time signal SIGRTMIN+K+N to the guest
 * as its SIGRTMIN+K (it keeps the first ones for itself): the stop signals are shifted by N. */
static int brand_parse_signal_offset(Brand *b, const BrandFile *bf) {
        g_autofree char *v = get(bf, "RealtimeSignalOffset");
        char *end;
        guint64 n;

        if (!v)
                return 0;
        n = g_ascii_strtoull(v, &end, 10);
        if (!*v || *end || n > 8)
                return ini_key_error(bf->path, bf->text, GROUP, "RealtimeSignalOffset", bf->error,
                                     "RealtimeSignalOffset=%s is not a number in 0..8", v);
        b->realtime_signal_offset = (int) n;
        return 0;
}

static int brand_parse_detect(Brand *b, const BrandFile *bf) {
        g_autofree char *init = get(bf, "DetectInit"), *paths = get(bf, "DetectPath"),
                        *arch = get(bf, "Architecture");

        if (init) {
                g_strfreev(b->detect_init);
                b->detect_init = split_words(init);
        }
        if (paths) {
                g_strfreev(b->detect_paths);
                b->detect_paths = split_words(paths);
                for (char **p = b->detect_paths; *p; p++)
                        if ((*p)[0] != '/')
                                return ini_key_error(bf->path, bf->text, GROUP, "DetectPath", bf->error,
                                                     "DetectPath= entry \"%s\" is not an absolute path", *p);
        }
        if (arch) {
                g_free(b->architecture);
                b->architecture = NULL;
                if (*arch && !g_regex_match_simple("^[a-z0-9]+$", arch, 0, 0))
                        return ini_key_error(bf->path, bf->text, GROUP, "Architecture", bf->error,
                                             "Architecture=%s is not an architecture name (amd64, "
                                             "i386, arm64, ...)",
                                             arch);
                if (*arch)
                        b->architecture = g_strdup(arch);
        }
        return 0;
}

/* Proven=: what the brand was tested with, "GUEST@v1-hybrid" or "GUEST@v2" (the host's cgroup
 * mode); not inherited: a brand is proven by its own tests. */
static int brand_parse_proven(Brand *b, const BrandFile *bf) {
        g_autofree char *v = get(bf, "Proven");

        g_strfreev(b->proven);
        b->proven = split_words(v);
        for (char **w = b->proven; *w; w++)
                if (!g_regex_match_simple("^[a-z0-9][a-z0-9.+-]*@(v1-hybrid|v2)$", *w, 0, 0))
                        return ini_key_error(bf->path, bf->text, GROUP, "Proven", bf->error,
                                             "Proven= entry \"%s\" is not GUEST@v1-hybrid or GUEST@v2", *w);
        return 0;
}

/* [FixUps] holds one rule per line and the same verb many times, which GKeyFile (one value per
 * key) cannot keep: its lines are read from the text, in order. */
static int brand_parse_fixups(Brand *b, const BrandFile *bf) {
        g_auto(GStrv) lines = g_strsplit(bf->text, "\n", -1);
        GPtrArray *rules = g_ptr_array_new_with_free_func(g_free);
        bool in_group = false;
        unsigned n = 0;

        for (char **p = b->fixups; p && *p; p++)
                g_ptr_array_add(rules, g_strdup(*p));
        for (char **l = lines; *l; l++) {
                g_autofree char *line = g_strstrip(g_strdup(*l));
                g_autofree char *verb = NULL;
                const char *eq, *reason = NULL;
                FixupRule rule;

                n++;
                if (line[0] == '[') {
                        in_group = streq(line, "[" FIXUPS_GROUP "]");
                        continue;
                }
                if (!in_group || line[0] == '#' || line[0] == ';' || !line[0])
                        continue;
                eq = strchr(line, '=');
                verb = eq ? g_strstrip(g_strndup(line, (gsize) (eq - line))) : g_strdup(line);
                if (!eq || fixup_rule_parse(fixup_verb_from_string(verb), eq + 1, &rule, &reason) < 0) {
                        g_ptr_array_free(rules, TRUE);
                        *bf->error = g_strdup_printf("%s:%u: [%s] %s: %s", bf->path, n, FIXUPS_GROUP, verb,
                                                     reason ?: "a rule is Verb=ARGUMENTS");
                        return -EBADMSG;
                }
                fixup_rule_done(&rule);
                g_ptr_array_add(rules, g_strdup_printf("%s=%s", verb, g_strstrip((char *) eq + 1)));
        }
        g_ptr_array_add(rules, NULL);
        g_strfreev(b->fixups);
        b->fixups = (char **) g_ptr_array_free(rules, FALSE);
        return 0;
}

static const char *const brand_keys[] = {
        "Description",
        "Inherits",
        "Init",
        "InitArguments",
        "Environment",
        "PoweroffSignal",
        "RebootSignal",
        "HaltSignal",
        "PoweroffPrepare",
        "RebootPrepare",
        "HaltPrepare",
        "Ready",
        "ReadyTimeoutSec",
        "StopTimeoutSec",
        "Personality",
        "DetectInit",
        "DetectPath",
        "Architecture",
        "Capabilities",
        "DropCapabilities",
        "Proven",
        "RealtimeSignalOffset",
        NULL,
};

/* The brand's name from its file's: NAME.brand. */
static int brand_name_of(const char *path, char **ret, char **ret_error) {
        g_autofree char *base = g_path_get_basename(path);

        if (!g_str_has_suffix(base, ".brand")) {
                *ret_error = g_strdup_printf("%s: brand files end in .brand", path);
                return -EINVAL;
        }
        base[strlen(base) - strlen(".brand")] = 0;
        if (!zone_name_is_valid(base)) {
                *ret_error = g_strdup_printf("%s: \"%s\" is not a valid brand name", path, base);
                return -EINVAL;
        }
        *ret = g_steal_pointer(&base);
        return 0;
}

static int brand_parse(Brand *b, const BrandFile *bf, bool inherited) {
        static const char *const fixup_verbs[] = { "CommentOut", "AppendLine", "SetVariable", "Remove",
                                                   "Symlink",    "WriteFile",  NULL };
        static const IniSection sections[] = {
                { GROUP, brand_keys },
                { FIXUPS_GROUP, fixup_verbs },
                {},
        };
        g_autofree char *description = get(bf, "Description");
        int r;

        r = ini_check_sections(bf->f, bf->text, bf->path, sections, bf->error);
        if (r < 0)
                return r;
        if (description) {
                g_free(b->description);
                b->description = g_steal_pointer(&description);
        }
        r = brand_parse_init(b, bf);
        if (r >= 0)
                r = brand_signals(b, bf, inherited);
        if (r >= 0)
                r = brand_parse_stop(b, bf);
        if (r >= 0)
                r = brand_parse_ready(b, bf);
        if (r >= 0)
                r = brand_parse_personality(b, bf);
        if (r >= 0)
                r = brand_parse_signal_offset(b, bf);
        if (r >= 0)
                r = brand_parse_detect(b, bf);
        if (r >= 0)
                r = brand_parse_fixups(b, bf);
        if (r >= 0)
                r = brand_parse_proven(b, bf);
        if (r >= 0 && (g_key_file_has_key(bf->f, GROUP, "Capabilities", NULL) ||
                       g_key_file_has_key(bf->f, GROUP, "DropCapabilities", NULL)))
                r = capability_change_load(bf->f, bf->text, bf->path, GROUP, &b->capabilities, bf->error);
        return r;
}

int brand_load(const char *path, const Brand *parent, Brand **ret, char **ret_error) {
        g_autoptr(GKeyFile) f = NULL;
        g_autoptr(Brand) b = NULL;
        g_autofree char *text = NULL, *name = NULL;
        BrandFile bf;
        int r;

        r = brand_name_of(path, &name, ret_error);
        if (r < 0)
                return r;
        r = ini_load_lists(path, (const char *const[]) { FIXUPS_GROUP, NULL }, &f, &text, ret_error);
        if (r < 0)
                return r;
        bf = (BrandFile) { .f = f, .text = text, .path = path, .error = ret_error };
        b = brand_new_from(parent);
        b->name = g_steal_pointer(&name);
        b->inherits = g_key_file_get_string(f, GROUP, "Inherits", NULL);
        if (!!b->inherits != !!parent || (parent && !streq(b->inherits, parent->name)))
                return ini_key_error(path, text, GROUP, "Inherits", ret_error,
                                     "Inherits=%s: that brand was not loaded first", strempty(b->inherits));
        r = brand_parse(b, &bf, parent != NULL);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&b);
        return 0;
}

/* The brand a file inherits (Inherits=), read before the file is parsed; NULL for none. */
static char *brand_file_inherits(const char *path) {
        g_autoptr(GKeyFile) f = NULL;
        g_autofree char *text = NULL, *error = NULL;

        if (ini_load_lists(path, (const char *const[]) { FIXUPS_GROUP, NULL }, &f, &text, &error) < 0)
                return NULL;
        return g_key_file_get_string(f, GROUP, "Inherits", NULL);
}

/* What brand_load_dir() knows while it loads: name → path of every file, the brands loaded, the
 * names that failed, and those being loaded (a chain back to one of them is a circle). */
typedef struct BrandLoader {
        GHashTable *files;
        GHashTable *brands;
        GHashTable *failed;
        GHashTable *loading;
        GPtrArray *errors;
} BrandLoader;

static Brand *load_failed(BrandLoader *l, const char *name, char *error) {
        g_ptr_array_add(l->errors, error);
        g_hash_table_add(l->failed, g_strdup(name));
        return NULL;
}

/* Loads name, and before it what it inherits. */
static Brand *load_chain(BrandLoader *l, const char *name) {
        const char *path = g_hash_table_lookup(l->files, name);
        g_autofree char *parent_name = NULL, *error = NULL;
        Brand *parent = NULL, *b = NULL;

        if ((b = g_hash_table_lookup(l->brands, name)) || g_hash_table_contains(l->failed, name) || !path)
                return b;
        parent_name = brand_file_inherits(path);
        if (parent_name) {
                if (g_hash_table_contains(l->loading, parent_name) || streq(parent_name, name))
                        return load_failed(l, name,
                                           g_strdup_printf("%s: Inherits=%s goes round in a circle", path,
                                                           parent_name));
                g_hash_table_add(l->loading, g_strdup(name));
                parent = load_chain(l, parent_name);
                g_hash_table_remove(l->loading, name);
                if (!parent)
                        return load_failed(l, name,
                                           g_strdup_printf("%s: Inherits=%s, which is %s", path, parent_name,
                                                           g_hash_table_contains(l->files, parent_name)
                                                                   ? "a brand that does not load"
                                                                   : "no brand"));
        }
        if (brand_load(path, parent, &b, &error) < 0)
                return load_failed(l, name, g_steal_pointer(&error));
        g_hash_table_replace(l->brands, b->name, b);
        return b;
}

int brand_load_dir(const char *dir, GHashTable *brands, GPtrArray *ret_errors) {
        g_autoptr(GHashTable) files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_autoptr(GHashTable) failed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) loading = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        BrandLoader l = { .brands = brands, .failed = failed, .loading = loading, .errors = ret_errors };
        g_autoptr(GDir) d = NULL;
        g_autoptr(GError) err = NULL;
        GHashTableIter it;
        gpointer key;
        const char *fn;

        d = g_dir_open(dir, 0, &err);
        if (!d)
                return err->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO;
        while ((fn = g_dir_read_name(d))) {
                g_autofree char *path = NULL, *name = NULL, *error = NULL;

                if (!g_str_has_suffix(fn, ".brand"))
                        continue;
                path = g_build_filename(dir, fn, NULL);
                if (brand_name_of(path, &name, &error) < 0) {
                        g_ptr_array_add(ret_errors, g_steal_pointer(&error));
                        continue;
                }
                g_hash_table_replace(files, g_steal_pointer(&name), g_steal_pointer(&path));
        }
        l.files = files;
        g_hash_table_iter_init(&it, files);
        while (g_hash_table_iter_next(&it, &key, NULL))
                (void) load_chain(&l, key);
        return 0;
}

GPtrArray *brand_detect_rules(GHashTable *brands) {
        GPtrArray *rules = g_ptr_array_new_with_free_func((GDestroyNotify) brand_detect_rule_free);
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, brands);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                const Brand *b = v;
                BrandDetectRule *r;

                if (g_strv_length(b->detect_init) == 0)
                        continue;
                r = g_new0(BrandDetectRule, 1);
                r->brand = g_strdup(b->name);
                r->init_names = g_strdupv(b->detect_init);
                r->paths = g_strdupv(b->detect_paths);
                r->architecture = g_strdup(b->architecture);
                g_ptr_array_add(rules, r);
        }
        return rules;
}

static gint compare_strings(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

char *brand_names(GHashTable *brands) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        GHashTableIter it;
        gpointer k;

        g_hash_table_iter_init(&it, brands);
        while (g_hash_table_iter_next(&it, &k, NULL))
                g_ptr_array_add(names, k);
        g_ptr_array_sort(names, compare_strings);
        g_ptr_array_add(names, NULL);
        return g_strjoinv(", ", (char **) names->pdata);
}
