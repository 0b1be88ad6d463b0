/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <elf.h>
#include <string.h>
#include <unistd.h>

#include "elf-machine.h"

static const struct {
        unsigned char class;
        unsigned char data;
        uint16_t machine;
        const char *name;
} machines[] = {
        { ELFCLASS64, ELFDATA2LSB, EM_X86_64, "amd64" },  { ELFCLASS32, ELFDATA2LSB, EM_386, "i386" },
        { ELFCLASS64, ELFDATA2LSB, EM_AARCH64, "arm64" }, { ELFCLASS32, ELFDATA2LSB, EM_ARM, "armhf" },
        { ELFCLASS64, ELFDATA2LSB, EM_RISCV, "riscv64" }, { ELFCLASS64, ELFDATA2LSB, EM_PPC64, "ppc64el" },
        { ELFCLASS64, ELFDATA2MSB, EM_S390, "s390x" },    { ELFCLASS32, ELFDATA2LSB, EM_X86_64, "x32" },
};

const char *elf_machine_of(int fd) {
        unsigned char ident[EI_NIDENT + 4];
        uint16_t machine;

        /* e_type (2 bytes) and e_machine (2 bytes) follow e_ident in both classes. */
        if (pread(fd, ident, sizeof(ident), 0) != (ssize_t) sizeof(ident))
                return NULL;
        if (memcmp(ident, ELFMAG, SELFMAG) != 0)
                return NULL;
        if (ident[EI_DATA] == ELFDATA2LSB)
                machine = (uint16_t) (ident[EI_NIDENT + 2] | (ident[EI_NIDENT + 3] << 8));
        else if (ident[EI_DATA] == ELFDATA2MSB)
                machine = (uint16_t) ((ident[EI_NIDENT + 2] << 8) | ident[EI_NIDENT + 3]);
        else
                return NULL;
        for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
                if (machines[i].class == ident[EI_CLASS] && machines[i].data == ident[EI_DATA] &&
                    machines[i].machine == machine)
                        return machines[i].name;
        return NULL;
}

const char *elf_machine_native(void) {
#if defined(__x86_64__) && defined(__ILP32__)
        return "x32";
#elif defined(__x86_64__)
        return "amd64";
#elif defined(__i386__)
        return "i386";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__arm__)
        return "armhf";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64el";
#elif defined(__s390x__)
        return "s390x";
#else
        return "unknown";
#endif
}

bool elf_machine_header(const char *arch, unsigned char ret[20]) {
        for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
                bool lsb = machines[i].data == ELFDATA2LSB;

                if (strcmp(machines[i].name, arch) != 0)
                        continue;
                memset(ret, 0, 20);
                memcpy(ret, ELFMAG, SELFMAG);
                ret[EI_CLASS] = machines[i].class;
                ret[EI_DATA] = machines[i].data;
                ret[EI_VERSION] = EV_CURRENT;
                ret[lsb ? 16 : 17] = ET_EXEC;
                ret[lsb ? 18 : 19] = (unsigned char) (machines[i].machine & 0xff);
                ret[lsb ? 19 : 18] = (unsigned char) (machines[i].machine >> 8);
                return true;
        }
        return false;
}

bool elf_machine_runs_natively(const char *arch) {
        const char *native = elf_machine_native();

        if (strcmp(arch, native) == 0)
                return true;
        /* The x86-64 kernel runs 32-bit x86 binaries (IA32 emulation) and x32 ones. */
        return strcmp(native, "amd64") == 0 && (strcmp(arch, "i386") == 0 || strcmp(arch, "x32") == 0);
}
