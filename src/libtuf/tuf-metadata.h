/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "tuf-hash.h"
#include "tuf-key.h"
#include "tuf-time.h"

/* TUF 1.0 metadata, parsed strictly: every field has its JSON type checked and its value bounded before
 * use, unknown fields are kept (they are covered by the signatures through the canonical form). */

typedef enum TufRoleType {
        TUF_ROLE_ROOT,
        TUF_ROLE_TIMESTAMP,
        TUF_ROLE_SNAPSHOT,
        TUF_ROLE_TARGETS,
        _TUF_ROLE_TYPE_MAX,
        TUF_ROLE_ANY = -1, /* for tuf_metadata_parse(): take the type from "_type" */
} TufRoleType;

/* Bounds on what one document may make us allocate or check. */
#define TUF_MAX_KEYS        256
#define TUF_MAX_SIGNATURES  256
#define TUF_MAX_DELEGATIONS 1024
#define TUF_MAX_PATHS       1024
#define TUF_MAX_NAME        255

typedef struct TufKeyring {
        TufKey *keys;
        size_t n_keys;
} TufKeyring;

/* Who may sign a role: a threshold of distinct keys among keyids. */
typedef struct TufRoleKeys {
        char **keyids;
        size_t n_keyids;
        uint64_t threshold;
} TufRoleKeys;

/* An entry of timestamp's or snapshot's "meta": what the named metadata file must be. */
typedef struct TufMetaFile {
        char *name; /* "snapshot.json", "targets.json", "role1.json" */
        uint64_t version;
        bool has_length;
        uint64_t length;
        TufHashes hashes; /* possibly none */
} TufMetaFile;

typedef struct TufTarget {
        char *path;
        const char *listed_by; /* the file of the role that lists it (borrowed from the TufMetadata) */
        uint64_t length;
        TufHashes hashes; /* at least one */
} TufTarget;

typedef struct TufDelegation {
        char *name;
        TufRoleKeys keys;
        bool terminating;
        bool hash_prefixes; /* patterns are path_hash_prefixes, not paths */
        char **patterns;
        size_t n_patterns;
} TufDelegation;

typedef struct TufSignature {
        char *keyid;
        uint8_t *sig;
        size_t size;
} TufSignature;

typedef struct TufMetadata {
        char *file; /* how messages name this document, e.g. "snapshot.json" */
        TufRoleType type;
        uint64_t version;
        TufTime expires;
        char *expires_text;

        void *raw; /* the document as fetched, for callers that persist it */
        size_t raw_size;
        char *canonical; /* canonical JSON of "signed": what the signatures cover */
        size_t canonical_size;
        TufSignature *signatures;
        size_t n_signatures;

        /* root */
        bool consistent_snapshot;
        TufRoleKeys roles[_TUF_ROLE_TYPE_MAX];
        /* root: all keys; targets: the delegation keys */
        TufKeyring keys;

        /* timestamp (exactly snapshot.json) and snapshot (targets.json and delegated roles) */
        TufMetaFile *meta;
        size_t n_meta;

        /* targets (sorted by path) */
        TufTarget *targets;
        size_t n_targets;
        TufDelegation *delegations;
        size_t n_delegations;
} TufMetadata;

const char *tuf_role_type_name(TufRoleType t);

/* Parses one metadata document. expected is the role type the caller asked for (or TUF_ROLE_ANY); file
 * names it in messages. Does not check signatures, versions against others, or expiry.
 * Returns 0, -EBADMSG (message in *ret_error) or -ENOMEM. */
int tuf_metadata_parse(const void *data, size_t size, TufRoleType expected, const char *file,
                       TufMetadata **ret, char **ret_error);
TufMetadata *tuf_metadata_free(TufMetadata *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(TufMetadata *, tuf_metadata_free);

/* Counts the distinct keys of role (looked up in keys) with a valid signature on m: signatures by
 * keyids the role does not list are ignored, a key listed twice or under two keyids counts once.
 * Returns 0 if at least role->threshold keys signed, else -EPERM with "<file>: signed by N of the T keys
 * required for <role_name>"; -ENOMEM. */
int tuf_metadata_verify(const TufMetadata *m, const TufKeyring *keys, const TufRoleKeys *role,
                        const char *role_name, char **ret_error);

/* The meta entry named name, or NULL. */
const TufMetaFile *tuf_metadata_meta(const TufMetadata *m, const char *name);
/* The target at path listed directly by m, or NULL. */
const TufTarget *tuf_metadata_target(const TufMetadata *m, const char *path);
/* The key with keyid in ring, or NULL. */
const TufKey *tuf_keyring_find(const TufKeyring *ring, const char *keyid);

/* Whether the role lists the same keys with the same threshold in both. */
bool tuf_role_keys_equal(const TufRoleKeys *a, const TufRoleKeys *b);

/* Parts shared by the per-type parsers (tuf-metadata-*.c). */
int tuf_parse_keyring(const char *file, json_object *o, TufKeyring *ret, char **ret_error);
int tuf_parse_role_keys(const char *file, const char *role, json_object *o, const TufKeyring *keys,
                        TufRoleKeys *ret, char **ret_error);
void tuf_role_keys_done(TufRoleKeys *r);
void tuf_keyring_done(TufKeyring *k);
int tuf_parse_root(TufMetadata *m, json_object *signed_, char **ret_error);
int tuf_parse_meta(TufMetadata *m, json_object *signed_, char **ret_error);
int tuf_parse_targets(TufMetadata *m, json_object *signed_, char **ret_error);
