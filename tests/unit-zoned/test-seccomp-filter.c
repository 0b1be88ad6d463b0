/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The zones' system call filter: compiled by zoned, installed the way the
 * supervisor and zone-enter install it, in a child process of the test. The
 * calls are made with arguments that fail harmlessly without the filter, with
 * another error than the filter's. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <glib.h>
#include <linux/keyctl.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-filter.h"
#include "syscall-filter.h"

/* Runs f in a child, with the filter installed when filtered; returns f's exit status. */
static int in_child(bool filtered, int (*f)(void)) {
        g_autofree void *program = NULL;
        size_t size = 0;
        int status;
        pid_t pid;

        g_assert_cmpint(seccomp_filter_build(&program, &size), ==, 0);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                SyscallFilter filter = { .insns = program,
                                         .n_insns = (unsigned short) (size / sizeof(struct sock_filter)) };

                /* zoned installs it with CAP_SYS_ADMIN; a test that may run without takes no_new_privs. */
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(100);
                if (filtered && syscall_filter_apply(&filter) < 0)
                        _exit(101);
                _exit(f());
        }
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static int errno_of(long r) {
        return r < 0 ? errno : 0;
}

static int call_keyctl(void) {
        return errno_of(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

static int call_open_by_handle_at(void) {
        return errno_of(syscall(SYS_open_by_handle_at, -1, NULL, 0));
}

static int call_bpf(void) {
        return errno_of(syscall(SYS_bpf, -1, NULL, 0));
}

static int call_perf_event_open(void) {
        return errno_of(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
}

/* On no fd at all: EBADF without the filter. */
static int call_ioctl(unsigned long request) {
        char c = 'x';

        return errno_of(syscall(SYS_ioctl, -1, request, &c));
}

/* The kernel takes the request as an unsigned int: with the high 32 bits set it is the same one. */
#define HIGH_BITS 0xffffffff00000000ULL

static int call_tiocsti(void) {
        return call_ioctl(TIOCSTI);
}

static int call_tiocsti_high(void) {
        return call_ioctl(HIGH_BITS | TIOCSTI);
}

static int call_tioclinux(void) {
        return call_ioctl(TIOCLINUX);
}

static int call_tioclinux_high(void) {
        return call_ioctl(HIGH_BITS | TIOCLINUX);
}

/* Any other request is let through (to fail with EBADF here). */
static int call_tiocgwinsz(void) {
        return call_ioctl(TIOCGWINSZ) == EBADF ? 0 : 1;
}

static int call_getppid(void) {
        return getppid() > 0 ? 0 : 1;
}

static void test_program(void) {
        g_autofree void *program = NULL;
        size_t size = 0;

        g_assert_cmpint(seccomp_filter_build(&program, &size), ==, 0);
        g_assert_cmpuint(size, >, 0);
        g_assert_cmpuint(size % sizeof(struct sock_filter), ==, 0);
        g_assert_cmpuint(size / sizeof(struct sock_filter), <=, BPF_MAXINSNS);
}

static void test_denied(void) {
        static const struct {
                const char *name;
                int (*f)(void);
                int error;
        } calls[] = {
                { "keyctl", call_keyctl, ENOSYS },
                { "open_by_handle_at", call_open_by_handle_at, EPERM },
                { "bpf", call_bpf, EPERM },
                { "perf_event_open", call_perf_event_open, EPERM },
                { "ioctl TIOCSTI", call_tiocsti, EPERM },
                { "ioctl TIOCSTI with the high bits set", call_tiocsti_high, EPERM },
                { "ioctl TIOCLINUX", call_tioclinux, EPERM },
                { "ioctl TIOCLINUX with the high bits set", call_tioclinux_high, EPERM },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
                int without = in_child(false, calls[i].f), with = in_child(true, calls[i].f);

                g_test_message("%s: errno %d without the filter, %d with it", calls[i].name, without, with);
                g_assert_cmpint(with, ==, calls[i].error);
                /* Else the check above would prove nothing. */
                g_assert_cmpint(without, !=, calls[i].error);
        }
        g_assert_cmpint(in_child(true, call_getppid), ==, 0);
        g_assert_cmpint(in_child(true, call_tiocgwinsz), ==, 0);
}

/* TIOCSTI on a real terminal, with the right to it (root, or the kernel's legacy_tiocsti): done
 * without the filter, refused with it. */
static int call_tiocsti_pty(void) {
        int master = posix_openpt(O_RDWR | O_NOCTTY), slave;
        char c = 'x';

        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
                return 200;
        slave = open(ptsname(master), O_RDWR | O_NOCTTY);
        if (slave < 0)
                return 201;
        return errno_of(ioctl(slave, TIOCSTI, &c));
}

static void test_denied_tiocsti_pty(void) {
        int without = in_child(false, call_tiocsti_pty);

        if (without != 0) {
                g_test_skip("TIOCSTI is not allowed here even without the filter");
                return;
        }
        g_assert_cmpint(in_child(true, call_tiocsti_pty), ==, EPERM);
}

#if defined(__x86_64__)
/* The i386 ABI of an x86-64 kernel: a 32-bit program's way around a filter for x86-64 numbers only. */
static long syscall_i386(long nr, long a, long b, long c) {
        long r;

        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
        return r;
}

#define I386_OPEN_BY_HANDLE_AT 342
#define I386_IOCTL 54

static int call_open_by_handle_at_i386(void) {
        long r = syscall_i386(I386_OPEN_BY_HANDLE_AT, -1, 0, 0);
        return r < 0 ? (int) -r : 0;
}

static int call_tiocsti_i386(void) {
        long r = syscall_i386(I386_IOCTL, -1, TIOCSTI, 0);
        return r < 0 ? (int) -r : 0;
}

static int call_tioclinux_i386(void) {
        long r = syscall_i386(I386_IOCTL, -1, TIOCLINUX, 0);
        return r < 0 ? (int) -r : 0;
}

static void test_denied_i386(void) {
        int without = in_child(false, call_open_by_handle_at_i386);

        if (without == ENOSYS) {
                g_test_skip("this kernel runs no i386 system calls (no IA32 emulation)");
                return;
        }
        g_assert_cmpint(without, !=, EPERM);
        g_assert_cmpint(in_child(true, call_open_by_handle_at_i386), ==, EPERM);
        for (int (*const *f)(void) = (int (*const[])(void)) { call_tiocsti_i386, call_tioclinux_i386, NULL };
             *f; f++) {
                g_assert_cmpint(in_child(false, *f), ==, EBADF);
                g_assert_cmpint(in_child(true, *f), ==, EPERM);
        }
}
#endif

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/seccomp-filter/program", test_program);
        g_test_add_func("/seccomp-filter/denied", test_denied);
        g_test_add_func("/seccomp-filter/denied-tiocsti-pty", test_denied_tiocsti_pty);
#if defined(__x86_64__)
        g_test_add_func("/seccomp-filter/denied-i386", test_denied_i386);
#endif
        return g_test_run();
}
