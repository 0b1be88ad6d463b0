/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zoned's nftables tables through libnftables (net-nft.h). */

#include <errno.h>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "net-nft.h"
#include "net-rules.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nft_ctx *, nft_ctx_free);

/* libnftables exits the process when it cannot open its netlink socket (a kernel without
 * nf_tables, as in a small VM's): ask the kernel first. */
static int netfilter_netlink_supported(void) {
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

        if (fd < 0)
                return errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT ? -EOPNOTSUPP : -errno;
        close(fd);
        return 0;
}

static int ctx_new(bool json, struct nft_ctx **ret) {
        struct nft_ctx *ctx;
        int r;

        r = netfilter_netlink_supported();
        if (r < 0)
                return r;
        ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        /* Both buffered: libnftables would print to zoned's stdout and stderr otherwise. */
        if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
                nft_ctx_free(ctx);
                return -ENOMEM;
        }
        if (json)
                nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
        *ret = ctx;
        return 0;
}

static int run(const char *script, bool dry_run, char **ret_error) {
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = NULL;
        int r;

        r = ctx_new(false, &ctx);
        if (r < 0)
                return r;
        nft_ctx_set_dry_run(ctx, dry_run);
        if (nft_run_cmd_from_buffer(ctx, script) == 0)
                return 0;
        if (ret_error) {
                const char *e = nft_ctx_get_error_buffer(ctx); /* once: a get empties it */

                *ret_error = strdup(isempty(e) ? "nft refused the script" : e);
                if (!*ret_error)
                        return -ENOMEM;
        }
        return -EPROTO;
}

int net_nft_apply(const char *script, char **ret_error) {
        return run(script, false, ret_error);
}

int net_nft_check(const char *script, char **ret_error) {
        return run(script, true, ret_error);
}

int net_nft_remove(char **ret_error) {
        return run(net_rules_remove_script(), false, ret_error);
}

static unsigned count(const char *text, const char *word) {
        unsigned n = 0;

        for (const char *p = text; (p = strstr(p, word)); p += strlen(word))
                n++;
        return n;
}

/* "list tables" says which are there; listing a table that is not is an error that says nothing
 * else about why. */
static bool table_listed(const char *tables, const char *family) {
        char line[64];
        size_t n;

        snprintf(line, sizeof line, "table %s " NET_RULES_TABLE "\n", family);
        n = strlen(line);
        for (const char *p = tables; (p = strstr(p, line)); p += n)
                if (p == tables || p[-1] == '\n')
                        return true;
        return false;
}

static int list_one(const char *tables, NetNftTable *t) {
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = NULL;
        char cmd[64];
        const char *out;
        int r;

        *t = (NetNftTable) { .family = t->family };
        if (!table_listed(tables, t->family))
                return 0;
        r = ctx_new(true, &ctx);
        if (r < 0)
                return r;
        snprintf(cmd, sizeof cmd, "list table %s " NET_RULES_TABLE, t->family);
        if (nft_run_cmd_from_buffer(ctx, cmd) != 0)
                return -EPROTO;
        /* Each object of nft's JSON is {"KIND": {...}}; the names in zoned's rules are interface
         * and zone names, which hold no quotes, so these keys appear nowhere else. */
        out = nft_ctx_get_output_buffer(ctx);
        t->present = true;
        t->n_chains = count(out, "{\"chain\": ");
        t->n_rules = count(out, "{\"rule\": ");
        return 0;
}

int net_nft_list(NetNftTable ret[static NET_NFT_N_TABLES]) {
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = NULL;
        _cleanup_free_ char *tables = NULL;
        const char *out;
        int r;

        r = ctx_new(false, &ctx);
        if (r < 0)
                return r;
        if (nft_run_cmd_from_buffer(ctx, "list tables") != 0)
                return -EPROTO;
        /* Each get of a buffer empties it: taken once. */
        out = nft_ctx_get_output_buffer(ctx);
        tables = strdup(strempty(out));
        if (!tables)
                return -ENOMEM;
        ret[0].family = "inet";
        ret[1].family = "bridge";
        for (size_t i = 0; i < NET_NFT_N_TABLES; i++) {
                r = list_one(tables, &ret[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
