#!/bin/bash
# SPDX-License-Identifier: MIT
# Writes an SPDX 2.3 JSON software bill of materials for an image on stdout: Bulkhead itself plus every
# Debian package of the lock, with version, archive location, SHA256 and package URL.
# Usage: tools/write-sbom.sh VARIANT LOCKFILE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/variant.sh"
variant=${1:?usage: write-sbom.sh VARIANT LOCKFILE}
lock=${2:?usage: write-sbom.sh VARIANT LOCKFILE}
top=$(cd "$here/.." && pwd)
variant_load "$top/variants/$variant/variant.conf"

created=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}" +%Y-%m-%dT%H:%M:%SZ)
lock_sha=$(sha256sum "$lock" | cut -d' ' -f1)
spdxid() { echo "SPDXRef-Package-deb-$(echo "$1" | tr -c 'A-Za-z0-9.\n-' '-')"; }

printf '{\n  "spdxVersion": "SPDX-2.3",\n  "dataLicense": "CC0-1.0",\n  "SPDXID": "SPDXRef-DOCUMENT",\n'
printf '  "name": "bulkhead-%s-%s",\n' "$variant" "$VARIANT_version"
printf '  "documentNamespace": "https://bulkhead.invalid/spdx/%s/%s/%s",\n' "$variant" "$VARIANT_version" "$lock_sha"
printf '  "creationInfo": { "created": "%s", "creators": [ "Tool: bulkhead tools/write-sbom.sh" ] },\n' "$created"
printf '  "documentDescribes": [ "SPDXRef-Package-bulkhead" ],\n'
printf '  "packages": [\n'
printf '    { "name": "bulkhead", "SPDXID": "SPDXRef-Package-bulkhead", "versionInfo": "%s",\n' "$VARIANT_version"
printf '      "downloadLocation": "NOASSERTION", "filesAnalyzed": false, "supplier": "Organization: Bulkhead",\n'
printf '      "licenseConcluded": "MIT", "licenseDeclared": "MIT", "copyrightText": "NOASSERTION" }'
while read -r name version sha file; do
        arch=${file##*_}
        arch=${arch%.deb}
        printf ',\n    { "name": "%s", "SPDXID": "%s", "versionInfo": "%s",\n' "$name" "$(spdxid "$name")" "$version"
        printf '      "downloadLocation": "https://deb.debian.org/debian/%s", "filesAnalyzed": false,\n' "$file"
        printf '      "supplier": "Organization: Debian", "licenseConcluded": "NOASSERTION",\n'
        printf '      "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",\n'
        printf '      "checksums": [ { "algorithm": "SHA256", "checksumValue": "%s" } ],\n' "$sha"
        printf '      "externalRefs": [ { "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",\n'
        printf '                          "referenceLocator": "pkg:deb/debian/%s@%s?arch=%s&distro=bookworm" } ] }' \
                "$name" "${version//:/%3A}" "$arch"
done < <(grep -v '^#' "$lock")
printf '\n  ],\n  "relationships": [\n'
printf '    { "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Package-bulkhead" }'
while read -r name _; do
        printf ',\n    { "spdxElementId": "SPDXRef-Package-bulkhead", "relationshipType": "CONTAINS", "relatedSpdxElement": "%s" }' "$(spdxid "$name")"
done < <(grep -v '^#' "$lock")
printf '\n  ]\n}\n'
