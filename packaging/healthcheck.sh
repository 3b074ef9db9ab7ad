#!/usr/bin/env bash
# Docker health check: a coordinator must answer GET /health with "UP"; a worker is healthy while it runs.
set -u
[ "$(cat /tmp/enjambre-role 2>/dev/null)" = "coordinator" ] || exit 0
port="${ENJAMBRE_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
grep -q '"UP"' <&3
