/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostname-file.h"
#include "macro.h"
#include "tree-file.h"

/* What /etc/hostname may hold: a longer name than the kernel's 64 bytes is not the zone's. */
#define HOSTNAME_FILE_READ 256

/* Whether the file's first line, less trailing white space, is name. */
static bool says(const char *text, const char *name) {
        size_t n = strcspn(text, "\n");

        while (n > 0 && strchr(" \t\r", text[n - 1]))
                n--;
        return n == strlen(name) && strncmp(text, name, n) == 0;
}

int hostname_file_write(const char *path, const char *name) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *line = NULL;
        char buf[HOSTNAME_FILE_READ + 1];
        int r;

        if (isempty(name) || strchr(name, '\n'))
                return -EINVAL;
        r = tree_file_open_read(path, 0644, buf, sizeof(buf), &fd);
        if (r <= 0)
                return r;
        if (says(buf, name))
                return 0;
        if (asprintf(&line, "%s\n", name) < 0)
                return -ENOMEM;
        r = tree_file_rewrite(fd, line, strlen(line));
        return r < 0 ? r : 1;
}
