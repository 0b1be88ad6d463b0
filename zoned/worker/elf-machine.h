/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The architecture an ELF file is for, named as Debian names it ("amd64", "i386", "arm64",
 * "armhf", ...), from its header's class and machine; NULL if fd is no ELF file or of a machine
 * this table does not know. */
const char *elf_machine_of(int fd);

/* The architecture zoned itself was built for, in the same names. */
const char *elf_machine_native(void);

/* The first 20 bytes of an executable of arch (e_ident, e_type, e_machine), what a binfmt_misc
 * handler's magic is matched against; false for an architecture the table does not know. */
bool elf_machine_header(const char *arch, unsigned char ret[20]);

/* Whether this host's kernel runs arch's binaries itself: its own, and i386 and x32 on amd64. */
bool elf_machine_runs_natively(const char *arch);
