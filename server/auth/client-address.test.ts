import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddressOf, clientThrottleKey, stampClientAddress } from "./client-address";

const request = (remoteAddress: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe("client address", () => {
  it("is the socket's peer unless proxies are trusted: a client's own X-Forwarded-For is ignored", () => {
    expect(clientAddressOf(request("203.0.113.9", { "x-forwarded-for": "1.2.3.4" }), 0)).toBe("203.0.113.9");
  });

  it("behind N trusted proxies, is the Nth entry from the right (what the nearest trusted proxy saw)", () => {
    const req = request("10.0.0.2", { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.1" });
    expect(clientAddressOf(req, 1)).toBe("10.0.0.1");
    expect(clientAddressOf(req, 2)).toBe("198.51.100.7");
    expect(clientAddressOf(request("10.0.0.2"), 1)).toBe("10.0.0.2");
  });

  it("overwrites whatever the client sent under the stamp header", () => {
    const req = request("203.0.113.9", { [CLIENT_ADDRESS_HEADER]: "1.1.1.1" });
    stampClientAddress(req, 0);
    expect(req.headers[CLIENT_ADDRESS_HEADER]).toBe("203.0.113.9");
  });

  it("keys IPv4 as is, IPv6 by /64, mapped IPv4 as IPv4, and anything else as one shared key", () => {
    expect(clientThrottleKey("203.0.113.9")).toBe("203.0.113.9");
    expect(clientThrottleKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(clientThrottleKey("2001:db8:1:2:aaaa::1")).toBe("2001:0db8:0001:0002::/64");
    expect(clientThrottleKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(clientThrottleKey("2001:db8:1:2::9"));
    expect(clientThrottleKey("2001:db8:1:3::9")).not.toBe(clientThrottleKey("2001:db8:1:2::9"));
    expect(clientThrottleKey("::1")).toBe("0000:0000:0000:0000::/64");
    for (const junk of [undefined, null, "", "not an ip", "1.2.3.4.5"]) expect(clientThrottleKey(junk)).toBe("unknown");
  });
});
