#!/usr/bin/env bash
# Test equipment of the molecule scenario ipn, run on the test host by prepare.yml after nginx's config is in place:
#   - a test CA, a certificate it signs for the host's address (the https side of the 301 variant) and a
#     self-signed one (the TLS variant); the host trusts the test CA through its system store;
#   - the basic-auth password file;
#   - an upstream that accepts connections and never answers (python3, a unit of its own);
#   - shop1's web.base.url set to the clean proxy, as an admin logging in through it would leave it;
#   - nginx checked, enabled and started.
# Environment: IPN_ADDRESS (the host's address on the podman network), IPN_TLS_DIR, IPN_CLEAN_PORT,
# IPN_SILENT_PORT, IPN_SHOP (database whose web.base.url is set).
set -euo pipefail

dir=$IPN_TLS_DIR
mkdir -p "$dir"
cd "$dir"

openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=systempay.odoo ipn test CA" \
    -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=$IPN_ADDRESS" -keyout shop.key -out shop.csr 2>/dev/null
printf 'subjectAltName=IP:%s\n' "$IPN_ADDRESS" > shop.ext
openssl x509 -req -in shop.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 -extfile shop.ext \
    -out shop.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=$IPN_ADDRESS" \
    -addext "subjectAltName=IP:$IPN_ADDRESS" -keyout selfsigned.key -out selfsigned.pem 2>/dev/null
chmod 0600 ./*.key
cp ca.pem /usr/local/share/ca-certificates/systempay-ipn-test-ca.crt
update-ca-certificates >/dev/null

# nginx reads {PLAIN} passwords as they are; the platform never sends any.
printf 'staging:{PLAIN}not-for-the-platform\n' > htpasswd
chown root:www-data htpasswd
chmod 0640 htpasswd

cat > /etc/systemd/system/ipn-silent-upstream.service <<UNIT
[Unit]
Description=An upstream that accepts connections and never answers (molecule scenario ipn)

[Service]
ExecStart=/usr/bin/python3 -c "import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $IPN_SILENT_PORT)); s.listen(128); time.sleep(10 ** 9)"

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now ipn-silent-upstream.service >/dev/null 2>&1

cd /
printf '%s\n' \
    "env['ir.config_parameter'].set_param('web.base.url', 'http://$IPN_ADDRESS:$IPN_CLEAN_PORT')" \
    "env.cr.commit()" \
    | runuser -u odoo -- /usr/bin/odoo shell -c /etc/odoo/odoo.conf -d "$IPN_SHOP" --no-http >/dev/null 2>&1

nginx -t 2>/dev/null
systemctl enable nginx.service >/dev/null 2>&1
systemctl restart nginx.service
