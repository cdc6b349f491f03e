"use client";
// A client component importing the package: rendered on the server at `next build` (the import runs
// in Node there: nothing may throw), then run in the browser.
import { useEffect, useState } from "react";
import * as sdk from "wasm-session-manager";
import { flow } from "./flow.js";

export default function Flow() {
  const [state, setState] = useState("running");
  useEffect(() => {
    flow(sdk, location.origin).then(
      (result) => {
        window.__result = result;
        setState("done");
      },
      (e) => {
        window.__result = { ok: false, error: `${e && e.name}: ${e && e.message}`, code: e && e.code };
        setState("failed");
      },
    );
  }, []);
  return <p id="state">{state}</p>;
}
