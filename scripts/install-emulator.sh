#!/usr/bin/env bash
# Installs the local AWS emulator the emulator-tier tests start (scripts/lib/emulator.ts):
# moto with its server extras, at the version the emulator patches are written for.
set -euo pipefail
python3 -m pip install --disable-pip-version-check "moto[server]==5.2.1"
