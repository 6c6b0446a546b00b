#!/usr/bin/env bash
# The chart library the supervision dashboard draws with, served by ogi itself (no CDN):
# Chart.js at the pinned version, fetched from the npm registry with npm's own client.
set -euo pipefail
VERSION=4.6.1
DEST="$(cd "$(dirname "$0")/.." && pwd)/src/ogi/web/supervision/static/supervision"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack "chart.js@$VERSION" >/dev/null && tar xzf "chart.js-$VERSION.tgz")
cp "$TMP/package/dist/chart.umd.min.js" "$DEST/chart.umd.min.js"
cp "$TMP/package/LICENSE.md" "$DEST/chart.js-LICENSE.md"
echo "Chart.js $VERSION → $DEST"
