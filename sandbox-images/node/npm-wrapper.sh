#!/bin/sh
# /usr/local/bin/npm. npm takes the nearest ancestor of the working directory holding
# package.json or node_modules as the project root; in a workspace without package.json that is
# "/", whose node_modules is the image's read-only preinstalled set, so `npm install x` failed with
# EROFS. Under /workspace, with no root of its own, the working directory becomes the prefix (as
# `npm init` would make it). Everything else runs npm unchanged.
npm_cli=/usr/local/lib/node_modules/npm/bin/npm-cli.js
dir=$PWD
while [ "$dir" != / ] && [ -n "$dir" ]; do
  if [ -e "$dir/package.json" ] || [ -e "$dir/node_modules" ]; then exec node "$npm_cli" "$@"; fi
  dir=${dir%/*}
done
for arg in "$@"; do
  case $arg in -g | --global | --location=global | --prefix | --prefix=*) exec node "$npm_cli" "$@" ;; esac
done
case $PWD in
  /workspace | /workspace/*) exec node "$npm_cli" --prefix "$PWD" "$@" ;;
esac
exec node "$npm_cli" "$@"
