/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>

#include "transfer.h"

/* The strings are part of the D-Bus contract (Transfer.Type, Transfer.State, TransferRemoved's
 * result, the first word of a template's Origin). */
static const char *const types[] = {
        [TRANSFER_IMPORT_FS] = "import-fs",   [TRANSFER_IMPORT_TAR] = "import-tar",
        [TRANSFER_IMPORT_RAW] = "import-raw", [TRANSFER_PULL_TAR] = "pull-tar",
        [TRANSFER_PULL_RAW] = "pull-raw",     [TRANSFER_EXPORT_TAR] = "export-tar",
        [TRANSFER_BOOTSTRAP] = "bootstrap",
};

static const char *const states[] = {
        [TRANSFER_RUNNING] = "running",
        [TRANSFER_DONE] = "done",
        [TRANSFER_FAILED] = "failed",
        [TRANSFER_CANCELED] = "canceled",
};

static void test_types(void) {
        g_assert_cmpuint(G_N_ELEMENTS(types), ==, _TRANSFER_TYPE_MAX);
        for (int i = 0; i < _TRANSFER_TYPE_MAX; i++) {
                g_assert_cmpstr(transfer_type_to_string((TransferType) i), ==, types[i]);
                g_assert_cmpint(transfer_type_from_string(types[i]), ==, i);
        }
        g_assert_null(transfer_type_to_string(_TRANSFER_TYPE_MAX));
        g_assert_null(transfer_type_to_string(_TRANSFER_TYPE_INVALID));
        g_assert_cmpint(transfer_type_from_string(NULL), ==, -EINVAL);
        g_assert_cmpint(transfer_type_from_string("import"), ==, -EINVAL);
        g_assert_cmpint(transfer_type_from_string("Import-fs"), ==, -EINVAL);
        g_assert_cmpint(transfer_type_from_string("pull-tar "), ==, -EINVAL);
}

static void test_states(void) {
        g_assert_cmpuint(G_N_ELEMENTS(states), ==, _TRANSFER_STATE_MAX);
        for (int i = 0; i < _TRANSFER_STATE_MAX; i++) {
                g_assert_cmpstr(transfer_state_to_string((TransferState) i), ==, states[i]);
                g_assert_cmpint(transfer_state_from_string(states[i]), ==, i);
        }
        g_assert_null(transfer_state_to_string(_TRANSFER_STATE_MAX));
        g_assert_null(transfer_state_to_string((TransferState) -1));
        g_assert_cmpint(transfer_state_from_string(""), ==, -EINVAL);
        g_assert_cmpint(transfer_state_from_string("cancelled"), ==, -EINVAL);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/transfer/types", test_types);
        g_test_add_func("/transfer/states", test_states);
        return g_test_run();
}
