/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>

#include "transfer.h"
#include "verify.h"

/* The strings are part of the D-Bus contract: a worker job's kind is its transfer's Type (and the
 * first word of a template's Origin); Transfer.State and TransferRemoved's result. */
static const char *const types[] = {
        [WORKER_JOB_IMPORT_FS] = "import-fs",   [WORKER_JOB_IMPORT_TAR] = "import-tar",
        [WORKER_JOB_IMPORT_RAW] = "import-raw", [WORKER_JOB_PULL_TAR] = "pull-tar",
        [WORKER_JOB_PULL_RAW] = "pull-raw",     [WORKER_JOB_EXPORT_TAR] = "export-tar",
        [WORKER_JOB_BOOTSTRAP] = "bootstrap",
};

static const char *const states[] = {
        [TRANSFER_RUNNING] = "running",
        [TRANSFER_DONE] = "done",
        [TRANSFER_FAILED] = "failed",
        [TRANSFER_CANCELED] = "canceled",
};

static void test_types(void) {
        g_assert_cmpuint(G_N_ELEMENTS(types), ==, _WORKER_JOB_KIND_MAX);
        for (int i = 0; i < _WORKER_JOB_KIND_MAX; i++) {
                g_assert_cmpstr(worker_job_kind_to_string((WorkerJobKind) i), ==, types[i]);
                g_assert_cmpint(worker_job_kind_from_string(types[i]), ==, i);
        }
        g_assert_null(worker_job_kind_to_string(_WORKER_JOB_KIND_MAX));
        g_assert_null(worker_job_kind_to_string(_WORKER_JOB_KIND_INVALID));
        g_assert_cmpint(worker_job_kind_from_string(NULL), ==, -EINVAL);
        g_assert_cmpint(worker_job_kind_from_string("import"), ==, -EINVAL);
        g_assert_cmpint(worker_job_kind_from_string("Import-fs"), ==, -EINVAL);
        g_assert_cmpint(worker_job_kind_from_string("pull-tar "), ==, -EINVAL);
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

/* The verify option of PullTemplate and Verify= of a template definition. */
static void test_verify_modes(void) {
        static const char *const modes[] = {
                [VERIFY_NO] = "no",
                [VERIFY_CHECKSUM] = "checksum",
                [VERIFY_SIGNATURE] = "signature",
        };

        g_assert_cmpuint(G_N_ELEMENTS(modes), ==, _VERIFY_MODE_MAX);
        for (int i = 0; i < _VERIFY_MODE_MAX; i++) {
                g_assert_cmpstr(verify_mode_to_string((VerifyMode) i), ==, modes[i]);
                g_assert_cmpint(verify_mode_from_string(modes[i]), ==, i);
        }
        g_assert_null(verify_mode_to_string(_VERIFY_MODE_MAX));
        g_assert_cmpint(verify_mode_from_string("sha256"), ==, -EINVAL);
        g_assert_cmpint(verify_mode_from_string("No"), ==, -EINVAL);
        g_assert_cmpint(verify_mode_from_string(NULL), ==, -EINVAL);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/transfer/types", test_types);
        g_test_add_func("/transfer/states", test_states);
        g_test_add_func("/transfer/verify-modes", test_verify_modes);
        return g_test_run();
}
