/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userns-probe.h"

int userns_probe(void) {
        int status;
        pid_t pid;

        /* In a child: unshare(CLONE_NEWUSER) needs a single-threaded process, and zoned should
         * stay in its own namespace anyway. */
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                _exit(unshare(CLONE_NEWUSER) < 0 ? (errno & 0xff) : 0);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status))
                return -ECHILD;
        return -WEXITSTATUS(status);
}
