/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* The Manager's template, brand and transfer methods and signals (template-dbus.c). */
extern const sd_bus_vtable template_manager_vtable[];

/* Whether a zone may read template name now (template_check_usable()): 0, or InvalidName,
 * NoSuchTemplate or Busy. */
int bus_check_template_usable(Manager *m, const char *name, sd_bus_error *error);
