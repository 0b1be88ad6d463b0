/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small helpers in the style of systemd's macro.h: cleanup attributes and
 * ownership transfer, so that every resource has exactly one owner. */

#include <dirent.h>
#include <stdint.h>
#include <sys/types.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(x) __attribute__((__cleanup__(x)))
#define _unused_ __attribute__((__unused__))
#define _printf_(a, b) __attribute__((__format__(printf, a, b)))
#define _noreturn_ __attribute__((__noreturn__))
#define _sentinel_ __attribute__((__sentinel__))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define new0(t, n) ((t *) calloc((n) ? (n) : 1, sizeof(t)))
/* clang-format knows only C++, where new is an operator: it would write "new (t, n)", which makes
 * this an object-like macro. */
/* clang-format off */
#define new(t, n) ((t *) malloc(((n) ? (n) : 1) * sizeof(t)))
/* clang-format on */

#define TAKE_PTR(p)                        \
        ({                                 \
                __typeof__(p) _ptr_ = (p); \
                (p) = NULL;                \
                _ptr_;                     \
        })

#define TAKE_FD(fd)              \
        ({                       \
                int _fd_ = (fd); \
                (fd) = -EBADF;   \
                _fd_;            \
        })

#define streq(a, b) (strcmp((a), (b)) == 0)
#define streq_ptr(a, b) ((a) && (b) ? streq(a, b) : (a) == (b))
#define isempty(s) (!(s) || !(s)[0])
#define strna(s) ((s) ? (s) : "n/a")
#define strempty(s) ((s) ? (s) : "")

#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

#define USEC_PER_SEC ((uint64_t) 1000000ULL)
#define USEC_PER_MSEC ((uint64_t) 1000ULL)
#define NSEC_PER_USEC ((uint64_t) 1000ULL)
#define USEC_INFINITY ((uint64_t) UINT64_MAX)

/* static inline void funcp(type *p): calls func(*p) unless it is NULL; for _cleanup_(funcp) of a
 * library's own types (archive_read_free, curl_url_cleanup, ...). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
        static inline void func##p(type *p) {   \
                if (*p)                         \
                        (void) func(*p);        \
        }

/* name_to_string() and name_from_string() of an enum type over name_table[], a
 * "static const char *const name_table[_MAX]" of its names; an unknown name is -EINVAL. */
#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                                   \
        const char *name##_to_string(type i) {                                                   \
                return i >= 0 && (size_t) i < ELEMENTSOF(name##_table) ? name##_table[i] : NULL; \
        }                                                                                        \
        type name##_from_string(const char *s) {                                                 \
                for (size_t i = 0; s && i < ELEMENTSOF(name##_table); i++)                       \
                        if (name##_table[i] && streq(name##_table[i], s))                        \
                                return (type) i;                                                 \
                return (type) -EINVAL;                                                           \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd) {
        *fd = safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void close_pairp(int (*p)[2]) {
        (*p)[0] = safe_close((*p)[0]);
        (*p)[1] = safe_close((*p)[1]);
}
#define _cleanup_close_pair_ _cleanup_(close_pairp)

static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

/* A string vector: NULL-terminated array of malloc'ed strings. */
char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
size_t strv_length(char *const *l);
int strv_extend(char ***l, const char *s);
bool strv_contains(char *const *l, const char *s);
char **strv_copy(char *const *l);

/* Reads the whole of a small text file (up to max bytes). */
int read_full_file(const char *path, size_t max, char **ret);
/* Reads a kernel file (cgroup, proc) into buf with one read(), as such files are meant to be
 * read, NUL-terminated (at most size - 1 bytes). */
int read_small_file(const char *path, char *buf, size_t size);
/* Writes all of buf to fd, also a non-blocking one (waits in poll() then). */
int loop_write(int fd, const void *buf, size_t n);
/* Writes text to a file: temp file in the same dir, fsync, rename. */
int write_file_atomic(const char *path, const char *text, mode_t mode);
/* The same without fsync: for runtime files that need not survive a crash
 * (a launch plan), where an fsync would only slow a boot down. */
int write_file_replace(const char *path, const char *text, mode_t mode);
/* mkdir -p; existing directories are fine. */
int mkdir_parents_and_self(const char *path, mode_t mode);
/* Removes a directory tree without crossing into other file systems. */
int rm_rf(const char *path);
