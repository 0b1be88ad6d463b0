/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <sys/personality.h>
#include <unistd.h>

#include "brand-steps.h"
#include "fixup-rule.h"
#include "macro.h"

int brand_apply_fixups(const LaunchPlan *p, const char **ret_rule) {
        _cleanup_close_ int root = -EBADF;

        if (strv_length(p->fixups) == 0)
                return 0;
        root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return -errno;
        for (char **l = p->fixups; *l; l++) {
                FixupRule rule;
                const char *reason;
                int r;

                *ret_rule = *l;
                r = fixup_rule_parse_line(*l, &rule, &reason);
                if (r < 0)
                        return r;
                r = fixup_rule_apply(&rule, root);
                fixup_rule_done(&rule);
                /* A read-only tree is its admin's choice: it boots as it is. */
                if (r == -EROFS)
                        return 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

int brand_set_personality(const LaunchPlan *p) {
        if (p->personality == 0)
                return 0;
        return personality(p->personality) < 0 ? -errno : 0;
}

const char *brand_pick_init(const LaunchPlan *p) {
        if (access(p->init_argv[0], X_OK) == 0)
                return p->init_argv[0];
        for (char **s = p->init_search; s && *s; s++)
                if (access(*s, X_OK) == 0)
                        return *s;
        return p->init_argv[0];
}
