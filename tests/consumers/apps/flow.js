// The flow every consumer runs against session-server, through the package as that consumer loads
// it: nothing instantiated at import, lazy instantiation on the first async call, login (the app's
// own API) -> setTokens -> authorize() -> an authenticated HttpClient GET. Returns a summary; throws
// on any deviation. `storage`: adapters for Node (MemoryStorage); browsers use the defaults.
export async function flow(sdk, baseURL, storage) {
  const { AuthSessionManager, HttpClient, StorageManager, CookieStorage, AuthError, HttpError, StorageError, STORAGE_KEYS } = sdk;
  const check = (cond, what) => {
    if (!cond) throw new Error(`check failed: ${what}`);
  };
  check(STORAGE_KEYS.SESSION_ID === "session_id", "STORAGE_KEYS holds the suffixes");
  const own = new AuthError("made by the app", "INVALID");
  check(own instanceof AuthError && own instanceof Error && own.name === "AuthError" && own.code === "INVALID", `new AuthError(): ${own.name} ${own.code}`);
  check(AuthSessionManager.name === "AuthSessionManager" && HttpError.name === "HttpError", `class names: ${AuthSessionManager.name}, ${HttpError.name}`);

  const options = { apiClientConfig: { baseURL } };
  if (storage) options.storage = storage;
  const session = new AuthSessionManager(options); // synchronous, before the module is ready
  check(session.isAuthenticated() === false, "isAuthenticated() false before ready");
  const sessionKey = StorageManager.generateRandomSessionKey();
  check(/^0x[0-9a-f]{64}$/.test(sessionKey), "generateRandomSessionKey before ready");

  check((await session.authorize()) === null, "authorize() without a session resolves null");

  const res = await fetch(`${baseURL}/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      username: "consumer",
      public_key: StorageManager.getPublicKey(sessionKey),
      session_data: { plan: "pro", user: "consumer" },
    }),
  });
  check(res.ok, `login answered ${res.status}`);
  const tokens = await res.json();
  await session.setTokens({
    sessionId: sessionKey,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    idToken: tokens.id_token,
  });
  const data = await session.authorize();
  check(data && data.plan === "pro" && data.user === "consumer", `authorize() data ${JSON.stringify(data)}`);
  check(session.isAuthenticated() === true, "isAuthenticated() after authorize");

  const api = new HttpClient(session);
  const me = await api.get(`${baseURL}/v1/me`, { authenticated: true });
  check(me && me.username === "consumer", `GET /v1/me ${JSON.stringify(me)}`);

  // the error classes as this consumer's build delivers them: instanceof, code
  const failure = (p) => p.then(() => null, (e) => e);
  const e404 = await failure(api.get(`${baseURL}/v1/no-such-route`, { authenticated: true }));
  check(e404 instanceof HttpError && e404.code === "HTTP_ERROR" && e404.status === 404, `404: ${e404}`);
  const badId = await failure(session.setTokens({ sessionId: "not hex" }));
  check(badId instanceof TypeError && badId.code === "INVALID_SESSION_ID", `bad session id: ${badId}`);
  if (typeof document !== "undefined") {
    const big = await failure(new CookieStorage().set("consumer_big", "x".repeat(5000)));
    check(big instanceof StorageError && big.code === "COOKIE_TOO_LARGE", `big cookie: ${big}`);
  }
  return { ok: true, user: me.username, plan: data.plan };
}
