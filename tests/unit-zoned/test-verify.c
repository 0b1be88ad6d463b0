/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* verify.c: SHA256SUMS parsing and the URL helpers of a pull. */

#include <errno.h>
#include <glib.h>

#include "url-credentials.h"
#include "verify.h"

#define H1 "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define H2 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void test_modes(void) {
        for (int i = 0; i < _VERIFY_MODE_MAX; i++)
                g_assert_cmpint(verify_mode_from_string(verify_mode_to_string(i)), ==, i);
        g_assert_cmpint(verify_mode_from_string("checksum"), ==, VERIFY_CHECKSUM);
        g_assert_cmpint(verify_mode_from_string("gpg"), <, 0);
        g_assert_cmpint(verify_mode_from_string(""), <, 0);
}

static void test_sums(void) {
        const char *sums = H1 "  debian.tar.xz\n" H2 " *busybox.tar.gz\n"
                              "# comment\n" H2 "  other.tar\n";
        size_t n = strlen(sums);

        g_assert_cmpint(verify_sha256sums(sums, n, "debian.tar.xz", H1), ==, 0);
        /* Hex case does not matter. */
        g_autofree char *upper = g_ascii_strup(H1, -1);
        g_assert_cmpint(verify_sha256sums(sums, n, "debian.tar.xz", upper), ==, 0);
        /* Binary-mode marker "*". */
        g_assert_cmpint(verify_sha256sums(sums, n, "busybox.tar.gz", H2), ==, 0);
        /* Listed with another hash. */
        g_assert_cmpint(verify_sha256sums(sums, n, "debian.tar.xz", H2), ==, -EBADMSG);
        /* Not listed; a name that is only a suffix of a listed one is not listed either. */
        g_assert_cmpint(verify_sha256sums(sums, n, "missing.tar", H1), ==, -ENOENT);
        g_assert_cmpint(verify_sha256sums(sums, n, "tar.xz", H1), ==, -ENOENT);
        g_assert_cmpint(verify_sha256sums("", 0, "debian.tar.xz", H1), ==, -ENOENT);
}

static void test_urls(void) {
        g_autofree char *a = url_file_name("http://127.0.0.1:8080/d/debian.tar.xz");
        g_autofree char *b = url_file_name("http://127.0.0.1/d/debian.tar.xz?x=1");
        g_autofree char *c = url_file_name("http://127.0.0.1/d/");
        g_autofree char *s = url_sibling("http://127.0.0.1:8080/d/debian.tar.xz", "SHA256SUMS");

        g_assert_cmpstr(a, ==, "debian.tar.xz");
        g_assert_cmpstr(b, ==, "debian.tar.xz");
        g_assert_null(c);
        g_assert_cmpstr(s, ==, "http://127.0.0.1:8080/d/SHA256SUMS");
}

static void check_shown(const char *url, const char *want) {
        g_autofree char *got = url_without_credentials(url);

        g_assert_cmpstr(got, ==, want);
}

/* What zoned shows of a URL: never its user or password. */
static void test_credentials(void) {
        check_shown("http://user:secret@127.0.0.1:8080/a/bb.tar.gz", "http://127.0.0.1:8080/a/bb.tar.gz");
        check_shown("https://user@example.org/x.tar?y=1", "https://example.org/x.tar?y=1");
        check_shown("https://:secret@example.org/x.tar", "https://example.org/x.tar");
        check_shown("http://us%40er:p%40ss:w@example.org/x", "http://example.org/x");
        /* Without any, the URL as it was given, not rewritten. */
        check_shown("http://127.0.0.1:8080/a/b/../bb.tar.gz", "http://127.0.0.1:8080/a/b/../bb.tar.gz");
        check_shown("file:///srv/bb.tar", "file:///srv/bb.tar");
        /* What curl does not parse loses its userinfo all the same. */
        check_shown("http://user:secret@[::1/x.tar", "http://[::1/x.tar");
        check_shown("http://user:secret@host name/x@y", "http://host name/x@y");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/verify/modes", test_modes);
        g_test_add_func("/verify/sha256sums", test_sums);
        g_test_add_func("/verify/urls", test_urls);
        g_test_add_func("/verify/credentials", test_credentials);
        return g_test_run();
}
