import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Toaster } from "sonner";
import { TrpcReactProvider } from "@/lib/trpc/client";
import "./globals.css";

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
