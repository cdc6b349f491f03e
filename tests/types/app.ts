// A sample app typed against the package's .d.ts: `tsc --strict` must accept it under every module
// resolution (tests/types/check.sh).
import {
  BaseStorageManager,
  LocalStorageHandler,
  SESSION_SERVER_API_URL,
  STORAGE_METHOD,
  ServerHandler,
  padHexString,
  ready,
  storageAvailable,
  CryptoError,
  StorageError,
  AuthSessionManager,
  AuthError,
  CookieStorage,
  HttpClient,
  HttpError,
  LocalStorageAdapter,
  MemoryStorage,
  STORAGE_KEYS,
  SessionStorageAdapter,
  StorageManager,
  type IStorageAdapter,
  type RefreshResponse,
  type SessionState,
} from "wasm-session-manager";

interface Profile { email: string; plan: "free" | "pro" }

const custom: IStorageAdapter = {
  get: (k: string) => localStorage.getItem(k),
  set: async (k: string, v: string) => { localStorage.setItem(k, v); },
  remove: (k: string) => localStorage.removeItem(k),
};

export async function main(): Promise<void> {
  await ready();
  const url: "https://api.web3auth.io/session-service" = SESSION_SERVER_API_URL;
  const padded: string = padHexString("0xabc");
  const canStore: boolean = storageAvailable(STORAGE_METHOD.LOCAL_STORAGE);
  const cache = new LocalStorageHandler<{ a: number }>(localStorage, "ns:");
  const cached: { a: number } | undefined = await cache.retrieveData("0x01");
  const server = new ServerHandler<{ a: number }>(url);
  await server.storeData("0x01", { a: 1 }, { operation: "create", namespace: "ns", timeout: 60 });
  const fromServer: { a: number } | undefined = await server.retrieveData("0x01");
  const key: string = `w3a:${STORAGE_KEYS.SESSION_ID}`;
  void [padded, canStore, cached, fromServer, key, BaseStorageManager];

  const session = new AuthSessionManager({
    apiClientConfig: { baseURL: "https://auth.example.com", timeout: 5000 },
    storage: { refreshToken: new CookieStorage({ sameSite: "Lax" }), idToken: new MemoryStorage(), accessToken: custom },
    storageKeyPrefix: "app",
    lockWaitMs: 5000,
  });
  const sessionId: string = StorageManager.generateRandomSessionKey();
  const publicKey: string = StorageManager.getPublicKey(sessionId);
  void publicKey;
  await session.setTokens({ sessionId, accessToken: "a", refreshToken: "r" });
  const profile: Profile | null = await session.authorize<Profile>();
  const state: SessionState = await session.getState();
  const refreshed: RefreshResponse = await session.ensureRefresh(true);
  const token: string | null = await session.getAccessToken();
  const authed: boolean = session.isAuthenticated();
  const off: () => void = session.onAuthStateChange((event, change) => {
    if (event === "SIGNED_OUT" || event === "SESSION_EXPIRED") console.log(change.isAuthenticated, change.remote);
  });
  off();
  void [profile, state, refreshed, token, authed, new LocalStorageAdapter(), new SessionStorageAdapter()];

  const api = new HttpClient(session);
  try {
    const me = await api.get<Profile>("https://api.example.com/me", { authenticated: true, timeout: 3000 });
    const echoed = await api.post<{ ok: boolean }>("https://api.example.com/echo", { a: 1 }, { headers: { "x-trace": "1" } });
    void [me.email, echoed.ok];
  } catch (err) {
    if (err instanceof HttpError && err.code === "HTTP_ERROR") console.log(err.status, err.body);
    if (err instanceof AuthError && err.code === "SESSION_EXPIRED") await session.logout();
    if (err instanceof StorageError && err.code === "COOKIE_TOO_LARGE") console.log(err.message);
    if (err instanceof CryptoError && err.code === "DECRYPT_FAILED") console.log(err.message);
    if (err instanceof TypeError) console.log(err.message);
  }

  const metadata = new StorageManager({ sessionServerBaseUrl: "https://session.example.com", sessionNamespace: "app", useLocalStorage: true });
  metadata.sessionId = sessionId;
  await metadata.createSession({ hello: "world" });
  const data = await metadata.authorizeSession<{ hello: string }>();
  void [data.hello, STORAGE_KEYS.ACCESS_TOKEN];
  session.dispose();
}

// The auth entry (`wasm-session-manager/auth`): the session API with the same types; its
// StorageManager is the session-key statics only, and it has no metadata classes.
import * as auth from "wasm-session-manager/auth";

export async function authEntry(baseURL: string): Promise<string | null> {
  const sessionKey: string = auth.StorageManager.generateRandomSessionKey();
  await auth.ready();
  const publicKey: string = auth.StorageManager.getPublicKey(sessionKey);
  const session: auth.AuthSessionManager = new auth.AuthSessionManager({ apiClientConfig: { baseURL } });
  const data = await session.authorize<{ user: string }>();
  const me = await new auth.HttpClient(session).get<{ sub: string }>(`${baseURL}/v1/me`, { authenticated: true });
  // @ts-expect-error the auth entry's StorageManager cannot be constructed (no metadata API)
  void new auth.StorageManager({ sessionServerBaseUrl: baseURL });
  // @ts-expect-error no metadata classes in the auth entry
  void auth.ServerHandler;
  const key: string = auth.SessionKeys.getPublicKey(sessionKey);
  return data ? `${data.user} ${me.sub} ${publicKey === key} ${auth.STORAGE_KEYS.ID_TOKEN}` : null;
}
