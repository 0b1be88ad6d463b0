/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "manager.h"

/* What zoned checks before it makes, replaces, removes or uses a template of its store. One place,
 * so that an import, a pull, a bootstrap, a removal, a create and a boot agree. */

/* The zone that reads template name, or NULL: an overlay zone reads it as its lower layer for as
 * long as it exists, a copy zone only while its copy is being made. */
Zone *template_user(Manager *m, const char *name);

/* Whether template name may be made now (import, pull, bootstrap), or replaced when replace:
 *   -EINVAL  not a valid name
 *   -EEXIST  a transfer is making a template of that name now, or one exists and replace is false
 *   -ETXTBSY replace is true and a zone reads the template (*ret_user, when given) */
int template_check_new(Manager *m, const char *name, bool replace, Zone **ret_user);

/* Whether a zone may read template name now (be created over it, boot over it):
 *   -EINVAL  not a valid name
 *   -ENOENT  there is no such template
 *   -EBUSY   a transfer is replacing it (a forced pull or build swaps the tree, then removes the
 *            old one: an overlay over it would lose its lower layer) */
int template_check_usable(Manager *m, const char *name);

/* Whether brand is a valid name of an installed brand: 0, or -ENOPKG. */
int brand_check_installed(Manager *m, const char *brand);
