#!/bin/sh
# Run once on the root file system while the release image is built (root=the image's root directory):
# masks every login and debug service that would otherwise open a console, so only iris-debug-console.service,
# started by the daemon's unlock flag, ever offers one.
set -eu
root="${1:?usage: lock-debug-services.sh ROOTFS}"
units="serial-getty@.service console-getty.service container-getty@.service debug-shell.service getty@tty1.service getty-static.service"
for unit in $units; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
# Kernel messages and a shell prompt must not appear on the serial port either: see src/Iris.Camera/Debug/README.md
# for the kernel command line and the bootloader settings the board must carry.
