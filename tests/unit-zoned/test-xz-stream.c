/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xz-stream.c: multi-block xz decodes to the original bytes, other data
 * passes through untouched, a truncated or corrupt stream is an error. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <unistd.h>

#include "xz-stream.h"

static char *tmpdir;

static GBytes *make_data(size_t size) {
        guint8 *d = g_malloc(size);
        GRand *rand = g_rand_new_with_seed(42);

        /* Compressible but not trivial: runs of random bytes. */
        for (size_t i = 0; i < size; i++)
                d[i] = (i / 64) % 7 == 0 ? (guint8) g_rand_int(rand) : (guint8) (i % 251);
        g_rand_free(rand);
        return g_bytes_new_take(d, size);
}

static char *write_file(const char *name, GBytes *data) {
        char *p = g_build_filename(tmpdir, name, NULL);
        gsize n;
        const char *d = g_bytes_get_data(data, &n);

        g_assert_true(g_file_set_contents(p, d, (gssize) n, NULL));
        return p;
}

static GBytes *read_all(const char *path, int *ret_error) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        XzStream *x;
        GByteArray *out = g_byte_array_new();
        char buf[7919]; /* odd size: output crosses block edges */
        ssize_t n;

        g_assert_cmpint(fd, >=, 0);
        x = xz_stream_new(fd);
        while ((n = xz_stream_read(x, buf, sizeof(buf))) > 0)
                g_byte_array_append(out, (guint8 *) buf, (guint) n);
        *ret_error = n < 0 ? (int) n : 0;
        xz_stream_free(x);
        close(fd);
        return g_byte_array_free_to_bytes(out);
}

static void run(const char *cmd) {
        int status;
        g_autoptr(GError) err = NULL;

        g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status, &err));
        g_assert_no_error(err);
        g_assert_true(g_spawn_check_wait_status(status, NULL));
}

static void test_multi_block(void) {
        g_autoptr(GBytes) data = make_data(3 * 1024 * 1024 + 123);
        g_autofree char *plain = write_file("data", data), *cmd = NULL, *xz = NULL;
        g_autoptr(GBytes) got = NULL;
        int error;

        g_autofree char *xz_program = g_find_program_in_path("xz");

        if (!xz_program) {
                g_test_skip("xz is not installed (tools/install-deps.sh installs it)");
                return;
        }
        cmd = g_strdup_printf("xz -k -f -T2 --block-size=262144 %s", plain);
        run(cmd);
        xz = g_strconcat(plain, ".xz", NULL);
        got = read_all(xz, &error);
        g_assert_cmpint(error, ==, 0);
        g_assert_true(g_bytes_equal(got, data));
}

static void test_passthrough(void) {
        g_autoptr(GBytes) data = make_data(100000);
        g_autoptr(GBytes) tiny = g_bytes_new_static("abc", 3);
        g_autofree char *p = write_file("plain", data), *q = write_file("tiny", tiny);
        g_autoptr(GBytes) got = NULL, got_tiny = NULL;
        int error;

        got = read_all(p, &error);
        g_assert_cmpint(error, ==, 0);
        g_assert_true(g_bytes_equal(got, data));
        got_tiny = read_all(q, &error);
        g_assert_cmpint(error, ==, 0);
        g_assert_true(g_bytes_equal(got_tiny, tiny));
}

static void test_truncated(void) {
        g_autoptr(GBytes) data = make_data(1024 * 1024);
        g_autofree char *plain = write_file("cut", data), *cmd = NULL, *xz = NULL, *text = NULL;
        g_autoptr(GBytes) got = NULL, cut = NULL;
        gsize n;
        int error;

        g_autofree char *xz_program = g_find_program_in_path("xz");

        if (!xz_program) {
                g_test_skip("xz is not installed (tools/install-deps.sh installs it)");
                return;
        }
        cmd = g_strdup_printf("xz -k -f %s", plain);
        run(cmd);
        xz = g_strconcat(plain, ".xz", NULL);
        g_assert_true(g_file_get_contents(xz, &text, &n, NULL));
        cut = g_bytes_new(text, n / 2);
        g_free(xz);
        xz = write_file("cut.xz", cut);
        got = read_all(xz, &error);
        g_assert_cmpint(error, ==, -EBADMSG);
        g_assert_cmpuint(g_bytes_get_size(got), <, g_bytes_get_size(data));

        /* Corrupt in the middle. */
        text[n / 2] ^= 0x55;
        {
                g_autoptr(GBytes) bad = g_bytes_new(text, n);
                g_autofree char *b = write_file("bad.xz", bad);
                g_autoptr(GBytes) got_bad = read_all(b, &error);
                g_assert_cmpint(error, ==, -EBADMSG);
        }
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-xz-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/xz-stream/multi-block", test_multi_block);
        g_test_add_func("/xz-stream/passthrough", test_passthrough);
        g_test_add_func("/xz-stream/truncated", test_truncated);
        r = g_test_run();
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
