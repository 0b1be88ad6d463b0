/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* transfers, cancel-transfer, and following a transfer to its end. */

#include <inttypes.h>
#include <signal.h>
#include <unistd.h>

#include "bus-error-names.h"
#include "cli-error.h"
#include "format-util.h"
#include "zonectl.h"

/* The transfer's Name property, for --json ("" if it ended meanwhile). */
static char *transfer_name(Client *c, const char *path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char *name = NULL;

        if (sd_bus_get_property_string(c->bus, c->destination, path, ZONED_TRANSFER_INTERFACE, "Name",
                                       &error, &name) < 0)
                return strdup("");
        return name;
}

int verb_transfers(int argc, char *argv[], Client *c) {
        static const TableColumn columns[] = {
                { "ID", "id", CELL_UINT },
                { "TYPE", "type", CELL_STRING },
                { "PROGRESS", "progress", CELL_PERCENT },
                { "DESCRIPTION", "description", CELL_STRING },
        };
        /* JSON objects also carry the template's name. */
        static const TableColumn json_columns[] = {
                { "ID", "id", CELL_UINT },
                { "TYPE", "type", CELL_STRING },
                { "NAME", "name", CELL_STRING },
                { "DESCRIPTION", "description", CELL_STRING },
                { "PROGRESS", "progress", CELL_PERCENT },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_table_ Table *t = arg_json ? table_new(json_columns, ELEMENTSOF(json_columns))
                                            : table_new(columns, ELEMENTSOF(columns));
        const char *type, *description, *path;
        double progress;
        uint32_t id;
        int r;

        if (!t)
                return cli_error_errno(ENOMEM, "out of memory");
        r = manager_call(c, "ListTransfers", &error, &reply, "");
        if (r < 0)
                return cli_bus_error(&error, r, "cannot list transfers");
        r = sd_bus_message_enter_container(reply, 'a', "(ussdo)");
        while (r >= 0 &&
               (r = sd_bus_message_read(reply, "(ussdo)", &id, &type, &description, &progress, &path)) > 0) {
                if (arg_json) {
                        _cleanup_free_ char *name = transfer_name(c, path);

                        if (!name)
                                return cli_error_errno(ENOMEM, "out of memory");
                        if ((r = table_add_uint(t, id)) < 0 || (r = table_add_string(t, type)) < 0 ||
                            (r = table_add_string(t, name)) < 0 ||
                            (r = table_add_string(t, description)) < 0 ||
                            (r = table_add_percent(t, progress)) < 0)
                                break;
                } else if ((r = table_add_uint(t, id)) < 0 || (r = table_add_string(t, type)) < 0 ||
                           (r = table_add_percent(t, progress)) < 0 ||
                           (r = table_add_string(t, description)) < 0)
                        break;
        }
        if (r < 0)
                return cli_error_errno(r, "cannot read the list of transfers: %m");
        table_sort(t, 0);
        return output_table(t, "transfers");
}

static int parse_transfer_id(const char *s, uint32_t *ret) {
        char *end;
        unsigned long long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end || v == 0 || v > UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int verb_cancel_transfer(int argc, char *argv[], Client *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint32_t id;
        int r;

        if (parse_transfer_id(argv[1], &id) < 0) {
                cli_error("\"%s\" is not a transfer id (a positive number, see \"zonectl transfers\")",
                          argv[1]);
                return -EINVAL;
        }
        r = manager_call(c, "CancelTransfer", &error, NULL, "u", id);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot cancel transfer %" PRIu32, id);
        return 0;
}

/* ---- following a transfer until TransferRemoved (import-fs, import-tar) ---- */

static volatile sig_atomic_t interrupted = 0;
static bool follow_progress = false; /* the wait returns for each change, to show it */

static void on_interrupt(int sig) {
        interrupted = sig;
}

static int on_transfer_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        TransferFollow *f = userdata;
        const char *path, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uos", &id, &path, &result) < 0)
                return 0;
        if (f->id != 0 && id == f->id && !f->result)
                f->result = strdup(result);
        return 0;
}

static int read_changed(sd_bus_message *m, TransferFollow *f) {
        const char *key, *s;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &key);
                if (r >= 0 && streq(key, "Progress"))
                        r = sd_bus_message_read(m, "v", "d", &f->progress);
                else if (r >= 0 && streq(key, "BytesDone"))
                        r = sd_bus_message_read(m, "v", "t", &f->bytes_done);
                else if (r >= 0 && streq(key, "BytesTotal"))
                        r = sd_bus_message_read(m, "v", "t", &f->bytes_total);
                else if (r >= 0 && streq(key, "ErrorName") &&
                         (r = sd_bus_message_read(m, "v", "s", &s)) >= 0) {
                        free(f->error_name);
                        f->error_name = strdup(s);
                } else if (r >= 0 && streq(key, "Error") &&
                           (r = sd_bus_message_read(m, "v", "s", &s)) >= 0) {
                        free(f->error);
                        f->error = strdup(s);
                } else if (r >= 0)
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                f->changed = true;
        }
        return r;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        TransferFollow *f = userdata;
        const char *iface;

        if (!f->path || !streq_ptr(sd_bus_message_get_path(m), f->path))
                return 0;
        if (sd_bus_message_read(m, "s", &iface) < 0 || !streq(iface, ZONED_TRANSFER_INTERFACE))
                return 0;
        (void) read_changed(m, f);
        return 0;
}

int transfer_follow_subscribe(Client *c, TransferFollow *f) {
        sigset_t ss;
        int r;

        sigemptyset(&ss);
        sigaddset(&ss, SIGINT);
        sigaddset(&ss, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &ss, &f->saved_mask) < 0)
                return -errno;
        f->mask_saved = true;

        r = client_match_signal(c, &f->removed_slot, ZONED_MANAGER_PATH, ZONED_MANAGER_INTERFACE,
                                "TransferRemoved", on_transfer_removed, f);
        if (r < 0)
                return r;
        return client_match_signal(c, &f->changed_slot, NULL, "org.freedesktop.DBus.Properties",
                                   "PropertiesChanged", on_properties_changed, f);
}

void transfer_follow_done(TransferFollow *f) {
        if (f->mask_saved)
                (void) sigprocmask(SIG_SETMASK, &f->saved_mask, NULL);
        f->mask_saved = false;
        f->removed_slot = sd_bus_slot_unref(f->removed_slot);
        f->changed_slot = sd_bus_slot_unref(f->changed_slot);
        free(f->path);
        free(f->result);
        free(f->error);
        free(f->error_name);
        f->path = f->result = f->error = f->error_name = NULL;
}

static int transfer_check(void *userdata) {
        TransferFollow *f = userdata;
        return f->result || interrupted || (follow_progress && f->changed) ? 1 : 0;
}

static const char *follow_what(const TransferFollow *f) {
        return f->what ?: "import";
}

/* What the transfer is of: an export is of a zone, the others make a template. */
static const char *follow_object(const TransferFollow *f) {
        return streq(follow_what(f), "export") ? "zone" : "template";
}

static const char *follow_verb(const TransferFollow *f) {
        return streq(follow_what(f), "export") ? "Exporting"
               : streq(follow_what(f), "pull") ? "Pulling"
                                               : "Importing";
}

/* "12.3M/s, 0:42 left" of a pull, from the bytes since the start. */
static void format_rate(const TransferFollow *f, char *out, size_t size) {
        char buf[FORMAT_BYTES_MAX];
        uint64_t elapsed = now_usec(CLOCK_MONOTONIC) - f->start_usec;
        double rate = elapsed > 0 ? (double) f->bytes_done * 1e6 / (double) elapsed : 0;

        out[0] = 0;
        if (!f->what || rate < 1)
                return;
        if (f->bytes_total > f->bytes_done) {
                uint64_t left = (uint64_t) ((double) (f->bytes_total - f->bytes_done) / rate);
                snprintf(out, size, ", %s/s, %" PRIu64 ":%02" PRIu64 " left",
                         format_bytes(buf, (uint64_t) rate), left / 60, left % 60);
        } else
                snprintf(out, size, ", %s/s", format_bytes(buf, (uint64_t) rate));
}

/* A progress bar on a terminal (from PropertiesChanged, never polled); on a
 * pipe, a pull prints a plain line per 10%. */
static void show_progress(TransferFollow *f, const char *name, bool tty, bool *shown) {
        char buf[FORMAT_BYTES_MAX], rate[64], bar[21];
        const char *verb = follow_verb(f), *object = follow_object(f);
        int tenths;

        if (!f->changed || f->result)
                return;
        f->changed = false;
        if (f->progress >= 1) /* the end, TransferRemoved follows */
                return;
        format_rate(f, rate, sizeof(rate));
        if (!tty) {
                tenths = (int) (f->progress * 10);
                if (tenths <= f->shown_tenths || f->progress <= 0)
                        return;
                f->shown_tenths = tenths;
                fprintf(stderr, "%s %s %s: %i%% (%s)\n", verb, object, name, tenths * 10,
                        format_bytes(buf, f->bytes_done));
                return;
        }
        if (f->progress > 0 && f->progress < 1) {
                size_t filled = (size_t) (f->progress * 20);

                memset(bar, '#', filled);
                memset(bar + filled, '.', 20 - filled);
                bar[20] = 0;
                fprintf(stderr, "\r%s %s %s: [%s] %3i%% (%s%s)\033[K", verb, object, name,
                        f->what ? bar : "", (int) (f->progress * 100), format_bytes(buf, f->bytes_done),
                        rate);
        } else
                fprintf(stderr, "\r%s %s %s: %s%s\033[K", verb, object, name,
                        format_bytes(buf, f->bytes_done), rate);
        *shown = true;
}

static int cancel_after_interrupt(Client *c, TransferFollow *f, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        interrupted = 0;
        follow_progress = false;
        r = manager_call(c, "CancelTransfer", &error, NULL, "u", f->id);
        if (r < 0 && !f->result)
                return cli_bus_error(&error, r, "cannot cancel the %s of %s \"%s\"", follow_what(f),
                                     follow_object(f), name);
        /* Until zoned says it ended: then nothing of it is left. */
        (void) client_wait(c, now_usec(CLOCK_MONOTONIC) + 30 * USEC_PER_SEC, transfer_check, f);
        return cli_error_errno(ECANCELED, "%s of %s \"%s\" canceled", follow_what(f), follow_object(f),
                               name);
}

int transfer_follow_wait(Client *c, TransferFollow *f, const char *name) {
        struct sigaction sa = { .sa_handler = on_interrupt }, old_int, old_term;
        bool tty = isatty(STDERR_FILENO), shown = false;
        uint64_t deadline = timeout_deadline();
        sigset_t waiting;
        int r;

        /* SIGINT and SIGTERM stay blocked (since transfer_follow_subscribe()) but for the moments
         * the wait sleeps: one that came during the call, or between a check and the sleep, ends
         * the sleep at once instead of being missed until the transfer ends. */
        (void) sigaction(SIGINT, &sa, &old_int);
        (void) sigaction(SIGTERM, &sa, &old_term);
        (void) sigprocmask(SIG_BLOCK, NULL, &waiting);
        sigdelset(&waiting, SIGINT);
        sigdelset(&waiting, SIGTERM);
        follow_progress = tty || f->what;
        f->start_usec = now_usec(CLOCK_MONOTONIC);
        for (;;) {
                r = client_wait_sigmask(c, deadline, transfer_check, f, &waiting);
                if (r == -EINTR && !interrupted)
                        continue;
                if (follow_progress)
                        show_progress(f, name, tty, &shown);
                if (r < 0 || f->result || interrupted)
                        break;
        }
        if (shown)
                fputs("\r\033[K", stderr);
        if (interrupted && !f->result)
                r = cancel_after_interrupt(c, f, name);
        else if (r == -ECONNRESET)
                r = cli_error_errno(ECONNRESET, "zoned went away during the %s of %s \"%s\"", follow_what(f),
                                    follow_object(f), name);
        else if (r == -ETIME)
                r = cli_error_errno(ETIME, "timed out: the %s of %s \"%s\" (transfer %" PRIu32 ") goes on",
                                    follow_what(f), follow_object(f), name, f->id);
        else if (r < 0)
                r = cli_error_errno(-r, "cannot follow the %s of %s \"%s\": %m", follow_what(f),
                                    follow_object(f), name);
        else if (streq_ptr(f->error_name, ZONED_ERROR_VERIFICATION_FAILED))
                r = cli_error_errno(EBADMSG, "verification failed: %s", strempty(f->error));
        else if (!streq(f->result, "done"))
                r = cli_error_errno(EIO, "%s of %s \"%s\" %s%s%s", follow_what(f), follow_object(f), name,
                                    f->result, isempty(f->error) ? "" : ": ", strempty(f->error));
        else
                r = 0;
        (void) sigaction(SIGINT, &old_int, NULL);
        (void) sigaction(SIGTERM, &old_term, NULL);
        return r;
}
