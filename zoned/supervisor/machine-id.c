/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <string.h>

#include "launch-plan.h"
#include "machine-id.h"
#include "macro.h"
#include "tree-file.h"

/* What /etc/machine-id may hold without being an id: nothing, or systemd's "not yet" marker. */
static bool machine_id_unset(const char *text) {
        size_t n = strcspn(text, "\n");

        return n == 0 || (n == 13 && strncmp(text, "uninitialized", 13) == 0);
}

int machine_id_write_if_unset(const char *path, const char *id) {
        _cleanup_close_ int fd = -EBADF;
        char buf[64], line[34];
        int r;

        if (!machine_id_is_valid(id))
                return -EINVAL;
        r = tree_file_open_read(path, 0444, buf, sizeof(buf), &fd);
        if (r <= 0)
                return r;
        if (!machine_id_unset(buf))
                return 0;
        snprintf(line, sizeof(line), "%s\n", id);
        r = tree_file_rewrite(fd, line, 33);
        return r < 0 ? r : 1;
}

int machine_id_to_uuid(const char *id, char ret[static 37]) {
        if (!machine_id_is_valid(id))
                return -EINVAL;
        snprintf(ret, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
        return 0;
}
