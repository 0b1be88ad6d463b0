/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether the kernel gives this process a new user namespace: a child tries unshare(CLONE_NEWUSER)
 * and exits. 0 if it could, else its -errno: -EPERM (a system call filter or security policy of
 * the host), -ENOSPC (user.max_user_namespaces is 0, or used up), -EINVAL (a kernel without user
 * namespaces), -EUSERS (nested too deep). What the child met is what a supervisor zoned starts
 * would meet. */
int userns_probe(void);
