/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>

#include "bus-error-map.h"
#include "cli-error.h"

void cli_register_error_map(void) {
        (void) sd_bus_error_add_map(zoned_error_map);
}

static void print_line(const char *prefix, const char *text) {
        fprintf(stderr, "%s: %s%s\n", program_invocation_short_name, strempty(prefix), text);
}

/* zoned words its errors as sentences ("Zone web does not exist."); zonectl's
 * lines are not ("zonectl: zone web does not exist"). */
static void print_message(const char *prefix, const char *message) {
        _cleanup_free_ char *m = strdup(message);
        size_t n;

        if (!m) {
                print_line(prefix, message);
                return;
        }
        n = strlen(m);
        if (n > 1 && m[n - 1] == '.' && m[n - 2] != '.')
                m[n - 1] = 0;
        /* Only a capital that starts an ordinary word: "DBus" and "ID" stay as they are. */
        if (m[0] >= 'A' && m[0] <= 'Z' && m[1] >= 'a' && m[1] <= 'z')
                m[0] = (char) (m[0] - 'A' + 'a');
        print_line(prefix, m);
}

int cli_error_errno(int error, const char *format, ...) {
        char buf[2048];
        va_list ap;

        if (error < 0)
                error = -error;
        /* Let %m print the error passed in. */
        errno = error;
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);
        print_line(NULL, buf);
        return error > 0 ? -error : -EIO;
}

int cli_bus_error(const sd_bus_error *error, int r, const char *format, ...) {
        char context[1024];
        va_list ap;

        if (r >= 0)
                r = -EIO;
        if (sd_bus_error_is_set(error) && !isempty(error->message)) {
                if (strncmp(error->name, ZONED_ERROR_PREFIX, strlen(ZONED_ERROR_PREFIX)) == 0) {
                        print_message(NULL, error->message);
                        return r;
                }
                if (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED)) {
                        print_message("access denied: ", error->message);
                        return r;
                }
                if (sd_bus_error_has_name(error, SD_BUS_ERROR_INVALID_ARGS)) {
                        print_message("invalid arguments: ", error->message);
                        return r;
                }
        }
        errno = -r;
        va_start(ap, format);
        (void) vsnprintf(context, sizeof(context), format, ap);
        va_end(ap);
        if (sd_bus_error_is_set(error))
                fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, context,
                        isempty(error->message) ? error->name : error->message);
        else
                fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, context, strerror(-r));
        return r;
}
