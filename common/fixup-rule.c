/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "fixup-rule.h"
#include "macro.h"

/* A fix-up rewrites configuration files, never anything big. */
#define FIXUP_FILE_MAX (1024 * 1024)

static const char *const fixup_verb_table[_FIXUP_VERB_MAX] = {
        [FIXUP_COMMENT_OUT] = "CommentOut",   [FIXUP_APPEND_LINE] = "AppendLine",
        [FIXUP_SET_VARIABLE] = "SetVariable", [FIXUP_REMOVE] = "Remove",
        [FIXUP_SYMLINK] = "Symlink",          [FIXUP_WRITE_FILE] = "WriteFile",
};

DEFINE_STRING_TABLE_LOOKUP(fixup_verb, FixupVerb);

void fixup_rule_done(FixupRule *r) {
        free(r->path);
        free(r->name);
        free(r->text);
        *r = (FixupRule) { .verb = _FIXUP_VERB_INVALID };
}

/* ---- parsing ---- */

/* The next word of *s (space or tab separated), or NULL at the end. */
static char *next_word(const char **s) {
        const char *p = *s + strspn(*s, " \t");
        size_t n = strcspn(p, " \t");

        if (n == 0)
                return NULL;
        *s = p + n;
        return strndup(p, n);
}

static const char *rest_of(const char *s) {
        return s + strspn(s, " \t");
}

/* Absolute, normalized ("/a/b": no ".", "..", "//" or trailing "/"), not "/" itself. */
static bool path_is_normal(const char *p) {
        if (p[0] != '/' || !p[1] || strlen(p) >= PATH_MAX || p[strlen(p) - 1] == '/')
                return false;
        for (const char *c = p; c; c = strchr(c + 1, '/')) {
                const char *next = c + 1;
                size_t n = strcspn(next, "/");

                if (n == 0 || (n == 1 && next[0] == '.') || (n == 2 && next[0] == '.' && next[1] == '.'))
                        return false;
        }
        return true;
}

static bool has_glob(const char *s) {
        return strpbrk(s, "*?[") != NULL;
}

static bool is_variable_name(const char *s) {
        if (!(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
                return false;
        for (const char *c = s; *c; c++)
                if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                      (*c >= '0' && *c <= '9')))
                        return false;
        return true;
}

/* \n, \t and \\ → what they stand for; NULL for any other escape. */
static char *unescape(const char *s) {
        char *out = malloc(strlen(s) + 1), *o = out;

        if (!out)
                return NULL;
        for (const char *c = s; *c; c++) {
                if (*c != '\\') {
                        *o++ = *c;
                        continue;
                }
                c++;
                if (*c == 'n')
                        *o++ = '\n';
                else if (*c == 't')
                        *o++ = '\t';
                else if (*c == '\\')
                        *o++ = '\\';
                else {
                        free(out);
                        return NULL;
                }
        }
        *o = 0;
        return out;
}

static int parse_mode(const char *s, mode_t *ret) {
        char *end;
        unsigned long v;

        if (!s || strspn(s, "01234567") != strlen(s) || strlen(s) > 4)
                return -EINVAL;
        v = strtoul(s, &end, 8);
        *ret = (mode_t) v;
        return 0;
}

static int parse_path(FixupVerb verb, const char **s, FixupRule *r, const char **reason) {
        r->path = next_word(s);
        if (!r->path) {
                *reason = "a path is missing";
                return -EINVAL;
        }
        if (!path_is_normal(r->path)) {
                *reason =
                        "the path is not absolute and normalized (no \".\", \"..\", \"//\", trailing \"/\")";
                return -EINVAL;
        }
        if (has_glob(r->path) && (verb != FIXUP_REMOVE || strpbrk(r->path, "*?[") < strrchr(r->path, '/'))) {
                *reason = "only Remove= takes a glob, and only in the path's last component";
                return -EINVAL;
        }
        return 0;
}

static int parse_arguments(FixupVerb verb, const char *s, FixupRule *r, const char **reason) {
        _cleanup_free_ char *mode = NULL;
        regex_t re;
        int k;

        switch (verb) {
        case FIXUP_REMOVE:
                break;
        case FIXUP_COMMENT_OUT:
                r->name = strdup(rest_of(s));
                if (!r->name)
                        return -ENOMEM;
                if (!*r->name) {
                        *reason = "CommentOut= needs a regular expression after the path";
                        return -EINVAL;
                }
                k = regcomp(&re, r->name, REG_EXTENDED | REG_NOSUB);
                if (k != 0) {
                        *reason = "the regular expression does not compile (POSIX extended syntax)";
                        return -EINVAL;
                }
                regfree(&re);
                return 0;
        case FIXUP_APPEND_LINE:
                r->text = strdup(rest_of(s));
                if (!r->text)
                        return -ENOMEM;
                if (!*r->text) {
                        *reason = "AppendLine= needs the line after the path";
                        return -EINVAL;
                }
                return 0;
        case FIXUP_SET_VARIABLE:
                r->name = next_word(&s);
                if (!r->name || !is_variable_name(r->name)) {
                        *reason = "SetVariable= needs a variable name (letters, digits, _) after the path";
                        return -EINVAL;
                }
                r->text = strdup(rest_of(s));
                if (!r->text)
                        return -ENOMEM;
                if (strpbrk(r->text, "\"\\$`")) {
                        *reason = "a SetVariable= value cannot hold \", \\, $ or `";
                        return -EINVAL;
                }
                return 0;
        case FIXUP_SYMLINK:
                r->name = next_word(&s);
                if (!r->name) {
                        *reason = "Symlink= needs the link's target after the path";
                        return -EINVAL;
                }
                break;
        case FIXUP_WRITE_FILE:
                mode = next_word(&s);
                if (parse_mode(mode, &r->mode) < 0 || (r->mode & ~07777)) {
                        *reason = "WriteFile= needs an octal mode after the path";
                        return -EINVAL;
                }
                r->text = unescape(rest_of(s));
                if (!r->text) {
                        *reason = "WriteFile= text knows only the escapes \\n, \\t and \\\\";
                        return -EINVAL;
                }
                return 0;
        default:
                return -EINVAL;
        }
        if (*rest_of(s)) {
                *reason = "there are words after the rule's arguments";
                return -EINVAL;
        }
        return 0;
}

int fixup_rule_parse(FixupVerb verb, const char *arguments, FixupRule *ret, const char **ret_reason) {
        FixupRule r = { .verb = verb };
        const char *s = arguments;
        int k;

        if (verb < 0 || verb >= _FIXUP_VERB_MAX) {
                *ret_reason =
                        "unknown fix-up (CommentOut, AppendLine, SetVariable, Remove, Symlink, WriteFile)";
                return -EINVAL;
        }
        if (strchr(arguments, '\n')) {
                *ret_reason = "a rule is one line";
                return -EINVAL;
        }
        k = parse_path(verb, &s, &r, ret_reason);
        if (k >= 0)
                k = parse_arguments(verb, s, &r, ret_reason);
        if (k < 0) {
                if (k == -ENOMEM)
                        *ret_reason = "out of memory";
                fixup_rule_done(&r);
                return k;
        }
        *ret = r;
        return 0;
}

int fixup_rule_parse_line(const char *line, FixupRule *ret, const char **ret_reason) {
        const char *eq = strchr(line, '=');
        _cleanup_free_ char *verb = NULL;

        if (!eq) {
                *ret_reason = "a rule is Verb=ARGUMENTS";
                return -EINVAL;
        }
        verb = strndup(line, (size_t) (eq - line));
        if (!verb)
                return -ENOMEM;
        return fixup_rule_parse(fixup_verb_from_string(verb), eq + 1, ret, ret_reason);
}

/* ---- applying ---- */

static int open_in(int root_fd, const char *path, int flags, mode_t mode) {
        return openat_in_root(root_fd, path, flags, mode);
}

/* The directory holding path, and path's last component in *ret_name (within path). */
static int open_parent(int root_fd, const char *path, const char **ret_name) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = strndup(path, (size_t) (slash - path));

        if (!dir)
                return -ENOMEM;
        *ret_name = slash + 1;
        return open_in(root_fd, *dir ? dir : "/", O_RDONLY | O_DIRECTORY, 0);
}

/* The file's text if it is a regular file: 1; 0 if there is none (or a symlink: not ours). */
static int read_text(int root_fd, const char *path, char **ret, struct stat *ret_st) {
        _cleanup_close_ int fd = open_in(root_fd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
        _cleanup_free_ char *text = NULL;
        ssize_t n;

        if (fd == -ENOENT || fd == -ELOOP || fd == -ENOTDIR)
                return 0;
        if (fd < 0)
                return fd;
        if (fstat(fd, ret_st) < 0)
                return -errno;
        if (!S_ISREG(ret_st->st_mode))
                return 0;
        if (ret_st->st_size > FIXUP_FILE_MAX)
                return -EFBIG;
        text = malloc((size_t) ret_st->st_size + 1);
        if (!text)
                return -ENOMEM;
        n = pread(fd, text, (size_t) ret_st->st_size, 0);
        if (n < 0)
                return -errno;
        text[n] = 0;
        *ret = TAKE_PTR(text);
        return 1;
}

/* Replaces path's contents in one rename, keeping its owner and mode: no moment without the file. */
static int replace_text(int root_fd, const char *path, const char *text, const struct stat *st) {
        _cleanup_close_ int dir = -EBADF, fd = -EBADF;
        char tmp[NAME_MAX + 1];
        const char *name;
        size_t len = strlen(text);

        dir = open_parent(root_fd, path, &name);
        if (dir < 0)
                return dir;
        snprintf(tmp, sizeof(tmp), ".#zoned-fixup-%d", (int) getpid());
        fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (write(fd, text, len) != (ssize_t) len || fchown(fd, st->st_uid, st->st_gid) < 0 ||
            fchmod(fd, st->st_mode & 07777) < 0 || fsync(fd) < 0 || renameat(dir, tmp, dir, name) < 0) {
                int e = errno > 0 ? errno : EIO;
                (void) unlinkat(dir, tmp, 0);
                return -e;
        }
        return 1;
}

typedef char *(*TextEdit)(const FixupRule *r, const char *text, int *ret_error);

static int edit_file(const FixupRule *r, int root_fd, TextEdit edit) {
        _cleanup_free_ char *text = NULL, *edited = NULL;
        struct stat st;
        int k, error = 0;

        k = read_text(root_fd, r->path, &text, &st);
        if (k <= 0)
                return k;
        edited = edit(r, text, &error);
        if (error < 0)
                return error;
        if (!edited)
                return 0; /* nothing to change */
        return replace_text(root_fd, r->path, edited, &st);
}

/* Whether the line l (n bytes, without its newline) is s. */
static bool line_is(const char *l, size_t n, const char *s) {
        return n == strlen(s) && memcmp(l, s, n) == 0;
}

static char *edit_comment_out(const FixupRule *r, const char *text, int *ret_error) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *out = NULL;
        bool changed = false;
        regex_t re;

        if (regcomp(&re, r->name, REG_EXTENDED | REG_NOSUB) != 0) {
                *ret_error = -EINVAL;
                return NULL;
        }
        out = open_memstream(&buf, &size);
        if (!out) {
                regfree(&re);
                *ret_error = -ENOMEM;
                return NULL;
        }
        for (const char *l = text; *l;) {
                size_t n = strcspn(l, "\n");
                _cleanup_free_ char *line = strndup(l, n);

                if (line && line[strspn(line, " \t")] != '#' && regexec(&re, line, 0, NULL, 0) == 0) {
                        fputc('#', out);
                        changed = true;
                }
                fwrite(l, 1, n, out);
                if (l[n] == '\n')
                        fputc('\n', out);
                l += n + (l[n] == '\n');
        }
        regfree(&re);
        if (fclose(out) != 0) {
                *ret_error = -ENOMEM;
                return NULL;
        }
        return changed ? TAKE_PTR(buf) : NULL;
}

static char *append_line(const char *text, const char *line) {
        size_t n = strlen(text);
        char *s;

        if (asprintf(&s, "%s%s%s\n", text, n > 0 && text[n - 1] != '\n' ? "\n" : "", line) < 0)
                return NULL;
        return s;
}

static char *edit_append_line(const FixupRule *r, const char *text, int *ret_error) {
        char *s;

        for (const char *l = text; *l;) {
                size_t n = strcspn(l, "\n");

                if (line_is(l, n, r->text))
                        return NULL;
                l += n + (l[n] == '\n');
        }
        s = append_line(text, r->text);
        if (!s)
                *ret_error = -ENOMEM;
        return s;
}

static char *edit_set_variable(const FixupRule *r, const char *text, int *ret_error) {
        _cleanup_free_ char *want = NULL;
        size_t name_len = strlen(r->name);
        char *s;

        if (asprintf(&want, "%s=\"%s\"", r->name, r->text) < 0) {
                *ret_error = -ENOMEM;
                return NULL;
        }
        for (const char *l = text; *l;) {
                size_t n = strcspn(l, "\n");
                const char *v = l + strspn(l, " \t");

                if (strncmp(v, r->name, name_len) == 0 && v[name_len] == '=') {
                        if (line_is(l, n, want))
                                return NULL;
                        /* The first assignment is the one to change. */
                        if (asprintf(&s, "%.*s%s%s", (int) (l - text), text, want, l + n) < 0) {
                                *ret_error = -ENOMEM;
                                return NULL;
                        }
                        return s;
                }
                l += n + (l[n] == '\n');
        }
        s = append_line(text, want);
        if (!s)
                *ret_error = -ENOMEM;
        return s;
}

static int apply_remove(const FixupRule *r, int root_fd) {
        _cleanup_close_ int dir = -EBADF;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        const char *pattern;
        int changed = 0;

        dir = open_parent(root_fd, r->path, &pattern);
        if (dir == -ENOENT || dir == -ENOTDIR)
                return 0;
        if (dir < 0)
                return dir;
        d = fdopendir(TAKE_FD(dir));
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, "..") ||
                    fnmatch(pattern, de->d_name, FNM_PERIOD) != 0)
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode))
                        continue; /* a directory is never a fix-up's to remove */
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
                        return -errno;
                changed = 1;
        }
        return changed;
}

static int apply_symlink(const FixupRule *r, int root_fd) {
        _cleanup_close_ int dir = -EBADF;
        const char *name;
        struct stat st;

        dir = open_parent(root_fd, r->path, &name);
        if (dir == -ENOENT || dir == -ENOTDIR)
                return 0; /* the directory the link would go in is not there: not this tree's */
        if (dir < 0)
                return dir;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        if (errno != ENOENT)
                return -errno;
        return symlinkat(r->name, dir, name) < 0 ? -errno : 1;
}

/* Creates (mode 0755) the directories of path above its last name that are missing, each looked
 * up from the tree's root, so that a symlink among them (merged /usr's /lib) resolves inside it;
 * then opens the last one. */
static int make_parents(int root_fd, const char *path, const char **ret_name) {
        const char *slash = strrchr(path, '/');

        for (const char *c = strchr(path + 1, '/'); c && c <= slash; c = strchr(c + 1, '/')) {
                _cleanup_free_ char *prefix = strndup(path, (size_t) (c - path));
                _cleanup_close_ int parent = -EBADF;
                const char *name;

                if (!prefix)
                        return -ENOMEM;
                parent = open_parent(root_fd, prefix, &name);
                if (parent < 0)
                        return parent;
                if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
                        return -errno;
        }
        return open_parent(root_fd, path, ret_name);
}

static int apply_write_file(const FixupRule *r, int root_fd) {
        _cleanup_close_ int dir = -EBADF, fd = -EBADF;
        const char *name = NULL;
        size_t len = strlen(r->text);

        dir = make_parents(root_fd, r->path, &name);
        if (dir < 0)
                return dir;
        fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return errno == EEXIST ? 0 : -errno;
        if (write(fd, r->text, len) != (ssize_t) len || fchmod(fd, r->mode) < 0) {
                int e = errno > 0 ? errno : EIO;
                (void) unlinkat(dir, name, 0);
                return -e;
        }
        return 1;
}

int fixup_rule_apply(const FixupRule *r, int root_fd) {
        switch (r->verb) {
        case FIXUP_COMMENT_OUT:
                return edit_file(r, root_fd, edit_comment_out);
        case FIXUP_APPEND_LINE:
                return edit_file(r, root_fd, edit_append_line);
        case FIXUP_SET_VARIABLE:
                return edit_file(r, root_fd, edit_set_variable);
        case FIXUP_REMOVE:
                return apply_remove(r, root_fd);
        case FIXUP_SYMLINK:
                return apply_symlink(r, root_fd);
        case FIXUP_WRITE_FILE:
                return apply_write_file(r, root_fd);
        default:
                return -EINVAL;
        }
}
