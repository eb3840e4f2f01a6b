"use client";

import { useState } from "react";
import type { IdePanel, IdePanelProps } from "./ide-panel-props";

type Props = Omit<IdePanelProps, "active" | "showPanel"> & {
  panels: IdePanel[];
  activeId: string;
  onSelect: (id: string) => void;
  showPanel: (id: string) => void;
};

/** Tabs over the bottom panels; each panel mounts when first shown and stays mounted while hidden. */
export function BottomPanel({ panels, activeId, onSelect, ...shared }: Props) {
  const [mounted, setMounted] = useState<ReadonlySet<string>>(() => new Set([activeId]));
  if (!mounted.has(activeId)) setMounted(new Set([...mounted, activeId]));

  return (
    <section className="bottom-panel" aria-label="Panels">
      <div className="panel-tabs" role="tablist" aria-label="Panel tabs">
        {panels.map((panel, index) => (
          <button
            key={panel.id}
            role="tab"
            id={`panel-tab-${panel.id}`}
            aria-controls={`panel-${panel.id}`}
            aria-selected={panel.id === activeId}
            className={`panel-tab${panel.id === activeId ? " active" : ""}`}
            title={index < 9 ? `Alt+${index + 1}` : undefined}
            onClick={() => onSelect(panel.id)}
          >
            {panel.label}
          </button>
        ))}
      </div>
      {panels
        .filter((panel) => mounted.has(panel.id))
        .map(({ id, Component }) => (
          <div key={id} id={`panel-${id}`} role="tabpanel" aria-labelledby={`panel-tab-${id}`} className="panel-body" hidden={id !== activeId}>
            <Component {...shared} active={id === activeId} />
          </div>
        ))}
    </section>
  );
}
