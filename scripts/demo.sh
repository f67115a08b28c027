#!/usr/bin/env bash
# Starts execgate on localhost:2222 against a local LXD demo container (c1) and prints the ssh
# line to try. Run as root on Debian 12; Ctrl-C stops the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=0 DAEMONS=lxd IMAGES=busybox bash scripts/setup-daemons.sh >/dev/null
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent

mkdir -p .demo config
[ -f .demo/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -C execgate-demo -f .demo/id_ed25519
touch config/authorized_keys
grep -qF "$(cut -d' ' -f2 .demo/id_ed25519.pub)" config/authorized_keys ||
  cat .demo/id_ed25519.pub >>config/authorized_keys

cat <<EOT

execgate is starting on localhost:2222 against container c1. In another terminal, try:

  ssh -i .demo/id_ed25519 -o StrictHostKeyChecking=accept-new -p 2222 c1@localhost

Add your own public keys to config/authorized_keys to log in without -i.

EOT
exec bin/execgate --listen 127.0.0.1:2222 --backend /var/lib/lxd/unix.socket
