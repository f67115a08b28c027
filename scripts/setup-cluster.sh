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
# CLUSTER_REBUILD=1 discards the members and their containers first and builds them anew.
source "$(dirname "$0")/strict.sh"

CLUSTER_DIR="${CLUSTER_DIR:-/var/lib/execgate-cluster}"
TLS_DIR="${TLS_DIR:-/var/lib/execgate-test/tls}"
IMAGE="${EXECGATE_CACHE:-/var/cache/execgate}/busybox-image.tar.gz"
MEMBERS=(m1 m2)
CONTAINERS=(cl-a cl-b)

# A failure can come without a word of its own (a client whose output went to /dev/null): the
# members' own logs say what they saw, and a rebuild would remove them.
report_failure() {
  [ "$1" = 0 ] && return 0
  echo "setup-cluster: failed (exit $1)" >&2
  local log
  for log in "$CLUSTER_DIR"/m*/lxd.log; do
    [ -f "$log" ] && { echo "== $log"; tail -n 5 "$log"; } >&2
  done
  return 0
}
trap 'report_failure $?' EXIT

[ "$(id -u)" = 0 ] || { echo "setup-cluster: must run as root" >&2; exit 1; }
for needed in "$IMAGE" "$TLS_DIR/client.crt"; do
  [ -f "$needed" ] || {
    echo "setup-cluster: $needed is missing; run scripts/setup-daemons.sh" >&2
    exit 1
  }
done

member_address() { echo "10.250.0.1${1#m}"; }
on() { local member=$1; shift; LXD_DIR="$CLUSTER_DIR/$member" "$@"; }

remove_netns() { ip netns delete "$1" 2>/dev/null || rm -f "/run/netns/$1"; }

# /run is not a tmpfs on every host: after a reboot the name can be left as an empty file with
# no namespace mounted on it, and `ip netns add` refuses a name that exists.
ensure_netns() {
  local ns=$1
  ip netns exec "$ns" true 2>/dev/null && return 0
  remove_netns "$ns"
  ip netns add "$ns"
}

ensure_network() {
  ip link show ecl-br >/dev/null 2>&1 || ip link add ecl-br type bridge
  ip addr replace 10.250.0.1/24 dev ecl-br
  ip link set ecl-br up

  local member ns
  for member in "${MEMBERS[@]}"; do
    ns="ecl${member#m}"
    ensure_netns "$ns"
    # A host end left over from an earlier namespace has no peer in this one.
    if ! ip netns exec "$ns" ip link show eth0 >/dev/null 2>&1; then
      ip link delete "$ns-h" 2>/dev/null || true
      ip link add "$ns-h" type veth peer name eth0 netns "$ns"
    fi
    ip link set "$ns-h" master ecl-br up
    ip netns exec "$ns" ip addr replace "$(member_address "$member")/24" dev eth0
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
  # exec: no shell may stay behind holding this script's stdout, or a pipe reading the setup's
  # output would never see its end.
  (cd / && LXD_DIR="$dir" exec setsid nohup nsenter --net="/run/netns/ecl${member#m}" \
    lxd --group root --logfile "$dir/lxd.log") </dev/null >>"$dir/lxd.log.stdout" 2>&1 9>&- &
  local pid=$!
  # A daemon that exits at once (a broken database) is given up on then, not after a minute.
  for _ in $(seq 60); do
    on "$member" lxd waitready --timeout 1 >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
  done
  echo "setup-cluster: $member did not start" >&2
  exit 1
}

# A member that does not answer stops the setup here: read as "not clustered", it would be
# bootstrapped or joined a second time, which LXD refuses.
is_clustered() {
  local server
  server=$(on "$1" lxc query /1.0) ||
    { echo "setup-cluster: $1 does not answer" >&2; exit 1; }
  [[ $server == *'"server_clustered": true'* ]]
}

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

# Every process of the cluster's: the member daemons, and the monitors of their containers.
cluster_pids() { pgrep -f -- "$CLUSTER_DIR/" || true; }

# A cluster's saved state can be unusable (copied from a machine that was running it, or left by
# a run that was killed), and building one anew takes seconds: CLUSTER_REBUILD=1 throws it away.
discard_cluster() {
  local member pid
  for member in "${MEMBERS[@]}"; do
    on "$member" timeout 10 lxd shutdown >/dev/null 2>&1 || true
  done
  for pid in $(cluster_pids); do
    pkill -9 -P "$pid" || true
    kill -9 "$pid" 2>/dev/null || true
  done
  findmnt -rn -o TARGET | { grep "^$CLUSTER_DIR/" || true; } | sort -r | xargs -r umount -l
  for member in "${MEMBERS[@]}"; do
    rm -rf "${CLUSTER_DIR:?}/$member"
    remove_netns "ecl${member#m}"
  done
  ip link delete ecl-br 2>/dev/null || true
}

main() {
  mkdir -p "$CLUSTER_DIR"
  # The member daemons are started with fd 9 closed, or they would hold the lock forever.
  exec 9>"$CLUSTER_DIR/.setup.lock"
  flock 9

  [ "${CLUSTER_REBUILD:-0}" = 1 ] && discard_cluster
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
