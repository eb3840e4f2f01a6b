import { isCancelledError, QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { readUncancelled } from "./read-uncancelled";

// TanStack's own QueryClient (no fake): what the change feed does to a read in flight.
describe("readUncancelled", () => {
  const key = ["files.read", "shared.txt"];
  const slowRead = (client: QueryClient, answers: string[]) => () =>
    client.fetchQuery({
      queryKey: key,
      staleTime: 0,
      queryFn: ({ signal }) =>
        new Promise<string>((resolve, reject) => {
          const answer = answers.shift() ?? "none left";
          const timer = setTimeout(() => resolve(answer), 30);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(new Error("aborted"));
          });
        }),
    });

  it("gives the read asked again when the feed cancels the first one, not the cancellation", async () => {
    const client = new QueryClient();
    const read = slowRead(client, ["before the change", "after the change"]);
    // With nothing cached, a bare read fails ("CancelledError"): what a tab opening during the
    // feed's first event met before it asked again.
    const bare = read();
    await client.cancelQueries({ queryKey: key });
    await expect(bare).rejects.toSatisfy(isCancelledError);

    const answers = ["before the change", "after the change"];
    const reading = readUncancelled(slowRead(client, answers));
    await client.cancelQueries({ queryKey: key });
    await expect(reading).resolves.toBe("after the change");
  });

  it("cannot make a cancelled read of a cached file current: TanStack answers with the copy from before", async () => {
    const client = new QueryClient();
    client.setQueryData(key, "cached before the change");
    const reading = readUncancelled(slowRead(client, ["before the change", "after the change"]));
    await client.cancelQueries({ queryKey: key });
    // Why use-open-files reads a conflict's stored version past the cache (readNow).
    await expect(reading).resolves.toBe("cached before the change");
  });

  it("passes other failures through at once, and gives up after three cancellations", async () => {
    let calls = 0;
    await expect(
      readUncancelled(async () => {
        calls++;
        throw new Error("NOT_FOUND");
      }),
    ).rejects.toThrow("NOT_FOUND");
    expect(calls).toBe(1);

    const client = new QueryClient();
    const read = slowRead(client, ["a", "b", "c", "d"]);
    let reads = 0;
    const reading = readUncancelled(() => {
      reads++;
      const started = read();
      void client.cancelQueries({ queryKey: key });
      return started;
    });
    await expect(reading).rejects.toSatisfy(isCancelledError);
    expect(reads).toBe(3);
  });
});
