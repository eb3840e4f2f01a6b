// Small inline icons (no icon font, no emoji: a machine without emoji fonts shows boxes).
const base = { width: 14, height: 14, viewBox: "0 0 16 16", fill: "none", stroke: "currentColor", strokeWidth: 1.5, "aria-hidden": true } as const;

export const PlusIcon = () => (
  <svg {...base}>
    <path d="M8 3v10M3 8h10" />
  </svg>
);
export const FolderPlusIcon = () => (
  <svg {...base}>
    <path d="M1.5 4.5h5l1.5 1.5h6.5v7.5h-13z M8 8v4M6 10h4" />
  </svg>
);
export const UploadIcon = () => (
  <svg {...base}>
    <path d="M8 11V2.5M4.5 6 8 2.5 11.5 6M2.5 13.5h11" />
  </svg>
);
export const PencilIcon = () => (
  <svg {...base}>
    <path d="M11 2.5l2.5 2.5-8 8H3v-2.5z" />
  </svg>
);
export const TrashIcon = () => (
  <svg {...base}>
    <path d="M2.5 4.5h11M6 4.5V2.5h4v2M4 4.5l.7 9h6.6l.7-9" />
  </svg>
);
