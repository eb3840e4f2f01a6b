import { diffWritten } from "../server/sandbox/written-changes";
import { DEFAULT_SYNC_IGNORE } from "../server/sandbox/config";
const m = new Map<string, any>();
for (let i = 0; i < 10_000; i++) m.set(`src/d${i % 100}/f${i}.txt`, { type: "f", size: 10, mtime: "123", links: 1 });
for (let k = 0; k < 30; k++) {
  const s = performance.now();
  const d = diffWritten(m, new Map([["out.txt", { type: "f", size: 2, mtime: String(k), links: 1 }]]), { maxFileSize: 1e6, maxProjectSize: 1e8, ignore: DEFAULT_SYNC_IGNORE });
  d.commit();
  console.log((performance.now() - s).toFixed(2));
}
