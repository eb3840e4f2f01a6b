// The node image ships its libraries in /opt/sandbox/node_modules, reachable from /workspace
// through /node_modules, with Vite's config scratch directory pointed at /tmp (see
// sandbox-images/node): a node template's commands work in any freshly bound container with
// nothing installed or linked first. The "install" step therefore only names the toolchain;
// `npm install` would need a network the sandbox does not have by default.
export const NODE_TOOLCHAIN_CHECK = "node --version";
