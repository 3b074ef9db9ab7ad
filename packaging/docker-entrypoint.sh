#!/usr/bin/env bash
# Runs `enjambre coordinator ...` or `enjambre worker ...` (the first argument), with the data
# directory on the image's volume unless --data-dir is given.
set -euo pipefail
role="${1:-}"
case "$role" in
  coordinator|worker) shift ;;
  *) exec java ${JAVA_OPTS:-} -jar /opt/enjambre/enjambre.jar "$@" ;;
esac
echo "$role" > /tmp/enjambre-role
args=("$@")
if [[ " ${args[*]-} " != *" --data-dir "* ]]; then
  args+=(--data-dir "/var/lib/enjambre/$role")
fi
exec java ${JAVA_OPTS:-} -jar /opt/enjambre/enjambre.jar "$role" "${args[@]}"
