#!/bin/sh
# Runs a login prompt on the debug serial port while the daemon's unlock flag exists, and ends it (and every
# session on it) once the flag is gone. Started by iris-debug-console.path; never enabled on its own.
set -eu
flag=/run/iris/debug-unlocked
tty="${IRIS_DEBUG_TTY:-ttyS0}"
[ -e "$flag" ] || exit 0
/sbin/agetty --keep-baud 115200,57600,38400,9600 "$tty" vt220 &
getty=$!
while [ -e "$flag" ] && kill -0 "$getty" 2>/dev/null; do
  sleep 2
done
kill "$getty" 2>/dev/null || true
pkill -KILL -t "$tty" 2>/dev/null || true
