/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The architecture an ELF file is for, named as Debian names it ("amd64", "i386", "arm64",
 * "armhf", ...), from its header's class and machine; NULL if fd is no ELF file or of a machine
 * this table does not know. */
const char *elf_machine_of(int fd);

/* The architecture zoned itself was built for, in the same names. */
const char *elf_machine_native(void);
