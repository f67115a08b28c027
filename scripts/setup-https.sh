#!/usr/bin/env bash
# Makes the daemons that scripts/setup-daemons.sh started also listen on HTTPS, for the tests of
# `--backend https://...`: LXD on 127.0.0.1:8443, Incus on 127.0.0.1:8444. Every step is skipped
# when its result already exists.
#
# Writes, in $TLS_DIR (default /var/lib/execgate-test/tls):
#   client.crt, client.key        the gateway's client certificate, trusted by both daemons
#   untrusted.crt, untrusted.key  a second certificate that neither daemon trusts
#   lxd.sha256, incus.sha256      each daemon's server certificate fingerprint, as the gateway
#                                 pins it (SHA-256 of the DER, lowercase hex)
#
#   scripts/setup-https.sh                        both daemons
#   DAEMONS=lxd scripts/setup-https.sh
source "$(dirname "$0")/strict.sh"

DAEMONS="${DAEMONS:-lxd incus}"
TLS_DIR="${TLS_DIR:-/var/lib/execgate-test/tls}"

[ "$(id -u)" = 0 ] || { echo "setup-https: must run as root" >&2; exit 1; }

daemon_cli() { [ "$1" = lxd ] && echo lxc || echo incus; }
# Incus would default to 8443 as well; both daemons run on this one host.
https_address() { [ "$1" = lxd ] && echo 127.0.0.1:8443 || echo 127.0.0.1:8444; }

# An EC P-384 self-signed certificate, the key type the lxc and incus clients make themselves.
make_certificate() {
  local name=$1
  [ -s "$TLS_DIR/$name.crt" ] && [ -s "$TLS_DIR/$name.key" ] && return 0

  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -days 3650 \
    -subj "/CN=execgate-test-$name" -keyout "$TLS_DIR/$name.key.tmp" \
    -out "$TLS_DIR/$name.crt.tmp" 2>/dev/null
  chmod 600 "$TLS_DIR/$name.key.tmp"
  mv "$TLS_DIR/$name.key.tmp" "$TLS_DIR/$name.key"
  mv "$TLS_DIR/$name.crt.tmp" "$TLS_DIR/$name.crt"
}

# The daemons name a certificate by the SHA-256 of its DER, in lowercase hex.
fingerprint() {
  openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr 'A-F' 'a-f'
}

listen_https() {
  local cli=$1 address=$2
  [ "$("$cli" config get core.https_address)" = "$address" ] && return 0
  "$cli" config set core.https_address "$address"
}

# `lxc config trust add FILE` (LXD 5.0) and `incus config trust add-certificate FILE` (Incus 6)
# do the same POST /1.0/certificates; a certificate already trusted would make them fail.
trust_certificate() {
  local cli=$1 crt=$2
  "$cli" query "/1.0/certificates/$(fingerprint "$crt")" >/dev/null 2>&1 && return 0
  if [ "$cli" = lxc ]; then
    lxc config trust add "$crt" --name execgate-test
  else
    incus config trust add-certificate "$crt" --name execgate-test
  fi
}

# The daemon's own word on the certificate it serves; it is server.crt unless the daemon is a
# cluster member, which serves cluster.crt.
write_server_fingerprint() {
  local cli=$1 name=$2
  "$cli" info | awk '$1 == "certificate_fingerprint:" { print $2 }' >"$TLS_DIR/$name.sha256.tmp"
  [ -s "$TLS_DIR/$name.sha256.tmp" ] ||
    { echo "setup-https: $cli info shows no certificate_fingerprint" >&2; exit 1; }
  mv "$TLS_DIR/$name.sha256.tmp" "$TLS_DIR/$name.sha256"
}

main() {
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  make_certificate client
  make_certificate untrusted

  local name cli
  for name in $DAEMONS; do
    cli=$(daemon_cli "$name")
    listen_https "$cli" "$(https_address "$name")"
    trust_certificate "$cli" "$TLS_DIR/client.crt"
    write_server_fingerprint "$cli" "$name"
    echo "setup-https: $name on https://$(https_address "$name"), trusts $TLS_DIR/client.crt"
  done
}

main "$@"
