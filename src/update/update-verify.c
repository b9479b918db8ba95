/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "hexutil.h"
#include "log.h"
#include "macro.h"
#include "tuf.h"
#include "update-verbs.h"

/* The trusted root is read whole; anything this large is not a root. */
#define ROOT_MAX_SIZE (512 * 1024)

static const char *arg_root;
static const char *arg_repo;
static const char *arg_bundle;
static const char *arg_metadata;
static const char *arg_targets;
static TufTime arg_now;
static bool arg_now_set;
static char **arg_paths;
static int arg_n_paths;

static void help(void) {
        printf("Usage: update verify --root FILE --repo DIR|URL|--bundle FILE [OPTIONS...] [TARGET...]\n\n"
               "Runs the TUF client workflow on a repository: root rotation, timestamp, snapshot, targets "
               "and\n"
               "delegations, then downloads each target (all of them, or the ones named) and checks its "
               "length\n"
               "and hashes. Prints \"<sha256> <length> <path>\" per verified target, or refuses.\n\n"
               "     --root FILE          The trusted root.json\n"
               "     --repo DIR|URL       Repository with metadata/ and targets/ (directory, http(s):// or "
               "file://)\n"
               "     --bundle FILE|DEVICE A repository as one ustar archive ('bulkhead-repo bundle'); with "
               "no\n"
               "                          TARGET, the targets it carries\n"
               "     --metadata-dir DIR|URL  Metadata location, instead of <repo>/metadata\n"
               "     --targets-dir DIR|URL   Targets location, instead of <repo>/targets\n"
               "     --now RFC3339        Check expiry against this time instead of the clock\n"
               "  -h --help               Show this help\n");
}

/* Returns <0 on a usage error, 0 to exit successfully (help), 1 to run. */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_ROOT = 0x100, ARG_REPO, ARG_BUNDLE, ARG_METADATA, ARG_TARGETS, ARG_NOW };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "root", required_argument, NULL, ARG_ROOT },
                { "repo", required_argument, NULL, ARG_REPO },
                { "bundle", required_argument, NULL, ARG_BUNDLE },
                { "metadata-dir", required_argument, NULL, ARG_METADATA },
                { "targets-dir", required_argument, NULL, ARG_TARGETS },
                { "now", required_argument, NULL, ARG_NOW },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_ROOT:
                        arg_root = optarg;
                        break;
                case ARG_REPO:
                        arg_repo = optarg;
                        break;
                case ARG_BUNDLE:
                        arg_bundle = optarg;
                        break;
                case ARG_METADATA:
                        arg_metadata = optarg;
                        break;
                case ARG_TARGETS:
                        arg_targets = optarg;
                        break;
                case ARG_NOW:
                        if (tuf_time_parse(optarg, &arg_now) < 0)
                                return log_error_errno(-EINVAL, "--now '%s' is not an RFC 3339 time.",
                                                       optarg);
                        arg_now_set = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (!arg_root)
                return log_error_errno(-EINVAL, "--root is required.");
        if (arg_bundle && (arg_repo || arg_metadata || arg_targets))
                return log_error_errno(-EINVAL,
                                       "--bundle excludes --repo, --metadata-dir and --targets-dir.");
        if (!arg_bundle && !arg_repo && !(arg_metadata && arg_targets))
                return log_error_errno(-EINVAL,
                                       "--repo is required (or --bundle, or both --metadata-dir and "
                                       "--targets-dir).");
        arg_paths = argv + optind;
        arg_n_paths = argc - optind;
        return 1;
}

static bool is_url(const char *s) {
        return strneq(s, "http://", 7) || strneq(s, "https://", 8) || strneq(s, "file://", 7);
}

/* The first n bytes of s followed by suffix, in a new string. */
static char *strndup_suffix(const char *s, size_t n, const char *suffix) {
        char *p;

        if (asprintf(&p, "%.*s%s", (int) n, s, suffix) < 0)
                return NULL;
        return p;
}

static int make_fetcher(TufFetcher **ret, char **ret_error) {
        _cleanup_free_ char *metadata = NULL, *targets = NULL;
        size_t n = arg_repo ? strlen(arg_repo) : 0;

        if (arg_bundle)
                return tuf_fetcher_bundle_new(arg_bundle, ret, ret_error);
        /* "https://host/repo/" and "https://host/repo" name the same repository. */
        while (n > 1 && arg_repo[n - 1] == '/')
                n--;
        metadata = arg_metadata ? strdup(arg_metadata) : strndup_suffix(arg_repo, n, "/metadata");
        targets = arg_targets ? strdup(arg_targets) : strndup_suffix(arg_repo, n, "/targets");
        if (!metadata || !targets)
                return -ENOMEM;
        if (is_url(metadata) != is_url(targets))
                return log_error_errno(-EINVAL,
                                       "Metadata and targets must both be URLs or both directories.");
        if (is_url(metadata))
                return tuf_fetcher_curl_new(metadata, targets, ret, ret_error);
        return tuf_fetcher_dir_new(metadata, targets, ret, ret_error);
}

/* Keeps the targets of list that the bundle f carries (all of them for other fetchers). */
static int carried(TufClient *c, const TufFetcher *f, const TufTarget **list, size_t *n) {
        size_t k = 0;

        for (size_t i = 0; i < *n; i++) {
                _cleanup_free_ char *name = NULL;

                if (tuf_client_target_filename(c, list[i], &name) < 0)
                        return -ENOMEM;
                if (tuf_fetcher_bundle_has(f, TUF_AREA_TARGETS, name))
                        list[k++] = list[i];
        }
        *n = k;
        return 0;
}

/* The targets to check: those named on the command line, or every one the repository lists (that the
 * bundle carries: a bundle of one version lists every version). */
static int select_targets(TufClient *c, const TufFetcher *f, const TufTarget ***ret, size_t *ret_n,
                          char **ret_error) {
        _cleanup_free_ const TufTarget **named = NULL;
        int r;

        if (arg_n_paths == 0) {
                r = tuf_client_list_targets(c, &named, ret_n, ret_error);
                if (r >= 0)
                        r = carried(c, f, named, ret_n);
                if (r >= 0)
                        *ret = TAKE_PTR(named);
                return r;
        }
        named = calloc((size_t) arg_n_paths, sizeof(TufTarget *));
        if (!named)
                return -ENOMEM;
        for (int i = 0; i < arg_n_paths; i++) {
                r = tuf_client_find_target(c, arg_paths[i], &named[i], NULL, ret_error);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(named);
        *ret_n = (size_t) arg_n_paths;
        return 0;
}

/* Downloads and checks every target before printing any: the output is all verified, or nothing. */
static int verify_targets(TufClient *c, const TufFetcher *f, char **ret_error) {
        _cleanup_free_ const TufTarget **targets = NULL;
        _cleanup_free_ uint8_t(*sha256)[32] = NULL;
        size_t n = 0;
        int r;

        r = select_targets(c, f, &targets, &n, ret_error);
        if (r < 0)
                return r;
        sha256 = calloc(MAX(n, (size_t) 1), sizeof(*sha256));
        if (!sha256)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = tuf_client_fetch_target(c, targets[i], NULL, NULL, sha256[i], ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n; i++) {
                char hex[65];

                hex_encode(sha256[i], sizeof(sha256[i]), hex);
                printf("%s %" PRIu64 " %s\n", hex, targets[i]->length, targets[i]->path);
        }
        return fflush(stdout) == 0 ? 0 : -EIO;
}

static int run(char **ret_error) {
        _cleanup_(tuf_client_freep) TufClient *client = NULL;
        _cleanup_free_ char *root = NULL;
        TufFetcher *fetcher = NULL;
        size_t root_size;
        int r;

        r = read_full_file(arg_root, ROOT_MAX_SIZE, &root, &root_size);
        if (r < 0)
                return log_error_errno(r, "Failed to read the trusted root '%s': %m", arg_root);
        r = make_fetcher(&fetcher, ret_error);
        if (r < 0)
                return r;
        r = tuf_client_new(root, root_size, fetcher, NULL, &client, ret_error);
        if (r >= 0) {
                if (arg_now_set)
                        tuf_client_set_now(client, arg_now);
                r = tuf_client_refresh(client, ret_error);
        }
        if (r >= 0)
                r = verify_targets(client, fetcher, ret_error);
        client = tuf_client_free(client);
        tuf_fetcher_free(fetcher);
        return r;
}

int verb_verify(int argc, char *argv[]) {
        _cleanup_free_ char *why = NULL;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        r = run(&why);
        if (r < 0) {
                if (why)
                        log_error("refused: %s", why);
                else
                        log_error_errno(r, "refused: %m");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
