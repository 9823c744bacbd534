// The API client: a bearer token kept in session storage, refreshed once when it expires.
export interface Tokens { access_token: string; refresh_token: string; expires_in: number }
export interface Balance { asset: string; amount: string; value: string | null }
export interface Position {
  symbol: string; quantity: string; average_cost: string; price: string; value: string;
  unrealised_pnl: string; unrealised_pct: string; realised_pnl: string;
}
export interface Portfolio {
  account_id: number; quote: string; cash: string; equity: string; realised_pnl: string;
  unrealised_pnl: string; fees_paid: string; deposits: string; balances: Balance[]; positions: Position[];
}
export interface EquityPoint { at: string; equity: string }
export interface Preview {
  price: string; quantity: string; cost: string; fee: string; at_risk: string;
  stop_distance: string | null; stop_distance_pct: string | null;
}
export interface Draft {
  draft_id: string; symbol: string; side: string; type: string; quantity: string; price: string | null;
  stop_loss: string | null; take_profits: string[]; preview: Preview; expires_at: string;
}
export interface Order {
  id: number; symbol: string; side: string; type: string; role: string; quantity: string; price: string | null;
  status: string; filled: string; average_price: string | null; created_at: string;
}
export interface Ticker { symbol: string; bid: string; ask: string; last: string }

export class ApiError extends Error {
  constructor(public status: number, message: string) { super(message); }
}

const ACCESS = "tsbot.access";
const REFRESH = "tsbot.refresh";

export function signedIn(): boolean { return !!sessionStorage.getItem(ACCESS); }

export function keep(tokens: Tokens): void {
  sessionStorage.setItem(ACCESS, tokens.access_token);
  sessionStorage.setItem(REFRESH, tokens.refresh_token);
}

export function useApiToken(secret: string): void {
  sessionStorage.setItem(ACCESS, secret.trim());
  sessionStorage.removeItem(REFRESH);
}

export function signOut(): void {
  sessionStorage.removeItem(ACCESS);
  sessionStorage.removeItem(REFRESH);
}

async function refresh(): Promise<boolean> {
  const token = sessionStorage.getItem(REFRESH);
  if (!token) return false;
  const answer = await fetch("/api/v1/auth/refresh", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refresh_token: token }),
  });
  if (!answer.ok) return false;
  keep(await answer.json());
  return true;
}

export async function call<T>(method: string, path: string, body?: unknown, retry = true): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const access = sessionStorage.getItem(ACCESS);
  if (access) headers.Authorization = `Bearer ${access}`;
  const answer = await fetch(`/api/v1${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (answer.status === 401 && retry && (await refresh())) return call<T>(method, path, body, false);
  if (!answer.ok) {
    let message = answer.statusText;
    try {
      const data = await answer.json();
      message = data.detail ?? message;
      if (data.extra?.[0]?.message) message = `${message}: ${data.extra[0].message}`;
    } catch { /* not JSON */ }
    throw new ApiError(answer.status, message);
  }
  return (answer.status === 204 ? undefined : await answer.json()) as T;
}

export async function signIn(path: "/auth/telegram" | "/auth/link", body: object): Promise<void> {
  keep(await call<Tokens>("POST", path, body, false));
}

/** Server-sent events over fetch, so the bearer token rides in a header. */
export async function listen(path: string, onEvent: (event: string, data: unknown) => void, stop: AbortSignal) {
  const answer = await fetch(`/api/v1${path}`, {
    headers: { Authorization: `Bearer ${sessionStorage.getItem(ACCESS) ?? ""}` }, signal: stop,
  });
  if (!answer.ok || !answer.body) return;
  const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const chunk = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of chunk.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join("\n")));
    }
  }
}

export function money(value: string | number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
