// A sample app typed against the package's .d.ts: `tsc --strict` must accept it (tests/types/check.sh).
import {
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
  void [profile, state, refreshed, token, authed, new LocalStorageAdapter(), new SessionStorageAdapter()];

  const api = new HttpClient(session);
  try {
    const me = await api.get<Profile>("https://api.example.com/me", { authenticated: true, timeout: 3000 });
    const echoed = await api.post<{ ok: boolean }>("https://api.example.com/echo", { a: 1 }, { headers: { "x-trace": "1" } });
    void [me.email, echoed.ok];
  } catch (err) {
    if (err instanceof HttpError && err.code === "HTTP_ERROR") console.log(err.status, err.body);
    if (err instanceof AuthError && err.code === "SESSION_EXPIRED") await session.logout();
  }

  const metadata = new StorageManager({ sessionServerBaseUrl: "https://session.example.com", sessionNamespace: "app", useLocalStorage: true });
  metadata.sessionId = sessionId;
  await metadata.createSession({ hello: "world" });
  const data = await metadata.authorizeSession<{ hello: string }>();
  void [data.hello, STORAGE_KEYS.ACCESS_TOKEN];
}
