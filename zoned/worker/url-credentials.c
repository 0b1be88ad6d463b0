/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <glib.h>
#include <string.h>

#include "macro.h"
#include "url-credentials.h"

static void curl_url_cleanupp(CURLU **u) {
        if (*u)
                curl_url_cleanup(*u);
}

/* By hand, for what curl does not parse: the authority ends at the first "/", "?" or "#". */
static char *cut_userinfo(const char *url) {
        const char *scheme = strstr(url, "://"), *authority, *at = NULL;
        size_t len;

        if (!scheme)
                return g_strdup(url);
        authority = scheme + 3;
        len = strcspn(authority, "/?#");
        for (const char *p = authority; p < authority + len; p++)
                if (*p == '@')
                        at = p;
        if (!at)
                return g_strdup(url);
        return g_strdup_printf("%.*s%s", (int) (authority - url), url, at + 1);
}

char *url_without_credentials(const char *url) {
        _cleanup_(curl_url_cleanupp) CURLU *u = curl_url();
        char *user = NULL, *password = NULL, *options = NULL, *shown = NULL;
        char *ret;

        if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
                return cut_userinfo(url);
        (void) curl_url_get(u, CURLUPART_USER, &user, 0);
        (void) curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
        (void) curl_url_get(u, CURLUPART_OPTIONS, &options, 0);
        if (!user && !password && !options)
                /* Nothing to take out: the URL as it was given, not as curl would write it. */
                return g_strdup(url);
        curl_free(user);
        curl_free(password);
        curl_free(options);
        if (curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_URL, &shown, 0) != CURLUE_OK)
                return cut_userinfo(url);
        ret = g_strdup(shown);
        curl_free(shown);
        return ret;
}
