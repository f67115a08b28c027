#!/usr/bin/env bash
# A two-member LXD cluster on this host, for the test that a cluster is one backend to the
# gateway. Each member is a daemon of its own (its own LXD_DIR) in a network namespace of its
# own, and the namespaces meet on a bridge, so members talk over a network as on two hosts:
#
#   host: bridge ecl-br 10.250.0.1/24
#   netns ecl1: member m1, https://10.250.0.11:8443, container cl-a
#   netns ecl2: member m2, https://10.250.0.12:8443, container cl-b
#
# The gateway's test client certificate, made by scripts/setup-https.sh, is trusted by the
# cluster, and the cluster certificate's fingerprint (every member serves that one certificate)
# is written to $TLS_DIR/cluster.sha256. The daemons of scripts/setup-daemons.sh are not touched.
# Every step is skipped when its result already exists; a lock keeps two runs apart.
set -euo pipefail

CLUSTER_DIR="${CLUSTER_DIR:-/var/lib/execgate-cluster}"
TLS_DIR="${TLS_DIR:-/var/lib/execgate-test/tls}"
IMAGE="${EXECGATE_CACHE:-/var/cache/execgate}/busybox-image.tar.gz"
MEMBERS=(m1 m2)
CONTAINERS=(cl-a cl-b)

[ "$(id -u)" = 0 ] || { echo "setup-cluster: must run as root" >&2; exit 1; }
for needed in "$IMAGE" "$TLS_DIR/client.crt"; do
  [ -f "$needed" ] || {
    echo "setup-cluster: $needed is missing; run scripts/setup-daemons.sh" >&2
    exit 1
  }
done

member_address() { echo "10.250.0.1${1#m}"; }
on() { local member=$1; shift; LXD_DIR="$CLUSTER_DIR/$member" "$@"; }

ensure_network() {
  ip link show ecl-br >/dev/null 2>&1 || ip link add ecl-br type bridge
  ip addr show dev ecl-br | grep -q '10\.250\.0\.1/' || ip addr add 10.250.0.1/24 dev ecl-br
  ip link set ecl-br up

  local member ns
  for member in "${MEMBERS[@]}"; do
    ns="ecl${member#m}"
    [ -e "/run/netns/$ns" ] || ip netns add "$ns"
    if ! ip link show "$ns-h" >/dev/null 2>&1; then
      ip link add "$ns-h" type veth peer name eth0 netns "$ns"
    fi
    ip link set "$ns-h" master ecl-br up
    ip netns exec "$ns" sh -c "ip addr show dev eth0 | grep -q '$(member_address "$member")/' ||
      ip addr add $(member_address "$member")/24 dev eth0"
    ip netns exec "$ns" ip link set eth0 up
    ip netns exec "$ns" ip link set lo up
  done
}

# nsenter --net, not `ip netns exec`: the latter also remounts /sys, which hides the cgroup
# hierarchy the daemon needs.
start_member() {
  local member=$1 dir="$CLUSTER_DIR/$1"
  on "$member" lxd waitready --timeout 1 >/dev/null 2>&1 && return 0

  mkdir -p "$dir"
  chmod 711 "$CLUSTER_DIR" "$dir"
  (cd / && LXD_DIR="$dir" setsid nohup nsenter --net="/run/netns/ecl${member#m}" \
    lxd --group root --logfile "$dir/lxd.log" </dev/null >>"$dir/lxd.log.stdout" 2>&1 &) 9>&-
  on "$member" lxd waitready --timeout 60 || {
    echo "setup-cluster: $member did not start; see $dir/lxd.log" >&2
    exit 1
  }
}

is_clustered() { on "$1" lxc info | grep -q '^  server_clustered: true'; }

bootstrap() {
  is_clustered m1 && return 0
  on m1 lxd init --preseed <<EOF
config:
  core.https_address: $(member_address m1):8443
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root: {path: /, pool: default, type: disk}
cluster:
  server_name: m1
  enabled: true
EOF
}

join() {
  local member=$1 token
  is_clustered "$member" && return 0

  # A token left by a join that failed half-way would make `cluster add` refuse the name.
  on m1 lxc cluster revoke-token "$member" >/dev/null 2>&1 || true
  token=$(on m1 lxc cluster add "$member" | tail -n 1)
  on "$member" lxd init --preseed <<EOF
cluster:
  enabled: true
  server_name: $member
  server_address: $(member_address "$member"):8443
  cluster_token: $token
  member_config: []
EOF
}

ensure_containers() {
  on m1 lxc image info busybox >/dev/null 2>&1 ||
    on m1 lxc image import "$IMAGE" --alias busybox >/dev/null

  local i name member
  for i in "${!CONTAINERS[@]}"; do
    name=${CONTAINERS[$i]}
    member=${MEMBERS[$i]}
    if ! on m1 lxc info "$name" >/dev/null 2>&1; then
      on m1 lxc init busybox "$name" --target "$member" >/dev/null 2>&1
    fi
    if [ "$(on m1 lxc list "^$name\$" -c s --format csv)" != RUNNING ]; then
      on m1 lxc start "$name"
    fi
  done
}

trust_client() {
  local crt="$TLS_DIR/client.crt" fingerprint
  fingerprint=$(openssl x509 -in "$crt" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : |
    tr 'A-F' 'a-f')
  on m1 lxc query "/1.0/certificates/$fingerprint" >/dev/null 2>&1 ||
    on m1 lxc config trust add "$crt" --name execgate-test

  on m1 lxc info | awk '$1 == "certificate_fingerprint:" { print $2 }' \
    >"$TLS_DIR/cluster.sha256"
}

main() {
  mkdir -p "$CLUSTER_DIR"
  # The member daemons are started with fd 9 closed, or they would hold the lock forever.
  exec 9>"$CLUSTER_DIR/.setup.lock"
  flock 9

  ensure_network
  local member
  for member in "${MEMBERS[@]}"; do start_member "$member"; done
  bootstrap
  for member in "${MEMBERS[@]:1}"; do join "$member"; done
  ensure_containers
  trust_client
  echo "setup-cluster: members m1, m2 on https://10.250.0.11:8443, https://10.250.0.12:8443"
}

main "$@"
