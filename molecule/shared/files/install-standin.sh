#!/usr/bin/env bash
# Mechanical part of molecule/shared/prepare.yml, run on the test host in one go
# (one Ansible task instead of fifteen: each task over the podman connection
# costs about 1.5 s). Installs the stand-in from the bundle prepare.yml copied to
# /var/tmp/standin/bundle.tar, creates the databases and pre-installs the fixture addon.
# Every input comes from the environment prepare.yml sets (STANDIN_*).
set -euo pipefail

BUNDLE_DIR=/var/tmp/standin
user="$STANDIN_USER"
owner="$STANDIN_CODE_OWNER"

install -d -o "$owner" -g "$owner" -m 0755 "$STANDIN_CODE_PARENT"
install -d -o "$user" -g "$user" -m 0755 "$STANDIN_DATA_DIR" "$STANDIN_LOG_DIR" "$(dirname "$STANDIN_DB_DIR")"
install -d -o "$user" -g "$user" -m 0700 "$STANDIN_DB_DIR"
if [ -n "${STANDIN_CUSTOM_ADDONS:-}" ]; then
    install -d -o "$user" -g "$user" -m 0755 "$STANDIN_CUSTOM_ADDONS"
fi

# The bundle: odoo/ (the package), odoo-bin, odoo.conf, odoo.service, and the fixture addon zip if any.
rm -rf "$BUNDLE_DIR/odoo"
tar -xf "$BUNDLE_DIR/bundle.tar" -C "$BUNDLE_DIR" --no-same-owner

# Config file (owned by the service user, as the admin's would be) and systemd unit.
install -d -m 0755 "$(dirname "$STANDIN_CONF")"
install -o "$user" -g "$user" -m 0640 "$BUNDLE_DIR/odoo.conf" "$STANDIN_CONF"
install -o root -g root -m 0644 "$BUNDLE_DIR/odoo.service" "/etc/systemd/system/$STANDIN_UNIT"

# The odoo package and the entry script.
rm -rf "$STANDIN_CODE_PARENT/odoo"
cp -r "$BUNDLE_DIR/odoo" "$STANDIN_CODE_PARENT/odoo"
chown -R "$owner:$owner" "$STANDIN_CODE_PARENT/odoo"
install -o "$owner" -g "$owner" -m 0755 "$BUNDLE_DIR/odoo-bin" "$STANDIN_BIN"

# The series the stand-in claims (odoo/release.py derives everything from version_info).
major="${STANDIN_SERIES%%.*}"
minor="${STANDIN_SERIES#*.}"
sed -i "s/^version_info = .*/version_info = ($major, $minor, 0, 'final', 0, '')/" "$STANDIN_CODE_PARENT/odoo/release.py"
grep -q "^version_info = ($major, $minor, " "$STANDIN_CODE_PARENT/odoo/release.py"

# PostgreSQL as Odoo's packages prepare it (setup/debian/postinst: `createuser -d -R -S odoo` as postgres): a role
# named after the service user, allowed to create databases, which reaches the server on its Unix socket by peer
# authentication. With db_password in the config, the role gets that password (TCP, scram-sha-256 in Debian's pg_hba).
for _ in $(seq 1 120); do pg_isready -q && break; sleep 0.5; done
pg_isready -q || { echo "standin: PostgreSQL does not answer on its socket" >&2; exit 1; }
if [ -z "$(runuser -u postgres -- psql -XtAc "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" ]; then
    runuser -u postgres -- createuser -d -R -S "$user"
fi
if [ -n "${STANDIN_DB_PASSWORD:-}" ] && [ "$STANDIN_DB_PASSWORD" != False ]; then
    # read by psql from its environment (\getenv), so the password is on no process's command line
    printf '%s\n' '\getenv pw STANDIN_DB_PASSWORD' "ALTER ROLE \"$user\" PASSWORD :'pw';" |
        runuser -u postgres -- psql -Xq -v ON_ERROR_STOP=1
fi

odoo() { runuser -u "$user" -- "$STANDIN_BIN" -c "$STANDIN_CONF" "$@"; }

# Databases: "name=mod1,mod2 name2=mod3" (one word per database).
for spec in $STANDIN_DATABASES; do
    echo "standin: creating database ${spec%%=*} with ${spec#*=}"
    odoo -d "${spec%%=*}" -i "${spec#*=}" --stop-after-init --without-demo=all
done

# Fixture addon: unzip into <data_dir>/addons/<series>, install it in every database.
if [ -n "${STANDIN_ADDON_ZIP:-}" ]; then
    zip="$BUNDLE_DIR/$STANDIN_ADDON_ZIP"
    module="$(unzip -Z1 "$zip" | awk -F/ 'NR == 1 {print $1}')"  # awk reads it all: no SIGPIPE
    target="$STANDIN_DATA_DIR/addons/$STANDIN_SERIES"
    install -d -o "$user" -g "$user" -m 0755 "$STANDIN_DATA_DIR/addons" "$target"
    rm -rf "${target:?}/$module"
    unzip -oq "$zip" -d "$target"
    chown -R "$user:$user" "$target/$module"
    for spec in $STANDIN_DATABASES; do
        echo "standin: installing $module in ${spec%%=*}"
        odoo -d "${spec%%=*}" -i "$module" --stop-after-init
    done
fi
