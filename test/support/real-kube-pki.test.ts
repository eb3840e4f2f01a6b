// The opt-in cluster's certificates (npm run test:k8s) checked without the cluster: each leaf
// verifies against the CA, servers carry 127.0.0.1 and serverAuth, clients clientAuth, the
// admin and the API server's kubelet client are system:masters, and the service-account key
// pair matches.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeKubePki } from "./real-kube-pki";

const dir = mkdtempSync(join(tmpdir(), "kube-pki-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pki = makeKubePki(dir);
const openssl = (...args: string[]) => execFileSync("openssl", args, { encoding: "utf8" });

describe("makeKubePki", () => {
  it("issues server certificates for 127.0.0.1 and client certificates, all signed by the CA", () => {
    for (const cert of [pki.apiserverCert, pki.kwokCert, pki.adminCert, pki.kubeletClientCert])
      expect(openssl("verify", "-CAfile", pki.caCert, cert)).toContain(": OK");
    for (const cert of [pki.apiserverCert, pki.kwokCert]) {
      const ext = openssl("x509", "-in", cert, "-noout", "-ext", "subjectAltName,extendedKeyUsage");
      expect(ext).toContain("IP Address:127.0.0.1");
      expect(ext).toContain("TLS Web Server Authentication");
    }
    for (const cert of [pki.adminCert, pki.kubeletClientCert]) {
      expect(openssl("x509", "-in", cert, "-noout", "-ext", "extendedKeyUsage")).toContain("TLS Web Client Authentication");
      expect(openssl("x509", "-in", cert, "-noout", "-subject")).toMatch(/O ?= ?system:masters/);
    }
  });

  it("writes a service-account key pair whose public half matches", () => {
    expect(openssl("pkey", "-in", pki.serviceAccountKey, "-pubout")).toBe(openssl("pkey", "-pubin", "-in", pki.serviceAccountPub));
  });
});
