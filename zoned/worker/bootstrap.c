/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bootstrap.h"
#include "macro.h"

static bool uri_is_wanted(const char *uri) {
        return (g_str_has_prefix(uri, "http://") || g_str_has_prefix(uri, "https://") ||
                g_str_has_prefix(uri, "file:/")) &&
               !strstr(uri, "-security");
}

/* deb822: "URIs: a b" in a paragraph. */
static char *mirror_from_sources(const char *text) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (char **l = lines; *l; l++) {
                g_auto(GStrv) words = NULL;

                if (g_ascii_strncasecmp(*l, "URIs:", 5) != 0)
                        continue;
                words = g_strsplit_set(*l + 5, " \t", -1);
                for (char **w = words; *w; w++)
                        if (uri_is_wanted(*w))
                                return g_strdup(*w);
        }
        return NULL;
}

/* One-line style: "deb [options] URI SUITE COMPONENT...". */
static char *mirror_from_list(const char *text) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (char **l = lines; *l; l++) {
                g_auto(GStrv) words = g_strsplit_set(g_strstrip(*l), " \t", -1);
                char **w = words;

                if (!w[0] || !streq(w[0], "deb"))
                        continue;
                w++;
                if (*w && (*w)[0] == '[')
                        while (*w && !g_str_has_suffix(*w, "]"))
                                w++;
                if (*w && (*w)[0] == '[')
                        w++;
                else if (*w && g_str_has_suffix(*w, "]"))
                        w++;
                for (; *w && !**w; w++)
                        ;
                if (*w && uri_is_wanted(*w))
                        return g_strdup(*w);
        }
        return NULL;
}

static int compare_names(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* apt reads the files of a directory in the order of their names. */
static char *mirror_from_dir(const char *dir, const char *suffix, char *(*parse)(const char *) ) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *fn;

        while (d && (fn = g_dir_read_name(d)))
                if (g_str_has_suffix(fn, suffix))
                        g_ptr_array_add(names, g_strdup(fn));
        g_ptr_array_sort(names, compare_names);
        for (guint i = 0; i < names->len; i++) {
                g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL), *text = NULL;
                char *uri;

                if (!g_file_get_contents(path, &text, NULL, NULL))
                        continue;
                uri = parse(text);
                if (uri)
                        return uri;
        }
        return NULL;
}

int bootstrap_host_mirror(const char *sources_list, const char *sources_dir, char **ret) {
        g_autofree char *text = NULL;
        char *uri;

        uri = mirror_from_dir(sources_dir, ".sources", mirror_from_sources);
        if (!uri && g_file_get_contents(sources_list, &text, NULL, NULL))
                uri = mirror_from_list(text);
        if (!uri)
                uri = mirror_from_dir(sources_dir, ".list", mirror_from_list);
        if (!uri)
                return -ENOENT;
        *ret = uri;
        return 0;
}

static void builder_add_printf(GStrvBuilder *b, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void builder_add_printf(GStrvBuilder *b, const char *format, ...) {
        g_autofree char *s = NULL;
        va_list ap;

        va_start(ap, format);
        s = g_strdup_vprintf(format, ap);
        va_end(ap);
        g_strv_builder_add(b, s);
}

char **bootstrap_argv(const TemplateDefinition *def, const char *target, const char *mirror) {
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_autofree char *include = g_strjoinv(",", def->packages);
        bool mm = def->tool == BOOTSTRAP_TOOL_MMDEBSTRAP;

        g_strv_builder_add(b, bootstrap_tool_to_string(def->tool));
        if (mm)
                g_strv_builder_add_many(b, "--mode=root", "--quiet", NULL);
        if (def->variant)
                builder_add_printf(b, "--variant=%s", def->variant);
        if (def->architecture)
                builder_add_printf(b, mm ? "--architectures=%s" : "--arch=%s", def->architecture);
        if (!isempty(include))
                builder_add_printf(b, "--include=%s", include);
        /* Suites never start with "-"; debootstrap's own parser knows no "--". */
        if (mm)
                g_strv_builder_add(b, "--");
        g_strv_builder_add_many(b, def->suite, target, mirror, NULL);
        return g_strv_builder_end(b);
}

/* Replaces rel (a file or a symlink, never followed) with an empty file. */
static int make_empty(int dirfd, const char *rel) {
        _cleanup_close_ int fd = -EBADF;

        if (unlinkat(dirfd, rel, 0) < 0 && errno != ENOENT)
                return -errno;
        fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        return fchmod(fd, 0644) < 0 ? -errno : 0;
}

static int open_dir_at(int dirfd, const char *rel) {
        int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* etc/apt/sources.list* name the mirror the tree was built from. */
static int clear_apt_sources(int etc) {
        _cleanup_close_ int apt = open_dir_at(etc, "apt"), list_d = -EBADF;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (apt == -ENOENT)
                return 0;
        if (apt < 0)
                return apt;
        list_d = open_dir_at(apt, "sources.list.d");
        if (list_d >= 0 && (d = fdopendir(TAKE_FD(list_d))))
                while ((de = readdir(d)))
                        if (g_str_has_suffix(de->d_name, ".list") ||
                            g_str_has_suffix(de->d_name, ".sources"))
                                (void) unlinkat(dirfd(d), de->d_name, 0);
        return make_empty(apt, "sources.list");
}

int bootstrap_fixup_tree(int rootfs_fd) {
        _cleanup_close_ int etc = open_dir_at(rootfs_fd, "etc");
        static const char *const emptied[] = { "hostname", "resolv.conf", "machine-id" };
        int r;

        if (etc < 0)
                return etc;
        for (size_t i = 0; i < ELEMENTSOF(emptied); i++) {
                r = make_empty(etc, emptied[i]);
                if (r < 0)
                        return r;
        }
        /* What a brand's init needs (sysvinit's inittab) is the brand's fix-ups, at each boot. */
        return clear_apt_sources(etc);
}

/* The last lines the tool said, without the mirror's host. */
static char *log_tail(const char *log, const char *mirror) {
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GRegex) re = g_regex_new("[a-z]+://[^/ ]*", 0, 0, NULL);
        GString *s = g_string_new(NULL);
        guint n;

        if (!g_file_get_contents(log, &text, NULL, NULL))
                return g_string_free(s, FALSE);
        lines = g_strsplit(g_strstrip(text), "\n", -1);
        n = g_strv_length(lines);
        for (guint i = n > 3 ? n - 3 : 0; i < n; i++) {
                g_auto(GStrv) parts = g_strsplit(lines[i], mirror, -1);
                g_autofree char *joined = g_strjoinv("<mirror>", parts);
                g_autofree char *clean = g_regex_replace_literal(re, joined, -1, 0, "<host>", 0, NULL);

                g_string_append_printf(s, "%s%s", s->len ? " | " : "", clean ? clean : joined);
        }
        return g_string_free(s, FALSE);
}

/* In the tool's child: PID 1 of a new PID namespace, dies with the worker. */
static _noreturn_ void exec_tool(char **argv, int log_fd, const char *tmp) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* Our own /proc: the tool's chroot mounts see this PID namespace. */
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                _exit(127);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
            dup2(log_fd, STDERR_FILENO) < 0)
                _exit(127);
        (void) setenv("DEBIAN_FRONTEND", "noninteractive", 1);
        /* The tool's own temp files (mmdebstrap's gpg home, ...) go with our temp dir. */
        (void) setenv("TMPDIR", tmp, 1);
        execvp(argv[0], argv);
        dprintf(log_fd, "Cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
}

/* Bytes of the files in the tree, hardlinks counted once; mounts in it
 * (the tool's /proc, /sys, /dev in the tree) are not entered. */
static uint64_t tree_size_at(const char *path, dev_t dev) {
        g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
        const char *fn;
        uint64_t size = 0;

        while (d && (fn = g_dir_read_name(d))) {
                g_autofree char *p = g_build_filename(path, fn, NULL);
                struct stat st;

                if (lstat(p, &st) < 0 || st.st_dev != dev)
                        continue;
                if (S_ISDIR(st.st_mode))
                        size += tree_size_at(p, dev);
                else if (S_ISREG(st.st_mode))
                        size += (uint64_t) st.st_size / MAX(st.st_nlink, (nlink_t) 1);
        }
        return size;
}

static uint64_t tree_size(const char *path) {
        struct stat st;

        return stat(path, &st) < 0 ? 0 : tree_size_at(path, st.st_dev);
}

/* Waits for the tool; meanwhile tells zoned every second how big the tree got. */
static int wait_tool(pid_t pid, const char *rootfs, ProgressWriter *progress) {
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int status;

        while (pidfd >= 0 && poll(&p, 1, 1000) == 0)
                progress_report_bytes(progress, tree_size(rootfs), true);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status))
                return -EINTR;
        return WEXITSTATUS(status) == 0 ? 0 : -EPROTO;
}

static int run_tool(char **argv, const char *log, const char *tmp, const char *rootfs,
                    ProgressWriter *progress) {
        _cleanup_close_ int log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        pid_t pid;

        if (log_fd < 0 || mkdir(tmp, 0700) < 0)
                return -errno;
        /* Mounts the tool makes (proc, sys, dev in the tree) stay in here, and go with us. */
        if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0)
                return -errno;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                exec_tool(argv, log_fd, tmp);
        return wait_tool(pid, rootfs, progress);
}

int bootstrap_run(const TemplateImport *imp, const TemplateDefinition *def, ProgressWriter *progress) {
        g_autofree char *mirror = NULL, *rootfs = g_build_filename(imp->tmp_dir, "rootfs", NULL);
        g_autofree char *log = g_build_filename(imp->tmp_dir, "bootstrap.log", NULL), *tail = NULL;
        g_autofree char *tmp = g_build_filename(imp->tmp_dir, "tmp", NULL);
        g_auto(GStrv) argv = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = bootstrap_host_mirror("/etc/apt/sources.list", "/etc/apt/sources.list.d", &mirror);
        if (r < 0)
                return progress_report_error(progress, r,
                                             "No Debian mirror in the host's apt configuration.");
        if (mkdir(imp->tmp_dir, 0755) < 0 || mkdir(rootfs, 0755) < 0)
                return progress_report_error(progress, -errno, "Cannot make %s: %s", rootfs,
                                             strerror(errno));
        argv = bootstrap_argv(def, rootfs, mirror);
        r = run_tool(argv, log, tmp, rootfs, progress);
        if (r < 0) {
                tail = log_tail(log, mirror);
                return progress_report_error(progress, r, "%s %s failed%s%s", argv[0], def->suite,
                                             isempty(tail) ? "" : ": ", strempty(tail));
        }
        (void) unlink(log);
        (void) rm_rf(tmp);
        fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        r = fd < 0 ? -errno : bootstrap_fixup_tree(fd);
        if (r < 0)
                return progress_report_error(progress, r, "Cannot fix up the tree %s built: %s", argv[0],
                                             strerror(-r));
        return template_import_commit_reported(imp, imp->brand, tree_size(rootfs), progress);
}
