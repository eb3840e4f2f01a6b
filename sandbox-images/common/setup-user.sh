#!/bin/sh
# Runs as root while an image is assembled (Dockerfile RUN or chroot), never at container start.
# Gives every runtime image the same unprivileged identity and mount points.
set -eu

# node:*-slim already owns uid/gid 1000 ("node"): free them so "sandbox" is 1000 in both build paths.
existing_user=$(getent passwd 1000 | cut -d: -f1 || true)
if [ -n "$existing_user" ] && [ "$existing_user" != sandbox ]; then userdel -r "$existing_user" 2>/dev/null || userdel "$existing_user"; fi
existing_group=$(getent group 1000 | cut -d: -f1 || true)
if [ -n "$existing_group" ] && [ "$existing_group" != sandbox ]; then groupdel "$existing_group"; fi

getent group sandbox >/dev/null || groupadd --gid 1000 sandbox
getent passwd sandbox >/dev/null || useradd --uid 1000 --gid 1000 --create-home --home-dir /home/sandbox --shell /bin/bash sandbox

# Mount points for the tmpfs the container spec puts there (the root filesystem is read-only at run time).
mkdir -p /workspace /home/sandbox
chown 1000:1000 /workspace /home/sandbox
chmod 0755 /workspace /home/sandbox

# No setuid/setgid programs: no-new-privileges already neuters them, this keeps it true without it.
find / -xdev -type f -perm /6000 -exec chmod ug-s {} + 2>/dev/null || true
