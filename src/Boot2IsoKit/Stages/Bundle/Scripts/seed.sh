#!/bin/sh
# seed.sh - put this bundle's boot2docker.iso into docker-machine's ISO cache, so that
# 'docker-machine create' uses it without internet access. Part of a Boot2IsoKit bundle.
#
# Usage: sh seed.sh [-s DIR | --storage-path DIR]
#
# It finds the store like docker-machine (--storage-path, then MACHINE_STORAGE_PATH, then
# $HOME/.docker/machine), verifies SHA256SUMS before touching anything, keeps any cached ISO as
# cache/boot2docker.iso.<UTC time>.bak, and replaces the ISO with an atomic rename.
# Needs a POSIX sh (dash, busybox sh, bash), sha256sum or shasum, mkdir, cp, mv, date and rm
# (rm only removes this script's own temporary files).
set -eu

me=seed.sh
die() {
    printf '%s: %s\n' "$me" "$*" >&2
    exit 1
}

usage() {
    printf 'Usage: sh seed.sh [-s DIR | --storage-path DIR]\n'
    printf 'Seeds boot2docker.iso into docker-machine'\''s cache (DIR/cache, default $MACHINE_STORAGE_PATH or $HOME/.docker/machine).\n'
}

storage=
while [ $# -gt 0 ]; do
    case $1 in
        -s | --storage-path)
            [ $# -ge 2 ] || die "$1 needs a directory"
            storage=$2
            shift 2
            ;;
        --storage-path=*)
            storage=${1#*=}
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

# The bundle is the directory this script is in.
case $0 in
    */*) bundle=${0%/*} ;;
    *) bundle=. ;;
esac
bundle=$(cd "$bundle" && pwd) || die "cannot enter the bundle directory"
[ -f "$bundle/boot2docker.iso" ] || die "$bundle/boot2docker.iso is missing"
[ -f "$bundle/SHA256SUMS" ] || die "$bundle/SHA256SUMS is missing"

if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$@"; }
elif command -v shasum >/dev/null 2>&1; then
    sha256() { shasum -a 256 "$@"; }
else
    die "neither sha256sum nor shasum is installed: cannot verify the ISO, nothing was changed"
fi

# 1. Verify the bundle before anything is written.
if ! result=$(cd "$bundle" && sha256 -c SHA256SUMS 2>&1); then
    printf '%s\n' "$result" >&2
    die "the bundle does not match SHA256SUMS (damaged download?): nothing was changed"
fi
expected=
while read -r sum name || [ -n "${sum:-}" ]; do
    case $name in
        boot2docker.iso | \*boot2docker.iso) expected=$sum ;;
    esac
done <"$bundle/SHA256SUMS"
[ -n "$expected" ] || die "SHA256SUMS has no line for boot2docker.iso: nothing was changed"

# 2. Find the store the way docker-machine does.
if [ -n "$storage" ]; then
    store=$storage
elif [ -n "${MACHINE_STORAGE_PATH:-}" ]; then
    store=$MACHINE_STORAGE_PATH
elif [ -n "${HOME:-}" ]; then
    store=$HOME/.docker/machine
else
    die "HOME is not set: pass --storage-path DIR"
fi
case $store in
    /*) ;;
    *) store=$(pwd)/$store ;;
esac
while [ "$store" != / ] && [ "${store%/}" != "$store" ]; do store=${store%/}; done
default_store=
[ -n "${HOME:-}" ] && default_store=$HOME/.docker/machine
cache=$store/cache

# 3. Create the store and the cache (docker-machine creates cache/ with mode 0700).
[ -d "$store" ] || mkdir -p -m 0700 "$store" || die "cannot create $store"
[ -d "$cache" ] || mkdir -m 0700 "$cache" || die "cannot create $cache"

tmp=$cache/.boot2docker.iso.$$.tmp
backup_tmp=$cache/.boot2docker.iso.$$.bak.tmp
record_tmp=$cache/.boot2docker.iso.$$.json.tmp
trap 'rm -f "$tmp" "$backup_tmp" "$record_tmp"' EXIT
trap 'exit 1' HUP INT TERM

# 4. Copy into the cache directory under a temporary name and check the copy.
cp "$bundle/boot2docker.iso" "$tmp" || die "cannot copy the ISO into $cache"
copied=$(sha256 "$tmp") || die "cannot hash $tmp"
[ "${copied%% *}" = "$expected" ] || die "the copy in $cache does not match SHA256SUMS (disk full?): the cached ISO was not changed"

# 5. Keep the current ISO (and its record) as a backup that is never overwritten; the same bytes
#    seeded again need no second copy.
backup=
current=
[ ! -f "$cache/boot2docker.iso" ] || current=$(sha256 "$cache/boot2docker.iso") || current=
if [ -e "$cache/boot2docker.iso" ] && [ "${current%% *}" != "$expected" ]; then
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    backup=boot2docker.iso.$stamp.bak
    n=1
    while [ -e "$cache/$backup" ]; do
        n=$((n + 1))
        backup=boot2docker.iso.$stamp.$n.bak
    done
    cp "$cache/boot2docker.iso" "$backup_tmp" || die "cannot back up $cache/boot2docker.iso: nothing was changed"
    mv "$backup_tmp" "$cache/$backup" || die "cannot back up $cache/boot2docker.iso: nothing was changed"
    if [ -e "$cache/boot2docker.iso.b2ik.json" ]; then
        cp "$cache/boot2docker.iso.b2ik.json" "$backup_tmp" && mv "$backup_tmp" "$cache/$backup.b2ik.json" ||
            die "cannot back up $cache/boot2docker.iso.b2ik.json"
    fi
fi

# 6. The atomic replace: a rename within one directory.
mv -f "$tmp" "$cache/boot2docker.iso" || die "cannot rename $tmp to $cache/boot2docker.iso"

# 7. Record what was seeded: the bundle's manifest, when, and the backup.
label_version=unknown
{
    printf '{\n  "seededBy": "seed.sh",\n  "seededAt": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    if [ -n "$backup" ]; then printf '  "backup": "%s",\n' "$backup"; else printf '  "backup": null,\n'; fi
    printf '  "manifest": '
    first=1
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            *'"labelVersion": "v19.03.12"'*) label_version=upstream ;;
            *'"labelVersion": null'*) label_version=none ;;
            *'"labelVersion": "'*) label_version=other ;;
        esac
        if [ "$first" = 1 ]; then printf '%s\n' "$line"; else printf '  %s\n' "$line"; fi
        first=0
    done <"$bundle/manifest.json"
    printf '}\n'
} >"$record_tmp" || die "cannot write the seed record"
mv -f "$record_tmp" "$cache/boot2docker.iso.b2ik.json" || die "cannot write $cache/boot2docker.iso.b2ik.json"

# 8. Explain what docker-machine will do, and print the create commands.
# docker-machine opens url.Parse(x).Path: escape what Go would read as an escape, query or fragment.
url_path() {
    rest=$1
    out=
    while [ -n "$rest" ]; do
        c=${rest%"${rest#?}"}
        rest=${rest#?}
        case $c in
            %) out=$out%25 ;;
            '#') out=$out%23 ;;
            '?') out=$out%3F ;;
            ' ') out=$out%20 ;;
            *) out=$out$c ;;
        esac
    done
    printf '%s' "$out"
}

# Single-quotes a word for sh when it needs it.
quote() {
    case $1 in
        '' | *[!A-Za-z0-9_./:%=+,@-]*) ;;
        *)
            printf '%s' "$1"
            return
            ;;
    esac
    rest=$1
    out=
    while [ -n "$rest" ]; do
        c=${rest%"${rest#?}"}
        rest=${rest#?}
        if [ "$c" = "'" ]; then out="$out'\\''"; else out=$out$c; fi
    done
    printf "'%s'" "$out"
}

url=file://$(url_path "$cache/boot2docker.iso")
dm=docker-machine
[ "$store" = "$default_store" ] || dm="docker-machine -s $(quote "$store")"

printf 'Seeded %s\n' "$cache/boot2docker.iso"
[ -z "$backup" ] || printf 'The previous ISO is kept as %s\n' "$cache/$backup"
printf '\n'
case $label_version in
    upstream) printf 'Its label carries boot2docker'\''s last release tag v19.03.12, so a default create keeps it online and offline.\n' ;;
    none) printf 'docker-machine cannot read a version from its label: a default create fails offline and replaces it online. Use the commands with a boot2docker URL.\n' ;;
    *) printf 'A default create keeps it while GitHub is unreachable, but REPLACES it with upstream'\''s ISO when api.github.com answers\n(its label differs from the upstream tag v19.03.12). The commands with a boot2docker URL never ask GitHub.\n' ;;
esac
printf '\nDefault create (uses the cache):\n  %s create -d virtualbox default\n' "$dm"
printf '\nCreate from the seeded file (never contacts GitHub):\n'
printf '  %s create -d virtualbox --virtualbox-boot2docker-url %s default\n' "$dm" "$(quote "$url")"
printf '  %s create -d vmwarefusion --vmwarefusion-boot2docker-url %s default   (macOS)\n' "$dm" "$(quote "$url")"
printf '  %s create -d vmwarevsphere --vmwarevsphere-boot2docker-url %s default   (plus vCenter options)\n' "$dm" "$(quote "$url")"
printf 'or set VIRTUALBOX_BOOT2DOCKER_URL, FUSION_BOOT2DOCKER_URL or VSPHERE_BOOT2DOCKER_URL to %s\n' "$(quote "$url")"
