import { isCancelledError } from "@tanstack/react-query";

/** How often a read is asked again after a cancellation before the cancellation counts as its failure. */
const ATTEMPTS = 3;

/**
 * Runs a cached query read (queryClient.fetchQuery), asking again when it was cancelled. The file
 * change feed cancels a changed file's read in flight before refetching it (the read may predate
 * the change). TanStack resolves such a read with the data the query had before, and rejects it
 * only when there was none: a tab opening before any copy was cached gets the file, not
 * "CancelledError". A caller that needs the file as it is after a change reads past the cache.
 */
export async function readUncancelled<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if (!isCancelledError(e) || attempt >= ATTEMPTS) throw e;
    }
  }
}
