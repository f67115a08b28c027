#!/usr/bin/env bash
# The whole test suite on a Debian 12 host, as root: installs and starts LXD and Incus with their
# test containers, installs the Node dependencies, builds, then runs the unit, integration and
# hardening tests.
# A daemon that cannot be started fails the run: the real-daemon suites never skip.
set -euo pipefail
cd "$(dirname "$0")/.."
# One stream, so an error sits next to the step that printed it.
exec 2>&1

bash scripts/setup-daemons.sh
npm ci --no-audit --no-fund --loglevel=error
npm test
npm run test:hardening
