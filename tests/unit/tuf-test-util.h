/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>

#include "tuf.h"

/* Helpers for the TUF tests: fixtures from the shared test data, temporary copies of repositories to
 * tamper with, and re-signing of metadata with the fixtures' private keys. They abort the test on any
 * failure of their own. */

/* <testdata>/tuf/<rel>, from BULKHEAD_TESTDATA (set by meson). Returns a static buffer. */
const char *tuf_testdata(const char *rel);

typedef struct TestRepo {
        char dir[PATH_MAX];
        char metadata[PATH_MAX];
        char targets[PATH_MAX];
} TestRepo;

/* Copies <fixture>/metadata and <fixture>/targets into a new temporary directory. */
void repo_copy(TestRepo *r, const char *fixture);
/* Creates an empty repository layout in a new temporary directory. */
void repo_empty(TestRepo *r);
void repo_remove(TestRepo *r);

/* metadata/<file> of the repository, and its parsed JSON (the caller puts it). */
const char *repo_path(const TestRepo *r, const char *file);
json_object *repo_load(const TestRepo *r, const char *file);
void repo_save(const TestRepo *r, const char *file, const json_object *doc);
void copy_file(const char *from, const char *to);

/* The "signed" object of a metadata document (borrowed). */
json_object *doc_signed(json_object *doc);
void doc_set_int(json_object *doc, const char *key, int64_t v);
void doc_set_string(json_object *doc, const char *key, const char *v);

/* Signs doc's "signed" with the PEM private key at key_path (ed25519, RSA-PSS or ECDSA P-256) under
 * keyid; replaces the signatures unless append. */
void doc_sign(json_object *doc, const char *key_path, const char *keyid, bool append);

/* Sets meta entry name of doc (a timestamp or snapshot) to version and, where the entry lists them,
 * recomputes length and hashes from the repository's file metadata/<file>. */
void doc_set_meta(json_object *doc, const char *name, int64_t version, const TestRepo *r, const char *file);

/* One run of the client workflow over a repository. */
typedef struct Verify {
        const char *root;                                 /* trusted root.json path */
        const char *metadata, *targets;                   /* directories */
        const char *now;                                  /* RFC 3339; default 2025-01-01T00:00:00Z */
        const char *trusted_timestamp, *trusted_snapshot; /* paths, optional */
        const char *target;                               /* only this target; NULL: all */
        bool curl;                                        /* fetch through file:// URLs */
        size_t n_verified;                                /* out: targets verified */
} Verify;

/* Runs it; returns 0 or the negative errno, and the refusal in *ret_error (free it). */
int verify_run(Verify *v, char **ret_error);

/* Asserts that v is refused with an error containing needle; prints the message. */
void verify_refused(Verify *v, const char *needle);
/* Asserts that v verifies (printing the refusal if not) and returns the number of verified targets. */
size_t verify_ok(Verify *v);

/* The python-tuf fixture repository (RSA root; ed25519 timestamp, snapshot, targets and delegation keys)
 * in a temporary copy, with a Verify set up for it. */
typedef enum TestKey {
        KEY_ROOT,
        KEY_TIMESTAMP,
        KEY_SNAPSHOT,
        KEY_TARGETS,
        KEY_DELEGATION,
} TestKey;

const char *key_path(TestKey k);
const char *key_id(TestKey k);

typedef struct Fixture {
        TestRepo repo;
        char root[PATH_MAX];
        Verify v;
} Fixture;

void fixture_setup(Fixture *f);
void fixture_teardown(Fixture *f);

/* Signs doc with key k (replacing its signatures) and saves it as metadata/<file>. Saving snapshot.json
 * also updates timestamp.json's length and hashes for it and re-signs timestamp, so that only what a test
 * means to break is broken. */
void resign(Fixture *f, const char *file, json_object *doc, TestKey k);

/* Saves doc outside the repository as <dir>/<name> and returns the path in buf. */
const char *save_outside(Fixture *f, const char *name, json_object *doc, char buf[static PATH_MAX]);

/* Root editing: the ed25519 public key of KEY_DELEGATION, a key object, root's "keys" (borrowed), the keyids
 * and threshold of a top-level role, and KEY_DELEGATION added to root's keys. */
#define ED25519_DELEGATION_PUBLIC "fcf224e55fa226056adf113ef1eb3d55e308b75b321c8c8316999d8c4fd9e0d9"
json_object *key_object(const char *keytype, const char *scheme, const char *public);
json_object *root_keys(json_object *root);
void root_set_role(json_object *root, const char *role, const char *const *keyids, int threshold);
void add_delegation_key(json_object *root);
