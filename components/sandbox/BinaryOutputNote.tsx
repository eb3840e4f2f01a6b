"use client";

import { useEffect, useMemo } from "react";
import { binaryOutputBytes } from "./binary-output";

/** "binary output: N bytes, download" under output that is not plain text; the download holds the exact bytes. */
export function BinaryOutputNote({
  stream,
  text,
  base64,
  executionId,
}: {
  stream: "stdout" | "stderr";
  text: string | null;
  base64: string | null;
  executionId: number;
}) {
  const bytes = useMemo(() => binaryOutputBytes(text, base64), [text, base64]);
  const url = useMemo(() => (bytes ? URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" })) : null), [bytes]);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  if (!bytes || !url) return null;
  return (
    <p className="muted binary-output-note" data-testid={`binary-${stream}`}>
      binary {stream === "stdout" ? "output" : "error output"}: {bytes.length.toLocaleString("en-US")} bytes (shown with U+FFFD for bytes that are not text),{" "}
      <a href={url} download={`execution-${executionId}-${stream}.bin`}>
        download
      </a>
    </p>
  );
}
