/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "ini-util.h"
#include "macro.h"
#include "manager.h"
#include "names.h"
#include "template-definition.h"

#define GROUP "Template"
#define GROUP_BOOTSTRAP "Bootstrap"

/* Only [Template] and [Bootstrap], each with its own keys. */
static int check_groups(GKeyFile *f, const char *text, const char *path, char **ret_error) {
        static const char *const template_keys[] = { "Description", "Brand", "Source", "Verify", NULL };
        static const char *const bootstrap_keys[] = { "Tool",    "Suite",    "Architecture",
                                                      "Variant", "Packages", NULL };
        g_auto(GStrv) groups = g_key_file_get_groups(f, NULL);

        for (char **g = groups; g && *g; g++) {
                const char *const *keys = streq(*g, GROUP)             ? template_keys
                                          : streq(*g, GROUP_BOOTSTRAP) ? bootstrap_keys
                                                                       : NULL;
                g_auto(GStrv) names = NULL;

                if (!keys) {
                        *ret_error = g_strdup_printf("%s:%u: unknown section [%s], expected [%s] or [%s]",
                                                     path, ini_key_line(text, *g, NULL), *g, GROUP,
                                                     GROUP_BOOTSTRAP);
                        return -EBADMSG;
                }
                names = g_key_file_get_keys(f, *g, NULL, NULL);
                for (char **k = names; k && *k; k++)
                        if (!g_strv_contains(keys, *k))
                                return ini_key_error(path, text, *g, *k, ret_error, "unknown key %s in [%s]",
                                                     *k, *g);
        }
        if (!g_key_file_has_group(f, GROUP)) {
                *ret_error = g_strdup_printf("%s: missing section [%s]", path, GROUP);
                return -EBADMSG;
        }
        return 0;
}

/* Suites, architectures, variants and package names: Debian's own
 * characters only, so that nothing can be smuggled into the tool's options. */
static bool debian_word_is_valid(const char *s) {
        if (isempty(s) || s[0] == '-')
                return false;
        for (const char *p = s; *p; p++)
                if (!g_ascii_isalnum(*p) && !strchr("+-.:_", *p))
                        return false;
        return true;
}

static int parse_word(GKeyFile *f, const char *text, const char *path, const char *key, bool required,
                      char **ret, char **ret_error) {
        g_autofree char *v = g_key_file_get_string(f, GROUP_BOOTSTRAP, key, NULL);

        if (v)
                g_strstrip(v);
        if (isempty(v)) {
                if (required)
                        return ini_key_error(path, text, GROUP_BOOTSTRAP, key, ret_error, "%s= is missing",
                                             key);
                *ret = NULL;
                return 0;
        }
        if (!debian_word_is_valid(v))
                return ini_key_error(path, text, GROUP_BOOTSTRAP, key, ret_error,
                                     "%s=%s is not a valid value", key, v);
        *ret = g_steal_pointer(&v);
        return 0;
}

static int parse_bootstrap(TemplateDefinition *d, GKeyFile *f, const char *text, const char *path,
                           char **ret_error) {
        g_autofree char *tool = g_key_file_get_string(f, GROUP_BOOTSTRAP, "Tool", NULL);
        g_autofree char *packages = g_key_file_get_string(f, GROUP_BOOTSTRAP, "Packages", NULL);
        g_auto(GStrv) words = NULL;
        GPtrArray *a;
        int r;

        if (!tool || streq(tool, "mmdebstrap"))
                d->tool = BOOTSTRAP_TOOL_MMDEBSTRAP;
        else if (streq(tool, "debootstrap"))
                d->tool = BOOTSTRAP_TOOL_DEBOOTSTRAP;
        else
                return ini_key_error(path, text, GROUP_BOOTSTRAP, "Tool", ret_error,
                                     "Tool=%s is neither mmdebstrap nor debootstrap", tool);
        r = parse_word(f, text, path, "Suite", true, &d->suite, ret_error);
        if (r < 0)
                return r;
        r = parse_word(f, text, path, "Architecture", false, &d->architecture, ret_error);
        if (r < 0)
                return r;
        r = parse_word(f, text, path, "Variant", false, &d->variant, ret_error);
        if (r < 0)
                return r;
        words = g_strsplit_set(packages ? packages : "", " \t,", -1);
        a = g_ptr_array_new_with_free_func(g_free);
        for (char **w = words; *w; w++) {
                if (!**w)
                        continue;
                if (!debian_word_is_valid(*w)) {
                        g_ptr_array_unref(a);
                        return ini_key_error(path, text, GROUP_BOOTSTRAP, "Packages", ret_error,
                                             "Packages= has an invalid package name \"%s\"", *w);
                }
                g_ptr_array_add(a, g_strdup(*w));
        }
        g_ptr_array_add(a, NULL);
        d->packages = (char **) g_ptr_array_free(a, FALSE);
        return 0;
}

static int parse_source(TemplateDefinition *d, GKeyFile *f, const char *text, const char *path,
                        char **ret_error) {
        g_autofree char *verify = g_key_file_get_string(f, GROUP, "Verify", NULL);

        if (!g_str_has_prefix(d->url, "http://") && !g_str_has_prefix(d->url, "https://") &&
            !g_str_has_prefix(d->url, "file://"))
                return ini_key_error(path, text, GROUP, "Source", ret_error,
                                     "Source=%s is not an http://, https:// or file:// URL", d->url);
        if (verify && !streq(verify, "checksum") && !streq(verify, "signature") && !streq(verify, "no"))
                return ini_key_error(path, text, GROUP, "Verify", ret_error,
                                     "Verify=%s is none of checksum, signature, no", verify);
        d->verify = g_strdup(verify ? verify : "checksum");
        d->packages = g_new0(char *, 1);
        return 0;
}

static int parse_template(TemplateDefinition *d, GKeyFile *f, const char *text, const char *path,
                          char **ret_error) {
        bool bootstrap = g_key_file_has_group(f, GROUP_BOOTSTRAP);

        d->description = g_key_file_get_string(f, GROUP, "Description", NULL);
        if (!d->description)
                d->description = g_strdup("");
        d->brand = g_key_file_get_string(f, GROUP, "Brand", NULL);
        if (!d->brand || !zone_name_is_valid(d->brand))
                return ini_key_error(path, text, GROUP, "Brand", ret_error, "Brand= must name a brand");
        d->url = g_key_file_get_string(f, GROUP, "Source", NULL);
        if (d->url && bootstrap)
                return ini_key_error(path, text, GROUP, "Source", ret_error,
                                     "Source= and a [%s] section exclude each other", GROUP_BOOTSTRAP);
        if (d->url)
                return parse_source(d, f, text, path, ret_error);
        if (!bootstrap) {
                *ret_error = g_strdup_printf("%s: neither Source= nor a [%s] section", path,
                                             GROUP_BOOTSTRAP);
                return -EBADMSG;
        }
        if (g_key_file_has_key(f, GROUP, "Verify", NULL))
                return ini_key_error(path, text, GROUP, "Verify", ret_error,
                                     "Verify= goes only with Source=");
        return parse_bootstrap(d, f, text, path, ret_error);
}

int template_definition_load(const char *path, TemplateDefinition **ret, char **ret_error) {
        g_autoptr(TemplateDefinition) d = g_new0(TemplateDefinition, 1);
        g_autoptr(GKeyFile) f = NULL;
        g_autofree char *text = NULL, *base = g_path_get_basename(path);
        int r;

        if (!g_str_has_suffix(base, ".template")) {
                *ret_error = g_strdup_printf("%s: template definitions end in .template", path);
                return -EINVAL;
        }
        base[strlen(base) - strlen(".template")] = 0;
        if (!zone_name_is_valid(base)) {
                *ret_error = g_strdup_printf("%s: \"%s\" is not a valid template name", path, base);
                return -EINVAL;
        }
        d->name = g_strdup(base);
        r = ini_load(path, &f, &text, ret_error);
        if (r < 0)
                return r;
        r = check_groups(f, text, path, ret_error);
        if (r < 0)
                return r;
        r = parse_template(d, f, text, path, ret_error);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&d);
        return 0;
}

int template_definition_load_dir(const char *dir, GHashTable *definitions, GPtrArray *ret_errors) {
        g_autoptr(GDir) d = NULL;
        g_autoptr(GError) err = NULL;
        const char *fn;

        d = g_dir_open(dir, 0, &err);
        if (!d)
                return err->code == G_FILE_ERROR_NOENT ? 0 : -EIO;
        while ((fn = g_dir_read_name(d))) {
                g_autofree char *path = NULL, *error = NULL;
                TemplateDefinition *def = NULL;

                if (!g_str_has_suffix(fn, ".template"))
                        continue;
                path = g_build_filename(dir, fn, NULL);
                if (template_definition_load(path, &def, &error) < 0) {
                        g_ptr_array_add(ret_errors, g_steal_pointer(&error));
                        continue;
                }
                g_hash_table_replace(definitions, def->name, def);
        }
        return 0;
}

const TemplateDefinition *template_definition_find(Manager *m, const char *name) {
        if (!m->definitions || !name)
                return NULL;
        return g_hash_table_lookup(m->definitions, name);
}
