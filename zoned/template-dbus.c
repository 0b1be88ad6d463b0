/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Manager's methods of templates, brands and transfers (the zone methods are in
 * manager-dbus.c): they check their arguments, map the model's -errno to named errors and start
 * transfers (transfer*.c), which run the work in workers. */

#include <fcntl.h>
#include <sys/stat.h>

#include "brand.h"
#include "bus-errors.h"
#include "bus-list.h"
#include "bus-options.h"
#include "export.h"
#include "log.h"
#include "manager-dbus.h"
#include "names.h"
#include "pull.h"
#include "template-check.h"
#include "template-dbus.h"
#include "template-definition.h"
#include "template.h"
#include "transfer-dbus.h"
#include "transfer.h"
#include "tree-copy.h"
#include "url-credentials.h"
#include "zone.h"

/* ---- what every method checks ---- */

static int bus_check_brand(Manager *m, const char *brand, sd_bus_error *error) {
        if (isempty(brand) || brand_check_installed(m, brand) >= 0)
                return 0;
        g_autofree char *known = brand_names(m->brands);

        return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND,
                                 "Brand \"%s\" is not installed (brands: %s).", brand, known);
}

/* What template_check_new() and template_check_usable() said, as a named error. */
static int bus_template_check_error(int r, const char *name, const Zone *user, sd_bus_error *error) {
        switch (r) {
        case 0:
                return 0;
        case -EINVAL:
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME,
                                         "\"%s\" is not a valid template name.", name);
        case -ENOENT:
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_TEMPLATE, "Template %s does not exist.",
                                         name);
        case -EEXIST:
                return sd_bus_error_setf(error, ZONED_ERROR_TEMPLATE_EXISTS,
                                         "Template %s exists already, or a transfer is making it.", name);
        case -EBUSY:
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY,
                                         "Template %s is being replaced by a transfer.", name);
        case -ETXTBSY:
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Template %s is used by zone %s.", name,
                                         user->name);
        default:
                return sd_bus_error_set_errnof(error, r, "Cannot check template %s: %m", name);
        }
}

/* Template name is to be made (replace: or to take the place of the one of that name). */
static int bus_check_new_template(Manager *m, const char *name, bool replace, sd_bus_error *error) {
        Zone *user = NULL;
        int r;

        /* Not in one expression: the arguments' order of evaluation is unspecified. */
        r = template_check_new(m, name, replace, &user);
        return bus_template_check_error(r, name, user, error);
}

int bus_check_template_usable(Manager *m, const char *name, sd_bus_error *error) {
        return bus_template_check_error(template_check_usable(m, name), name, NULL, error);
}

static int bus_reply_transfer(sd_bus_message *msg, Transfer *t) {
        return sd_bus_reply_method_return(msg, "uo", t->id, t->object_path);
}

/* ---- templates ---- */

static int append_template(sd_bus_message *reply, gconstpointer item) {
        const TemplateInfo *t = item;

        return sd_bus_message_append(reply, "(ssst)", t->name, t->brand, t->origin, t->size);
}

static int method_list_templates(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        g_autofree char *dir = manager_templates_dir(userdata);
        g_autoptr(GPtrArray) list = NULL;
        int r;

        r = template_list(dir, &list);
        if (r < 0)
                return r;
        return bus_reply_list(msg, list, "(ssst)", append_template);
}

static char *definition_source(const TemplateDefinition *d) {
        if (d->url)
                return url_without_credentials(d->url);
        return g_strdup_printf("%s %s/%s", bootstrap_tool_to_string(d->tool), d->suite,
                               strempty(d->architecture));
}

static int compare_definitions(gconstpointer a, gconstpointer b) {
        return strcmp((*(TemplateDefinition *const *) a)->name, (*(TemplateDefinition *const *) b)->name);
}

static int append_definition(sd_bus_message *reply, gconstpointer item) {
        const TemplateDefinition *d = item;
        g_autofree char *source = definition_source(d);

        return sd_bus_message_append(reply, "(ssss)", d->name, d->description, d->brand, source);
}

static int method_list_template_definitions(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_reply_sorted_list(msg, m->definitions, compare_definitions, "(ssss)", append_definition);
}

static int method_remove_template(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        g_autofree char *templates = manager_templates_dir(m), *path = NULL;
        const char *name;
        Zone *user;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        if (!zone_name_is_valid(name))
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME,
                                         "\"%s\" is not a valid template name.", name);
        if (!template_exists(templates, name))
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_TEMPLATE, "Template %s does not exist.",
                                         name);
        user = template_user(m, name);
        if (user)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Template %s is used by zone %s.", name,
                                         user->name);
        path = g_build_filename(templates, name, NULL);
        r = manager_remove_in_background(m, path);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot remove template %s: %m", name);
        log_info("Template %s removed.", name);
        return sd_bus_reply_method_return(msg, NULL);
}

/* ---- imports ---- */

static int import_pick_brand(Manager *m, const char *dir, const char *brand, const char **ret,
                             sd_bus_error *error) {
        g_autofree char *init_name = NULL, *arch = NULL;
        g_autoptr(GPtrArray) rules = NULL;
        const char *b;
        int r;

        if (!isempty(brand)) {
                r = bus_check_brand(m, brand, error);
                if (r < 0)
                        return r;
                *ret = brand;
                return 0;
        }
        rules = brand_detect_rules(m->brands);
        b = brand_detect_tree(rules, dir, &init_name, &arch);
        if (!b)
                return sd_bus_error_setf(
                        error, SD_BUS_ERROR_INVALID_ARGS,
                        "Cannot tell the brand of %s: /sbin/init %s%s%s%s; name one with the brand option.",
                        dir, init_name ? "is " : "does not exist", strempty(init_name), arch ? " for " : "",
                        strempty(arch));
        /* b belongs to rules: the brand's own name lives as long as the manager. */
        *ret = ((Brand *) g_hash_table_lookup(m->brands, b))->name;
        return 0;
}

/* The template is copied into the store: a source that holds the store (/, the state dir or one
 * above it) would be copied into itself, with every zone's data besides. */
static int check_source_outside_store(Manager *m, const char *dir, const struct stat *st,
                                      sd_bus_error *error) {
        g_autofree char *templates = manager_templates_dir(m);
        int r;

        r = tree_contains(st, templates);
        if (r < 0)
                return sd_bus_error_set_errnof(
                        error, r, "Cannot tell whether %s holds the template store %s: %m", dir, templates);
        if (r > 0)
                return sd_bus_error_setf(
                        error, ZONED_ERROR_SOURCE_CONTAINS_STORE,
                        "%s holds zoned's template store %s: importing it would copy the store "
                        "into itself.",
                        dir, templates);
        return 0;
}

/* What every import reads first: root only, (source, s name, a{sv} {brand}) with the source's type
 * as signature says, and a name that may be made. */
static int import_read_call(sd_bus_message *msg, Manager *m, const char *signature, void *source,
                            const char **name, const char **brand, sd_bus_error *error) {
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, signature, source, name);
        if (r < 0)
                return r;
        r = bus_read_options(msg, error, { "brand", "s", brand });
        if (r < 0)
                return r;
        return bus_check_new_template(m, *name, false, error);
}

static int method_import_template_fs(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *dir, *name, *brand = NULL;
        Transfer *t;
        struct stat st;
        int r;

        r = import_read_call(msg, m, "ss", &dir, &name, &brand, error);
        if (r < 0)
                return r;
        if (dir[0] != '/' || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "%s is not an absolute path of a directory.", dir);
        r = check_source_outside_store(m, dir, &st, error);
        if (r < 0)
                return r;
        r = import_pick_brand(m, dir, brand, &brand, error);
        if (r < 0)
                return r;
        r = transfer_start_import_fs(m, dir, name, brand, &t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the import: %m");
        return bus_reply_transfer(msg, t);
}

typedef int (*import_start_func)(Manager *m, int fd, const char *name, const char *brand, Transfer **ret);

/* ImportTemplateTar and ImportTemplateRaw: (h fd, s name, a{sv} {brand}). Without a brand it is
 * detected in the worker, once the tree is there. */
static int import_stream(sd_bus_message *msg, Manager *m, import_start_func start, const char *what,
                         sd_bus_error *error) {
        const char *name, *brand = NULL;
        Transfer *t;
        int fd, r;

        r = import_read_call(msg, m, "hs", &fd, &name, &brand, error);
        if (r < 0)
                return r;
        r = bus_check_brand(m, brand, error);
        if (r < 0)
                return r;
        r = start(m, fd, name, brand, &t);
        if (r == -EBADF || r == -EISDIR)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The file descriptor is not a stream open for reading.");
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the import: %m");
        log_info("Transfer %u: importing %s into template %s.", t->id, what, name);
        return bus_reply_transfer(msg, t);
}

static int method_import_template_tar(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return import_stream(msg, userdata, transfer_start_import_tar, "a tarball", error);
}

static int method_import_template_raw(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return import_stream(msg, userdata, transfer_start_import_raw, "a raw image", error);
}

/* ---- PullTemplate ---- */

typedef struct PullRequest {
        const char *brand;
        const char *verify;
        bool force;
        uint32_t timeout_sec;
        uint64_t max_bytes;
        uint64_t max_files;
} PullRequest;

static int pull_read_options(sd_bus_message *msg, PullRequest *p, sd_bus_error *error) {
        return bus_read_options(msg, error, { "brand", "s", &p->brand }, { "verify", "s", &p->verify },
                                { "force", "b", &p->force }, { "timeout-sec", "u", &p->timeout_sec },
                                { "max-bytes", "t", &p->max_bytes }, { "max-files", "t", &p->max_files });
}

/* Checks what every pull checks: the options, the name, the brand, whether the template may be made. */
static int pull_check(Manager *m, const char *name, PullRequest *p, VerifyMode *verify,
                      sd_bus_error *error) {
        int r;

        if (p->verify) {
                *verify = verify_mode_from_string(p->verify);
                if (*verify < 0)
                        return sd_bus_error_setf(
                                error, SD_BUS_ERROR_INVALID_ARGS,
                                "Option verify must be \"no\", \"checksum\" or \"signature\".");
        }
        if (p->timeout_sec == 0 || p->max_bytes == 0 || p->max_files == 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Options timeout-sec, max-bytes and max-files must not be 0.");
        r = bus_check_new_template(m, name, p->force, error);
        if (r < 0)
                return r;
        return bus_check_brand(m, p->brand, error);
}

static int pull_url(sd_bus_message *msg, Manager *m, const char *url, const char *name, PullRequest *p,
                    VerifyMode verify, sd_bus_error *error) {
        g_auto(PullOptions) o = {};
        Transfer *t;
        int r;

        if (!g_str_has_prefix(url, "http://") && !g_str_has_prefix(url, "https://") &&
            !g_str_has_prefix(url, "file:///"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "%s is not an http://, https:// or file:/// URL.", url);
        r = pull_check(m, name, p, &verify, error);
        if (r < 0)
                return r;
        o.url = g_strdup(url);
        o.verify = verify;
        o.keys_dir = g_build_filename(m->config_dir, "keys", NULL);
        o.timeout_sec = p->timeout_sec;
        o.limits = (TarLimits) { .max_bytes = p->max_bytes, .max_files = p->max_files };
        o.force = p->force;
        r = transfer_start_pull(m, &o, name, p->brand, &t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the pull: %m");
        return bus_reply_transfer(msg, t);
}

/* A template definition: its URL (with its verify mode and brand, unless
 * the options say otherwise), or its bootstrap recipe. */
static int pull_definition(sd_bus_message *msg, Manager *m, const char *source, const char *name,
                           PullRequest *p, sd_bus_error *error) {
        const TemplateDefinition *def = template_definition_find(m, source);
        VerifyMode verify = VERIFY_CHECKSUM;
        Transfer *t;
        int r;

        if (!def)
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_TEMPLATE, "No template definition %s.",
                                         source);
        if (isempty(name))
                name = def->name;
        if (isempty(p->brand))
                p->brand = def->brand;
        if (def->url) {
                if (def->verify)
                        verify = verify_mode_from_string(def->verify);
                return pull_url(msg, m, def->url, name, p, verify < 0 ? VERIFY_CHECKSUM : verify, error);
        }
        r = pull_check(m, name, p, &verify, error);
        if (r < 0)
                return r;
        r = transfer_start_bootstrap(m, def, name, p->force, &t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start building template %s: %m", name);
        return bus_reply_transfer(msg, t);
}

static int method_pull_template(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        PullRequest p = { .timeout_sec = PULL_TIMEOUT_SEC_DEFAULT,
                          .max_bytes = TEMPLATE_TAR_MAX_BYTES_DEFAULT,
                          .max_files = TEMPLATE_TAR_MAX_FILES_DEFAULT };
        const char *source, *name;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "ss", &source, &name);
        if (r < 0)
                return r;
        r = pull_read_options(msg, &p, error);
        if (r < 0)
                return r;
        if (!strstr(source, "://"))
                return pull_definition(msg, m, source, name, &p, error);
        return pull_url(msg, m, source, name, &p, VERIFY_CHECKSUM, error);
}

/* ---- ExportZoneTar ---- */

static int check_output_fd(int fd) {
        struct stat st;
        int flags = fcntl(fd, F_GETFL);

        if (flags < 0)
                return -errno;
        if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_PATH))
                return -EBADF;
        if (fstat(fd, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? -EISDIR : 0;
}

/* What may be exported: a zone that is not running (its tree would change while it is read: the
 * tarball would be no consistent state of it) and whose storage is complete. */
static int export_check_zone(Zone *z, sd_bus_error *error) {
        if (z->state != ZONE_STOPPED && z->state != ZONE_FAILED)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY,
                                         "Zone %s is %s; power it off to export it.", z->name,
                                         zone_state_to_string(z->state));
        if (zone_storage_is_incomplete(z))
                return sd_bus_error_setf(error, ZONED_ERROR_ZONE_INCOMPLETE,
                                         "The copy of template %s for zone %s was never completed: there "
                                         "is no tree to export.",
                                         z->config.template_name, z->name);
        return 0;
}

static int method_export_zone_tar(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name, *format = "tar";
        Transfer *t;
        Zone *z;
        int fd, r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "sh", &name, &fd);
        if (r < 0)
                return r;
        r = bus_read_options(msg, error, { "format", "s", &format });
        if (r < 0)
                return r;
        r = bus_get_zone(m, name, &z, error);
        if (r < 0)
                return r;
        if (!export_format_is_valid(format))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Unknown format \"%s\" (tar, gzip, xz, zstd or bzip2).", format);
        r = export_check_zone(z, error);
        if (r < 0)
                return r;
        r = check_output_fd(fd);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The file descriptor is not a file or pipe open for writing.");
        r = transfer_start_export(m, z, fd, format, &t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the export: %m");
        log_info("Transfer %u: exporting zone %s as %s.", t->id, name, format);
        return bus_reply_transfer(msg, t);
}

/* ---- transfers and brands ---- */

static int compare_transfers(gconstpointer a, gconstpointer b) {
        uint32_t x = (*(Transfer *const *) a)->id, y = (*(Transfer *const *) b)->id;
        return x < y ? -1 : x > y;
}

static int append_transfer(sd_bus_message *reply, gconstpointer item) {
        const Transfer *t = item;
        g_autofree char *desc = g_strdup_printf("%s → %s", t->source, t->name);

        return sd_bus_message_append(reply, "(ussdo)", t->id, worker_job_kind_to_string(t->job.kind), desc,
                                     t->progress, t->object_path);
}

static int method_list_transfers(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_reply_sorted_list(msg, m->transfers, compare_transfers, "(ussdo)", append_transfer);
}

static int method_cancel_transfer(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint32_t id;
        Transfer *t;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "u", &id);
        if (r < 0)
                return r;
        t = g_hash_table_lookup(m->transfers, GUINT_TO_POINTER(id));
        if (!t)
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_TRANSFER, "Transfer %u does not exist.",
                                         id);
        r = transfer_cancel(t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot cancel transfer %u: %m", id);
        return sd_bus_reply_method_return(msg, NULL);
}

static int compare_brands(gconstpointer a, gconstpointer b) {
        return strcmp((*(Brand *const *) a)->name, (*(Brand *const *) b)->name);
}

static int append_brand(sd_bus_message *reply, gconstpointer item) {
        const Brand *b = item;

        return sd_bus_message_append(reply, "(ss)", b->name, b->description);
}

static int method_list_brands(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_reply_sorted_list(msg, m->brands, compare_brands, "(ss)", append_brand);
}

/* A brand with what it extends, the architecture it is for ("" for the host's) and the guests it
 * was proven with ("GUEST@CGROUP-MODE" words). */
static int append_brand_details(sd_bus_message *reply, gconstpointer item) {
        const Brand *b = item;
        g_autofree char *proven = b->proven ? g_strjoinv(" ", b->proven) : g_strdup("");

        return sd_bus_message_append(reply, "(sssss)", b->name, b->description, strempty(b->inherits),
                                     strempty(b->architecture), proven);
}

static int method_list_brand_details(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_reply_sorted_list(msg, m->brands, compare_brands, "(sssss)", append_brand_details);
}

#define U SD_BUS_VTABLE_UNPRIVILEGED
/* Registered on the Manager's object and interface beside its zone methods (manager-dbus.c). */
const sd_bus_vtable template_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("ListBrandDetails", NULL, , "a(sssss)", SD_BUS_PARAM(brands),
                                 method_list_brand_details, U),
        SD_BUS_METHOD_WITH_NAMES("ListTemplates", NULL, , "a(ssst)", SD_BUS_PARAM(templates),
                                 method_list_templates, U),
        SD_BUS_METHOD_WITH_NAMES("ListTemplateDefinitions", NULL, , "a(ssss)", SD_BUS_PARAM(definitions),
                                 method_list_template_definitions, U),
        SD_BUS_METHOD_WITH_NAMES("ImportTemplateFs", "ssa{sv}",
                                 SD_BUS_PARAM(directory) SD_BUS_PARAM(name) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_import_template_fs, U),
        SD_BUS_METHOD_WITH_NAMES("ImportTemplateTar", "hsa{sv}",
                                 SD_BUS_PARAM(fd) SD_BUS_PARAM(name) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_import_template_tar, U),
        SD_BUS_METHOD_WITH_NAMES("PullTemplate", "ssa{sv}",
                                 SD_BUS_PARAM(source) SD_BUS_PARAM(name) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_pull_template, U),
        SD_BUS_METHOD_WITH_NAMES("ImportTemplateRaw", "hsa{sv}",
                                 SD_BUS_PARAM(fd) SD_BUS_PARAM(name) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_import_template_raw, U),
        SD_BUS_METHOD_WITH_NAMES("RemoveTemplate", "s", SD_BUS_PARAM(name), NULL, , method_remove_template,
                                 U),
        SD_BUS_METHOD_WITH_NAMES("ExportZoneTar", "sha{sv}",
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(fd) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_export_zone_tar, U),
        SD_BUS_METHOD_WITH_NAMES("ListTransfers", NULL, , "a(ussdo)", SD_BUS_PARAM(transfers),
                                 method_list_transfers, U),
        SD_BUS_METHOD_WITH_NAMES("CancelTransfer", "u", SD_BUS_PARAM(id), NULL, , method_cancel_transfer, U),
        SD_BUS_METHOD_WITH_NAMES("ListBrands", NULL, , "a(ss)", SD_BUS_PARAM(brands), method_list_brands, U),
        SD_BUS_SIGNAL_WITH_NAMES("TransferNew", "uo", SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), 0),
        SD_BUS_SIGNAL_WITH_NAMES("TransferRemoved", "uos",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer) SD_BUS_PARAM(result), 0),
        SD_BUS_VTABLE_END,
};
#undef U
