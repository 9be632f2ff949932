#!/usr/bin/env bash
# Install the host packages the test equipment needs, when missing.
# Idempotent and quick when everything is there (one dpkg-query).
#   podman + runc (crun fails on these machines), netavark/aardvark-dns (DNS on
#   named networks), debootstrap (the test-host image), uidmap & co., postgresql
#   (the Odoo stand-in's own tests start a throwaway cluster with its initdb).
set -euo pipefail

PACKAGES=(
    podman runc conmon netavark aardvark-dns iptables catatonit
    uidmap slirp4netns fuse-overlayfs
    debootstrap debian-archive-keyring wget ca-certificates
    make tar unzip
    shellcheck
    postgresql
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [ "$status" = installed ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "bootstrap: host packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo -n"
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# runc listed explicitly so apt never picks crun for podman's "crun | runc".
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done"
