import { formatBytes } from "./format";

interface StreamCut {
  droppedBytes: number;
  droppedLines: number;
}

/**
 * The execution header's word on what the output cap cut, from the stored record (not from the
 * marker lines, which a program can print itself): "output truncated: 9.2 MB (92,137 lines) of
 * stdout cut". Without the record (a row from before it was kept) just "output truncated".
 */
export function truncationSummary(truncated: boolean, record: { stdout: StreamCut | null; stderr: StreamCut | null } | null): string | null {
  if (!truncated) return null;
  const cuts = (["stdout", "stderr"] as const).flatMap((name) => {
    const s = record?.[name];
    const lines = s?.droppedLines === 1 ? "1 line" : `${s?.droppedLines.toLocaleString("en-US")} lines`;
    return s ? [`${formatBytes(s.droppedBytes)} (${lines}) of ${name}`] : [];
  });
  return cuts.length ? `output truncated: ${cuts.join(", ")} cut from the middle` : "output truncated";
}
