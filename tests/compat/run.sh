#!/bin/sh
# Compatibility of the SDK's crypto with @toruslabs/eccrypto 7.0.0 and @toruslabs/metadata-helpers 8.2.0,
# and of its StorageManager requests with the original @toruslabs/session-manager 5.6.0.
# Installs the npm packages (from the registry, pinned by package-lock.json) only when missing, builds
# examples/crypto_vectors natively, and runs the node tests. Exits non-zero on any failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

missing=0
for pkg in eccrypto metadata-helpers session-manager; do
  [ -f "$here/node_modules/@toruslabs/$pkg/package.json" ] || missing=1
done
if [ "$missing" = 1 ]; then
  echo "compat: installing npm dependencies (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

target="${CARGO_TARGET_DIR:-$root/target}"
echo "compat: building examples/crypto_vectors (target dir $target)"
(cd "$root" && cargo build --quiet --offline --example crypto_vectors)
CRYPTO_VECTORS_BIN="$target/debug/examples/crypto_vectors"
export CRYPTO_VECTORS_BIN

cd "$here"
node --test compat.test.mjs package.test.mjs
