/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether this host runs binaries of arch (a Debian architecture name): natively, or through a
 * binfmt_misc handler in dir (/proc/sys/fs/binfmt_misc) that is enabled, whose magic and mask
 * match arch's ELF header, and that has the F flag (its interpreter opened when it was
 * registered: without it the interpreter's path would be looked up in the zone's mount
 * namespace, where it is not). 0 if it does; -ENOEXEC if not, *ret_why saying what is missing;
 * -EINVAL for an architecture zoned does not know. */
int binfmt_check_architecture(const char *dir, const char *arch, char **ret_why);
