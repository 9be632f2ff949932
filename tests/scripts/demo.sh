#!/usr/bin/env bash
# demo.sh up|down — one local test host with the collection applied (make demo / make demo-clean).
#
# up:   container systempay-demo (test-host image, systemd, network systempay-demo,
#       Odoo's 8069 published on 127.0.0.1:18069), prepared as a Debian-packaged Odoo 16.0
#       by molecule/shared/prepare.yml, then `ansible-playbook -i inventories/demo playbooks/site.yml`.
#       Re-running reuses the host. It stays up until `make demo-clean`.
# down: removes the container, and the network when nothing else uses it.
# The demo has its own network so that molecule, which deletes systempay-test at
# the end of every scenario, never trips over it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/tests/containers.conf}"

NAME=systempay-demo
NETWORK=systempay-demo
PORT=18069
IMAGE="${SYSTEMPAY_TESTHOST_IMAGE:-localhost/systempay-odoo-testhost:bookworm}"

down() {
    if podman container exists "$NAME"; then
        podman rm -f -t 10 "$NAME" >/dev/null
        echo "demo: removed $NAME"
    fi
    if podman network exists "$NETWORK" && [ -z "$(podman ps -aq --filter "network=$NETWORK")" ]; then
        podman network rm "$NETWORK" >/dev/null
        echo "demo: removed network $NETWORK"
    fi
}

up() {
    podman network exists "$NETWORK" || podman network create "$NETWORK" >/dev/null
    if ! podman container exists "$NAME"; then
        podman run -d --name "$NAME" --hostname "$NAME" --network "$NETWORK" \
            --systemd=always -p "127.0.0.1:$PORT:8069" "$IMAGE" >/dev/null
        echo "demo: started $NAME"
    else
        podman start "$NAME" >/dev/null
        echo "demo: reusing $NAME"
    fi
    # Wait for systemd to finish booting.
    podman exec "$NAME" systemctl is-system-running --wait >/dev/null || true

    local inventory=inventories/demo
    if [ -z "$(find "$inventory" -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.ini' -o -name hosts \) 2>/dev/null)" ]; then
        echo "demo: WARNING $inventory has no inventory file yet; using a generated one (build/demo/inventory.yml)" >&2
        mkdir -p build/demo
        printf 'all:\n  children:\n    odoo:\n      hosts:\n        %s:\n          ansible_connection: containers.podman.podman\n' "$NAME" \
            >build/demo/inventory.yml
        inventory=build/demo/inventory.yml
    fi

    echo "demo: preparing the Odoo stand-in (molecule/shared/prepare.yml)"
    ansible-playbook -i "$inventory" -e @molecule/shared/vars/demo.yml molecule/shared/prepare.yml

    if [ -f playbooks/site.yml ]; then
        echo "demo: applying the collection (playbooks/site.yml)"
        ansible-playbook -i "$inventory" playbooks/site.yml
    else
        echo "demo: WARNING playbooks/site.yml does not exist yet, nothing applied" >&2
    fi

    summary
}

summary() {
    local base="http://127.0.0.1:$PORT" version ipn
    version="$(curl -sS -X POST -H 'Content-Type: application/json' \
        -d '{"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}' "$base/web/webclient/version_info" || true)"
    ipn="$(curl -sS -o /dev/null -w '%{http_code}' "$base/payment/systempay/ipn" || true)"
    cat <<SUMMARY

==================== demo ====================
host        $NAME (podman container, network $NETWORK)
Odoo        $base   (stand-in, Debian layout, database shop1)
version     $version
IPN route   GET $base/payment/systempay/ipn -> $ipn  (405 = the addon's route is served; 404 = addon not installed)

look at:    curl -i $base/payment/systempay/ipn
            curl -s -X POST -H 'Content-Type: application/json' -d '{"jsonrpc": "2.0", "method": "call", "params": {}}' $base/web/webclient/version_info
shell:      CONTAINERS_CONF=$CONTAINERS_CONF podman exec -it $NAME bash
re-apply:   make demo        remove: make demo-clean
==============================================
SUMMARY
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
