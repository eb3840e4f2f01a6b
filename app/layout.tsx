import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Toaster } from "sonner";
import { TrpcReactProvider } from "@/lib/trpc/client";
import "./globals.css";

// Every page renders per request: the Content-Security-Policy's nonce is new for each response
// (server/http/security-headers.ts), and a prerendered page's inline scripts would carry none.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Pantheon Sandbox",
  description: "Run code from Pantheon's AIs in isolated containers",
  icons: { icon: "/favicon.svg" },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TrpcReactProvider>{children}</TrpcReactProvider>
        <Toaster theme="dark" position="bottom-right" richColors closeButton />
      </body>
    </html>
  );
}
