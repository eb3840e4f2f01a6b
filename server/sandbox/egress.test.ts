import { describe, expect, it } from "vitest";
import { EGRESS_CA_PATH, egressEnv } from "./egress";

describe("egress environment", () => {
  it("points every package manager at the in-container proxy, and at the CA bundle when there is one", () => {
    const env = egressEnv(true);
    for (const k of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "npm_config_proxy", "npm_config_https_proxy", "PIP_PROXY"]) {
      expect(env[k], k).toBe("http://127.0.0.1:3128");
    }
    for (const k of ["NODE_EXTRA_CA_CERTS", "npm_config_cafile", "PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"]) expect(env[k], k).toBe(EGRESS_CA_PATH);
    expect(env.NO_PROXY).toContain("127.0.0.1");
  });

  it("sets no CA variables without a bundle (the images' own stores apply)", () => {
    const env = egressEnv(false);
    expect(Object.keys(env).some((k) => /CA|CERT|cafile/.test(k))).toBe(false);
    expect(env.HTTPS_PROXY).toBe("http://127.0.0.1:3128");
  });
});
