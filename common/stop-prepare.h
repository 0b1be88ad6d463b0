/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* What a brand's stop protocol prepares before its signal: "PATH:MODE", a file in the zone whose
 * mode (octal) says what the signal means. runit stops on SIGCONT, and only when its stopit file
 * is executable; its reboot file's mode then picks reboot or poweroff (zoned.brand(5)). */

/* Whether s is "PATH:MODE" with an absolute PATH and an octal MODE up to 07777. */
int stop_prepare_parse(const char *s, char **ret_path, mode_t *ret_mode);

/* Sets the mode of the zone's file, resolved inside root_fd (the zone's root seen from the host:
 * /proc/LEADER/root) without following a symlink; a file that is not regular is refused
 * (-EPERM). The supervisor does this as the host's root, for the zone's file. */
int stop_prepare_apply(int root_fd, const char *s);
