#!/bin/sh
# Runs as root while an image is assembled (Dockerfile RUN or chroot), never at container start.
# The one list of steps that ends both build paths of every image (the Dockerfiles and debootstrap),
# so a new step is added once. Run from the directory this folder was copied to.
set -eu
here=$(dirname "$0")
sh "$here/setup-user.sh"
sh "$here/locale-archive.sh"
sh "$here/static-bash.sh"
