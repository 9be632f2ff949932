#!/usr/bin/env bash
# Build the test-host base image localhost/systempay-odoo-testhost:bookworm.
#
# No registry is reachable, so the image is made from Debian packages:
#   debootstrap --variant=minbase bookworm  ->  tar  ->  podman import
# The result boots systemd (/sbin/init) and carries everything the scenarios
# need, so every scenario shares one image and none installs packages.
#
# Cached: nothing is done when the image exists and carries the label
# systempay.recipe equal to the sha256 of this file (edit the recipe -> rebuild).
# FORCE=1 rebuilds anyway. Needs root, debootstrap and podman.
set -euo pipefail

IMAGE="${IMAGE:-localhost/systempay-odoo-testhost:bookworm}"
SUITE=bookworm
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/tests/containers.conf}"

RECIPE="$(sha256sum "$HERE/build.sh" | cut -c1-16)"

# One build at a time on this machine (several make runs may ask at once).
exec 9>/var/tmp/systempay-testhost.lock
flock 9

if [ "${FORCE:-0}" != 1 ] && podman image exists "$IMAGE"; then
    have="$(podman image inspect --format '{{ index .Labels "systempay.recipe" }}' "$IMAGE" 2>/dev/null || true)"
    if [ "$have" = "$RECIPE" ]; then
        echo "image: $IMAGE is up to date (recipe $RECIPE)"
        exit 0
    fi
    echo "image: $IMAGE was built from another recipe (${have:-none}), rebuilding"
fi

# Packages in the image. Debian's own; Recommends are not installed.
PACKAGES=(
    # boot and manage
    systemd systemd-sysv dbus iproute2 procps sudo less
    # Ansible's needs on the managed host
    python3 python3-apt acl
    # what the payment addon imports beside Odoo (ground truth 9), as on a host where Odoo runs it
    python3-setuptools python3-requests
    # what the scenarios use: reverse proxy, TLS, HTTP probes, archives, sqlite
    nginx openssl ssl-cert ca-certificates curl sqlite3 unzip
    # the database server Odoo needs, and the driver the stand-in (as Odoo) connects with: Debian's packages;
    # postgresql's maintainer script creates the cluster 15/main (socket /var/run/postgresql, peer for local users)
    postgresql python3-psycopg2
)

# Mirror: the first Debian URI the host's apt uses (same registry as the host).
MIRROR="${MIRROR:-}"
if [ -z "$MIRROR" ]; then
    MIRROR="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
fi
if [ -z "$MIRROR" ]; then
    MIRROR="$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

WORK="$(mktemp -d /var/tmp/systempay-testhost.XXXXXX)"
cleanup() { rm -rf --one-file-system "$WORK"; }
trap cleanup EXIT
ROOTFS="$WORK/rootfs"

start=$(date +%s)
echo "image: debootstrap $SUITE from $MIRROR into $ROOTFS"
include="$(IFS=,; echo "${PACKAGES[*]}")"
if ! debootstrap --variant=minbase --include="$include" "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
    tail -n 40 "$WORK/debootstrap.log" >&2
    [ -f "$ROOTFS/debootstrap/debootstrap.log" ] && tail -n 40 "$ROOTFS/debootstrap/debootstrap.log" >&2
    echo "image: debootstrap failed" >&2
    exit 1
fi

# --- systemd in a container ---------------------------------------------------
# Units that fail or make no sense without real hardware/ttys; masked so the
# boot reaches a clean "running" state and `systemctl is-system-running` is
# meaningful. apt timers are masked so no apt lock appears in the middle of a test.
MASK=(
    getty@tty1.service getty-static.service console-getty.service serial-getty@.service
    systemd-remount-fs.service systemd-firstboot.service systemd-udevd.service
    systemd-udev-trigger.service systemd-modules-load.service systemd-sysctl.service
    systemd-hwdb-update.service systemd-random-seed.service systemd-pstore.service
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount
    sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount
    apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service
    fstrim.timer man-db.timer dpkg-db-backup.timer
)
for unit in "${MASK[@]}"; do
    ln -sfn /dev/null "$ROOTFS/etc/systemd/system/$unit"
done
# Services installed with the image start only when a scenario asks for them; PostgreSQL starts at boot, as on a
# host where Odoo runs (Debian enables it).
rm -f "$ROOTFS/etc/systemd/system/multi-user.target.wants/nginx.service"
if [ ! -f "$ROOTFS/var/lib/postgresql/15/main/PG_VERSION" ]; then
    echo "image: no PostgreSQL cluster 15/main after debootstrap" >&2
    exit 1
fi
systemctl --root="$ROOTFS" set-default multi-user.target >/dev/null

# Each container gets its own machine id at boot.
: >"$ROOTFS/etc/machine-id"
rm -f "$ROOTFS/var/lib/dbus/machine-id"

# apt sources as on the host (so a scenario may still apt-get if it must).
rm -f "$ROOTFS/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$ROOTFS/etc/apt/sources.list.d/" 2>/dev/null || true
[ -f /etc/apt/sources.list ] && [ -s /etc/apt/sources.list ] && cp /etc/apt/sources.list "$ROOTFS/etc/apt/sources.list"

# No caches, no docs in the image.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
       "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* \
       "$ROOTFS"/var/log/*.log "$ROOTFS"/debootstrap
mkdir -p "$ROOTFS/var/lib/apt/lists/partial"

echo "image: importing as $IMAGE"
# Importing over the tag leaves containers of the previous image running (never `image rm -f`);
# the previous image is dropped afterwards only if no container uses it.
previous="$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
tar --numeric-owner --xattrs -C "$ROOTFS" -c . | podman import \
    --change 'CMD ["/sbin/init"]' \
    --change 'ENV container=podman' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'STOPSIGNAL SIGRTMIN+3' \
    --change "LABEL systempay.recipe=$RECIPE" \
    --message "systempay.odoo test host ($SUITE minbase, recipe $RECIPE)" \
    - "$IMAGE" >/dev/null
if [ -n "$previous" ]; then podman image rm "$previous" >/dev/null 2>&1 || true; fi
echo "image: built $IMAGE in $(( $(date +%s) - start )) s"
