/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "manifest.h"
#include "migration.h"
#include "repo-add.h"
#include "repo-json.h"
#include "repo-stage.h"

#define MIGRATIONS_FILE "migrations.txt"
#define MIGRATIONS_MAX  (1024 * 1024)

typedef struct Image {
        Repo *repo;
        const AddOptions *opts;
        char *variant;
        char *prefix;         /* "<variant>-<version>" */
        json_object *targets; /* the staged targets "signed" object */
        json_object *manifest;
        json_object *by_kind;         /* kind → target path, for the manifest */
        json_object *verity;          /* verity.env */
        json_object *migration_names; /* the names migrations.txt lists, each once */
} Image;

static void image_done(Image *img) {
        free(img->variant);
        free(img->prefix);
        json_object_put(img->targets);
        json_object_put(img->manifest);
        json_object_put(img->by_kind);
        json_object_put(img->verity);
        json_object_put(img->migration_names);
}

static json_object *custom_new(const Image *img, const char *kind) {
        _cleanup_(json_object_putp) json_object *c = json_object_new_object();

        if (!c || json_add_string(c, "variant", img->variant) < 0 ||
            json_add_string(c, "version", img->opts->version) < 0 || json_add_string(c, "kind", kind) < 0)
                return NULL;
        return TAKE_PTR(c);
}

/* Stores file name of the image directory as target <prefix>/<name><suffix>, listed under key in the
 * manifest, with custom (taken; "kind" is set). ret (may be NULL) receives what was stored. */
static int add_target(Image *img, const char *name, const char *key, Compression c, json_object *custom,
                      StoredTarget *ret) {
        _cleanup_(json_object_putp) json_object *entry = json_object_new_object(), *cust = custom;
        _cleanup_free_ char *src = NULL, *path = NULL;
        json_object *list, *hashes = json_object_new_object();
        StoredTarget st;
        int q;

        if (!entry || !cust || json_add(entry, "hashes", hashes) < 0 ||
            asprintf(&src, "%s/%s", img->opts->image_dir, name) < 0 ||
            asprintf(&path, "%s/%s%s", img->prefix, name, compression_suffix(c)) < 0)
                return log_oom();
        q = repo_store_target(img->repo, src, path, c, &st);
        if (q < 0)
                return q;
        if (c != COMPRESSION_NONE &&
            (json_add_string(cust, "compression", compression_name(c)) < 0 ||
             json_add_int(cust, "uncompressed_length", (int64_t) st.input_length) < 0 ||
             json_add_string(cust, "uncompressed_sha256", st.input_sha256) < 0))
                return log_oom();
        if (!json_object_object_get_ex(img->targets, "targets", &list) ||
            json_add_int(entry, "length", (int64_t) st.length) < 0 ||
            json_add_string(hashes, "sha256", st.sha256) < 0 ||
            json_add(entry, "custom", TAKE_PTR(cust)) < 0 || json_add(list, path, TAKE_PTR(entry)) < 0 ||
            (key && json_add_string(img->by_kind, key, path) < 0))
                return log_oom();
        log_info("%s: %" PRIu64 " bytes, sha256 %s", path, st.length, st.sha256);
        if (ret)
                *ret = st;
        return 0;
}

static int add_root(Image *img) {
        json_object *c = custom_new(img, "root");
        const char *hash = json_get_string(img->verity, "root_hash");

        if (!c || json_add_string(c, "verity_root_hash", hash) < 0) {
                json_object_put(c);
                return log_oom();
        }
        if (img->opts->compression == COMPRESSION_NONE)
                log_info("root.erofs: stored uncompressed (%s)",
                         compression_default() == COMPRESSION_NONE
                                 ? "this build has neither libzstd nor liblzma"
                                 : "--compress none");
        return add_target(img, "root.erofs", "root", img->opts->compression, c, NULL);
}

static int add_verity(Image *img) {
        json_object *c = custom_new(img, "verity");

        if (!c)
                return log_oom();
        /* Everything mkverity reported: the agent needs the salt and block counts to set up the device. */
        json_object_object_foreach(img->verity, key, value) {
                if (json_add(c, key, json_object_get(value)) < 0) {
                        json_object_put(c);
                        return log_oom();
                }
        }
        return add_target(img, "verity.img", "verity", COMPRESSION_NONE, c, NULL);
}

static int add_ukis(Image *img) {
        unsigned n = 0;

        for (const char *set = "ab"; *set; set++) {
                char name[16], key[16], s[2] = { *set, 0 };
                _cleanup_free_ char *src = NULL;
                json_object *c;
                int q;

                (void) snprintf_ok(name, "uki-%c.efi", *set);
                (void) snprintf_ok(key, "uki-%c", *set);
                if (asprintf(&src, "%s/%s", img->opts->image_dir, name) < 0)
                        return log_oom();
                if ((q = repo_file_exists(src)) <= 0) {
                        if (q < 0)
                                return q;
                        continue;
                }
                /* One UKI per partition set: its signed command line names that set's partitions. */
                c = custom_new(img, "uki");
                if (!c || json_add_string(c, "set", s) < 0) {
                        json_object_put(c);
                        return log_oom();
                }
                q = add_target(img, name, key, COMPRESSION_NONE, c, NULL);
                if (q < 0)
                        return q;
                n++;
        }
        if (n == 0)
                log_warning("warning: %s has no uki-a.efi or uki-b.efi: version %s ships no kernel",
                            img->opts->image_dir, img->opts->version);
        return 0;
}

/* Checks that the image carries a definition for name that a node can run: <image>/migrations/<name>.json,
 * parsed the way `migrate` parses it. A migration the nodes refuse would fail every boot of the version. */
static int check_definition(Image *img, const char *name) {
        _cleanup_free_ char *dir = NULL, *why = NULL;
        _cleanup_(migration_freep) Migration *m = NULL;
        int q;

        if (asprintf(&dir, "%s/" MANIFEST_MIGRATIONS_DIR, img->opts->image_dir) < 0)
                return log_oom();
        q = migration_load(dir, name, &m, &why);
        if (q < 0)
                return log_error_errno(q, "%s", why ?: "out of memory");
        for (size_t i = 0; i < json_object_array_length(img->migration_names); i++)
                if (streq(json_object_get_string(json_object_array_get_idx(img->migration_names, i)), name))
                        return 0;
        return json_append(img->migration_names, json_object_new_string(name)) < 0 ? log_oom() : 0;
}

/* Reads the image's migrations into the manifest before any file is stored, so that a bad line or a bad
 * definition leaves nothing behind. Returns 1 if the image has a migrations file. */
static int read_migrations(Image *img) {
        _cleanup_free_ char *path = NULL, *text = NULL, *why = NULL;
        ManifestMigration *m = NULL;
        size_t n = 0;
        int q;

        if (asprintf(&path, "%s/%s", img->opts->image_dir, MIGRATIONS_FILE) < 0 ||
            !(img->migration_names = json_object_new_array()))
                return log_oom();
        if ((q = repo_file_exists(path)) <= 0)
                return q;
        q = read_full_file(path, MIGRATIONS_MAX, &text, NULL);
        if (q < 0)
                return log_error_errno(q, "%s: cannot read: %m", path);
        q = manifest_migrations_parse(text, path, img->opts->version, &m, &n, &why);
        for (size_t i = 0; q >= 0 && i < n; i++)
                for (size_t j = 0; q >= 0 && j < m[i].n_names; j++)
                        q = check_definition(img, m[i].names[j]);
        if (q >= 0)
                q = manifest_add_migrations(img->manifest, img->variant, img->prefix, m, n, &why);
        manifest_migrations_free(m, n);
        if (q < 0)
                return why ? log_error_errno(q, "%s", why) : q;
        return 1;
}

/* migrations.txt, and each definition as a target of kind "migration" that says its name. */
static int add_migrations(Image *img) {
        json_object *c = custom_new(img, "migrations");
        int q;

        if (!c)
                return log_oom();
        q = add_target(img, MIGRATIONS_FILE, "migrations", COMPRESSION_NONE, c, NULL);
        for (size_t i = 0; q >= 0 && i < json_object_array_length(img->migration_names); i++) {
                const char *name =
                        json_object_get_string(json_object_array_get_idx(img->migration_names, i));
                _cleanup_free_ char *file = NULL;

                c = custom_new(img, "migration");
                if (!c || json_add_string(c, "name", name) < 0 ||
                    asprintf(&file, MANIFEST_MIGRATIONS_DIR "/%s.json", name) < 0) {
                        json_object_put(c);
                        return log_oom();
                }
                q = add_target(img, file, NULL, COMPRESSION_NONE, c, NULL);
        }
        return q;
}

/* A version is added once: its targets are immutable once clients may have fetched them. */
static int check_new(const Image *img) {
        json_object *list;
        size_t n = strlen(img->prefix);

        if (!json_object_object_get_ex(img->targets, "targets", &list))
                return log_error_errno(-EBADMSG, "%s: staged targets have no \"targets\" object",
                                       img->repo->dir);
        json_object_object_foreach(list, path, value) {
                (void) value;
                if (strneq(path, img->prefix, n) && path[n] == '/')
                        return log_error_errno(-EEXIST,
                                               "%s: version %s of variant %s is already in the repository",
                                               img->repo->dir, img->opts->version, img->variant);
        }
        return 0;
}

static int image_init(Image *img, Repo *r, const AddOptions *o) {
        _cleanup_free_ char *env = NULL;
        const char *slash;
        size_t n = strlen(o->image_dir);
        int q;

        img->repo = r;
        img->opts = o;
        while (n > 1 && o->image_dir[n - 1] == '/')
                n--;
        slash = memrchr(o->image_dir, '/', n);
        img->variant = o->variant ? strdup(o->variant)
                                  : strndup(slash ? slash + 1 : o->image_dir,
                                            n - (size_t) (slash ? slash + 1 - o->image_dir : 0));
        if (!img->variant)
                return log_oom();
        if (!manifest_name_valid(img->variant) || !manifest_name_valid(o->version))
                return log_error_errno(-EINVAL,
                                       "variant '%s' and version '%s' must be 1-%d of [A-Za-z0-9._+-]",
                                       img->variant, o->version, MANIFEST_NAME_MAX);
        if (asprintf(&img->prefix, "%s-%s", img->variant, o->version) < 0 ||
            asprintf(&env, "%s/verity.env", o->image_dir) < 0 || !(img->by_kind = json_object_new_object()))
                return log_oom();
        if ((q = verity_env_parse(env, &img->verity)) < 0 ||
            (q = repo_stage_load(r, &img->targets, &img->manifest)) < 0)
                return q;
        return check_new(img);
}

int repo_add_image(Repo *r, const AddOptions *o) {
        _cleanup_free_ ManifestWave *waves = NULL;
        _cleanup_free_ char *why = NULL;
        _cleanup_(image_done) Image img = {};
        ManifestVersion v;
        size_t n_waves;
        int q, has_migrations;

        q = manifest_waves_parse(o->waves, &waves, &n_waves, &why);
        if (q < 0)
                return log_error_errno(q, "--waves: %s", why ?: "out of memory");
        if ((q = image_init(&img, r, o)) < 0 || (q = has_migrations = read_migrations(&img)) < 0 ||
            (q = add_root(&img)) < 0 || (q = add_verity(&img)) < 0 || (q = add_ukis(&img)) < 0 ||
            (has_migrations && (q = add_migrations(&img)) < 0))
                return q;
        v = (ManifestVersion){ .variant = img.variant,
                               .version = o->version,
                               .released = o->released,
                               .targets = img.by_kind,
                               .waves = waves,
                               .n_waves = n_waves };
        q = manifest_add_version(img.manifest, &v, &why);
        if (q < 0)
                return log_error_errno(q, "%s: %s", r->dir, why ?: "out of memory");
        q = repo_stage_save(r, img.targets, img.manifest);
        if (q < 0)
                return q;
        log_info("staged %s (%zu waves); run 'bulkhead-repo sign' to publish", img.prefix, n_waves);
        return 0;
}
