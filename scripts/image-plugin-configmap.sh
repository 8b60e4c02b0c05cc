#!/usr/bin/env bash
# Prints a Kubernetes ConfigMap that carries a scenario plugin (binaryData, key plugin.so), for
# deploy/kubernetes/master.yaml and job/master-job.yaml:
#
#   scripts/image-plugin-configmap.sh LIB.so [NAME] | kubectl apply -f -
#
# (the same as `kubectl create configmap NAME --from-file=plugin.so=LIB.so --dry-run=client -o yaml`).
# NAME defaults to swiftlocust-plugin. A ConfigMap holds at most 1 MiB: a plugin larger than that is
# stripped of its debug information (`strip --strip-debug`, into a temporary copy; its symbols stay) and
# the script says so (the stripped file is another build as far as fingerprints go: run the master from
# this ConfigMap and the slaves with `-f -`); one still too large is refused: bake it into the image
# (make image PLUGIN=...).
set -euo pipefail

(($# == 1 || $# == 2)) || { echo "usage: $0 LIB.so [NAME]" >&2; exit 2; }
plugin=$1
name=${2:-swiftlocust-plugin}
[[ -f $plugin ]] || { echo "$0: no $plugin" >&2; exit 1; }

copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
cp "$plugin" "$copy"
fits() { (( $(stat -c %s "$1") * 4 / 3 + 4096 <= 1048576 )); }
if ! fits "$copy"; then
    strip --strip-debug "$copy"
    echo "$0: $plugin is $(stat -c %s "$plugin") bytes, over a ConfigMap's 1 MiB: stripped its debug information ($(stat -c %s "$copy") bytes)" >&2
fi
size=$(stat -c %s "$copy")
# 1 MiB for the whole object; the base64 text is 4/3 of the file.
if ! fits "$copy"; then
    echo "$0: $plugin is $size bytes after strip --strip-debug: too large for a ConfigMap (1 MiB)." >&2
    echo "$0: bake it into the image instead: make image PLUGIN=$plugin" >&2
    exit 1
fi
cat <<YAML
# Made by scripts/image-plugin-configmap.sh from $(basename "$plugin") ($size bytes, SHA-256 $(sha256sum "$copy" | cut -c1-16)...).
apiVersion: v1
kind: ConfigMap
metadata:
  name: $name
  labels:
    app.kubernetes.io/name: swiftlocust
    app.kubernetes.io/component: plugin
binaryData:
  plugin.so: $(base64 -w0 "$copy")
YAML
