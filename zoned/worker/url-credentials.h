/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A URL as zoned shows it: without the user name and password of "scheme://user:pass@host/..."
 * (curl's URL parser takes them out), for the transfer's Source, the template's Origin, errors
 * and the log, which every local user may read. Only the request itself carries them. A URL
 * curl cannot parse loses everything between "://" and the last "@" of its authority. */
char *url_without_credentials(const char *url);
