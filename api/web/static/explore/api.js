// POST /graphql, as any client of the API: JSON in, JSON out. When the server needs a token to
// read, the page asks for one (the dialog of base.html) and keeps it in sessionStorage only, for
// this tab, never in the URL or localStorage.

const TOKEN_KEY = "diplomatic-timeline.token";

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Ask the user for a token in the page's dialog; resolves once one is given (or rejects). */
function askForToken(message) {
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token-input");
  document.getElementById("token-reason").textContent = message;
  input.value = "";
  return new Promise((resolve, reject) => {
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue === "use" && input.value.trim()) {
          sessionStorage.setItem(TOKEN_KEY, input.value.trim());
          resolve();
        } else {
          reject(new ApiError("reading needs a token: none was given", "UNAUTHENTICATED"));
        }
      },
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
}

/** Forget the tab's token (the page's "forget token" button). */
export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function hasToken() {
  return token() !== null;
}

/**
 * Run `query` with `variables`; the `data`. GraphQL errors with no data at all reject with the
 * first message; partial answers resolve with what came (errors listed in `data.__errors`).
 */
export async function ask(query, variables = {}) {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const held = token();
    if (held) headers.Authorization = `Bearer ${held}`;
    const response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json().catch(() => null);
    const errors = body?.errors ?? [];
    const unauthenticated = response.status === 401 ||
      errors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
    if (unauthenticated) {
      forgetToken();
      await askForToken(errors[0]?.message ?? "this server needs a token to read");
      continue;
    }
    if (!body || (body.data == null && errors.length)) {
      const first = errors[0];
      throw new ApiError(first?.message ?? `the server answered ${response.status}`, first?.extensions?.code);
    }
    const data = body.data ?? {};
    Object.defineProperty(data, "__errors", { value: errors, enumerable: false });
    return data;
  }
  throw new ApiError("the token was refused", "UNAUTHENTICATED");
}
