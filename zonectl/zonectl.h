/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus-connect.h"
#include "table.h"

/* Exit statuses: 0 success, 1 failure, 2 bad usage; `shell` exits with the
 * command's status. */
#define EXIT_USAGE 2

/* Options (main.c parses them; the verbs read them). */
extern const char *arg_address;
extern const char *arg_runtime_dir;
extern bool arg_json;
extern bool arg_legend;
extern bool arg_block;
extern uint64_t arg_timeout_usec;
extern char **arg_property;
extern bool arg_value;
extern const char *arg_template;
extern bool arg_copy;
extern int arg_private_users; /* -1: zoned's default */
extern int arg_nesting;       /* -1: zoned's default (no) */
extern int arg_signal;
extern const char *arg_kill_whom;
extern const char *arg_user;
extern const char *arg_brand;
extern const char *arg_format;
extern const char *arg_verify;
extern bool arg_force;
extern char **arg_command;
extern bool arg_runtime;        /* set: live only, gone at the next boot */
extern unsigned arg_iterations; /* top: 0: until interrupted (on a terminal) */
extern const char *arg_order;   /* top: name, tasks, cpu (default) or memory */
extern char **arg_limits;       /* create: "memory=512M", ... */
extern const char *arg_network; /* create: "bridge:lab" */
extern char **arg_devices;      /* create: --device=PATH, each (DeviceAllow) */
extern char **arg_ip;           /* create: "10.42.0.20/24", ... */

/* Verbs: argv[0] is the verb. Return < 0 on failure (after printing one
 * line), otherwise the exit status. */
typedef int (*VerbFunction)(int argc, char *argv[], Client *c);

int verb_list(int argc, char *argv[], Client *c);
int verb_status(int argc, char *argv[], Client *c);
int verb_show(int argc, char *argv[], Client *c);
int verb_create(int argc, char *argv[], Client *c);
int verb_remove(int argc, char *argv[], Client *c);
int verb_enable(int argc, char *argv[], Client *c);
int verb_disable(int argc, char *argv[], Client *c);
int verb_verify(int argc, char *argv[], Client *c);
int verb_kill(int argc, char *argv[], Client *c);
int verb_boot(int argc, char *argv[], Client *c);
int verb_poweroff(int argc, char *argv[], Client *c);
int verb_reboot(int argc, char *argv[], Client *c);
int verb_terminate(int argc, char *argv[], Client *c);
int verb_shell(int argc, char *argv[], Client *c);
int verb_login(int argc, char *argv[], Client *c);
int verb_console(int argc, char *argv[], Client *c);
int verb_templates(int argc, char *argv[], Client *c);
int verb_import_fs(int argc, char *argv[], Client *c);
int verb_import_tar(int argc, char *argv[], Client *c);
int verb_pull(int argc, char *argv[], Client *c);
int verb_remove_template(int argc, char *argv[], Client *c);
int verb_export_tar(int argc, char *argv[], Client *c);
int verb_import_raw(int argc, char *argv[], Client *c);
int verb_template_definitions(int argc, char *argv[], Client *c);
int verb_brands(int argc, char *argv[], Client *c);
int verb_transfers(int argc, char *argv[], Client *c);
int verb_cancel_transfer(int argc, char *argv[], Client *c);
int verb_set(int argc, char *argv[], Client *c);
int verb_top(int argc, char *argv[], Client *c);
int verb_unset(int argc, char *argv[], Client *c);
int verb_network(int argc, char *argv[], Client *c);

/* verbs-limits.c: "memory=512M" (a CLI key or a property name) as an a{sv} entry of a limit;
 * prints the error itself. */
int limits_append(sd_bus_message *m, const char *assignment);
/* One {sv} entry of an options array, KEY → as (nothing when l is NULL). */
int bus_append_strv_option(sd_bus_message *m, const char *key, char **l);
/* verbs-network.c: whether "port=..." is a network key of set; the checks of set's (or unset's)
 * network keys, printing the error; the one SetZoneNetwork call with them (0: there were none,
 * 1: done); the network options of create; status's network lines. */
bool network_assignment(const char *assignment);
int network_check(char **assignments, size_t n, bool unset);
int network_set(Client *c, const char *name, char **assignments, size_t n, bool unset);
int network_append_create_options(sd_bus_message *m);
void print_zone_network(Client *c, const char *path);
/* status: memory, CPU, tasks, IO and OOM kills of the zone at path. */
void print_zone_resources(Client *c, const char *path);
/* output.c: the terminal's width, 0 when stdout is none. */
size_t terminal_width(void);

/* Prints a listing as --json, --no-legend and the terminal ask; "what" is
 * the plural noun of the footer ("3 zones listed."). */
int output_table(Table *t, const char *what);
/* The absolute CLOCK_MONOTONIC deadline for --timeout. */
uint64_t timeout_deadline(void);

/* Follows a transfer until zoned's TransferRemoved: subscribe before the
 * call that starts it (it may end before the reply is read), set id and path
 * from the reply, then wait. The wait shows progress on a terminal, cancels
 * the transfer on Ctrl+C (SIGINT, SIGTERM) and returns 0 when it is done, or
 * < 0 after printing why not (with the transfer's Error, if it said one).
 * Subscribing blocks SIGINT and SIGTERM until the wait (or done), so that a
 * Ctrl+C while the call is under way still cancels the transfer it starts. */
typedef struct TransferFollow {
        uint32_t id;
        char *path;
        char *result;     /* TransferRemoved: "done", "failed", "canceled" */
        char *error;      /* the transfer's Error property */
        char *error_name; /* the transfer's ErrorName property */
        const char *what; /* "import" (NULL), "pull" or "export": for messages */
        double progress;
        uint64_t bytes_done;
        uint64_t bytes_total;
        uint64_t start_usec;
        int shown_tenths; /* on a pipe: the last 10% step printed */
        bool changed;
        sd_bus_slot *removed_slot;
        sd_bus_slot *changed_slot;
        sigset_t saved_mask;
        bool mask_saved;
} TransferFollow;
int transfer_follow_subscribe(Client *c, TransferFollow *f);
int transfer_follow_wait(Client *c, TransferFollow *f, const char *name);
void transfer_follow_done(TransferFollow *f);
