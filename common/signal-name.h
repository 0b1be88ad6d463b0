/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "SIGUSR2", "USR2", "SIGRTMIN+4", "RTMIN+4" or a number → signal number;
 * -EINVAL when it names no signal. */
int signal_from_string(const char *s);
/* Fills buf (at least 16 bytes) with the canonical name, e.g. "SIGRTMIN+4". */
const char *signal_to_string(int sig, char buf[static 16]);
