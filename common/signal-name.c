/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>

#include "macro.h"
#include "signal-name.h"

static const struct {
        const char *name;
        int sig;
} signal_table[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT }, { "ILL", SIGILL },
        { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },     { "BUS", SIGBUS },   { "FPE", SIGFPE },
        { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
        { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },     { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT },
        { "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
        { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },   { "XCPU", SIGXCPU },
        { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
        { "IO", SIGIO },     { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

static int parse_small_uint(const char *s, int max) {
        int v = 0;

        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (*s - '0');
                if (v > max)
                        return -EINVAL;
        }
        return v;
}

int signal_from_string(const char *s) {
        int n;

        if (isempty(s))
                return -EINVAL;
        if (*s >= '0' && *s <= '9') {
                n = parse_small_uint(s, SIGRTMAX);
                return n <= 0 ? -EINVAL : n;
        }
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (streq(s, signal_table[i].name))
                        return signal_table[i].sig;
        if (strncmp(s, "RTMIN", 5) == 0) {
                if (s[5] == 0)
                        return SIGRTMIN;
                if (s[5] != '+')
                        return -EINVAL;
                n = parse_small_uint(s + 6, SIGRTMAX - SIGRTMIN);
                return n < 0 ? -EINVAL : SIGRTMIN + n;
        }
        if (strncmp(s, "RTMAX", 5) == 0) {
                if (s[5] == 0)
                        return SIGRTMAX;
                if (s[5] != '-')
                        return -EINVAL;
                n = parse_small_uint(s + 6, SIGRTMAX - SIGRTMIN);
                return n < 0 ? -EINVAL : SIGRTMAX - n;
        }
        return -EINVAL;
}

const char *signal_to_string(int sig, char buf[static 16]) {
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (signal_table[i].sig == sig) {
                        snprintf(buf, 16, "SIG%s", signal_table[i].name);
                        return buf;
                }
        if (sig >= SIGRTMIN && sig <= SIGRTMAX)
                snprintf(buf, 16, "SIGRTMIN+%i", sig - SIGRTMIN);
        else
                snprintf(buf, 16, "%i", sig);
        return buf;
}
