#!/usr/bin/env bash
# Prints a Kubernetes ConfigMap that carries a scenario plugin (binaryData, key plugin.so), for
# deploy/kubernetes/master.yaml and job/master-job.yaml:
#
#   scripts/image-plugin-configmap.sh LIB.so [NAME] | kubectl apply -f -
#
# (the same as `kubectl create configmap NAME --from-file=plugin.so=LIB.so --dry-run=client -o yaml`).
# NAME defaults to swiftlocust-plugin. A ConfigMap holds at most 1 MiB: the plugin is stripped of its
# debug information first (`strip --strip-debug`, into a temporary copy; its exported symbols stay), and
# a plugin still larger is refused with a message: bake it into the image instead (make image PLUGIN=...).
set -euo pipefail

(($# == 1 || $# == 2)) || { echo "usage: $0 LIB.so [NAME]" >&2; exit 2; }
plugin=$1
name=${2:-swiftlocust-plugin}
[[ -f $plugin ]] || { echo "$0: no $plugin" >&2; exit 1; }

copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
cp "$plugin" "$copy"
strip --strip-debug "$copy" 2>/dev/null || true
size=$(stat -c %s "$copy")
# 1 MiB for the whole object; the base64 text is 4/3 of the file.
if (( size * 4 / 3 + 4096 > 1048576 )); then
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
