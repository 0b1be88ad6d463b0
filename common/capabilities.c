/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capabilities.h"
#include "macro.h"

/* No kernel has this many; the loop ends at the first capability the kernel does not know. */
#define CAPABILITY_MAX 64

static const int kept[] = {
        CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE,      CAP_CHOWN,
        CAP_DAC_OVERRIDE,  CAP_DAC_READ_SEARCH,  CAP_FOWNER,
        CAP_FSETID,        CAP_IPC_OWNER,        CAP_KILL,
        CAP_LEASE,         CAP_LINUX_IMMUTABLE,  CAP_MKNOD,
        CAP_NET_ADMIN,     CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST,
        CAP_NET_RAW,       CAP_SETFCAP,          CAP_SETGID,
        CAP_SETPCAP,       CAP_SETUID,           CAP_SYS_ADMIN,
        CAP_SYS_BOOT,      CAP_SYS_CHROOT,       CAP_SYS_NICE,
        CAP_SYS_PTRACE,    CAP_SYS_RESOURCE,     CAP_SYS_TTY_CONFIG,
};

bool capability_kept(int cap) {
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                if (kept[i] == cap)
                        return true;
        return false;
}

uint64_t capabilities_default_mask(void) {
        uint64_t mask = 0;

        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                mask |= UINT64_C(1) << kept[i];
        return mask;
}

int capabilities_drop_bounding_to(uint64_t keep) {
        for (int cap = 0; cap < CAPABILITY_MAX; cap++) {
                int in_set = prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0);

                if (in_set < 0) {
                        if (errno == EINVAL)
                                return 0; /* past the last capability of this kernel */
                        return -errno;
                }
                /* Dropped already: dropping again would need CAP_SETPCAP, which may be gone. */
                if (in_set == 0 || keep & (UINT64_C(1) << cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) < 0)
                        return -errno;
        }
        return 0;
}

int capabilities_drop_bounding(void) {
        return capabilities_drop_bounding_to(capabilities_default_mask());
}

int capabilities_restrict_to(uint64_t keep) {
        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
        int r;

        r = capabilities_drop_bounding_to(keep);
        if (r < 0)
                return r;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        if (syscall(SYS_capget, &header, data) < 0)
                return -errno;
        for (int cap = 0; cap < 32 * _LINUX_CAPABILITY_U32S_3; cap++) {
                uint32_t bit = 1U << (cap % 32);

                if (keep & (UINT64_C(1) << cap))
                        continue;
                data[cap / 32].effective &= ~bit;
                data[cap / 32].permitted &= ~bit;
                data[cap / 32].inheritable &= ~bit;
        }
        return syscall(SYS_capset, &header, data) < 0 ? -errno : 0;
}
