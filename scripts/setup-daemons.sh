#!/usr/bin/env bash
# Brings up a real LXD and a real Incus daemon on a Debian 12 host without systemd, with the
# containers the tests and the demo use. Every step is skipped when its result already exists,
# so a second run takes about a second.
#
#   scripts/setup-daemons.sh                     both daemons, busybox and Debian containers
#   DAEMONS=lxd IMAGES=busybox scripts/setup-daemons.sh
#
# Containers in each daemon: c1, c2, web-1, db-1, victim1 (busybox, running), stopped1, sleeper1
# (busybox, stopped), p1 in project team (busybox, running) and, with the debian image, d1
# (Debian minbase with openssh-sftp-server, openssh-client, rsync, git and python3, running).
# Both daemons also listen on HTTPS (scripts/setup-https.sh), and, unless CLUSTER=0, a
# two-member LXD cluster runs in network namespaces (scripts/setup-cluster.sh).
#
# Exits non-zero when a daemon cannot be started: the real-daemon suites must fail, not skip.
source "$(dirname "$0")/strict.sh"

DAEMONS="${DAEMONS:-lxd incus}"
IMAGES="${IMAGES:-busybox debian}"
CACHE_DIR="${EXECGATE_CACHE:-/var/cache/execgate}"
PACKAGES_BASE=(lxd lxd-client busybox-static openssh-client openssh-server
  python3-asyncssh python3-paramiko rsync git debootstrap iproute2 openssl asciinema)
DEBIAN_PACKAGES=openssh-sftp-server,openssh-client,rsync,git,python3
# Names the Debian image after what is in it, so a changed package list builds a new one.
DEBIAN_IMAGE=debian-$(echo "$DEBIAN_PACKAGES" | md5sum | cut -c1-8)
PACKAGES_INCUS=(incus-base incus-client)

[ "$(id -u)" = 0 ] || { echo "setup-daemons: must run as root" >&2; exit 1; }

started_at=$(date +%s.%N)
say() {
  awk -v now="$(date +%s.%N)" -v t0="$started_at" -v msg="$*" \
    'BEGIN { printf "[setup %6.2fs] %s\n", now - t0, msg }'
}
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]; }

# The backports suite and debootstrap use the archive address the machine's own apt sources
# name, instead of a host name written into the project.
archive_uri() {
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null ||
    true)
  [ -n "$uri" ] || uri=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null ||
    true)
  [ -n "$uri" ] || { echo "setup-daemons: no Debian archive address in apt sources" >&2; exit 1; }
  echo "$uri"
}

add_backports_source() {
  local list=/etc/apt/sources.list.d/execgate-backports.sources
  [ -f "$list" ] && return 0

  local uri
  uri=$(archive_uri)
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\n' "$uri" \
    >"$list"
  printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >>"$list"
}

install_packages() {
  local missing=() missing_bpo=() p
  for p in "${PACKAGES_BASE[@]}"; do installed "$p" || missing+=("$p"); done
  if [[ " $DAEMONS " == *" incus "* ]]; then
    for p in "${PACKAGES_INCUS[@]}"; do installed "$p" || missing_bpo+=("$p"); done
  fi
  [ ${#missing[@]} -eq 0 ] && [ ${#missing_bpo[@]} -eq 0 ] && return 0

  # Package scripts would try to start lxd and incus through init scripts; this host has no
  # init system for them, and we start them ourselves below.
  local added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi

  export DEBIAN_FRONTEND=noninteractive
  [ ${#missing_bpo[@]} -gt 0 ] && add_backports_source
  apt-get update -qq
  [ ${#missing[@]} -gt 0 ] &&
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ ${#missing_bpo[@]} -gt 0 ] &&
    apt-get install -y -qq --no-install-recommends -t bookworm-backports "${missing_bpo[@]}" \
      >/dev/null
  [ "$added_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  echo "installed: ${missing[*]} ${missing_bpo[*]}"
}

ensure_subids() {
  local f
  for f in /etc/subuid /etc/subgid; do
    touch "$f"
    grep -q '^root:' "$f" || echo 'root:1000000:1000000000' >>"$f"
  done
}

# Debian's busybox-static is the whole image: one static binary, a link per applet, a passwd
# with root and a plain user, and an init that only sleeps.
build_busybox_image() {
  local tarball="$CACHE_DIR/busybox-image.tar.gz"
  [ -f "$tarball" ] && { echo "$tarball"; return 0; }

  local work
  work=$(mktemp -d /var/tmp/execgate-image.XXXXXX)
  local root="$work/rootfs"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,tmp,root,run,var/log,home/alice}
  chmod 1777 "$root/tmp"
  chmod 700 "$root/root"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list-full); do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n' \
    >"$root/etc/passwd"
  printf 'root:x:0:\nalice:x:1000:\n' >"$root/etc/group"
  chown 1000:1000 "$root/home/alice"
  rm -f "$root/sbin/init"
  printf '#!/bin/sh\nexec /bin/sh -c "while true; do sleep 3600; done"\n' >"$root/sbin/init"
  chmod 755 "$root/sbin/init"
  printf 'architecture: %s\ncreation_date: %s\nproperties:\n  os: busybox\n' \
    "$(uname -m)" "$(date +%s)" >"$work/metadata.yaml"
  printf '  description: busybox-static test image for execgate\n' >>"$work/metadata.yaml"

  mkdir -p "$CACHE_DIR"
  tar -C "$work" -czf "$tarball.tmp" metadata.yaml rootfs
  mv "$tarball.tmp" "$tarball"
  rm -rf "$work"
  echo "$tarball"
}

# A Debian root file system from the same archive apt uses, for the tests that need real
# programs in the container (sftp-server, rsync, git). Built once and kept in the cache.
build_debian_image() {
  local tarball="$CACHE_DIR/$DEBIAN_IMAGE.tar.gz"
  [ -f "$tarball" ] && { echo "$tarball"; return 0; }

  local work
  work=$(mktemp -d /var/tmp/execgate-debian.XXXXXX)
  debootstrap --variant=minbase --include="$DEBIAN_PACKAGES" bookworm "$work/rootfs" \
    "$(archive_uri)" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  chroot "$work/rootfs" useradd --create-home --shell /bin/bash --uid 1000 alice
  # minbase has no init system; the container only has to stay up for execs.
  printf '#!/bin/sh\nexec /bin/sh -c "while true; do sleep 3600; done"\n' >"$work/rootfs/sbin/init"
  chmod 755 "$work/rootfs/sbin/init"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  printf 'architecture: %s\ncreation_date: %s\nproperties:\n  os: debian\n' \
    "$(uname -m)" "$(date +%s)" >"$work/metadata.yaml"

  mkdir -p "$CACHE_DIR"
  tar -C "$work" -czf "$tarball.tmp" metadata.yaml rootfs
  mv "$tarball.tmp" "$tarball"
  rm -rf "$work"
  echo "$tarball"
}

# Arguments per daemon: the client command, how to start the daemon, how to wait for it.
daemon_cli() { [ "$1" = lxd ] && echo lxc || echo incus; }
daemon_socket() {
  [ "$1" = lxd ] && echo /var/lib/lxd/unix.socket || echo /var/lib/incus/unix.socket
}

daemon_ready() {
  if [ "$1" = lxd ]; then lxd waitready --timeout "$2" >/dev/null 2>&1
  else incus admin waitready --timeout "$2" >/dev/null 2>&1; fi
}

start_daemon() {
  local name=$1
  daemon_ready "$name" 1 && return 0

  local dir log
  dir=$(dirname "$(daemon_socket "$name")")
  log="$dir/$name.log"
  mkdir -p "$dir"
  chmod 711 "$dir"
  ulimit -n 65536 2>/dev/null || true

  # setsid + nohup: the daemon must outlive this script, and there is no service manager here.
  if [ "$name" = lxd ]; then
    setsid nohup lxd --group root --logfile "$log" </dev/null >>"$log.stdout" 2>&1 &
  else
    setsid nohup /usr/libexec/incus/incusd --group root --logfile "$log" \
      </dev/null >>"$log.stdout" 2>&1 &
  fi

  if ! daemon_ready "$name" 60; then
    echo "setup-daemons: $name did not start; last lines of $log:" >&2
    tail -n 20 "$log" "$log.stdout" >&2 || true
    exit 1
  fi
}

init_daemon() {
  local name=$1 cli
  cli=$(daemon_cli "$name")
  "$cli" storage show default >/dev/null 2>&1 && return 0

  local preseed='config: {}
networks: []
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root: {path: /, pool: default, type: disk}'
  if [ "$name" = lxd ]; then echo "$preseed" | lxd init --preseed
  else echo "$preseed" | incus admin init --preseed; fi >/dev/null
}

ensure_image() {
  local cli=$1 alias=$2 tarball=$3
  "$cli" image info "$alias" >/dev/null 2>&1 && return 0
  "$cli" image import "$tarball" --alias "$alias" >/dev/null
}

# ensure_container CLI IMAGE NAME STATE [PROJECT]: STATE is running or stopped. A container made
# from another image (an older Debian image, say) is made again.
ensure_container() {
  local cli=$1 image=$2 name=$3 want=$4 project=${5:-default} state
  local in=(--project "$project")
  state=$("$cli" list "${in[@]}" "^${name}\$" -c s --format csv 2>/dev/null || true)
  if [ -n "$state" ] &&
    [ "$("$cli" config get "${in[@]}" "$name" user.execgate.image)" != "$image" ]; then
    "$cli" delete "${in[@]}" --force "$name" >/dev/null
    state=''
  fi
  if [ -z "$state" ]; then
    "$cli" init "${in[@]}" "$image" "$name" -c user.execgate.image="$image" >/dev/null 2>&1
    state=STOPPED
  fi
  if [ "$want" = running ] && [ "$state" != RUNNING ]; then
    "$cli" start "${in[@]}" "$name" >/dev/null
  elif [ "$want" = stopped ] && [ "$state" = RUNNING ]; then
    "$cli" stop "${in[@]}" --force "$name"
  fi
}

# A second project that shares the default project's images and profiles, for the login
# grammar's CONTAINER.PROJECT.
ensure_project() {
  local cli=$1 project=$2
  "$cli" project show "$project" >/dev/null 2>&1 && return 0
  "$cli" project create "$project" -c features.images=false -c features.profiles=false \
    >/dev/null
}

check_exec() {
  local cli=$1 out
  out=$("$cli" exec c1 -- sh -c 'echo ok')
  [ "$out" = ok ] || { echo "setup-daemons: $cli exec c1 printed '$out'" >&2; exit 1; }
}

main() {
  install_packages
  say "packages present"
  ensure_subids

  local busybox debian=''
  busybox=$(build_busybox_image)
  say "busybox image at $busybox"
  if [[ " $IMAGES " == *" debian "* ]]; then
    debian=$(build_debian_image)
    say "debian image at $debian"
  fi

  local name cli
  for name in $DAEMONS; do
    cli=$(daemon_cli "$name")
    start_daemon "$name"
    init_daemon "$name"
    ensure_image "$cli" busybox "$busybox"
    ensure_container "$cli" busybox c1 running
    ensure_container "$cli" busybox c2 running
    ensure_container "$cli" busybox stopped1 stopped
    ensure_container "$cli" busybox web-1 running
    ensure_container "$cli" busybox db-1 running
    ensure_container "$cli" busybox sleeper1 stopped
    ensure_container "$cli" busybox victim1 running
    ensure_project "$cli" team
    ensure_container "$cli" busybox p1 running team
    if [ -n "$debian" ]; then
      ensure_image "$cli" "$DEBIAN_IMAGE" "$debian"
      ensure_container "$cli" "$DEBIAN_IMAGE" d1 running
    fi
    check_exec "$cli"
    say "$name ready on $(daemon_socket "$name")"
  done
  DAEMONS="$DAEMONS" bash "$(dirname "$0")/setup-https.sh"
  if [[ " $DAEMONS " == *" lxd "* ]] && [ "${CLUSTER:-1}" = 1 ]; then
    local status=0
    bash "$(dirname "$0")/setup-cluster.sh" || status=$?
    if [ "$status" != 0 ]; then
      say "lxd cluster did not come up from its saved state (exit $status); building it anew"
      CLUSTER_REBUILD=1 bash "$(dirname "$0")/setup-cluster.sh"
    fi
    say "lxd cluster ready"
  fi
}

main "$@"
