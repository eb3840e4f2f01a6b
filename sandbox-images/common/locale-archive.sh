#!/bin/sh
# Runs as root while an image is assembled (Dockerfile RUN or chroot), never at container start.
# Puts C.UTF-8, the LANG of every image, into glibc's locale archive. Without it each program that
# calls setlocale (bash, Python, coreutils) opens a dozen files under /usr/lib/locale/C.utf8/ at
# start; with it, one file is mapped. Under gVisor every open is a trip through the Sentry: a
# `bash -c 'echo 1'` through the agent took 7-15% less time and CPU (24.4 -> 22.7 ms p50, CPU
# 27.0 -> 24.6 ms, against the image without it in the same run), under runc about 8% less. The
# locale's data is the same (it is copied from that directory).
set -eu
localedef --add-to-archive /usr/lib/locale/C.utf8
localedef --list-archive | grep -qx C.utf8
