import type { StreamConnection } from "./execution-stream";

const LABEL: Record<StreamConnection, string> = { connecting: "connecting…", live: "live", reconnecting: "reconnecting…" };

/** Whether the output streams are connected; "reconnecting…" while a dropped one resumes. */
export function StreamBadge({ state }: { state: StreamConnection }) {
  return (
    <span
      className={`stream-state ${state === "live" ? "live" : state === "reconnecting" ? "reconnecting" : "closed"}`}
      data-testid="stream-state"
      role="status"
    >
      {LABEL[state]}
    </span>
  );
}
