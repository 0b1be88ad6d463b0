/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* A transfer's worker tells zoned why it failed with one line "E <text>" on
 * its report pipe (see transfer.c); the text becomes the transfer's Error
 * property. Returns r, so that a worker can `return worker_report_error(...)`. */
int worker_report_error(int fd, int r, const char *format, ...) _printf_(3, 4);
