// Finds the Debian mirror this host already uses, so the offline build reaches the same apt server.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface DebianMirrors {
  main: string;
  security: string | null;
}

interface SourceEntry {
  uri: string;
  suites: string[];
}

function parseSources(): SourceEntry[] {
  const entries: SourceEntry[] = [];
  const files = ["/etc/apt/sources.list"];
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) files.push(join(dir, f));
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      // deb822: stanzas separated by blank lines
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, "mi").exec(stanza)?.[1]?.trim();
        if (!/^deb$|\bdeb\b/.test(field("Types") ?? "")) continue;
        const suites = (field("Suites") ?? "").split(/\s+/);
        for (const uri of (field("URIs") ?? "").split(/\s+/)) if (uri) entries.push({ uri, suites });
      }
    } else if (file.endsWith(".list")) {
      for (const raw of text.split("\n")) {
        const line = raw
          .replace(/#.*/, "")
          .replace(/\[[^\]]*\]/, "")
          .trim();
        const parts = line.split(/\s+/);
        if (parts[0] === "deb" && parts[1] && parts[2]) entries.push({ uri: parts[1], suites: [parts[2]] });
      }
    }
  }
  return entries;
}

export function debianMirrors(): DebianMirrors {
  const override = process.env.SANDBOX_DEBIAN_MIRROR?.trim();
  const entries = parseSources();
  const main = override || entries.find((e) => e.suites.includes("bookworm"))?.uri || "http://deb.debian.org/debian";
  const security = entries.find((e) => e.suites.includes("bookworm-security"))?.uri ?? null;
  return { main: main.replace(/\/+$/, ""), security: security?.replace(/\/+$/, "") ?? null };
}
