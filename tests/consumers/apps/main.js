// A browser app's entry: the flow against the session-server that serves this page.
import * as sdk from "wasm-session-manager";
import { flow } from "./flow.js";

flow(sdk, location.origin).then(
  (result) => {
    window.__result = result;
  },
  (e) => {
    window.__result = { ok: false, error: `${e && e.name}: ${e && e.message}`, code: e && e.code, stack: e && e.stack };
  },
);
