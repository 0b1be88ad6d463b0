/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "definition.h"
#include "progress.h"
#include "template-import.h"

/* The first Debian archive URI (not a -security one) that the host's apt is
 * configured with: deb822 files in sources_dir (*.sources), then one-line
 * files (sources_list, sources_dir/ *.list). -ENOENT if none. The project
 * never names a mirror: it is read here at run time. */
int bootstrap_host_mirror(const char *sources_list, const char *sources_dir, char **ret);

/* The argv of the bootstrap tool for def, building into target from mirror. */
char **bootstrap_argv(const TemplateDefinition *def, const char *target, const char *mirror);

/* Makes a freshly bootstrapped tree fit to be a template: no trace of the
 * builder (empty /etc/hostname and /etc/resolv.conf, no apt sources naming
 * the mirror, empty /etc/machine-id: zoned gives each zone its own). What an
 * init needs in a zone (sysvinit's gettys) is its brand's fix-ups, applied at
 * each boot to every template however it arrived. rootfs_fd is the tree's root directory; nothing outside it
 * is touched. */
int bootstrap_fixup_tree(int rootfs_fd);

/* Worker side of a bootstrap transfer: runs the tool of def into
 * imp->tmp_dir/rootfs in a mount and PID namespace of its own (when the
 * worker is killed, so is everything the tool started, and its mounts go
 * away), fixes the tree up and renames it into place; with imp->replace, an
 * existing template of that name is exchanged for it in one step
 * (template_import_commit()), untouched until then. Reports the size of the
 * tree every second ("B") and "E why" before a failure on progress. On
 * failure the temp dir is left for zoned to remove (the worker's mounts are
 * gone only once it exited). */
int bootstrap_run(const TemplateImport *imp, const TemplateDefinition *def, ProgressWriter *progress);
