"use client";

import type { FileBuffer } from "./types";

type Props = {
  tabs: string[];
  active: string | null;
  buffers: Record<string, FileBuffer>;
  onSelect: (path: string) => void;
  onClose: (path: string) => void;
};

export function EditorTabs({ tabs, active, buffers, onSelect, onClose }: Props) {
  return (
    <div className="tabs" role="tablist" aria-label="Open files">
      {tabs.map((path) => {
        const buffer = buffers[path];
        const dirty = buffer !== undefined && buffer.content !== buffer.saved;
        const name = path.split("/").pop() ?? path;
        return (
          <div
            key={path}
            className={`tab${path === active ? " active" : ""}`}
            role="tab"
            aria-selected={path === active}
            title={path}
            data-testid={`tab-${path}`}
          >
            <button className="tab-name" onClick={() => onSelect(path)}>
              {name}
              {dirty && (
                <span className="dirty" aria-label="unsaved changes" data-testid="unsaved-marker">
                  {" "}
                  ●
                </span>
              )}
            </button>
            <button className="tab-close" aria-label={`Close ${path}`} onClick={() => onClose(path)}>
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}
