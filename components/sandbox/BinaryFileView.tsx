"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { base64Bytes, binaryKindOf, formatBytes, imageDataUrl, imageTypeOf, mediaTypeOf } from "./file-view";

type Props = {
  projectId: number;
  path: string;
  /** SVG shown from the editor's buffer (unsaved edits included); other files are read from the server. */
  svgText?: string;
  /** For SVG: back to its source in the editor. */
  onEditSource?: () => void;
};

/**
 * A file that is not edited as text: an image drawn as an image (with its size and pixel
 * dimensions), anything else as "binary, N bytes" with a download of its bytes.
 */
export function BinaryFileView({ projectId, path, svgText, onEditSource }: Props) {
  const trpc = useTRPC();
  const read = useQuery({ ...trpc.files.read.queryOptions({ projectId, path }), enabled: svgText === undefined, staleTime: 10_000 });
  const file = read.data;
  const encoding = svgText !== undefined ? "utf8" : file?.encoding === "base64" ? "base64" : "utf8";
  const content = svgText ?? file?.content ?? null;
  const size = svgText !== undefined ? new TextEncoder().encode(svgText).length : (file?.sizeBytes ?? 0);
  const mime = imageTypeOf(path);
  // The IDE mounts a fresh view per path (key), so this never carries another file's size.
  const [dimensions, setDimensions] = useState<string | null>(null);
  const measured = (img: HTMLImageElement) => setDimensions(`${img.naturalWidth}×${img.naturalHeight} px`);

  const bytes = useMemo(
    () => (content === null ? null : encoding === "base64" ? base64Bytes(content) : new TextEncoder().encode(content)),
    [content, encoding],
  );
  // The download is built from the bytes in hand: no second request, nothing served from the app's origin.
  const download = useMemo(() => (bytes ? URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" })) : null), [bytes]);
  useEffect(() => () => void (download && URL.revokeObjectURL(download)), [download]);

  const name = path.slice(path.lastIndexOf("/") + 1);
  const kind = bytes ? binaryKindOf(bytes.subarray(0, 512)) : null;
  const media = encoding === "base64" ? mediaTypeOf(path) : null;
  if (read.isError)
    return (
      <p className="error pad">
        Could not read {path}: {read.error.message}
      </p>
    );
  if (content === null) return <p className="muted pad">{read.isPending ? `Opening ${path}…` : `${path} has no content to show.`}</p>;

  return (
    <div className="binary-view" data-testid="binary-view">
      <div className="binary-view-bar">
        <span>
          <strong>{name}</strong>{" "}
          <span className="muted">
            {mime ? "image" : (kind ?? "binary")}, {formatBytes(size)}
            {dimensions ? `, ${dimensions}` : ""}
          </span>
        </span>
        {onEditSource && (
          <button type="button" className="btn btn-ghost btn-small" onClick={onEditSource}>
            Edit source
          </button>
        )}
        {download && (
          <a className="btn btn-ghost btn-small" href={download} download={name} data-testid="binary-download">
            Download
          </a>
        )}
      </div>
      {mime ? (
        <div className="binary-image">
          {/* A data: URL in <img>: an SVG drawn this way runs no script and fetches nothing. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            src={imageDataUrl(mime, content, encoding)}
            alt={name}
            data-testid="image-view"
            // A data: image can finish decoding before React attaches onLoad: check on mount too.
            ref={(img) => void (img?.complete && img.naturalWidth > 0 && measured(img))}
            onLoad={(e) => measured(e.currentTarget)}
            onError={() => setDimensions("not a readable image")}
          />
        </div>
      ) : (
        <>
          {media && content !== null && (
            <div className="binary-media">
              {/* A data: URL in a media element: played by the browser, nothing runs or is fetched. */}
              {media.startsWith("video/") ? (
                <video controls preload="metadata" src={`data:${media};base64,${content}`} data-testid="media-view" />
              ) : (
                <audio controls preload="metadata" src={`data:${media};base64,${content}`} data-testid="media-view" />
              )}
            </div>
          )}
          <p className="pad" data-testid="binary-note">
            {kind ?? "Binary file"}, {formatBytes(size)}: it cannot be edited here. Download it to open it with another program.
          </p>
        </>
      )}
    </div>
  );
}
