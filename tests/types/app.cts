// A CommonJS module (node16 resolution, the package's "require" condition and index.d.cts).
import { AuthSessionManager, HttpClient, MemoryStorage, STORAGE_KEYS, ready } from "wasm-session-manager";

interface Me { sub: string }

export async function main(baseURL: string): Promise<string | null> {
  await ready();
  const memory = new MemoryStorage();
  const session = new AuthSessionManager({
    apiClientConfig: { baseURL },
    storage: { sessionId: memory, accessToken: memory, refreshToken: memory, idToken: memory },
  });
  const data = await session.authorize<{ user: string }>();
  const me = await new HttpClient(session).get<Me>(`${baseURL}/v1/me`, { authenticated: true });
  memory.clear();
  return data ? `${data.user} ${me.sub} ${STORAGE_KEYS.ID_TOKEN}` : null;
}

// The auth entry under the "require" condition (auth.d.cts).
import { AuthSessionManager as AuthOnly, StorageManager as Keys } from "wasm-session-manager/auth";
export const authOnly = (baseURL: string): [AuthOnly, string] => [new AuthOnly({ apiClientConfig: { baseURL } }), Keys.generateRandomSessionKey()];
