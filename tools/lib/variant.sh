# SPDX-License-Identifier: MIT
# Reads a variant definition (variants/NAME/variant.conf): "key = value" lines, '#' comments, trailing
# backslash continues a value. Every key must be known; each becomes VARIANT_<KEY> (dashes → underscores).

VARIANT_KEYS="name arch version packages initrd-modules units-enable kernel-cmdline esp-mib root-mib verity-mib data-mib"
VARIANT_NUMERIC="esp-mib root-mib verity-mib data-mib"

variant_load() {
        local file=$1 lineno=0 line key value pending="" start=0
        [ -f "$file" ] || die "variant definition '$file' not found"
        while IFS= read -r line || [ -n "$line" ]; do
                lineno=$((lineno + 1))
                line=${line%%#*}
                if [ -n "$pending" ]; then
                        pending="$pending ${line%\\}"
                else
                        [[ "$line" =~ ^[[:space:]]*$ ]] && continue
                        [[ "$line" =~ ^[[:space:]]*([a-z0-9-]+)[[:space:]]*=(.*)$ ]] ||
                                die "$file:$lineno: expected 'key = value'"
                        key=${BASH_REMATCH[1]}
                        pending=" ${BASH_REMATCH[2]%\\}"
                        start=$lineno
                        [[ " $VARIANT_KEYS " == *" $key "* ]] ||
                                die "$file:$lineno: unknown key '$key' (known: $VARIANT_KEYS)"
                fi
                [[ "$line" == *\\ ]] && continue
                value=$(echo $pending)
                pending=""
                [ -n "$value" ] || die "$file:$start: key '$key' has no value"
                if [[ " $VARIANT_NUMERIC " == *" $key "* ]] && ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
                        die "$file:$start: key '$key' must be a positive integer, got '$value'"
                fi
                printf -v "VARIANT_${key//-/_}" '%s' "$value"
        done <"$file"
        for key in $VARIANT_KEYS; do
                local var="VARIANT_${key//-/_}"
                [ -n "${!var:-}" ] || die "$file: required key '$key' is missing"
        done
        # VERSION=X.Y.Z builds the same variant as another version (update tests build two).
        if [ -n "${VERSION:-}" ]; then
                [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION='$VERSION' is not X.Y.Z"
                VARIANT_version=$VERSION
        fi
}
