#!/bin/sh
# systemd-analyze verify on the generated units, with ExecStart pointed at
# the build tree (verify checks that the binaries exist).  Any diagnostic
# fails the test: verify itself exits 0 on many of them.
set -eu
build=$1 source=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$build"/systemd/*.service "$source"/systemd/lwgate.target "$tmp"/
for unit in "$tmp"/*.service; do
	name=$(basename "$unit" .service)
	sed -i "s#^ExecStart=[^ ]*/$name #ExecStart=$build/daemons/$name/$name #" "$unit"
done
cd "$tmp"
systemd-analyze verify --man=no ./*.service lwgate.target >out.txt 2>&1 || { cat out.txt; exit 1; }
if [ -s out.txt ]; then
	cat out.txt
	exit 1
fi
echo "systemd-analyze verify: $(ls ./*.service | wc -l) units and lwgate.target clean"
