// The node image ships its libraries in /opt/sandbox/node_modules (read-only, see
// sandbox-images/node). "Install" links each package into a real, writable node_modules so
// that tools which write next to their packages (Vite's node_modules/.vite cache, its bundled
// config in node_modules/.vite-temp) work, and `npm install` — which needs a network the
// sandbox does not have — is never required. node_modules is never synced back to the store.
export const LINK_PRELOADED_NODE_MODULES = "mkdir -p node_modules && ln -sfn /opt/sandbox/node_modules/* /opt/sandbox/node_modules/.bin node_modules/";
