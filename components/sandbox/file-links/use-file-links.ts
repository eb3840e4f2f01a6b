"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { readUncancelled } from "../read-uncancelled";
import { findFileLinks, type FileLink } from "./parse-file-links";
import { originalPosition, sourceMapPathFor, type FilePosition } from "./source-map-position";
import type { FileLinkHandler } from "./xterm-file-links";

/**
 * The IDE's `file:line` links: a reference becomes a link only when it names a file the project
 * has (the tree, as the server lists it); opening one goes through the file's source map when a
 * `<file>.map` sits beside it in the project, so a stack trace of compiled code lands in the source.
 * The returned handler is stable: terminals register it once and it reads the latest tree.
 */
export function useFileLinks(projectId: number, openAt: (position: FilePosition) => void): FileLinkHandler {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tree = useQuery(trpc.files.tree.queryOptions({ projectId }));
  const paths = useMemo(() => new Set((tree.data ?? []).map((f) => f.filePath)), [tree.data]);
  const latest = useRef({ paths, openAt });
  useEffect(() => {
    latest.current = { paths, openAt };
  });

  return useMemo(() => {
    const exists = (path: string) => latest.current.paths.has(path);
    const mapped = async (link: FileLink): Promise<FilePosition> => {
      const mapPath = sourceMapPathFor(link.path);
      if (!exists(mapPath)) return link;
      try {
        const map = await readUncancelled(() => queryClient.fetchQuery({ ...trpc.files.read.queryOptions({ projectId, path: mapPath }), staleTime: 10_000 }));
        if (map.encoding !== "utf8" || map.content === null) return link;
        return originalPosition(map.content, mapPath, link, exists) ?? link;
      } catch {
        return link; // the map went away or cannot be read: the generated file is still right
      }
    };
    return {
      links: (text) => findFileLinks(text, exists),
      open: (link) => {
        void mapped(link).then(({ path, line, column }) => latest.current.openAt({ path, line, column }));
      },
    };
  }, [projectId, queryClient, trpc]);
}
