#!/usr/bin/env bash
# demo.sh up|down|probe-fail — one local test host with the collection applied (make demo / make demo-clean /
# make demo-probe-fail).
#
# up:   container systempay-demo (test-host image, systemd, network systempay-demo,
#       Odoo's 8069 published on 127.0.0.1:18069), prepared as a Debian-packaged Odoo 16.0
#       by molecule/shared/prepare.yml, then `ansible-playbook -i inventories/demo playbooks/site.yml` (the whole
#       job: addon, module in shop1, provider settings in test mode, web.base.url, IPN probe, report in
#       build/demo/report/), then a summary read from that report. Re-running reuses the host (a no-op run).
#       It stays up until `make demo-clean`. DEMO_ARGS: extra ansible-playbook arguments.
# probe-fail: adds database shop2 and runs playbooks/probe.yml: the two-database diagnosis and its fix.
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

    # Prepared once per host: preparing again would rewrite odoo.conf and restart Odoo, and the second run of the
    # collection would not be the no-op it must be.
    if podman exec "$NAME" test -e /var/lib/systempay-demo.prepared; then
        echo "demo: $NAME is prepared already (make demo-clean to start from a fresh host)"
    else
        echo "demo: preparing the Odoo stand-in (molecule/shared/prepare.yml)"
        ansible-playbook -i "$inventory" -e @molecule/shared/vars/demo.yml molecule/shared/prepare.yml
        podman exec "$NAME" touch /var/lib/systempay-demo.prepared
    fi

    echo "demo: applying the collection (playbooks/site.yml, log in build/demo/site.log)"
    mkdir -p build/demo
    rm -f build/demo/report/systempay-odoo-report.json
    local rc=0 extra=()
    read -r -a extra <<<"${DEMO_ARGS:-}"
    ansible-playbook -i "$inventory" playbooks/site.yml "${extra[@]}" 2>&1 | tee build/demo/site.log || rc=$?
    summary
    return "$rc"
}

summary() {
    local base="http://127.0.0.1:$PORT" report=build/demo/report/systempay-odoo-report.json
    echo
    echo "==================== demo ===================="
    echo "host        $NAME (podman container, network $NETWORK), Odoo stand-in (Debian layout, 16.0) at $base"
    if [ -f "$report" ]; then
        python3 tests/scripts/demo_summary.py "$report" build/demo/site.log
    else
        echo "report      none written: the run stopped before its report (see build/demo/site.log)"
    fi
    cat <<SUMMARY

run again:  make demo          (the second run changes nothing: changed=0, no restart, the same verdicts)
a failure:  make demo-probe-fail
            (adds a second database, shop2: with two databases and no dbfilter, Odoo cannot tell which one a
             notification is for, and the probe says so and how to fix it)
look at:    curl -i $base/payment/systempay/ipn
shell:      CONTAINERS_CONF=$CONTAINERS_CONF podman exec -it $NAME bash
remove:     make demo-clean
==============================================
SUMMARY
}

# A second shop database on the demo host, then the probe alone: the two-database diagnosis and its fix.
probe_fail() {
    podman container exists "$NAME" || { echo "demo: run make demo first" >&2; exit 2; }
    echo "demo: creating database shop2 on $NAME (as a hosting provider adds a shop), with Odoo's own CLI"
    podman exec "$NAME" runuser -u odoo -- odoo -c /etc/odoo/odoo.conf -d shop2 -i website_sale \
        --stop-after-init --without-demo=all >/dev/null
    echo "demo: probing (playbooks/probe.yml, ipn_probe_policy=warn: report, do not fail)"
    ansible-playbook -i inventories/demo playbooks/probe.yml -e ipn_probe_policy=warn -e report_dir= 2>&1 \
        | tee build/demo/probe-fail.log | grep -E 'OK|NOT_FOUND|Fix:|note:' | sed -e 's/^ *"//' -e 's/",\?$//' || true
    cat <<FIX

fix it:     make demo DEMO_ARGS='-e addon_dbfilter=^shop1\$'
            (the addon role writes dbfilter = ^shop1$ in odoo.conf and restarts Odoo; the probe then says OK)
start over: make demo-clean && make demo
FIX
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    probe-fail) probe_fail ;;
    *) echo "usage: $0 up|down|probe-fail" >&2; exit 2 ;;
esac
