/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Raw clients of zoned's private socket: bytes written as a test chooses them (the
 * authentication and calls in one write, broken strings), answers parsed as they come. */

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "harness-internal.h"

void harness_raw_auth(GByteArray *out) {
        g_autofree char *uid = g_strdup_printf("%u", (unsigned) getuid());
        g_autoptr(GString) auth = g_string_new("AUTH EXTERNAL ");

        for (const char *p = uid; *p; p++)
                g_string_append_printf(auth, "%02x", (unsigned) *p);
        g_string_append(auth, "\r\nBEGIN\r\n");
        g_byte_array_append(out, (const guint8 *) "", 1);
        g_byte_array_append(out, (const guint8 *) auth->str, auth->len);
}

void harness_raw_append(GByteArray *out, GDBusMessage *call, guint32 serial) {
        g_autoptr(GError) error = NULL;
        g_autofree guchar *blob = NULL;
        gsize size;

        g_dbus_message_set_serial(call, serial);
        blob = g_dbus_message_to_blob(call, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
        g_assert_no_error(error);
        g_byte_array_append(out, blob, size);
}

void harness_raw_append_call(GByteArray *out, guint32 serial, const char *iface, const char *member) {
        g_autoptr(GDBusMessage)
                call = g_dbus_message_new_method_call(NULL, ZONED_MANAGER_PATH, iface, member);

        harness_raw_append(out, call, serial);
}

int harness_raw_connect(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = 5 };
        int fd, r;

        g_snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
            connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

GDBusMessage *harness_raw_reply(GByteArray *in) {
        const guint8 *end = memchr(in->data, '\n', in->len);
        g_autoptr(GError) error = NULL;
        GDBusMessage *m;
        gsize skip;
        gssize need;

        if (!end)
                return NULL;
        if (!g_str_has_prefix((const char *) in->data, "OK "))
                g_error("zoned did not accept the authentication: %.*s", (int) (end - in->data),
                        (const char *) in->data);
        skip = end + 1 - in->data;
        if (in->len - skip < 16)
                return NULL;
        need = g_dbus_message_bytes_needed(in->data + skip, in->len - skip, &error);
        g_assert_no_error(error);
        if ((gsize) need > in->len - skip)
                return NULL;
        m = g_dbus_message_new_from_blob(in->data + skip, need, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
        g_assert_no_error(error);
        return m;
}
