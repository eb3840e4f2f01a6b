// The opt-in test cluster's certificates and keys, made with the openssl CLI in a temporary
// directory: a CA valid for a day, the API server's serving certificate, client certificates for
// the test's admin and for the API server toward the kwok "kubelet", kwok's serving certificate,
// and the service-account signing key (tokens for the app's ServiceAccount are minted by the API
// server through TokenRequest). Nothing leaves the directory.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface KubePki {
  dir: string;
  caCert: string;
  apiserverCert: string;
  apiserverKey: string;
  adminCert: string;
  adminKey: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
  kwokCert: string;
  kwokKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** A new unencrypted EC P-256 key, for `openssl req`. */
const NEW_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** An EC P-256 key and a certificate signed by the CA, with the given subject and extensions. */
function issue(dir: string, name: string, subject: string, extensions: string[]): { cert: string; key: string } {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions.join("\n") + "\n");
  openssl(dir, ["req", "-new", ...NEW_EC_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "1",
    "-out",
    `${name}.crt`,
    "-extfile",
    ext,
  ]);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export function makeKubePki(dir: string): KubePki {
  openssl(dir, ["req", "-x509", ...NEW_EC_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=pantheon-test-ca"]);
  const server = [
    "basicConstraints=CA:FALSE",
    "keyUsage=digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ];
  const client = ["basicConstraints=CA:FALSE", "keyUsage=digitalSignature,keyEncipherment", "extendedKeyUsage=clientAuth"];
  const apiserver = issue(dir, "apiserver", "/CN=kube-apiserver", server);
  // system:masters: the test's own set-up (namespaces, RBAC, the node, the stand-in scheduler).
  const admin = issue(dir, "admin", "/O=system:masters/CN=pantheon-test-admin", client);
  const kubeletClient = issue(dir, "kubelet-client", "/O=system:masters/CN=kube-apiserver-kubelet-client", client);
  const kwok = issue(dir, "kwok", "/CN=kwok-node-0", server);
  openssl(dir, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "sa.key"]);
  openssl(dir, ["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
  return {
    dir,
    caCert: join(dir, "ca.crt"),
    apiserverCert: apiserver.cert,
    apiserverKey: apiserver.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    kubeletClientCert: kubeletClient.cert,
    kubeletClientKey: kubeletClient.key,
    kwokCert: kwok.cert,
    kwokKey: kwok.key,
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
}
