// The stop modes in force and the stops they move, read once for the whole Portfolio (two calls, whatever the
// number of positions) and again after a mode is set, so each position shows its mode as the page loads.
import { ref } from "vue";
import { api, ok, type Order, type StopMode } from "../api";

const modes = ref<StopMode[]>([]);
const stops = ref<Order[]>([]);

async function reload(): Promise<void> {
  const [inForce, open] = await Promise.all([
    ok(api.GET("/api/v1/positions/stop-modes")),
    ok(api.GET("/api/v1/orders", { params: { query: { status: "open" } } })),
  ]);
  modes.value = inForce;
  stops.value = open.filter((o) => o.role === "stop_loss");
}

/** The mode on `coin`'s position: a spot holding's is on a spot market (no settlement suffix), a futures
 * position's on its account. A trailing entry buys: it is on no position. */
function modeOn(coin: string, accountId?: number): StopMode | null {
  return modes.value.find((m) => m.kind !== "trailing_entry" && m.symbol.split("/")[0] === coin
    && (accountId === undefined ? !m.symbol.includes(":") : m.account_id === accountId)) ?? null;
}

/** The stop a mode moves: the one guarding its position, on its account and market. */
function stopOf(mode: StopMode): Order | null {
  return stops.value.find((o) => o.account_id === mode.account_id && o.symbol === mode.symbol) ?? null;
}

export function useStopModes() {
  return { modes, reload, modeOn, stopOf };
}
