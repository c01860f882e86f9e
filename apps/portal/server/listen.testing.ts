import type { AddressInfo } from "node:net";
import type { Express } from "express";

/** Starts a test app on an ephemeral local port: its base URL and a way to stop it. */
export function listen(app: Express): Promise<{ base: string; close: () => void }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ base: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}
