/* SPDX-License-Identifier: MIT */
/* bulkhead-repo: creates and maintains the TUF repository that Bulkhead nodes update from
 * (docs/decisions/0009-update-repository.md). Verbs parse here; the work is in repo-*.c. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "macro.h"
#include "repo-verbs.h"

enum {
        OPT_DIR = 1u << 0,
        OPT_TYPE = 1u << 1,
        OPT_REPO = 1u << 2,
        OPT_KEYS = 1u << 3,
        OPT_NEW_KEYS = 1u << 4,
        OPT_EXPIRES = 1u << 5,
        OPT_CONSISTENT = 1u << 6,
        OPT_VERSION = 1u << 7,
        OPT_IMAGE_DIR = 1u << 8,
        OPT_VARIANT = 1u << 9,
        OPT_WAVES = 1u << 10,
        OPT_COMPRESS = 1u << 11,
        OPT_RELEASED = 1u << 12,
        OPT_ROLE = 1u << 13,
        OPT_DAYS = 1u << 14,
        OPT_NOW = 1u << 15,
        OPT_OUT = 1u << 16,
};

static const struct {
        const char *name;
        int (*run)(const Args *a);
        unsigned allowed, required;
} verbs[] = {
        { "keys-create", verb_keys_create, OPT_DIR | OPT_TYPE, OPT_DIR },
        { "init", verb_init, OPT_REPO | OPT_KEYS | OPT_EXPIRES | OPT_CONSISTENT | OPT_WAVES | OPT_NOW,
          OPT_REPO | OPT_KEYS },
        { "add", verb_add,
          OPT_REPO | OPT_VERSION | OPT_IMAGE_DIR | OPT_VARIANT | OPT_WAVES | OPT_COMPRESS | OPT_RELEASED |
                  OPT_NOW | OPT_KEYS,
          OPT_REPO | OPT_VERSION | OPT_IMAGE_DIR },
        { "sign", verb_sign, OPT_REPO | OPT_KEYS | OPT_EXPIRES | OPT_NOW, OPT_REPO | OPT_KEYS },
        { "refresh", verb_sign, OPT_REPO | OPT_KEYS | OPT_EXPIRES | OPT_NOW, OPT_REPO | OPT_KEYS },
        { "rotate-root", verb_rotate_root,
          OPT_REPO | OPT_KEYS | OPT_NEW_KEYS | OPT_DAYS | OPT_EXPIRES | OPT_NOW,
          OPT_REPO | OPT_KEYS | OPT_NEW_KEYS },
        { "expire", verb_expire, OPT_REPO | OPT_KEYS | OPT_ROLE | OPT_DAYS | OPT_NOW,
          OPT_REPO | OPT_KEYS | OPT_ROLE | OPT_DAYS },
        { "bundle", verb_bundle, OPT_REPO | OPT_OUT | OPT_VERSION | OPT_VARIANT | OPT_NOW,
          OPT_REPO | OPT_OUT },
};

static const struct option options[] = {
        { "dir", required_argument, NULL, OPT_DIR },
        { "type", required_argument, NULL, OPT_TYPE },
        { "repo", required_argument, NULL, OPT_REPO },
        { "keys", required_argument, NULL, OPT_KEYS },
        { "new-keys", required_argument, NULL, OPT_NEW_KEYS },
        { "expires", required_argument, NULL, OPT_EXPIRES },
        { "expires-days", required_argument, NULL, OPT_EXPIRES },
        { "consistent-snapshot", no_argument, NULL, OPT_CONSISTENT },
        { "version", required_argument, NULL, OPT_VERSION },
        { "image-dir", required_argument, NULL, OPT_IMAGE_DIR },
        { "variant", required_argument, NULL, OPT_VARIANT },
        { "waves", required_argument, NULL, OPT_WAVES },
        { "compress", required_argument, NULL, OPT_COMPRESS },
        { "released", required_argument, NULL, OPT_RELEASED },
        { "role", required_argument, NULL, OPT_ROLE },
        { "days", required_argument, NULL, OPT_DAYS },
        { "now", required_argument, NULL, OPT_NOW },
        { "out", required_argument, NULL, OPT_OUT },
        { "help", no_argument, NULL, 'h' },
        {},
};

static void help(void) {
        printf("Usage: bulkhead-repo VERB [OPTIONS...]\n\n"
               "Creates and maintains a TUF 1.0 repository of Bulkhead images.\n\n"
               "  keys create --dir DIR [--type ed25519|ecdsa|rsa]\n"
               "                 One private key per role (DIR/<role>.pem, PKCS#8, mode 0600); prints the\n"
               "                 public keys\n"
               "  init --repo DIR --keys DIR [--expires ROLE=DAYS]... [--consistent-snapshot] [--waves "
               "H,...]\n"
               "                 Writes 1.root.json and empty targets, snapshot and timestamp\n"
               "  add --repo DIR --version V --image-dir DIR [--variant NAME] [--waves H,...]\n"
               "      [--compress lz4|zstd|xz|none] [--released RFC3339]\n"
               "                 Stores an image version's targets and stages them with its manifest entry\n"
               "  sign|refresh --repo DIR --keys DIR [--expires ROLE=DAYS]...\n"
               "                 Publishes what is staged and new snapshot and timestamp versions\n"
               "  rotate-root --repo DIR --keys DIR --new-keys DIR [--days N]\n"
               "                 Writes N+1.root.json with the new keys, signed by the old and new root "
               "keys\n"
               "  expire --repo DIR --keys DIR --role ROLE --days N\n"
               "                 Publishes a new version of ROLE that expires in N days (may be "
               "negative)\n"
               "  bundle --repo DIR --out FILE [--version V] [--variant NAME]\n"
               "                 The published repository, or one version of it, as a ustar archive for\n"
               "                 'update --bundle' on nodes without a network\n\n"
               "     --now RFC3339  Take this as the current time (for reproducible repositories and "
               "tests)\n"
               "  -h --help         Show this help\n"
               "     --version      Show the version (before the verb)\n");
}

static int parse_role(const char *s, TufRoleType *ret) {
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++)
                if (streq(s, tuf_role_type_name((TufRoleType) t))) {
                        *ret = (TufRoleType) t;
                        return 0;
                }
        return log_error_errno(-EINVAL, "'%s' is not a role (root, targets, snapshot, timestamp)", s);
}

static int parse_days(const char *what, const char *s, int64_t *ret) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        /* A hundred years either way: anything beyond is a typo, and it keeps the arithmetic in range. */
        if (errno || end == s || *end || v < -36500 || v > 36500)
                return log_error_errno(-EINVAL, "%s: '%s' is not a number of days", what, s);
        *ret = v;
        return 0;
}

static int parse_expires(const char *s, Args *a) {
        _cleanup_free_ char *role = NULL;
        const char *eq = strchr(s, '=');
        TufRoleType t;
        int r;

        if (!eq)
                return log_error_errno(-EINVAL, "--expires: expected ROLE=DAYS, got '%s'", s);
        role = strndup(s, (size_t) (eq - s));
        if (!role)
                return -ENOMEM;
        if ((r = parse_role(role, &t)) < 0)
                return r;
        return parse_days("--expires", eq + 1, &a->expires[t]);
}

static int parse_time(const char *what, const char *s, TufTime *ret) {
        if (tuf_time_parse(s, ret) < 0)
                return log_error_errno(-EINVAL, "%s: '%s' is not an RFC 3339 time", what, s);
        return 0;
}

static int parse_option(int c, const char *v, Args *a) {
        int r;

        switch (c) {
        case OPT_DIR:
                a->dir = v;
                return 0;
        case OPT_REPO:
                a->repo = v;
                return 0;
        case OPT_KEYS:
                a->keys = v;
                return 0;
        case OPT_NEW_KEYS:
                a->new_keys = v;
                return 0;
        case OPT_VERSION:
                a->version = v;
                return 0;
        case OPT_IMAGE_DIR:
                a->image_dir = v;
                return 0;
        case OPT_VARIANT:
                a->variant = v;
                return 0;
        case OPT_OUT:
                a->out = v;
                return 0;
        case OPT_WAVES:
                a->waves = v;
                return 0;
        case OPT_CONSISTENT:
                a->consistent = true;
                return 0;
        case OPT_EXPIRES:
                return parse_expires(v, a);
        case OPT_DAYS:
                return parse_days("--days", v, &a->days);
        case OPT_ROLE:
                return parse_role(v, &a->role);
        case OPT_NOW:
                return parse_time("--now", v, &a->now);
        case OPT_RELEASED:
                return parse_time("--released", v, &a->released);
        case OPT_TYPE:
                if (repo_key_type_from_string(v, &a->key_type) < 0)
                        return log_error_errno(-EINVAL, "--type: '%s' is not ed25519, ecdsa or rsa", v);
                return 0;
        case OPT_COMPRESS:
                r = compression_from_string(v, &a->compression);
                if (r == -EOPNOTSUPP)
                        return log_error_errno(r, "--compress: this build has no %s support", v);
                if (r < 0)
                        return log_error_errno(r, "--compress: '%s' is not lz4, zstd, xz or none", v);
                return 0;
        }
        return -EINVAL;
}

static const char *option_name(int c) {
        for (size_t i = 0; options[i].name; i++)
                if (options[i].val == c)
                        return options[i].name;
        return "?";
}

/* Returns <0 on a usage error, 0 after --help, 1 to run. */
static int parse_argv(int argc, char *argv[], unsigned allowed, unsigned required, Args *a) {
        unsigned seen = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                if (c == 'h') {
                        help();
                        return 0;
                }
                if (c == '?')
                        return -EINVAL;
                if (!(allowed & (unsigned) c))
                        return log_error_errno(-EINVAL, "%s does not take --%s (see --help)", argv[0],
                                               option_name(c));
                seen |= (unsigned) c;
                r = parse_option(c, optarg, a);
                if (r < 0)
                        return r;
        }
        if (optind < argc)
                return log_error_errno(-EINVAL, "%s: unexpected argument '%s'", argv[0], argv[optind]);
        for (size_t i = 0; options[i].name; i++)
                if ((required & (unsigned) options[i].val) && !(seen & (unsigned) options[i].val))
                        return log_error_errno(-EINVAL, "%s needs --%s", argv[0], options[i].name);
        a->compression_set = seen & OPT_COMPRESS;
        a->released_set = seen & OPT_RELEASED;
        a->days_set = seen & OPT_DAYS;
        return 1;
}

int main(int argc, char *argv[]) {
        Args a = { .key_type = REPO_KEY_ED25519, .now = tuf_time_now() };
        const char *verb;
        int r;

        log_set_program("bulkhead-repo");
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++)
                a.expires[t] = INT64_MIN;
        if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
                help();
                return argc < 2 ? EXIT_FAILURE : EXIT_SUCCESS;
        }
        if (streq(argv[1], "--version")) {
                printf("bulkhead-repo %s\n", BULKHEAD_VERSION);
                return EXIT_SUCCESS;
        }
        verb = argv[1];
        argc--;
        argv++;
        /* "keys create" is the one two-word verb. */
        if (streq(verb, "keys")) {
                if (argc < 2 || !streq(argv[1], "create")) {
                        log_error("Unknown verb 'keys %s'; did you mean 'keys create'?",
                                  argc > 1 ? argv[1] : "");
                        return EXIT_FAILURE;
                }
                verb = "keys-create";
                argc--;
                argv++;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verb, verbs[i].name))
                        continue;
                r = parse_argv(argc, argv, verbs[i].allowed, verbs[i].required, &a);
                if (r <= 0)
                        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
                return verbs[i].run(&a) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        }
        log_error("Unknown verb '%s'; see 'bulkhead-repo --help'.", verb);
        return EXIT_FAILURE;
}
