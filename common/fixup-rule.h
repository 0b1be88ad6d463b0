/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <sys/types.h>

/* A brand's fix-up: one small declarative change to a zone's tree that makes its init at home in a
 * zone (a getty on the console instead of tty1-6, openrc told it runs in a container, a stop
 * protocol's flag file...). Brand files give them as "Verb=ARGUMENTS" lines in [FixUps]
 * (zoned.brand(5)); the launch plan carries the same text; the zone's child applies them as the
 * zone's root, in the zone's own root, before every boot, so that they reach every template
 * however it arrived and a change of brand. Each verb is idempotent and leaves a file the zone's
 * admin changed alone where it can:
 *
 *   CommentOut=PATH ERE      puts "#" before each line of PATH that matches the extended regex
 *   AppendLine=PATH TEXT     appends TEXT to PATH unless a line already is TEXT
 *   SetVariable=PATH NAME V  makes the first NAME= line of PATH say NAME="V", or appends it
 *   Remove=PATH              removes PATH, a file or symlink (a glob in its last component)
 *   Symlink=PATH TARGET      makes PATH a symlink to TARGET unless PATH exists
 *   WriteFile=PATH MODE TEXT writes TEXT (\n, \t, \\ escapes) to a new PATH, and its parents
 *
 * CommentOut, AppendLine and SetVariable skip a PATH that does not exist: they fix up a file
 * the tree has. */

typedef enum FixupVerb {
        FIXUP_COMMENT_OUT,
        FIXUP_APPEND_LINE,
        FIXUP_SET_VARIABLE,
        FIXUP_REMOVE,
        FIXUP_SYMLINK,
        FIXUP_WRITE_FILE,
        _FIXUP_VERB_MAX,
        _FIXUP_VERB_INVALID = -EINVAL,
} FixupVerb;

typedef struct FixupRule {
        FixupVerb verb;
        char *path;
        char *name;  /* SetVariable: the variable; Symlink: the target; CommentOut: the regex */
        char *text;  /* AppendLine, SetVariable, WriteFile (unescaped) */
        mode_t mode; /* WriteFile */
} FixupRule;

void fixup_rule_done(FixupRule *r);

const char *fixup_verb_to_string(FixupVerb v);
FixupVerb fixup_verb_from_string(const char *s);

/* Parses "ARGUMENTS" of verb. -EINVAL with *ret_reason (a static text) if it is not a rule. */
int fixup_rule_parse(FixupVerb verb, const char *arguments, FixupRule *ret, const char **ret_reason);

/* The same from the launch plan's form, "Verb=ARGUMENTS". */
int fixup_rule_parse_line(const char *line, FixupRule *ret, const char **ret_reason);

/* Applies the rule to the tree at root_fd (the zone's "/" for the zone's child). 1 if it changed
 * something, 0 if there was nothing to do, a negative errno if it failed. */
int fixup_rule_apply(const FixupRule *r, int root_fd);
