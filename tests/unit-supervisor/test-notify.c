/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor's pieces for systemd guests that work without namespaces:
 * sd_notify parsing and the notify socket (credentials, size limits, passed
 * fds), the machine id file, the capability set the init keeps. */

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "capabilities.h"
#include "hostname-file.h"
#include "machine-id.h"
#include "notify.h"

static char *tmpdir;

static void test_parse(void) {
        NotifyMessage m = {};
        const char *text = "READY=1\nSTATUS=Startup finished in 1.2s.\nMAINPID=1\n";

        g_assert_cmpint(notify_message_parse(text, strlen(text), &m), ==, 0);
        g_assert_true(m.ready);
        g_assert_false(m.stopping);
        g_assert_cmpstr(m.status, ==, "Startup finished in 1.2s.");
        notify_message_done(&m);

        /* No trailing newline; the last STATUS= wins; READY=0 and READY=10 are not READY=1. */
        text = "STATUS=a\nREADY=0\nREADY=10\nSTOPPING=1\nSTATUS=b";
        g_assert_cmpint(notify_message_parse(text, strlen(text), &m), ==, 0);
        g_assert_false(m.ready);
        g_assert_true(m.stopping);
        g_assert_cmpstr(m.status, ==, "b");
        notify_message_done(&m);

        /* Only the given length counts. */
        text = "READY=1";
        g_assert_cmpint(notify_message_parse(text, 5, &m), ==, 0);
        g_assert_false(m.ready);
        g_assert_null(m.status);
        notify_message_done(&m);

        g_assert_cmpint(notify_message_parse("STATUS=", 7, &m), ==, 0);
        g_assert_cmpstr(m.status, ==, "");
        notify_message_done(&m);
}

static int send_to(const char *path, const void *data, size_t len, int pass_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        union {
                struct cmsghdr c;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
        struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
        int fd, r;

        g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
        if (pass_fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        }
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        r = sendmsg(fd, &mh, 0) < 0 ? -errno : 0;
        close(fd);
        return r;
}

static void test_socket(void) {
        g_autofree char *path = g_build_filename(tmpdir, "notify", NULL);
        g_autofree char *big = g_malloc(NOTIFY_MESSAGE_MAX + 10);
        NotifyMessage m = {};
        pid_t pid = 0;
        int fd = -1, pipefd[2];

        g_assert_cmpint(notify_socket_open(path, &fd), ==, 0);
        g_assert_cmpint(notify_socket_receive(fd, &pid, &m), ==, -EAGAIN);

        /* The sender's pid comes from the kernel (SO_PASSCRED), not from the message. */
        g_assert_cmpint(send_to(path, "READY=1\nMAINPID=4242", 20, -1), ==, 0);
        g_assert_cmpint(notify_socket_receive(fd, &pid, &m), ==, 1);
        g_assert_cmpint(pid, ==, getpid());
        g_assert_true(m.ready);
        notify_message_done(&m);

        /* An fd sent along (FDSTORE=1) is closed, not leaked into the supervisor. */
        g_assert_cmpint(pipe2(pipefd, O_CLOEXEC), ==, 0);
        g_assert_cmpint(send_to(path, "FDSTORE=1", 9, pipefd[1]), ==, 0);
        close(pipefd[1]);
        g_assert_cmpint(notify_socket_receive(fd, &pid, &m), ==, 1);
        notify_message_done(&m);
        {
                char c;
                /* Every write end is closed: EOF. */
                g_assert_cmpint(read(pipefd[0], &c, 1), ==, 0);
        }
        close(pipefd[0]);

        /* Too big: dropped whole, never parsed in part. */
        memset(big, 'x', NOTIFY_MESSAGE_MAX + 10);
        memcpy(big, "READY=1\n", 8);
        g_assert_cmpint(send_to(path, big, NOTIFY_MESSAGE_MAX + 10, -1), ==, 0);
        g_assert_cmpint(notify_socket_receive(fd, &pid, &m), ==, 0);
        g_assert_false(m.ready);
        g_assert_cmpint(notify_socket_receive(fd, &pid, &m), ==, -EAGAIN);

        /* Re-opening replaces a stale socket file. */
        close(fd);
        g_assert_cmpint(notify_socket_open(path, &fd), ==, 0);
        close(fd);
        g_unlink(path);
}

static void assert_file(const char *path, const char *want) {
        g_autofree char *text = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, want);
}

static void test_machine_id(void) {
        const char *id = "0123456789abcdef0123456789abcdef";
        const char *other = "fedcba9876543210fedcba9876543210\n";
        g_autofree char *path = g_build_filename(tmpdir, "machine-id", NULL);
        g_autofree char *link = g_build_filename(tmpdir, "machine-id-link", NULL);
        char uuid[37];

        /* Missing, empty, "uninitialized": written. */
        g_assert_cmpint(machine_id_write_if_unset(path, id), ==, 1);
        assert_file(path, "0123456789abcdef0123456789abcdef\n");
        g_assert_true(g_file_set_contents(path, "", 0, NULL));
        g_assert_cmpint(machine_id_write_if_unset(path, id), ==, 1);
        g_assert_true(g_file_set_contents(path, "uninitialized\n", -1, NULL));
        g_assert_cmpint(machine_id_write_if_unset(path, id), ==, 1);
        assert_file(path, "0123456789abcdef0123456789abcdef\n");

        /* The zone's own id stays; a symlink is not followed. */
        g_assert_true(g_file_set_contents(path, other, -1, NULL));
        g_assert_cmpint(machine_id_write_if_unset(path, id), ==, 0);
        assert_file(path, other);
        g_assert_cmpint(symlink("/nonexistent/machine-id", link), ==, 0);
        g_assert_cmpint(machine_id_write_if_unset(link, id), ==, 0);
        g_assert_false(g_file_test("/nonexistent/machine-id", G_FILE_TEST_EXISTS));

        /* A tree without /etc boots without one. */
        g_assert_cmpint(machine_id_write_if_unset("/nonexistent/etc/machine-id", id), ==, 0);
        g_assert_cmpint(machine_id_write_if_unset(path, "nothex"), ==, -EINVAL);
        g_assert_cmpint(machine_id_to_uuid(id, uuid), ==, 0);
        g_assert_cmpstr(uuid, ==, "01234567-89ab-cdef-0123-456789abcdef");
        g_assert_cmpint(machine_id_to_uuid("x", uuid), ==, -EINVAL);
        g_unlink(link);
        g_unlink(path);
}

static void test_hostname_file(void) {
        g_autofree char *path = g_build_filename(tmpdir, "hostname", NULL);
        g_autofree char *link = g_build_filename(tmpdir, "hostname-link", NULL);
        struct stat st;

        /* Missing, empty, another machine's name: the zone's. */
        g_assert_cmpint(hostname_file_write(path, "web"), ==, 1);
        assert_file(path, "web\n");
        g_assert_cmpint(stat(path, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 07777, ==, 0644);
        g_assert_true(g_file_set_contents(path, "", 0, NULL));
        g_assert_cmpint(hostname_file_write(path, "web"), ==, 1);
        assert_file(path, "web\n");
        g_assert_true(g_file_set_contents(path, "builder.example.org\nmore\n", -1, NULL));
        g_assert_cmpint(hostname_file_write(path, "web"), ==, 1);
        assert_file(path, "web\n");
        g_assert_true(g_file_set_contents(path, "webserver\n", -1, NULL));
        g_assert_cmpint(hostname_file_write(path, "web"), ==, 1);
        assert_file(path, "web\n");

        /* Already the zone's (trailing blanks too): left as it is, not rewritten. */
        g_assert_true(g_file_set_contents(path, "web \n", -1, NULL));
        g_assert_cmpint(hostname_file_write(path, "web"), ==, 0);
        assert_file(path, "web \n");

        /* A symlink is not followed; a tree without /etc has none; a bad name is refused. */
        g_assert_cmpint(symlink("/nonexistent/hostname", link), ==, 0);
        g_assert_cmpint(hostname_file_write(link, "web"), ==, 0);
        g_assert_cmpint(hostname_file_write("/nonexistent/etc/hostname", "web"), ==, 0);
        g_assert_cmpint(hostname_file_write(path, ""), ==, -EINVAL);
        g_assert_cmpint(hostname_file_write(path, "a\nb"), ==, -EINVAL);
        g_unlink(link);
        g_unlink(path);
}

static void test_capabilities(void) {
        /* What a booting systemd needs, and reboot(2) in a pid namespace (CAP_SYS_BOOT). */
        static const int needed[] = { CAP_SYS_ADMIN, CAP_SYS_BOOT,   CAP_SETUID,
                                      CAP_SETGID,    CAP_CHOWN,      CAP_KILL,
                                      CAP_NET_ADMIN, CAP_SYS_CHROOT, CAP_DAC_OVERRIDE };
        /* The host's: what makes debugfs, module loading or the clock the zone's. */
        static const int dropped[] = { CAP_SYS_MODULE, CAP_SYS_RAWIO,    CAP_SYS_TIME, CAP_SYSLOG,
                                       CAP_MAC_ADMIN,  CAP_MAC_OVERRIDE, CAP_BPF,      CAP_PERFMON };

        for (size_t i = 0; i < G_N_ELEMENTS(needed); i++)
                g_assert_true(capability_kept(needed[i]));
        for (size_t i = 0; i < G_N_ELEMENTS(dropped); i++)
                g_assert_false(capability_kept(dropped[i]));
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-test-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/notify/parse", test_parse);
        g_test_add_func("/notify/socket", test_socket);
        g_test_add_func("/supervisor/machine-id", test_machine_id);
        g_test_add_func("/supervisor/hostname-file", test_hostname_file);
        g_test_add_func("/supervisor/capabilities", test_capabilities);
        r = g_test_run();
        g_rmdir(tmpdir);
        g_free(tmpdir);
        return r;
}
