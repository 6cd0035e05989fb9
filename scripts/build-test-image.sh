#!/usr/bin/env bash
# Builds the project's test image (Debian's static busybox, no network) as an
# OCI archive, then, if a store is given, imports it:
#   scripts/build-test-image.sh out.tar [--multi-layer] [--cmd '["echo","hi"]'] ...
#   mesoscale image import out.tar --name mesoscale/busybox:latest
# Needs `npm run build` and the busybox-static package.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node bin/mesoscale image build-test-image "$@"
