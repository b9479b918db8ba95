/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tuf-error.h"
#include "update-esp.h"
#include "update-install.h"
#include "update-migrations.h"
#include "update-repo.h"
#include "update-verbs.h"

static void help(void) {
        printf("Usage: update apply --root FILE --repo DIR|URL|--bundle FILE --variant V --current-version "
               "X\n"
               "                    --current-set a|b --esp DIR --disk DEV|FILE [OPTIONS...]\n\n"
               "Installs a version into the inactive partition set: root image and verity tree written and\n"
               "verified, then the set's UKI placed on the ESP with boot tries. Without --version, the\n"
               "version \"update check\" would report (--skip-version counts only then).\n\n"
               "     --version V             Install this version\n"
               "     --allow-downgrade       Allow a version not newer than the current one\n"
               "     --current-set a|b       The set this node runs from; the other one is written\n"
               "     --disk DEV|FILE         The boot disk (partitions found by GPT name)\n"
               "     --root-dev PATH         The inactive root partition, instead of looking on --disk\n"
               "     --verity-dev PATH       The inactive verity partition, likewise\n"
               "     --esp DIR               The mounted ESP\n"
               "     --migrations-dir DIR    Where to leave the settings migrations between the\n"
               "                             two versions (default " UPDATE_MIGRATIONS_DIR ")\n"
               "     (and the options of update check)\n"
               "  -h --help                  Show this help\n");
}

/* The manifest entry to install: the one named, or the one check would offer. 0 if there is none. */
static int pick(const UpdateArgs *a, json_object *manifest, json_object **ret, char **ret_error) {
        UpdatePolicy p;
        int r, order;

        if (!a->version) {
                r = update_policy_from_args(a, &p, ret_error);
                return r < 0 ? r : update_select(manifest, &p, ret, ret_error);
        }
        *ret = update_manifest_find(manifest, a->variant, a->version);
        if (!*ret)
                return tuf_error(ret_error, -ENOENT, "the repository has no version %s of %s", a->version,
                                 a->variant);
        if (update_version_compare_str(a->version, a->current_version, &order) < 0)
                return tuf_error(ret_error, -EINVAL, "'%s' or '%s' is not a semantic version", a->version,
                                 a->current_version);
        /* Going back loses what newer versions migrated; it has to be asked for. */
        if (order <= 0 && !a->allow_downgrade)
                return tuf_error(ret_error, -EPERM,
                                 "version %s is not newer than the running %s (use --allow-downgrade)",
                                 a->version, a->current_version);
        return 1;
}

static int open_partitions(const UpdateArgs *a, char set, UpdatePartition *root, UpdatePartition *verity,
                           char **ret_error) {
        int r;

        if (a->root_dev)
                r = update_partition_open_whole(a->root_dev, root, ret_error);
        else
                r = update_partition_open_gpt(a->disk, update_root_partition_name(set), root, ret_error);
        if (r < 0)
                return r;
        if (a->verity_dev)
                return update_partition_open_whole(a->verity_dev, verity, ret_error);
        return update_partition_open_gpt(a->disk, update_verity_partition_name(set), verity, ret_error);
}

/* The UKI's download to its temporary name, on a thread of its own. */
typedef struct UkiJob {
        UpdateRepo *repo;
        const UpdateArgs *a;
        const UpdateImage *img;
        char set;
        UpdateStagedUki staged;
        char *error;
        int r;
} UkiJob;

static void *uki_job_main(void *userdata) {
        UkiJob *j = userdata;

        j->r = update_esp_stage_uki(j->repo, j->img->uki, j->a->esp, j->img->version, j->set, j->a->esp_free,
                                    &j->staged, &j->error);
        return NULL;
}

/* Starts the UKI's download to its temporary name, which runs while the partitions are written and checked:
 * the UKI waits for the repository and the ESP, the partitions mostly for the CPU and their device. */
static int uki_job_start(UkiJob *j, pthread_t *ret, char **ret_error) {
        int r;

        j->staged = (UpdateStagedUki) UPDATE_STAGED_UKI_NULL;
        r = -pthread_create(ret, NULL, uki_job_main, j);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot start the UKI download: %s", strerror(-r));
        return 0;
}

/* Waits for the UKI's download. r is how writing and checking the partitions went: a failed check is
 * reported before a failed download. The UKI is only staged: it is placed (renamed, which makes the set
 * bootable) after every check. */
static int uki_job_finish(UkiJob *j, pthread_t t, int r, UpdateStagedUki *ret, char **ret_error) {
        _cleanup_free_ char *error = NULL;

        (void) pthread_join(t, NULL);
        error = TAKE_PTR(j->error);
        if (r < 0) {
                update_staged_uki_done(&j->staged);
                return r;
        }
        if (j->r < 0)
                return tuf_error(ret_error, j->r, "%s", error ?: strerror(-j->r));
        *ret = j->staged;
        return 0;
}

/* Partitions first, UKI last: the UKI is what makes a set bootable, so its final name appears only once
 * the set it names holds verified bytes (decision 0010). */
static int apply(const UpdateArgs *a, UpdateRepo *repo, json_object *manifest, json_object *entry, char set,
                 char **ret_error) {
        _cleanup_(update_partition_done) UpdatePartition root = UPDATE_PARTITION_NULL,
                                                         verity = UPDATE_PARTITION_NULL;
        _cleanup_(update_staged_uki_done) UpdateStagedUki uki = UPDATE_STAGED_UKI_NULL;
        _cleanup_(update_install_freep) UpdateInstall *in = NULL;
        char booting[UPDATE_VERSION_MAX + 1];
        UkiJob job = { .repo = repo, .a = a, .set = set };
        UpdateImage img;
        pthread_t t;
        int r, order;

        if ((r = update_image_resolve(repo, entry, set, &img, ret_error)) < 0 ||
            (r = open_partitions(a, set, &root, &verity, ret_error)) < 0)
                return r;
        job.img = &img;
        /* The set's old UKIs name partitions about to change: none may stay bootable meanwhile. The
         * running set is the fallback, so it must not stay marked bad. */
        if ((r = update_esp_remove_set(a->esp, set, NULL, ret_error)) < 0 ||
            (r = update_esp_restore_set(a->esp, a->current_set, ret_error)) < 0 ||
            (r = update_esp_check_space(a->esp, img.uki->length, a->esp_free, ret_error)) < 0)
                return r;
        r = uki_job_start(&job, &t, ret_error);
        if (r < 0)
                return r;
        r = update_install_write(repo, &img, &root, &verity, &in, ret_error);
        if (r >= 0)
                r = update_install_verify(in, ret_error);
        r = uki_job_finish(&job, t, r, &uki, ret_error);
        if (r < 0)
                return r;
        r = update_record(a, UPDATE_STATE_STAGED, img.version, set, NULL);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot record the staged state");
        /* Before the UKI: the new version's first boot migrates the settings with these, and the old
         * version, booting again after a rollback, migrates them back. */
        r = update_migrations_stage(repo, manifest, img.variant, a->current_version, img.version,
                                    a->migrations_dir, ret_error);
        if (r < 0)
                return r;
        r = update_esp_place_uki(&uki, a->esp, ret_error);
        if (r < 0)
                return r;
        /* systemd-boot boots the newest version: going back (or reinstalling the same one) only boots if
         * the running set's UKIs stand aside, marked out of tries as by a rollback. Should the older
         * version fail its tries, every entry is then bad and the newest, the running one, boots again. */
        if (update_version_compare_str(img.version, a->current_version, &order) < 0)
                return tuf_error(ret_error, -EINVAL, "'%s' or '%s' is not a semantic version", img.version,
                                 a->current_version);
        if (order <= 0) {
                r = update_esp_rollback(a->esp, a->current_set, booting, ret_error);
                if (r < 0)
                        return r;
                if (!streq(booting, img.version))
                        return tuf_error(ret_error, -EBADMSG, "after the downgrade, %s would boot, not %s",
                                         booting, img.version);
        }
        return 0;
}

int verb_apply(int argc, char *argv[]) {
        _cleanup_(update_repo_freep) UpdateRepo *repo = NULL;
        _cleanup_free_ char *why = NULL;
        json_object *manifest, *entry = NULL;
        const char *version;
        UpdateArgs a;
        char set;
        int r;

        r = update_args_parse(argc, argv, NEED_REPO | NEED_SET | NEED_ESP | NEED_DISK, help, &a);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        set = a.current_set == 'a' ? 'b' : 'a';
        if ((r = update_repo_open_args(&a, &repo, &why)) < 0 ||
            (r = update_repo_manifest(repo, &manifest, &why)) < 0 ||
            (r = pick(&a, manifest, &entry, &why)) < 0)
                return update_fail(&a, r, why);
        if (r == 0) {
                printf("up-to-date\n");
                return EXIT_SUCCESS;
        }
        version = json_object_get_string(json_object_object_get(entry, "version"));
        r = apply(&a, repo, manifest, entry, set, &why);
        if (r < 0)
                return update_fail(&a, r, why);
        if (update_record(&a, UPDATE_STATE_READY, version, set, NULL) < 0)
                return EXIT_FAILURE;
        printf("ready %s %c\n", version, set);
        return EXIT_SUCCESS;
}
