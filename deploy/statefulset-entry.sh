#!/bin/sh
# Entry point of a tfcluster pod in the StatefulSet variant (deploy/k8s/statefulset.yaml): builds
# TF_CONFIG from the pod's hostname (its ordinal is its task index), then becomes
# `tfcluster server` with the container's arguments (token file, allowed data roots).
set -eu
cd "$(dirname "$0")/.."
TF_CONFIG="$(node --import tsx deploy/render-tf-config.ts)"
export TF_CONFIG
echo "tfcluster: TF_CONFIG=$TF_CONFIG" >&2
exec node bin/tfcluster.js server "$@"
