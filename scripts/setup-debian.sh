#!/usr/bin/env bash
# Installs mesoscale's system and npm dependencies on Debian 12 (run as root).
# Debian packages: Go and the Mesos Go bindings (a third-party client the tests
# drive our master with). npm packages: from package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(golang-go golang-github-mesos-mesos-go-dev curl ca-certificates docker-registry skopeo busybox-static attr runc crun containernetworking-plugins iproute2 iptables)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm ci --no-audit --no-fund
